//! The assessment rules on hand-built histories: each test builds the few records a rule is
//! about, so a broken rule names itself.

use chrono::{NaiveDate, TimeZone, Utc};

use super::*;
use crate::model::{
    Actor, Category, Client, Deadline, Observation, Platform, ProbeRole, Record, Run, RunStatus,
    Scene, StoredVerdict, VerdictKind,
};

const WECHAT_GROUP: &str = "wechat.android.group_chat";
const WECHAT_PRIVATE: &str = "wechat.android.private_chat";

/// A record of `link` (`platform.rest`) seen in `context` on 2021-`month`-`day`.
fn record(
    run: &str,
    (month, day): (u32, u32),
    context: &str,
    link: &str,
    category: Category,
    role: ProbeRole,
    verdict: VerdictKind,
) -> Record {
    let control = role == ProbeRole::Control;
    let host = context.split('.').next().unwrap().to_string();
    let scene = context.rsplit('.').next().and_then(Scene::parse);
    Record {
        run_id: run.into(),
        observed_at: Utc.with_ymd_and_hms(2021, month, day, 3, 0, 0).unwrap(),
        audit: "miit-2021".into(),
        context: context.into(),
        host_platform: (!control).then_some(host),
        scene: if control { None } else { scene },
        client: Client::Android,
        link_id: link.into(),
        link_platform: link.split('.').next().unwrap().into(),
        link_category: category,
        url: format!("https://example.test/{link}"),
        role,
        observation: Observation::default(),
        verdict: StoredVerdict {
            kind: verdict,
            mechanism: match verdict {
                VerdictKind::Opened => "direct",
                VerdictKind::Interstitial => "risk_warning",
                VerdictKind::Blocked => "stop_page",
                VerdictKind::Inconclusive => "target_down",
            }
            .into(),
            actor: Actor::Host,
            signature: None,
            reason: String::new(),
        },
        control_verdict: Some(VerdictKind::Opened),
    }
}

fn rival(run: &str, date: (u32, u32), link: &str, verdict: VerdictKind) -> Record {
    record(
        run,
        date,
        WECHAT_GROUP,
        link,
        Category::Ecommerce,
        ProbeRole::Rival,
        verdict,
    )
}

fn run(id: &str) -> Run {
    Run {
        id: id.into(),
        // Deliberately not the measurement time: reports must order by observed_at.
        started_at: Utc.with_ymd_and_hms(2026, 11, 24, 0, 0, 0).unwrap(),
        ended_at: None,
        status: RunStatus::Completed,
        tool_version: "0.1.0".into(),
        vantage: "test".into(),
        audits: vec!["miit-2021".into()],
        scenario_files: Vec::new(),
        simulated: true,
    }
}

fn terms(policy: Policy) -> AuditTerms {
    AuditTerms {
        id: "miit-2021".into(),
        title: "MIIT".into(),
        policy,
        deadlines: vec![Deadline {
            date: NaiveDate::from_ymd_opt(2021, 9, 17).unwrap(),
            label: "deadline".into(),
        }],
    }
}

fn directory() -> Directory {
    let platform = |id: &str, owner: &str| Platform {
        id: id.into(),
        owner: owner.into(),
        name: id.into(),
        name_zh: id.into(),
    };
    Directory::new(&[
        platform("wechat", "tencent"),
        platform("qq", "tencent"),
        platform("taobao", "alibaba"),
        platform("jd", "jd"),
    ])
}

/// Judges each run's records and assesses as of the last run listed.
fn history(policy: Policy, runs: Vec<Vec<Record>>) -> Assessment {
    let shown = runs.last().unwrap()[0].run_id.clone();
    let history = runs
        .into_iter()
        .map(|records| RunFindings {
            run: run(&records[0].run_id),
            findings: judge(&records, policy),
        })
        .collect();
    let today = NaiveDate::from_ymd_opt(2021, 11, 17).unwrap();
    assess(&terms(policy), history, &shown, &directory(), today).unwrap()
}

