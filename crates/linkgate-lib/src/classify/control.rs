//! Pairing a probe with its control. Measurement practice (OONI and others) calls something a
//! block only when the same link opens from the same vantage in a neutral context: if the
//! control failed too, the target is down or refuses robots, and the host is not to blame.

use crate::model::{Actor, Mechanism, Verdict, VerdictKind};

/// The probe's verdict in the light of its control's.
///
/// A host's own block or interstitial page (a signature with actor `host`) stands on its own:
/// the host showed it before the target was ever asked. Anything else that did not open, when
/// the control did not open either, becomes `inconclusive` / `target_down`.
pub fn with_control(verdict: Verdict, control: &Verdict) -> Verdict {
    let control_failed = control.kind != VerdictKind::Opened;
    let host_page = verdict.actor == Actor::Host
        && matches!(
            verdict.kind,
            VerdictKind::Blocked | VerdictKind::Interstitial
        );
    if verdict.kind == VerdictKind::Opened || host_page || !control_failed {
        return verdict;
    }
    Verdict {
        kind: VerdictKind::Inconclusive,
        mechanism: Mechanism::TARGET_DOWN.to_string(),
        actor: Actor::Target,
        signature: verdict.signature.clone(),
        reason: format!(
            "the control in the neutral context did not open either ({} / {}), so the target, \
             not the host, is the likely cause; the probe alone said {} / {}: {}",
            control.kind, control.mechanism, verdict.kind, verdict.mechanism, verdict.reason
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(kind: VerdictKind, mechanism: &str, actor: Actor) -> Verdict {
        Verdict {
            kind,
            mechanism: mechanism.into(),
            actor,
            signature: None,
            reason: "r".into(),
        }
    }

    #[test]
    fn failed_probe_with_failed_control_is_target_down() {
        let probe = verdict(VerdictKind::Inconclusive, "timeout", Actor::None);
        let control = verdict(VerdictKind::Inconclusive, "timeout", Actor::None);
        let out = with_control(probe, &control);
        assert_eq!(
            (out.kind, out.mechanism.as_str()),
            (VerdictKind::Inconclusive, "target_down")
        );
    }

    #[test]
    fn target_side_block_with_failed_control_is_target_down() {
        let probe = verdict(VerdictKind::Blocked, "app_only_wall", Actor::Target);
        let control = verdict(VerdictKind::Blocked, "app_only_wall", Actor::Target);
        assert_eq!(with_control(probe, &control).mechanism, "target_down");
    }

    #[test]
    fn host_stop_page_stands_even_when_control_failed() {
        let probe = verdict(VerdictKind::Blocked, "stop_page", Actor::Host);
        let control = verdict(VerdictKind::Inconclusive, "timeout", Actor::None);
        assert_eq!(with_control(probe.clone(), &control), probe);
    }

    #[test]
    fn failure_with_working_control_is_kept() {
        let probe = verdict(VerdictKind::Inconclusive, "timeout", Actor::None);
        let control = verdict(VerdictKind::Opened, "direct", Actor::None);
        assert_eq!(with_control(probe.clone(), &control), probe);
    }
}
