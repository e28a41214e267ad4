//! The top of the report: which audit, which deadline and how long ago, which run from where,
//! and the one-line verdict a reader takes away ("12 of 40 rival pairs still non-compliant,
//! 61 days past the deadline"), with why pairs could not be judged when their controls failed
//! too ("… most often with dns (32 of 32 controls)"). A simulated run says so before anything
//! else.

use super::lang::Lang;
use crate::assess::{Assessment, ControlFailures, Policy};
use crate::model::{Run, RunStatus};

/// A deadline as the header shows it.
pub struct DeadlineView {
    pub date: String,
    pub label: String,
    /// "61 days ago" / "in 3 days" / "today", in the report's language.
    pub since: String,
}

/// The header's contents.
pub struct Header {
    pub title: String,
    pub audit_id: String,
    pub headline: String,
    /// `nc`, `ok` or `unk`: how the headline is coloured.
    pub headline_class: &'static str,
    pub deadlines: Vec<DeadlineView>,
    pub run_id: String,
    pub measured: String,
    pub vantage: String,
    pub policy: String,
    pub previous: String,
    pub simulated: bool,
    pub unfinished: bool,
}

impl Header {
    pub fn new(
        assessment: &Assessment,
        run: &Run,
        unjudged: &ControlFailures,
        lang: Lang,
    ) -> Header {
        let t = lang.labels();
        let shown = assessment.shown();
        let previous = match assessment.previous() {
            Some(p) => format!("{} ({})", p.run_id, p.at.format("%Y-%m-%d %H:%M UTC")),
            None => t.none.to_string(),
        };
        let (headline, headline_class) = headline(assessment, unjudged, lang);
        Header {
            title: assessment.audit.title.clone(),
            audit_id: assessment.audit.id.clone(),
            headline,
            headline_class,
            deadlines: assessment
                .audit
                .deadlines
                .iter()
                .map(|d| DeadlineView {
                    date: d.date.to_string(),
                    label: d.label.clone(),
                    since: since(assessment.days_since(d.date), lang),
                })
                .collect(),
            run_id: shown.run_id.clone(),
            measured: shown.at.format("%Y-%m-%d %H:%M UTC").to_string(),
            vantage: shown.vantage.clone(),
            policy: policy(assessment.audit.policy, lang),
            previous,
            simulated: shown.simulated || run.simulated,
            unfinished: run.status != RunStatus::Completed,
        }
    }
}

fn since(days: i64, lang: Lang) -> String {
    match (lang, days) {
        (Lang::En, 0) => "today".to_string(),
        (Lang::En, d) if d > 0 => format!("{d} days ago"),
        (Lang::En, d) => format!("in {} days", -d),
        (Lang::Zh, 0) => "今天".to_string(),
        (Lang::Zh, d) if d > 0 => format!("已过 {d} 天"),
        (Lang::Zh, d) => format!("还有 {} 天", -d),
    }
}

fn policy(policy: Policy, lang: Lang) -> String {
    let explained = match (lang, policy) {
        (Lang::En, Policy::SameTreatment) => {
            "an interstitial is non-compliant only when a same-owner link of its category opens directly in the same place"
        }
        (Lang::En, Policy::Strict) => "every interstitial is non-compliant",
        (Lang::Zh, Policy::SameTreatment) => {
            "同类同属集团链接在同一场景被直接打开时，中间页才算不合规（同类同等对待）"
        }
        (Lang::Zh, Policy::Strict) => "任何中间页都算不合规",
    };
    format!("{} ({explained})", policy.as_str())
}

/// The one-line verdict over the shown run's rival pairs, and its colour class.
pub fn headline(
    assessment: &Assessment,
    unjudged: &ControlFailures,
    lang: Lang,
) -> (String, &'static str) {
    let tally = assessment.summaries.overall;
    let days = assessment
        .audit
        .deadlines
        .first()
        .map(|d| assessment.days_since(d.date));
    let (nc, unknown, total) = (tally.non_compliant, tally.unknown, tally.total());
    let known = total - unknown;
    let mut line = match (lang, nc > 0, known > 0) {
        (Lang::En, true, _) => match days {
            Some(d) if d >= 0 => format!(
                "{nc} of {total} rival pairs still non-compliant, {d} days past the deadline"
            ),
            Some(d) => format!(
                "{nc} of {total} rival pairs not yet compliant, {} days before the deadline",
                -d
            ),
            None => format!("{nc} of {total} rival pairs non-compliant"),
        },
        (Lang::En, false, true) => format!("All {known} rival pairs judged are compliant"),
        (Lang::En, false, false) => format!("None of the {total} rival pairs could be judged"),
        (Lang::Zh, true, _) => match days {
            Some(d) if d >= 0 => {
                format!("{total} 个竞争对手组合中仍有 {nc} 个不合规，已过截止日期 {d} 天")
            }
            Some(d) => format!(
                "{total} 个竞争对手组合中尚有 {nc} 个未合规，距截止日期还有 {} 天",
                -d
            ),
            None => format!("{total} 个竞争对手组合中有 {nc} 个不合规"),
        },
        (Lang::Zh, false, true) => format!("可判断的 {known} 个竞争对手组合全部合规"),
        (Lang::Zh, false, false) => format!("{total} 个竞争对手组合均无法判断"),
    };
    if unknown > 0 && known > 0 {
        line.push_str(&match lang {
            Lang::En => format!("; {unknown} could not be judged"),
            Lang::Zh => format!("；另有 {unknown} 个无法判断"),
        });
    }
    if unknown > 0
        && let Some(why) = why_unjudged(unjudged, lang)
    {
        // After "none … could be judged" the reason follows a colon; after "; 2 could not be
        // judged", a comma.
        line.push_str(match (lang, known > 0) {
            (Lang::En, true) => ", ",
            (Lang::En, false) => ": ",
            (Lang::Zh, true) => "，",
            (Lang::Zh, false) => "：",
        });
        line.push_str(&why);
    }
    let class = match (nc > 0, known > 0) {
        (true, _) => "nc",
        (false, true) => "ok",
        (false, false) => "unk",
    };
    (line, class)
}

/// `1698 because their controls failed too, most often with dns (32 of 32 controls)`, when
/// pairs could not be judged because of their controls.
fn why_unjudged(unjudged: &ControlFailures, lang: Lang) -> Option<String> {
    let (cause, n) = unjudged.dominant()?;
    let (pairs, controls) = (unjudged.pairs, unjudged.controls);
    Some(match lang {
        Lang::En => format!(
            "{pairs} because their controls failed too, most often with {cause} ({n} of \
             {controls} controls)"
        ),
        Lang::Zh => format!(
            "其中 {pairs} 个的对照也未能打开，最常见原因为 {cause}（{controls} 个对照中 {n} 个）"
        ),
    })
}
