//! A builder for stored records, so a test states only what it is about: `RecordBuilder::
//! rival("run", "wechat", "taobao.item").verdict(Blocked, "stop_page").body(page).build()`.
//! Everything else gets a plausible value: WeChat on Android in a private chat, a Taobao
//! item, one hop, one attempt, an `opened` control.

use chrono::{DateTime, TimeZone, Utc};

use linkgate::model::{
    Actor, Attempt, Category, Client, EngineKind, Hop, HopVia, Observation, ProbeRole, Record,
    Scene, StoredVerdict, VerdictKind,
};

/// A record under construction.
#[derive(Debug, Clone)]
pub struct RecordBuilder {
    record: Record,
}

/// One hop at `url`.
pub fn hop(url: &str, status: Option<u16>, via: HopVia) -> Hop {
    Hop {
        url: url.into(),
        status,
        location: None,
        via,
        elapsed_ms: 10,
    }
}

impl RecordBuilder {
    /// `link` opened in `host`'s Android private chat, `opened` like its control.
    pub fn rival(run_id: &str, host: &str, link: &str) -> RecordBuilder {
        let mut builder = RecordBuilder::control(run_id, link);
        let record = &mut builder.record;
        record.context = format!("{host}.android.private_chat");
        record.host_platform = Some(host.to_string());
        record.scene = Some(Scene::PrivateChat);
        record.role = ProbeRole::Rival;
        record.control_verdict = Some(VerdictKind::Opened);
        builder
    }

    /// The control of `link`: opened in the neutral Android browser.
    pub fn control(run_id: &str, link: &str) -> RecordBuilder {
        let url = format!("https://item.taobao.com/{link}");
        let at = Utc.with_ymd_and_hms(2021, 9, 17, 8, 0, 0).unwrap();
        RecordBuilder {
            record: Record {
                run_id: run_id.into(),
                observed_at: at,
                audit: "miit-2021".into(),
                context: "neutral.android".into(),
                host_platform: None,
                scene: None,
                client: Client::Android,
                link_id: link.into(),
                link_platform: "taobao".into(),
                link_category: Category::Ecommerce,
                url: url.clone(),
                role: ProbeRole::Control,
                observation: Observation {
                    engine: EngineKind::Http,
                    entry_url: url.clone(),
                    hops: vec![hop(&url, Some(200), HopVia::Start)],
                    final_url: url,
                    status: Some(200),
                    attempts: vec![Attempt {
                        number: 1,
                        started_at: at,
                        duration_ms: 100,
                        status: Some(200),
                        failure: None,
                        wait_ms: None,
                    }],
                    ..Observation::default()
                },
                verdict: StoredVerdict {
                    kind: VerdictKind::Opened,
                    mechanism: "direct".into(),
                    actor: Actor::None,
                    signature: None,
                    reason: "opened for the test".into(),
                },
                control_verdict: None,
            },
        }
    }

    pub fn role(mut self, role: ProbeRole) -> Self {
        self.record.role = role;
        self
    }

    pub fn audit(mut self, audit: &str) -> Self {
        self.record.audit = audit.into();
        self
    }

    pub fn context(mut self, context: &str, scene: Option<Scene>) -> Self {
        self.record.context = context.into();
        self.record.scene = scene;
        self
    }

    pub fn observed_at(mut self, at: DateTime<Utc>) -> Self {
        self.record.observed_at = at;
        self
    }

    /// The link's URL, where the probe starts.
    pub fn url(mut self, url: &str) -> Self {
        self.record.url = url.into();
        self.record.observation.entry_url = url.into();
        self
    }

    /// Where the probe went, hop by hop; the last hop is where it ended.
    pub fn hops(mut self, hops: Vec<Hop>) -> Self {
        if let Some(last) = hops.last() {
            self.record.observation.final_url = last.url.clone();
            self.record.observation.status = last.status;
        }
        self.record.observation.hops = hops;
        self
    }

    pub fn body(mut self, body: &str) -> Self {
        self.record.observation.body = body.into();
        self
    }

    pub fn observation(mut self, edit: impl FnOnce(&mut Observation)) -> Self {
        edit(&mut self.record.observation);
        self
    }

    pub fn verdict(mut self, kind: VerdictKind, mechanism: &str) -> Self {
        self.record.verdict.kind = kind;
        self.record.verdict.mechanism = mechanism.into();
        self.record.verdict.reason = format!("{kind} for the test");
        self
    }

    pub fn signature(mut self, signature: Option<String>, reason: &str) -> Self {
        self.record.verdict.signature = signature;
        self.record.verdict.reason = reason.into();
        self
    }

    pub fn actor(mut self, actor: Actor) -> Self {
        self.record.verdict.actor = actor;
        self
    }

    pub fn control_verdict(mut self, kind: Option<VerdictKind>) -> Self {
        self.record.control_verdict = kind;
        self
    }

    pub fn build(self) -> Record {
        self.record
    }
}
