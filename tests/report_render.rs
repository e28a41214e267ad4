//! The report rendered from a real history database: the files it writes, the numbers in
//! them, the links to evidence, and that a hostile page can only ever show as text.

mod support;

use std::path::{Path, PathBuf};

use linkgate::assess::Directory;
use linkgate::audit::report::{self as history, Request, evidence_present, write};
use linkgate::render::html::Lang;
use linkgate::render::report::{self, History, Style};
use linkgate::render::summary::COLUMNS;
use linkgate::store::Store;
use support::report::*;

fn load(db: &Path, run: Option<&str>, policy: &str) -> (History, Directory) {
    let store = Store::open(db).unwrap();
    let directory = Directory::new(&platforms());
    let audit = audit(policy, "en");
    let history = history::load(
        &store,
        &Request {
            audit: &audit,
            directory: &directory,
            run,
            since: None,
        },
    )
    .unwrap();
    (history, directory)
}

/// Renders the shown run into `<root>/<run-id>/`; `root` beside the database is where `run`
/// puts it.
fn render_into(root: &Path, run: Option<&str>, lang: Lang) -> (PathBuf, Vec<PathBuf>) {
    let db = shared_history();
    let (history, directory) = load(db, run, "same_treatment");
    let store = Store::open(db).unwrap();
    let out = root.join(&history.run.id);
    let present = evidence_present(&store, &history.records);
    let files = report::render(
        &history,
        &directory,
        &Style {
            lang,
            evidence: &report::relative_url(&out, &store.evidence_dir().unwrap()),
            evidence_present: Some(&present),
            generator: "linkgate test",
        },
    )
    .unwrap();
    let written = write(&out, &files).unwrap();
    (out, written)
}

fn summary_rows(out: &Path) -> Vec<csv::StringRecord> {
    let bytes = std::fs::read(out.join("summary.csv")).unwrap();
    assert_eq!(
        &bytes[..3],
        b"\xEF\xBB\xBF",
        "summary.csv starts with a BOM"
    );
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, COLUMNS);
    reader.records().map(Result::unwrap).collect()
}

fn cell<'r>(rows: &'r [csv::StringRecord], context: &str, platform: &str, column: &str) -> &'r str {
    let index = COLUMNS.iter().position(|c| *c == column).unwrap();
    let row = rows
        .iter()
        .find(|r| &r[3] == context && &r[8] == platform)
        .unwrap_or_else(|| panic!("no row {context} × {platform}"));
    &row[index]
}

#[test]
fn report_files_are_written_beside_the_history() {
    let dir = tempfile::tempdir().unwrap();
    let db = store_history(dir.path());
    let (history, directory) = load(&db, None, "same_treatment");
    let store = Store::open(&db).unwrap();
    let out = db.parent().unwrap().join(&history.run.id);
    let files = report::render(
        &history,
        &directory,
        &Style {
            lang: Lang::En,
            evidence: &report::relative_url(&out, &store.evidence_dir().unwrap()),
            evidence_present: None,
            generator: "linkgate test",
        },
    )
    .unwrap();
    let written = write(&out, &files).unwrap();
    assert!(
        std::fs::read_to_string(out.join("index.html"))
            .unwrap()
            .contains("href=\"../evidence/")
    );
    assert_eq!(out.file_name().unwrap().to_str().unwrap(), run_id(3));
    let names: Vec<String> = written
        .iter()
        .map(|p| p.strip_prefix(&out).unwrap().display().to_string())
        .collect();
    assert_eq!(names, ["index.html", "summary.csv", "summary.json"]);
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(json["format"], 1);
    assert_eq!(json["run"]["run_id"], run_id(3));
    assert_eq!(json["run"]["simulated"], true);
    assert_eq!(json["deadlines"][0]["days_since"], 61);
}

#[test]
fn summary_csv_has_the_compliance_of_each_cell() {
    let dir = tempfile::tempdir().unwrap();
    let (out, _) = render_into(dir.path(), None, Lang::En);
    let rows = summary_rows(&out);
    // 8 contexts × 5 link platforms (taobao, jd, douyin, weibo, qq).
    assert_eq!(rows.len(), 8 * 5);
    let moments = "wechat.android.moments";
    let group = "wechat.android.group_chat";
    assert_eq!(
        cell(&rows, moments, "taobao", "compliance"),
        "non_compliant"
    );
    assert_eq!(cell(&rows, moments, "taobao", "days_past_deadline"), "61");
    assert_eq!(cell(&rows, group, "taobao", "compliance"), "compliant");
    assert_eq!(cell(&rows, group, "taobao", "change"), "improved");
    assert_eq!(
        cell(&rows, group, "taobao", "last_non_compliant_run"),
        run_id(2)
    );
    assert_eq!(cell(&rows, group, "taobao", "days_past_deadline"), "33");
    assert_eq!(cell(&rows, group, "weibo", "regressions"), "1");
    assert_eq!(cell(&rows, group, "weibo", "change"), "regressed");
    assert_eq!(cell(&rows, group, "douyin", "note"), "uniform_friction");
    assert_eq!(cell(&rows, group, "douyin", "compliance"), "compliant");
    let live = "douyin.android.live_room";
    assert_eq!(cell(&rows, live, "taobao", "note"), "selective_friction");
    assert_eq!(cell(&rows, live, "taobao", "compliance"), "non_compliant");
    assert_eq!(cell(&rows, live, "jd", "actor"), "target");
    assert_eq!(cell(&rows, group, "qq", "role"), "same_owner");
    assert_eq!(
        cell(&rows, "qq.android.group_chat", "weibo", "compliance"),
        "unknown"
    );
}

