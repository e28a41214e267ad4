//! A report's files from an assessed history: index.html (+ side pages), summary.csv and
//! summary.json, as bytes. Pure: the orchestration layer (`audit::report`) reads the history
//! and writes the files, so any past state of a history can be rendered again and tests can
//! render without a disk. Also the path arithmetic the report's links need.

use crate::assess::VantageComparison;
use crate::triage::Family;
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

use super::html::{HtmlReport, Lang, PageGists, RenderError, ReportInput, render_html};
use super::summary::{summary_csv, summary_json};
use crate::assess::{Assessment, ControlFailures, Directory};
use crate::model::{Record, Run};

/// One audit's history, assessed as of the run shown.
pub struct History {
    pub assessment: Assessment,
    pub run: Run,
    /// The shown run's records of the audit that the drill-down shows, controls included,
    /// without their bodies.
    pub records: Vec<Record>,
    /// What the drill-down shows of their pages.
    pub pages: PageGists,
    /// The shown run's rival pairs left unjudged because their controls failed too, and why
    /// those did: what the headline names.
    pub unjudged: ControlFailures,
    /// The shown run's pages no signature knows, in families.
    pub families: Vec<Family>,
    /// The vantages measured on the shown run's day, when there are several.
    pub vantages: Option<VantageComparison>,
}

/// A report's files, by path relative to the report folder.
pub struct ReportFiles {
    pub files: Vec<(String, Vec<u8>)>,
}

/// How to render.
pub struct Style<'a> {
    pub lang: Lang,
    /// URL of the evidence folder relative to the report folder (see [`relative_url`]).
    pub evidence: &'a str,
    pub evidence_present: Option<&'a HashSet<String>>,
    pub generator: &'a str,
}

/// Renders index.html (+ details/NNN.html), summary.csv and summary.json.
pub fn render(
    history: &History,
    directory: &Directory,
    style: &Style<'_>,
) -> Result<ReportFiles, RenderError> {
    let HtmlReport { index, pages } = render_html(&ReportInput {
        assessment: &history.assessment,
        run: &history.run,
        records: &history.records,
        pages: &history.pages,
        unjudged: &history.unjudged,
        families: &history.families,
        vantages: history.vantages.as_ref(),
        directory,
        lang: style.lang,
        evidence: style.evidence,
        evidence_present: style.evidence_present,
        generator: style.generator,
    })?;
    let mut files = vec![("index.html".to_string(), index.into_bytes())];
    files.extend(pages.into_iter().map(|p| (p.path, p.html.into_bytes())));
    files.push((
        "summary.csv".to_string(),
        summary_csv(&history.assessment, directory),
    ));
    files.push((
        "summary.json".to_string(),
        summary_json(&history.assessment, directory),
    ));
    Ok(ReportFiles { files })
}

/// Characters escaped in a relative URL's path segments.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'\\');

/// The URL of folder `to` as seen from a page in folder `from`, ending in `/` (both paths
/// absolute and without `..`; see [`absolute`]).
pub fn relative_url(from: &Path, to: &Path) -> String {
    let from: Vec<Component<'_>> = from.components().collect();
    let to: Vec<Component<'_>> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut url = "../".repeat(from.len() - common);
    for part in &to[common..] {
        let text = part.as_os_str().to_string_lossy();
        url.push_str(&utf8_percent_encode(&text, SEGMENT).to_string());
        url.push('/');
    }
    url
}

/// `path` made absolute against `cwd` and with `.` and `..` resolved by name (the folders
/// may not exist yet, so the file system is not asked).
pub fn absolute(path: &Path, cwd: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    let mut out = PathBuf::new();
    for part in joined.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_of_a_run_reaches_evidence_beside_the_database() {
        let out = Path::new("/data/reports/20211117T030000Z-ab12");
        let evidence = Path::new("/data/reports/evidence");
        assert_eq!(relative_url(out, evidence), "../evidence/");
    }

    #[test]
    fn relative_urls_climb_and_escape() {
        let out = Path::new("/home/a/out/deep");
        let evidence = Path::new("/home/a/my reports/evi#dence");
        assert_eq!(
            relative_url(out, evidence),
            "../../my%20reports/evi%23dence/"
        );
        assert_eq!(relative_url(out, out), "");
    }

    #[test]
    fn absolute_resolves_dots_without_touching_the_disk() {
        let cwd = Path::new("/work");
        assert_eq!(
            absolute(Path::new("./reports/../out/x"), cwd),
            Path::new("/work/out/x")
        );
        assert_eq!(absolute(Path::new("/abs/./p"), cwd), Path::new("/abs/p"));
    }
}
