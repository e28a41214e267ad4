//! The JavaScript engine, QuickJS through `rquickjs`: one runtime per thread, built on first
//! use and kept (building one costs more than running a share page's scripts), and a fresh
//! context per page so no page sees another's globals. Each page gets a budget: a wall-clock
//! limit and a count of QuickJS's interrupt checks (about one per 10,000 operations), so a
//! page that loops forever is stopped, and the same page is stopped at the same point on a
//! quiet or a busy machine; and the runtime's memory is capped.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Duration, Instant};

use rquickjs::module::WriteOptions;
use rquickjs::{Context, Ctx, Function, Module, Object, Runtime};

use super::Limits;

/// Why a run stopped early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stopped {
    Time,
    Memory,
    /// The engine could not even start (should not happen; reported, not hidden).
    Engine,
}

struct Budget {
    deadline: Cell<Instant>,
    checks_left: Cell<u64>,
    exhausted: Cell<bool>,
}

struct Engine {
    runtime: Runtime,
    budget: Rc<Budget>,
    /// The stub browser compiled to QuickJS bytecode on first use: compiling it costs about
    /// 2 ms, loading the bytecode into a page's context a tenth of that.
    prelude: RefCell<Option<Vec<u8>>>,
}

thread_local! {
    static ENGINE: RefCell<Option<Engine>> = const { RefCell::new(None) };
}

fn build(limits: &Limits) -> Option<Engine> {
    let runtime = Runtime::new().ok()?;
    runtime.set_memory_limit(limits.memory_bytes);
    runtime.set_max_stack_size(512 * 1024);
    let budget = Rc::new(Budget {
        deadline: Cell::new(Instant::now()),
        checks_left: Cell::new(0),
        exhausted: Cell::new(false),
    });
    let b = budget.clone();
    runtime.set_interrupt_handler(Some(Box::new(move || {
        let left = b.checks_left.get();
        if left == 0 || Instant::now() > b.deadline.get() {
            b.exhausted.set(true);
            return true;
        }
        b.checks_left.set(left - 1);
        false
    })));
    Some(Engine {
        runtime,
        budget,
        prelude: RefCell::new(None),
    })
}

/// A page's session with the engine: calls into its context, each within the page's budget.
pub(super) struct Session<'a, 'js> {
    ctx: Ctx<'js>,
    lg: Object<'js>,
    budget: &'a Budget,
}

impl<'a, 'js> Session<'a, 'js> {
    /// Calls `__lg.<name>(args)`; the JSON text of its result, or why it stopped.
    pub fn call_json(&self, name: &str, arg: Option<u32>) -> Result<String, Option<Stopped>> {
        let f: Function<'js> = self.lg.get(name).map_err(|_| Some(Stopped::Engine))?;
        let value: rquickjs::Value<'js> = match arg {
            Some(a) => f.call((a,)),
            None => f.call(()),
        }
        .map_err(|_| self.stopped())?;
        self.drain_jobs();
        if self.budget.exhausted.get() {
            return Err(Some(Stopped::Time));
        }
        let json: Option<String> = self
            .ctx
            .json_stringify(value)
            .map_err(|_| self.stopped())?
            .and_then(|s| s.to_string().ok());
        Ok(json.unwrap_or_else(|| "null".to_string()))
    }

    /// Calls `__lg.<name>(arg)` for its effect.
    pub fn call(&self, name: &str, arg: Option<u32>) -> Result<(), Option<Stopped>> {
        self.call_json(name, arg).map(|_| ())
    }

    /// Runs promise jobs queued by the last call (they belong to the same task).
    fn drain_jobs(&self) {
        for _ in 0..10_000 {
            if self.budget.exhausted.get() || !self.ctx.execute_pending_job() {
                break;
            }
        }
    }

    /// What a failed call means: the budget ran out, memory ran out, or nothing the page
    /// could not also do in a browser (`None`: an exception the prelude did not catch).
    fn stopped(&self) -> Option<Stopped> {
        if self.budget.exhausted.get() {
            return Some(Stopped::Time);
        }
        let exception = self.ctx.catch();
        let text = exception
            .as_exception()
            .and_then(|e| e.message())
            .or_else(|| exception.as_string().and_then(|s| s.to_string().ok()))
            .unwrap_or_default();
        if text.contains("out of memory") {
            Some(Stopped::Memory)
        } else if text.contains("interrupted") {
            Some(Stopped::Time)
        } else {
            None
        }
    }

    /// Gives reading the results a moment after the budget ran out.
    pub fn extend(&self) {
        self.budget.exhausted.set(false);
        self.budget.checks_left.set(1_000);
        self.budget
            .deadline
            .set(Instant::now() + Duration::from_millis(50));
    }
}

