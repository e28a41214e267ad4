//! `index.html`: the report a regulator opens. One self-contained file (inline CSS and SVG,
//! no script, no fetch, a Content-Security-Policy that forbids both) that reads at a glance
//! and prints: the audit and its deadline, a one-line verdict, the host × link-platform
//! matrix, the overview, the trend, what changed, and a drill-down to the evidence.
//!
//! Rendering is pure: values in, strings out. The page is filled from askama templates
//! (`templates/report/`), checked at compile time and HTML-escaped, so text taken from
//! crawled pages (titles, URLs, visible text) can only ever show as text.

mod changes;
mod chart;
mod detail;
mod evidence;
mod header;
mod lang;
mod matrix;
mod overview;
mod pages;
mod trend;

use askama::Template;
use std::collections::HashSet;

pub use lang::Lang;
pub use pages::{INLINE_CAP, PAGE_CAP};

use crate::assess::{Assessment, Directory};
use crate::model::{Record, Run};
use detail::{DetailContext, RecordIndex};
use evidence::Evidence;
use header::Header;
use matrix::Matrix;
use pages::{DetailsPage, IndexPage, Layout, PageLink, page_path};

/// Why a report could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("cannot draw the trend chart: {0}; this is a bug in linkgate, please report it")]
    Chart(String),
    #[error("cannot fill the report template: {0}; this is a bug in linkgate, please report it")]
    Template(#[from] askama::Error),
}

/// What a report is rendered from.
pub struct ReportInput<'a> {
    pub assessment: &'a Assessment,
    /// The run shown (its status says whether it completed).
    pub run: &'a Run,
    /// The shown run's records, controls included: the drill-down's evidence.
    pub records: &'a [Record],
    pub directory: &'a Directory,
    pub lang: Lang,
    /// URL of the evidence folder relative to the report folder, e.g. `../evidence/`.
    pub evidence: &'a str,
    /// Hashes of the evidence files present; `None` links every hash.
    pub evidence_present: Option<&'a HashSet<String>>,
    /// "linkgate 0.1.0": who made the report.
    pub generator: &'a str,
}

/// A side page of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SidePage {
    /// Relative to the report folder, e.g. `details/001.html`.
    pub path: String,
    pub html: String,
}

/// A rendered report: index.html and its side pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HtmlReport {
    pub index: String,
    pub pages: Vec<SidePage>,
}

/// Renders the report of `input`.
pub fn render_html(input: &ReportInput<'_>) -> Result<HtmlReport, RenderError> {
    let assessment = input.assessment;
    let lang = input.lang;
    let t = lang.labels();
    let header = Header::new(assessment, input.run, lang);
    let layout = Layout::of(&assessment.cells);
    let records = RecordIndex::new(input.records, &assessment.audit.id);
    let evidence = Evidence::new(input.evidence, input.evidence_present);
    let nested = evidence.nested();
    let heading = |i: usize| cell_heading(assessment, i, input.directory, lang);
    let (inline, page_cells) = match &layout {
        Layout::Inline => ((0..assessment.cells.len()).collect(), Vec::new()),
        Layout::Paged { pages, .. } => (Vec::new(), pages.clone()),
    };
    let inline_context = DetailContext {
        assessment,
        records: &records,
        lang,
        evidence: &evidence,
    };
    let details = |context: &DetailContext<'_>, cells: &[usize]| {
        cells
            .iter()
            .map(|i| context.cell(*i, &assessment.cells[*i], heading(*i)))
            .collect::<Vec<_>>()
    };
    let links = page_links(page_cells.len(), "");
    let index = IndexPage {
        t,
        lang: lang.html_lang(),
        generator: input.generator,
        header: &header,
        matrix: Matrix::new(assessment, input.directory, lang, &|i| layout.href(i)),
        overview: overview::tables(&assessment.summaries, input.directory, lang),
        trend: trend::TrendView::new(assessment, input.directory, lang)?,
        changes: changes::Changes::new(assessment, lang),
        inline: details(&inline_context, &inline),
        pages: links,
    }
    .render()?;
    let side_context = DetailContext {
        evidence: &nested,
        ..inline_context
    };
    let mut pages = Vec::with_capacity(page_cells.len());
    for (p, cells) in page_cells.iter().enumerate() {
        let html = DetailsPage {
            t,
            lang: lang.html_lang(),
            generator: input.generator,
            header: &header,
            page_label: format!("{}/{}", p + 1, page_cells.len()),
            pages: page_links(page_cells.len(), "../"),
            cells: details(&side_context, cells),
        }
        .render()?;
        pages.push(SidePage {
            path: page_path(p),
            html,
        });
    }
    Ok(HtmlReport { index, pages })
}

/// Links to every side page, seen from a page `up` folders above them ("" or "../").
fn page_links(count: usize, up: &str) -> Vec<PageLink> {
    (0..count)
        .map(|p| PageLink {
            href: format!("{up}{}", page_path(p)),
            label: format!("{}", p + 1),
        })
        .collect()
}

/// "✗ WeChat · group_chat · android × Taobao (wechat.android.group_chat)".
fn cell_heading(
    assessment: &Assessment,
    index: usize,
    directory: &Directory,
    lang: Lang,
) -> String {
    let cell = &assessment.cells[index];
    format!(
        "{} {} · {} · {} × {} ({})",
        lang::symbol(cell.compliance),
        directory.name(&cell.host_platform, lang.is_zh()),
        lang.scene(cell.scene),
        cell.client,
        directory.name(&cell.key.link_platform, lang.is_zh()),
        cell.key.context
    )
}