#[test]
fn strict_policy_turns_uniform_friction_non_compliant() {
    let (history, _) = load(shared_history(), None, "strict");
    let cell = history
        .assessment
        .cells
        .iter()
        .find(|c| c.key.context == "wechat.android.group_chat" && c.key.link_platform == "douyin")
        .unwrap();
    assert_eq!(cell.compliance.as_str(), "non_compliant");
}

#[test]
fn a_past_run_renders_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let (out, _) = render_into(dir.path(), Some(&run_id(1)), Lang::En);
    let rows = summary_rows(&out);
    let group = "wechat.android.group_chat";
    assert_eq!(cell(&rows, group, "taobao", "compliance"), "non_compliant");
    assert_eq!(cell(&rows, group, "taobao", "days_past_deadline"), "3");
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(html.contains("3 days past the deadline"), "headline");
    assert!(
        !html.contains(&run_id(3)),
        "a later run leaks into a past report"
    );
}

#[test]
fn crawled_text_is_escaped_and_never_a_link() {
    let dir = tempfile::tempdir().unwrap();
    let (out, _) = render_into(dir.path(), None, Lang::En);
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        !html.contains(HOSTILE_TITLE),
        "raw hostile title in the page"
    );
    assert!(!html.contains(HOSTILE_TEXT), "raw hostile text in the page");
    assert!(html.contains("&#60;script&#62;alert(1)&#60;/script&#62;"));
    assert!(
        html.contains("javascript:alert(2)"),
        "the hostile URL is shown as text"
    );
    assert!(
        !html.contains("href=\"javascript:"),
        "a crawled URL became a link"
    );
    assert!(
        !html.to_ascii_lowercase().contains("<script"),
        "the report has a script"
    );
}

#[test]
fn evidence_links_reach_the_files_beside_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let (out, _) = render_into(dir.path(), None, Lang::En);
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    let mut checked = 0;
    let evidence = Store::open(shared_history())
        .unwrap()
        .evidence_dir()
        .unwrap();
    let prefix = report::relative_url(&out, &evidence);
    assert!(prefix.starts_with("../"), "{prefix}");
    for part in html.split(&format!("href=\"{prefix}")).skip(1) {
        let name = &part[..part.find('"').unwrap()];
        assert!(out.join(&prefix).join(name).exists(), "{name}");
        checked += 1;
    }
    assert!(checked > 10, "only {checked} evidence links");
    assert!(html.contains(&format!(
        "<img class=\"shot\" loading=\"lazy\" src=\"{prefix}"
    )));
}

#[test]
fn chinese_is_the_audit_language_and_english_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let (out, _) = render_into(dir.path(), None, Lang::Zh);
    let zh = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(zh.contains("<html lang=\"zh-CN\">"));
    assert!(zh.contains("合规矩阵"));
    assert!(zh.contains("已过截止日期 61 天"));
    let (out, _) = render_into(dir.path(), None, Lang::En);
    let en = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(en.contains("61 days past the deadline"));
}

/// The support history with each record replaced by `copy`'s records, judged and assessed
/// as of its last run, in memory.
fn copied_history(
    copy: impl Fn(&linkgate::model::Record) -> Vec<linkgate::model::Record>,
) -> History {
    use linkgate::assess::{AuditTerms, RunFindings, assess, judge};
    let directory = Directory::new(&platforms());
    let terms = AuditTerms::of(&audit("same_treatment", "en")).unwrap();
    let mut runs = Vec::new();
    let mut shown = Vec::new();
    for i in 0..DATES.len() {
        let records: Vec<_> = records(i).iter().flat_map(|(r, _)| copy(r)).collect();
        let run = linkgate::model::Run {
            id: run_id(i),
            started_at: records[0].observed_at,
            ended_at: None,
            status: linkgate::model::RunStatus::Completed,
            tool_version: "test".into(),
            vantage: "test".into(),
            audits: vec!["miit-2021".into()],
            scenario_files: Vec::new(),
            simulated: false,
        };
        runs.push(RunFindings {
            run,
            findings: judge(&records, terms.policy),
        });
        shown = records;
    }
    let today = chrono::NaiveDate::from_ymd_opt(2021, 11, 17).unwrap();
    let run = runs[3].run.clone();
    let assessment = assess(&terms, runs, &run_id(3), &directory, today).unwrap();
    History {
        assessment,
        run,
        records: shown,
        pages: Default::default(),
        unjudged: Default::default(),
        families: Vec::new(),
        vantages: None,
    }
}