fn finding<'a>(findings: &'a [Finding], link: &str) -> &'a Finding {
    findings.iter().find(|f| f.link_id == link).unwrap()
}

#[test]
fn interstitial_is_selective_when_a_same_owner_link_of_the_category_opens() {
    let records = vec![
        rival("r1", (9, 20), "taobao.item", VerdictKind::Interstitial),
        record(
            "r1",
            (9, 20),
            WECHAT_GROUP,
            "qq.shop",
            Category::Ecommerce,
            ProbeRole::SameOwner,
            VerdictKind::Opened,
        ),
    ];
    let findings = judge(&records, Policy::SameTreatment);
    let taobao = finding(&findings, "taobao.item");
    assert_eq!(taobao.compliance, Compliance::NonCompliant);
    assert_eq!(taobao.note, Some(Note::SelectiveFriction));
    assert_eq!(taobao.baseline.as_deref(), Some("qq.shop"));
}

#[test]
fn interstitial_is_uniform_friction_without_a_matching_baseline() {
    // A same-owner link that opened, but of another category, in another context, or one
    // that got the same warning: none shows rivals are treated worse.
    let same_owner = |context: &str, category, verdict| {
        record(
            "r1",
            (9, 20),
            context,
            "qq.page",
            category,
            ProbeRole::SameOwner,
            verdict,
        )
    };
    for baseline in [
        same_owner(WECHAT_GROUP, Category::Article, VerdictKind::Opened),
        same_owner(WECHAT_PRIVATE, Category::Ecommerce, VerdictKind::Opened),
        same_owner(WECHAT_GROUP, Category::Ecommerce, VerdictKind::Interstitial),
    ] {
        let records = vec![
            rival("r1", (9, 20), "taobao.item", VerdictKind::Interstitial),
            baseline,
        ];
        let findings = judge(&records, Policy::SameTreatment);
        let taobao = finding(&findings, "taobao.item");
        assert_eq!(taobao.compliance, Compliance::Compliant);
        assert_eq!(taobao.note, Some(Note::UniformFriction));
        assert_eq!(taobao.baseline, None);
    }
}

#[test]
fn strict_policy_counts_every_interstitial_against_the_host() {
    let records = vec![rival(
        "r1",
        (9, 20),
        "taobao.item",
        VerdictKind::Interstitial,
    )];
    let findings = judge(&records, Policy::Strict);
    assert_eq!(findings[0].compliance, Compliance::NonCompliant);
    assert_eq!(findings[0].note, Some(Note::UniformFriction));
}

#[test]
fn opened_complies_blocked_does_not_inconclusive_is_unknown() {
    let records = vec![
        rival("r1", (9, 20), "taobao.item", VerdictKind::Opened),
        rival("r1", (9, 20), "jd.item", VerdictKind::Blocked),
        rival("r1", (9, 20), "taobao.share", VerdictKind::Inconclusive),
    ];
    for policy in Policy::ALL {
        let findings = judge(&records, policy);
        let compliance = |link| finding(&findings, link).compliance;
        assert_eq!(compliance("taobao.item"), Compliance::Compliant);
        assert_eq!(compliance("jd.item"), Compliance::NonCompliant);
        assert_eq!(compliance("taobao.share"), Compliance::Unknown);
    }
}

#[test]
fn controls_are_not_findings_and_same_owner_pairs_are_not_scored() {
    let records = vec![
        rival("r1", (9, 20), "jd.item", VerdictKind::Blocked),
        record(
            "r1",
            (9, 20),
            "neutral.android",
            "jd.item",
            Category::Ecommerce,
            ProbeRole::Control,
            VerdictKind::Opened,
        ),
        record(
            "r1",
            (9, 20),
            WECHAT_GROUP,
            "qq.page",
            Category::Article,
            ProbeRole::SameOwner,
            VerdictKind::Blocked,
        ),
    ];
    let assessment = history(Policy::SameTreatment, vec![records]);
    let links: Vec<&str> = assessment
        .pairs
        .iter()
        .map(|p| p.finding.link_id.as_str())
        .collect();
    assert_eq!(links, ["qq.page", "jd.item"]);
    let overall = assessment.summaries.overall;
    assert_eq!((overall.non_compliant, overall.total()), (1, 1));
    let same_owner = assessment
        .cells
        .iter()
        .find(|c| c.key.link_platform == "qq")
        .unwrap();
    assert_eq!(same_owner.role, ProbeRole::SameOwner);
}

