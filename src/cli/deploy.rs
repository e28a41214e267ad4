//! The Kubernetes files in `deploy/` cannot be run here, so this checks what a test can: the
//! Job's command line, with Kubernetes' `$(VAR)` expanded as each pod would see it, parses
//! with linkgate's own argument parser; its shard count is the Job's `completions` and
//! `parallelism`; every variable it uses is declared in the container's env (Kubernetes leaves
//! an undeclared `$(VAR)` as it is); and the image brings Chromium.

use clap::Parser;

const CRONJOB: &str = include_str!("../../deploy/kubernetes/cronjob.yaml");
const CONTAINERFILE: &str = include_str!("../../deploy/Containerfile");

/// The container's `args:`, one JSON-compatible flow sequence on one line. Exactly one such
/// line: were a second container (or an init container) given args, checking the first alone
/// would pass silently.
fn job_args() -> Vec<String> {
    let lines: Vec<&str> = CRONJOB
        .lines()
        .filter_map(|l| l.trim().strip_prefix("args:"))
        .collect();
    assert_eq!(lines.len(), 1, "one `args:` line in the CronJob: {lines:?}");
    serde_json::from_str(lines[0].trim()).expect("args is one flow sequence of strings")
}

/// Whether the CronJob has the env entry `- name: NAME`, line by line so that a checkout with
/// CRLF line ends reads the same.
fn declares(name: &str) -> bool {
    let entry = format!("- name: {name}");
    CRONJOB.lines().any(|l| l.trim() == entry)
}

/// The integer after `key:` in the CronJob.
fn field(key: &str) -> u32 {
    CRONJOB
        .lines()
        .find_map(|l| l.trim().strip_prefix(key))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("{key} is in the CronJob"))
}

/// The `$(NAME)`s used in `text`.
fn variables(text: &str) -> Vec<String> {
    text.split("$(")
        .skip(1)
        .filter_map(|rest| rest.split_once(')').map(|(name, _)| name.to_string()))
        .collect()
}

#[test]
fn every_pod_of_the_job_runs_a_command_line_linkgate_accepts() {
    let args = job_args();
    let shard = args
        .iter()
        .skip_while(|a| *a != "--shard")
        .nth(1)
        .expect("the pods are shards");
    let count: u32 = shard.rsplit('/').next().unwrap().parse().unwrap();
    assert_eq!(field("completions:"), count);
    assert_eq!(field("parallelism:"), count);
    assert!(CRONJOB.contains("completionMode: Indexed"));
    for index in 0..count {
        let pod: Vec<String> = std::iter::once("linkgate".to_string())
            .chain(args.iter().map(|a| {
                a.replace("$(JOB_COMPLETION_INDEX)", &index.to_string())
                    .replace("$(JOB_NAME)", "linkgate-29412345")
            }))
            .collect();
        if let Err(err) = super::Cli::try_parse_from(&pod) {
            panic!("pod {index}: {pod:?}\n{err}");
        }
    }
}

#[test]
fn every_variable_the_command_line_uses_is_declared() {
    for name in variables(&job_args().join(" ")) {
        assert!(
            declares(&name),
            "$({name}) is not in the container's env, so Kubernetes would not expand it"
        );
    }
    assert!(declares("LINKGATE_DB"), "the history's URL");
}

#[test]
fn the_image_brings_debians_chromium() {
    assert!(CONTAINERFILE.contains(" chromium "), "{CONTAINERFILE}");
    assert!(CONTAINERFILE.contains("CHROME=/usr/bin/chromium"));
    assert!(CONTAINERFILE.contains("LINKGATE_NO_SANDBOX=true"));
}