/// Every host context copied `copies` times (as if an audit had that many more contexts).
fn wide_history(copies: usize) -> History {
    copied_history(|record| match record.role {
        linkgate::model::ProbeRole::Control => vec![record.clone()],
        _ => (0..copies)
            .map(|k| {
                let mut copy = record.clone();
                copy.context = format!("{}.{k:02}", record.context);
                copy
            })
            .collect(),
    })
}

/// Every link copied `copies` times, controls too, so each cell holds `copies` times its links.
fn deep_history(copies: usize) -> History {
    copied_history(|record| {
        (0..copies)
            .map(|k| {
                let mut copy = record.clone();
                copy.link_id = format!("{}.{k:03}", record.link_id);
                copy
            })
            .collect()
    })
}

fn render_history(history: &History, out: &Path) -> Vec<PathBuf> {
    let files = report::render(
        history,
        &Directory::new(&platforms()),
        &Style {
            lang: Lang::En,
            evidence: "../evidence/",
            evidence_present: None,
            generator: "linkgate test",
        },
    )
    .unwrap();
    write(out, &files).unwrap()
}

#[test]
fn past_the_inline_cap_drill_downs_move_to_side_pages_that_the_matrix_links() {
    let history = wide_history(12);
    let pairs = history.assessment.pairs.len();
    assert!(pairs > linkgate::render::html::INLINE_CAP, "{pairs} pairs");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let written = render_history(&history, &out);
    let pages: Vec<&PathBuf> = written
        .iter()
        .filter(|p| p.starts_with(out.join("details")))
        .collect();
    assert!(
        pages.len() >= pairs.div_ceil(linkgate::render::html::PAGE_CAP),
        "{pages:?}"
    );
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        !index.contains("<details class=\"cell\">"),
        "drill-downs left inline"
    );
    let matrix = &index[index.find("<table class=\"matrix\">").unwrap()..];
    let matrix = &matrix[..matrix.find("</table>").unwrap()];
    let mut linked = 0;
    for part in matrix.split("href=\"").skip(1) {
        let href = &part[..part.find('"').unwrap()];
        let (file, anchor) = href.split_once('#').unwrap();
        let page = std::fs::read_to_string(out.join(file)).unwrap();
        assert!(page.contains(&format!("id=\"{anchor}\"")), "{href}");
        linked += 1;
    }
    assert_eq!(linked, history.assessment.cells.len());
    let page = std::fs::read_to_string(pages[0]).unwrap();
    assert!(
        page.contains("href=\"../../evidence/"),
        "side pages climb one more folder"
    );
    assert!(page.contains("href=\"../index.html#matrix\""));

    // Rendering a smaller report into the same folder removes the side pages it no longer has.
    render_history(&wide_history(1), &out);
    assert!(
        std::fs::read_dir(out.join("details"))
            .unwrap()
            .next()
            .is_none()
    );
}

#[test]
fn summary_csv_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let (out, _) = render_into(dir.path(), None, Lang::En);
    let bytes = std::fs::read(out.join("summary.csv")).unwrap();
    insta::assert_snapshot!(String::from_utf8(bytes[3..].to_vec()).unwrap());
}

#[test]
fn a_cell_of_more_links_than_the_drill_down_cap_shows_the_cap_and_says_how_many_more() {
    use linkgate::render::html::DRILL_DOWN_CAP;
    let history = deep_history(DRILL_DOWN_CAP + 7);
    let cells = &history.assessment.cells;
    assert!(cells.iter().any(|c| c.pairs.len() > DRILL_DOWN_CAP));
    let expected: usize = cells
        .iter()
        .map(|c| c.pairs.len().min(DRILL_DOWN_CAP))
        .sum();
    let out = tempfile::tempdir().unwrap();
    let html: String = render_history(&history, out.path())
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    assert_eq!(html.matches("<article class=\"obs\">").count(), expected);
    let more = cells
        .iter()
        .filter(|c| c.pairs.len() > DRILL_DOWN_CAP)
        .count();
    assert_eq!(
        html.matches("more observations of this cell are not shown here")
            .count(),
        more
    );
    assert!(html.contains("7 more observations of this cell"));
}
