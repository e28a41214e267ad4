//! `observations.csv`: one row per observation, in stable documented columns, for analysts
//! who work in a spreadsheet. Excel is the main reader, so the file starts with a UTF-8 BOM
//! (without it Excel shows Chinese as mojibake) and any cell a spreadsheet would run as a
//! formula is neutralised, because crawled pages choose their own titles and URLs.

use std::io::{self, Write};

use chrono::SecondsFormat;

use crate::classify::page_title;
use crate::model::{Hop, HopVia, ProbeRole, Record};

/// The columns, in order. Documented in docs/history-and-csv.md; add new ones at the end.
pub const COLUMNS: [&str; 25] = [
    "run_id",
    "observed_at",
    "audit",
    "context",
    "host_platform",
    "scene",
    "client",
    "link_id",
    "link_platform",
    "link_category",
    "url",
    "engine",
    "verdict",
    "mechanism",
    "actor",
    "signature",
    "http_status",
    "final_url",
    "hops",
    "title",
    "control_verdict",
    "attempts",
    "duration_ms",
    "error",
    "continue_url",
];

/// What the `host_platform` column says for a control, which has no host.
pub const CONTROL_HOST: &str = "control";

/// What the `hops` column shows for a hop that got no response.
const NO_RESPONSE: &str = "no_response";

/// Excel reads a CSV as UTF-8 only when it starts with this; every CSV linkgate writes does.
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The CSV of `records`, one row each in the order given, header first.
pub fn observations_csv(records: &[Record]) -> Vec<u8> {
    let mut bytes = Vec::new();
    // Writing to a Vec has no I/O to fail, and every row has COLUMNS.len() cells by type, so
    // the csv crate's two failure causes cannot happen here.
    let written = CsvWriter::new(&mut bytes).and_then(|mut writer| {
        records.iter().try_for_each(|r| writer.write(r))?;
        writer.finish().map(|_| ())
    });
    debug_assert!(written.is_ok(), "writing a CSV to memory cannot fail");
    bytes
}

/// Writes `observations.csv` a row at a time, so a run of any size is written without
/// holding its records: the BOM and header first, then one row per [`CsvWriter::write`].
pub struct CsvWriter<W: Write> {
    inner: ::csv::Writer<W>,
}

impl<W: Write> CsvWriter<W> {
    /// Starts the file: the UTF-8 BOM and the header row.
    pub fn new(mut out: W) -> io::Result<CsvWriter<W>> {
        out.write_all(UTF8_BOM)?;
        let mut inner = ::csv::Writer::from_writer(out);
        inner.write_record(COLUMNS)?;
        Ok(CsvWriter { inner })
    }

    /// Writes `record`'s row, finding its title in its body.
    pub fn write(&mut self, record: &Record) -> io::Result<()> {
        let title = page_title(&record.observation.body);
        self.write_with_title(record, title.as_deref())
    }

    /// Writes `record`'s row with a title already known (the history keeps each page's
    /// title, so the CSV of a stored run needs no page bodies).
    pub fn write_with_title(&mut self, record: &Record, title: Option<&str>) -> io::Result<()> {
        self.inner
            .write_record(row(record, title).map(neutralise))
            .map_err(io::Error::from)
    }

    /// Flushes the last rows and gives the writer back.
    pub fn finish(self) -> io::Result<W> {
        self.inner
            .into_inner()
            .map_err(|e| io::Error::other(e.error().to_string()))
    }
}

/// One record's cells, in [`COLUMNS`] order.
fn row(record: &Record, title: Option<&str>) -> [String; 25] {
    let o = &record.observation;
    let v = &record.verdict;
    let is_control = record.role == ProbeRole::Control;
    let host = match (is_control, &record.host_platform) {
        (true, _) => CONTROL_HOST.to_string(),
        (false, host) => host.clone().unwrap_or_default(),
    };
    let scene = match (is_control, record.scene) {
        (false, Some(scene)) => scene.as_str().to_string(),
        _ => String::new(),
    };
    [
        record.run_id.clone(),
        record
            .observed_at
            .to_rfc3339_opts(SecondsFormat::Secs, true),
        record.audit.clone(),
        record.context.clone(),
        host,
        scene,
        record.client.as_str().to_string(),
        record.link_id.clone(),
        record.link_platform.clone(),
        record.link_category.as_str().to_string(),
        record.url.clone(),
        o.engine.as_str().to_string(),
        v.kind.as_str().to_string(),
        v.mechanism.clone(),
        v.actor.as_str().to_string(),
        v.signature.clone().unwrap_or_default(),
        o.status.map(|s| s.to_string()).unwrap_or_default(),
        o.final_url.clone(),
        hops(&o.hops),
        title.unwrap_or_default().to_string(),
        record
            .control_verdict
            .map(|k| k.as_str().to_string())
            .unwrap_or_default(),
        o.attempts.len().to_string(),
        o.duration_ms.to_string(),
        o.failure
            .as_ref()
            .map(|f| format!("{}: {}", f.kind.as_str(), f.message))
            .unwrap_or_default(),
        o.continue_url.clone().unwrap_or_default(),
    ]
}

/// The hop chain on one line: each hop as `STATUS URL`, joined by ` > `. A hop reached by
/// something other than an HTTP redirect is prefixed by how (`meta_refresh`, `script`,
/// `client`); a hop without a response shows `no_response` for its status.
/// E.g. `302 https://a/ > 200 https://b/ > script 200 https://c/`.
pub fn hops(hops: &[Hop]) -> String {
    let parts: Vec<String> = hops
        .iter()
        .map(|hop| {
            let status = hop
                .status
                .map(|s| s.to_string())
                .unwrap_or_else(|| NO_RESPONSE.to_string());
            match hop.via {
                HopVia::Start | HopVia::Http => format!("{status} {}", hop.url),
                via => format!("{via} {status} {}", hop.url),
            }
        })
        .collect();
    parts.join(" > ")
}

/// Makes a cell that a spreadsheet would run as a formula plain text, by prefixing `'`
/// (OWASP's advice for CSV injection). Every column that can start with these characters
/// holds text from outside (titles, URLs, messages, ids from scenario files); linkgate's own
/// numbers are never negative, so no value of ours is changed.
pub fn neutralise(cell: String) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised_and_others_left_alone() {
        for cell in ["=1+1", "+1", "-1", "@SUM(A1)", "\t=x", "\r=x"] {
            assert_eq!(neutralise(cell.to_string()), format!("'{cell}"));
        }
        for cell in [
            "https://a/",
            "302 https://a/",
            "opened",
            "已停止访问",
            "1=1",
            "",
        ] {
            assert_eq!(neutralise(cell.to_string()), cell);
        }
    }

    #[test]
    fn hop_chain_names_non_http_hops_and_missing_responses() {
        let hop = |url: &str, status, via| Hop {
            url: url.to_string(),
            status,
            location: None,
            via,
            elapsed_ms: 0,
        };
        let chain = [
            hop("https://a/", Some(302), HopVia::Start),
            hop("https://b/", Some(200), HopVia::Http),
            hop("https://c/", Some(200), HopVia::Script),
            hop("https://d/", None, HopVia::MetaRefresh),
        ];
        assert_eq!(
            hops(&chain),
            "302 https://a/ > 200 https://b/ > script 200 https://c/ > meta_refresh no_response https://d/"
        );
        assert_eq!(hops(&[]), "");
    }
}
