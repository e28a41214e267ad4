//! Ctrl-C and SIGTERM stop a run cleanly (what a front end installs once its runtime runs): the first one stops new probes and lets in-flight
//! ones finish or be recorded as interrupted; a second one exits at once. Cron and systemd
//! send SIGTERM, people press Ctrl-C: both must leave a history that `--resume` can finish.

use tokio_util::sync::CancellationToken;

/// Cancels `cancel` on the first Ctrl-C or SIGTERM; exits the process on the second.
pub fn stop_on_signal(cancel: CancellationToken, quiet: bool) {
    tokio::spawn(async move {
        if wait_for_signal().await.is_err() {
            return;
        }
        if !quiet {
            eprintln!(
                "stopping: no new probes start; probes in flight finish or are recorded as \
                 interrupted (press Ctrl-C again to quit at once)"
            );
        }
        cancel.cancel();
        if wait_for_signal().await.is_ok() {
            eprintln!("quitting at once; run `linkgate run --resume RUN_ID` to finish the run");
            std::process::exit(130);
        }
    });
}

async fn wait_for_signal() -> std::io::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    tokio::select! {
        result = tokio::signal::ctrl_c() => result,
        _ = term.recv() => Ok(()),
    }
}