/// Runs the stub browser in `ctx`, from bytecode compiled once per thread.
fn run_prelude(ctx: &Ctx<'_>, engine: &Engine, prelude: &str) -> rquickjs::Result<()> {
    let mut cached = engine.prelude.borrow_mut();
    if cached.is_none() {
        let module = Module::declare(ctx.clone(), "linkgate-prelude", prelude)?;
        *cached = Some(module.write(WriteOptions::default())?);
    }
    let bytes = cached.as_deref().unwrap_or_default();
    // SAFETY: `bytes` is bytecode this runtime wrote itself from the prelude, a moment ago or
    // earlier on this thread, and it is kept (in `engine`) for as long as the runtime lives.
    let module = unsafe { Module::load(ctx.clone(), bytes)? };
    let (_, promise) = module.eval()?;
    while ctx.execute_pending_job() {}
    promise.finish::<()>()
}

/// The JSON text of the value of the JavaScript expression `source`, in a bare context.
pub(super) fn evaluate_json(limits: &Limits, source: &str) -> Option<String> {
    ENGINE.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = build(limits);
        }
        let engine = slot.as_ref()?;
        let budget = &*engine.budget;
        budget.exhausted.set(false);
        budget.checks_left.set(limits.checks);
        budget.deadline.set(Instant::now() + limits.time);
        let context = Context::full(&engine.runtime).ok()?;
        let json = context.with(|ctx| {
            let value: rquickjs::Value<'_> = ctx.eval(format!("({source}\n)")).ok()?;
            ctx.json_stringify(value)
                .ok()?
                .and_then(|s| s.to_string().ok())
        });
        drop(context);
        engine.runtime.run_gc();
        json
    })
}

/// Runs `work` in a fresh context holding `prelude`, with `input` (JSON) as `__lg_input`.
pub(super) fn with_page<T>(
    limits: &Limits,
    input: &str,
    prelude: &str,
    work: impl FnOnce(Result<&Session<'_, '_>, Stopped>) -> T,
) -> T {
    ENGINE.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = build(limits);
        }
        let Some(engine) = slot.as_ref() else {
            return work(Err(Stopped::Engine));
        };
        engine.runtime.set_memory_limit(limits.memory_bytes);
        let budget = &*engine.budget;
        budget.exhausted.set(false);
        budget.checks_left.set(limits.checks);
        budget.deadline.set(Instant::now() + limits.time);
        let Ok(context) = Context::full(&engine.runtime) else {
            return work(Err(Stopped::Memory));
        };
        let result = context.with(|ctx| {
            let ready = ctx
                .globals()
                .set("__lg_input", input)
                .and_then(|()| run_prelude(&ctx, engine, prelude))
                .and_then(|()| ctx.globals().get::<_, Object<'_>>("__lg"));
            match ready {
                Ok(lg) => {
                    let session = Session {
                        ctx: ctx.clone(),
                        lg,
                        budget,
                    };
                    work(Ok(&session))
                }
                Err(_) => {
                    let why = if budget.exhausted.get() {
                        Stopped::Time
                    } else {
                        let _ = ctx.catch();
                        Stopped::Memory
                    };
                    work(Err(why))
                }
            }
        });
        drop(context);
        engine.runtime.run_gc();
        result
    })
}
