//! A verdict is what a probe's observation means: opened, interstitial, blocked or
//! inconclusive, with the mechanism, the actor and the signature that decided it. It is kept
//! apart from the observation so it can be recomputed when signatures improve.

use serde::{Deserialize, Serialize};
use strum::{Display, EnumString, IntoStaticStr};

/// The four outcomes of a probe.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    IntoStaticStr,
    EnumString,
    Display,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum VerdictKind {
    Opened,
    Interstitial,
    Blocked,
    Inconclusive,
}

impl VerdictKind {
    pub const ALL: [VerdictKind; 4] = [
        VerdictKind::Opened,
        VerdictKind::Interstitial,
        VerdictKind::Blocked,
        VerdictKind::Inconclusive,
    ];
}

/// Who caused the outcome.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    IntoStaticStr,
    EnumString,
    Display,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Actor {
    Host,
    Target,
    None,
}

/// Mechanisms linkgate itself assigns; signatures may name others (`stop_page`,
/// `copy_to_browser`, `risk_warning`, `leave_app_prompt`, `app_only_wall`, …).
pub struct Mechanism;

impl Mechanism {
    /// Opened on the landing pattern with nothing in the way.
    pub const DIRECT: &'static str = "direct";
    /// A page that no signature and no landing pattern recognises.
    pub const UNRECOGNIZED_PAGE: &'static str = "unrecognized_page";
    /// The probe and its neutral control both failed: the target, not the host.
    pub const TARGET_DOWN: &'static str = "target_down";
    /// Reached the target's landing page but with a non-2xx status.
    pub const TARGET_ERROR: &'static str = "target_error";
    /// A page past a parse limit (too deep, too many elements, too slow to parse).
    pub const PAGE_TOO_COMPLEX: &'static str = "page_too_complex";
    /// Reached the landing pattern with a 2xx, but the page shows nothing: no proof.
    pub const EMPTY_PAGE: &'static str = "empty_page";
    /// The page's scripts could not be decided: whether it navigates on its own, or where
    /// its continue control leads.
    pub const SCRIPT_UNDECIDED: &'static str = "script_undecided";
}

/// What a probe's observation means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    pub kind: VerdictKind,
    pub mechanism: String,
    pub actor: Actor,
    /// Id of the signature (or `landing:<link>` rule) that decided; `None` when nothing did.
    pub signature: Option<String>,
    /// One sentence of evidence: which signature matched what, or why nothing did.
    pub reason: String,
}

impl Verdict {
    pub fn inconclusive(mechanism: &str, actor: Actor, reason: impl Into<String>) -> Verdict {
        Verdict {
            kind: VerdictKind::Inconclusive,
            mechanism: mechanism.to_string(),
            actor,
            signature: None,
            reason: reason.into(),
        }
    }
}

crate::model::words!(VerdictKind, Actor);
