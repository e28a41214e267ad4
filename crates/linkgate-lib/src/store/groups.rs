//! Run groups: N shard processes (`--shard I/N`, started with the same `--run-group ID`) write
//! one run, so the report, `verify` and `--due` see one logical run. Each shard's state is kept
//! beside the run; this is the rule, shared by both histories, for the run's status from its
//! shards' states. The database serializes shards that end at once, so exactly one of them
//! sees the group complete and seals the run.

use std::path::PathBuf;

use super::{GroupState, StoreError};
use crate::model::{Run, RunStatus};
use crate::plan::Shard;

/// Whether `shard` of `run` may join the stored group run, which measures from `vantage` with
/// `count` shards (`None` before any shard joined): a run has one vantage and one shard count.
pub(super) fn check_joinable(
    at: PathBuf,
    run: &Run,
    shard: Shard,
    vantage: String,
    count: Option<i64>,
) -> Result<(), StoreError> {
    if vantage != run.vantage {
        return Err(StoreError::GroupVantage {
            path: at,
            run_id: run.id.clone(),
            found: vantage,
            given: run.vantage.clone(),
        });
    }
    match count.filter(|&n| n != i64::from(shard.count)) {
        Some(found) => Err(StoreError::GroupMismatch {
            path: at,
            run_id: run.id.clone(),
            found: u32::try_from(found).unwrap_or(u32::MAX),
            given: shard.count,
        }),
        None => Ok(()),
    }
}

/// The run's state once a shard has ended: completed when all `count` shards have completed;
/// else measuring while any shard is; else the worst ending among the shards (a failed or
/// interrupted shard is resumed by starting it again); else (shards not yet started) running.
pub(super) fn group_state(
    count: u32,
    shards: &[(u32, RunStatus)],
    before: RunStatus,
) -> GroupState {
    let completed = shards
        .iter()
        .filter(|(i, s)| *i < count && *s == RunStatus::Completed)
        .count();
    let any = |status: RunStatus| shards.iter().any(|(_, s)| *s == status);
    let status = if completed == count as usize {
        RunStatus::Completed
    } else if any(RunStatus::Running) {
        RunStatus::Running
    } else if any(RunStatus::Failed) {
        RunStatus::Failed
    } else if any(RunStatus::Interrupted) {
        RunStatus::Interrupted
    } else {
        RunStatus::Running
    };
    GroupState {
        status,
        completed,
        completes_group: status == RunStatus::Completed && before != RunStatus::Completed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RunStatus::*;

    #[test]
    fn the_last_shard_to_complete_completes_the_group_once() {
        let three = [(0, Completed), (1, Completed), (2, Running)];
        let state = group_state(3, &three, Running);
        assert_eq!(
            (state.status, state.completed, state.completes_group),
            (Running, 2, false)
        );
        let all = [(0, Completed), (1, Completed), (2, Completed)];
        assert!(group_state(3, &all, Running).completes_group);
        assert!(!group_state(3, &all, Completed).completes_group);
    }

    #[test]
    fn a_stopped_shard_marks_the_group_until_it_is_resumed() {
        let killed = [(0, Completed), (1, Interrupted)];
        assert_eq!(group_state(2, &killed, Running).status, Interrupted);
        let missing = [(0, Completed)];
        assert_eq!(group_state(2, &missing, Running).status, Running);
        let measuring = [(0, Failed), (1, Running)];
        assert_eq!(group_state(2, &measuring, Running).status, Running);
    }
}
