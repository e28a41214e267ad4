//! `linkgate daemon`: runs due audits on their schedules until stopped (see
//! [`linkgate::audit::serve`]); it reads the scenario files again before each look, and on
//! SIGTERM interrupts the run in flight as `run` does and exits 0.

use std::time::Duration;

use clap::Args;
use tokio_util::sync::CancellationToken;

use super::run::RunArgs;
use super::{Exit, Global, InvalidArgs};

#[derive(Debug, Args)]
pub struct DaemonArgs {
    /// Every flag of `linkgate run` except --resume and --due
    #[command(flatten)]
    run: RunArgs,
    /// Longest wait between two looks at the schedules
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = humantime::parse_duration)]
    tick: Duration,
}

pub fn run(args: DaemonArgs, global: &Global) -> anyhow::Result<Exit> {
    if args.run.resume.is_some() || args.run.due {
        return Err(InvalidArgs(
            "the daemon always runs what is due: leave out --resume and --due".into(),
        )
        .into());
    }
    let session = super::run::session(&args.run)?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let stop = CancellationToken::new();
        linkgate::audit::signals::stop_on_signal(stop.clone(), true);
        let mut reload = || super::run::session(&args.run).map_err(|e| super::describe(&e));
        let mut on_run = |session: &_, measured: &_| {
            super::run::report(session, measured, global, false);
        };
        linkgate::audit::serve(session, &mut reload, args.tick, &stop, &mut on_run).await;
        Ok(Exit::Ok)
    })
}