#[test]
fn regressions_are_compliant_then_not_skipping_unknown_runs() {
    use VerdictKind::*;
    let verdicts = [Opened, Inconclusive, Blocked, Opened, Blocked];
    let runs = verdicts
        .iter()
        .enumerate()
        .map(|(i, v)| vec![rival(&format!("r{i}"), (10, 1 + i as u32), "jd.item", *v)])
        .collect();
    let assessment = history(Policy::SameTreatment, runs);
    let timeline = &assessment.pairs[0].timeline;
    let spans: Vec<(&str, &str)> = timeline
        .regressions
        .iter()
        .map(|r| (r.compliant.run_id.as_str(), r.non_compliant.run_id.as_str()))
        .collect();
    assert_eq!(spans, [("r0", "r2"), ("r3", "r4")]);
    assert_eq!(timeline.first_compliant.as_ref().unwrap().run_id, "r0");
    assert_eq!(timeline.last_non_compliant.as_ref().unwrap().run_id, "r4");
    assert_eq!(assessment.summaries.overall.regressed, 1);
}

#[test]
fn days_past_the_deadline_run_to_the_last_non_compliant_run() {
    use VerdictKind::*;
    // Blocked before and after the deadline, compliant from 17 November: last seen
    // non-compliant on 20 September, 3 days past 17 September.
    let runs = vec![
        vec![rival("r1", (9, 10), "jd.item", Blocked)],
        vec![rival("r2", (9, 20), "jd.item", Blocked)],
        vec![rival("r3", (11, 17), "jd.item", Opened)],
    ];
    let assessment = history(Policy::SameTreatment, runs);
    let past = &assessment.pairs[0].timeline.past_deadlines;
    assert_eq!(past[0].days, Some(3));
    assert_eq!(assessment.days_since(past[0].deadline), 61);

    let still_blocked = vec![
        vec![rival("r1", (9, 10), "jd.item", Blocked)],
        vec![rival("r2", (11, 17), "jd.item", Blocked)],
    ];
    let assessment = history(Policy::SameTreatment, still_blocked);
    assert_eq!(
        assessment.pairs[0].timeline.days_past_first_deadline(),
        Some(61)
    );

    let fixed_in_time = vec![
        vec![rival("r1", (9, 10), "jd.item", Blocked)],
        vec![rival("r2", (9, 17), "jd.item", Opened)],
    ];
    let assessment = history(Policy::SameTreatment, fixed_in_time);
    assert_eq!(
        assessment.pairs[0].timeline.days_past_first_deadline(),
        None
    );
}

#[test]
fn changes_since_the_previous_run_list_regressions_first() {
    use VerdictKind::*;
    let before = vec![
        rival("r1", (10, 1), "jd.item", Blocked),
        rival("r1", (10, 1), "taobao.item", Opened),
        rival("r1", (10, 1), "taobao.share", Blocked),
        rival("r1", (10, 1), "jd.gone", Opened),
        rival("r1", (10, 1), "jd.same", Opened),
    ];
    let after = vec![
        rival("r2", (10, 8), "jd.item", Opened),
        rival("r2", (10, 8), "taobao.item", Blocked),
        rival("r2", (10, 8), "taobao.share", Interstitial),
        rival("r2", (10, 8), "jd.new", Opened),
        rival("r2", (10, 8), "jd.same", Opened),
    ];
    let assessment = history(Policy::Strict, vec![before, after]);
    let changes: Vec<(ChangeKind, &str)> = assessment
        .changes
        .iter()
        .map(|c| (c.kind, c.link_id.as_str()))
        .collect();
    assert_eq!(
        changes,
        [
            (ChangeKind::Regressed, "taobao.item"),
            (ChangeKind::Improved, "jd.item"),
            // Non-compliant both times under `strict`, but blocked became a warning.
            (ChangeKind::Changed, "taobao.share"),
            (ChangeKind::New, "jd.new"),
            (ChangeKind::Gone, "jd.gone"),
        ]
    );
    // Cells compare their own compliance: taobao had a blocked link both times.
    let cell = |platform: &str| {
        let cell = assessment
            .cells
            .iter()
            .find(|c| c.key.link_platform == platform);
        cell.unwrap().change
    };
    assert_eq!(cell("taobao"), ChangeKind::Same);
    assert_eq!(cell("jd"), ChangeKind::Improved);
}

#[test]
fn a_first_run_has_no_changes() {
    let runs = vec![vec![rival("r1", (10, 1), "jd.item", VerdictKind::Blocked)]];
    let assessment = history(Policy::SameTreatment, runs);
    assert!(assessment.changes.is_empty());
    assert_eq!(assessment.pairs[0].change, ChangeKind::Same);
}

#[test]
fn runs_are_ordered_by_measurement_time_and_later_runs_left_out() {
    use VerdictKind::*;
    // Run ids sort the other way round from the dates they measured.
    let history = vec![
        RunFindings {
            run: run("a-late"),
            findings: judge(
                &[rival("a-late", (12, 1), "jd.item", Opened)],
                Policy::Strict,
            ),
        },
        RunFindings {
            run: run("z-early"),
            findings: judge(
                &[rival("z-early", (9, 1), "jd.item", Blocked)],
                Policy::Strict,
            ),
        },
        RunFindings {
            run: run("m-middle"),
            findings: judge(
                &[rival("m-middle", (10, 1), "jd.item", Opened)],
                Policy::Strict,
            ),
        },
    ];
    let today = NaiveDate::from_ymd_opt(2021, 10, 1).unwrap();
    let assessment = assess(
        &terms(Policy::Strict),
        history,
        "m-middle",
        &directory(),
        today,
    )
    .unwrap();
    let ids: Vec<&str> = assessment.runs.iter().map(|r| r.run_id.as_str()).collect();
    assert_eq!(ids, ["z-early", "m-middle"]);
    assert_eq!(assessment.pairs[0].change, ChangeKind::Improved);
    assert_eq!(
        assessment.pairs[0].history,
        [Some(Compliance::NonCompliant), Some(Compliance::Compliant)]
    );
}

#[test]
fn an_unknown_shown_run_is_an_error_naming_it() {
    let history = vec![RunFindings {
        run: run("r1"),
        findings: judge(
            &[rival("r1", (10, 1), "jd.item", VerdictKind::Opened)],
            Policy::Strict,
        ),
    }];
    let today = NaiveDate::from_ymd_opt(2021, 10, 1).unwrap();
    let err = assess(&terms(Policy::Strict), history, "r9", &directory(), today).unwrap_err();
    assert!(err.to_string().contains("r9"), "{err}");
}

#[test]
fn cells_group_links_of_a_platform_and_trend_rates_follow_the_runs() {
    use VerdictKind::*;
    let runs = vec![
        vec![
            rival("r1", (9, 1), "taobao.item", Blocked),
            rival("r1", (9, 1), "taobao.share", Blocked),
        ],
        vec![
            rival("r2", (10, 1), "taobao.item", Opened),
            rival("r2", (10, 1), "taobao.share", Inconclusive),
        ],
    ];
    let assessment = history(Policy::SameTreatment, runs);
    assert_eq!(assessment.cells.len(), 1);
    let cell = &assessment.cells[0];
    assert_eq!(cell.pairs.len(), 2);
    assert_eq!(cell.compliance, Compliance::Compliant);
    assert_eq!(
        cell.history,
        [Some(Compliance::NonCompliant), Some(Compliance::Compliant)]
    );
    assert_eq!(cell.change, ChangeKind::Improved);
    assert_eq!(assessment.trend.len(), 1);
    assert_eq!(assessment.trend[0].rates, [Some(0.0), Some(1.0)]);
}
