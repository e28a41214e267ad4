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
mod families;
mod gist;
mod header;
mod lang;
mod matrix;
mod overview;
mod pages;
mod trend;

use crate::triage::Family;
use askama::Template;
use std::collections::HashSet;

pub use detail::{DRILL_DOWN_CAP, shown_pairs};
pub use gist::{PageGist, PageGists};
pub use lang::Lang;
pub use pages::{INLINE_CAP, PAGE_CAP};

use crate::assess::{Assessment, ControlFailures, Directory};
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
    /// Their pages' gists, taken when their bodies were dropped; a record without one has
    /// its page summarised from its body.
    pub pages: &'a PageGists,
    /// The shown run's pairs left unjudged because their controls failed too (the headline
    /// names the most common cause).
    pub unjudged: &'a ControlFailures,
    /// The shown run's page families (see `linkgate triage`).
    pub families: &'a [Family],
    /// The vantages of the shown run's day, when there are several.
    pub vantages: Option<&'a crate::assess::VantageComparison>,
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
    let renderer = Renderer::new(input);
    Ok(HtmlReport {
        index: renderer.index()?,
        pages: renderer.side_pages()?,
    })
}

/// What the index and the side pages share.
struct Renderer<'a> {
    input: &'a ReportInput<'a>,
    header: Header,
    layout: Layout,
    records: RecordIndex<'a>,
    /// Evidence as seen from index.html, and from a side page one folder down.
    evidence: Evidence<'a>,
    nested: Evidence<'a>,
}

impl<'a> Renderer<'a> {
    fn new(input: &'a ReportInput<'a>) -> Renderer<'a> {
        let assessment = input.assessment;
        let evidence = Evidence::new(input.evidence, input.evidence_present);
        Renderer {
            input,
            header: Header::new(assessment, input.run, input.unjudged, input.lang),
            layout: Layout::of(&assessment.cells),
            records: RecordIndex::new(input.records, &assessment.audit.id),
            nested: evidence.nested(),
            evidence,
        }
    }

    fn details(&self, evidence: &Evidence<'_>, cells: &[usize]) -> Vec<detail::CellDetail> {
        let assessment = self.input.assessment;
        let context = DetailContext {
            assessment,
            records: &self.records,
            pages: self.input.pages,
            lang: self.input.lang,
            evidence,
        };
        cells
            .iter()
            .map(|i| {
                let heading = cell_heading(assessment, *i, self.input.directory, self.input.lang);
                context.cell(*i, &assessment.cells[*i], heading)
            })
            .collect()
    }

    fn page_cells(&self) -> &[Vec<usize>] {
        match &self.layout {
            Layout::Inline => &[],
            Layout::Paged { pages, .. } => pages,
        }
    }

    fn index(&self) -> Result<String, RenderError> {
        let (assessment, directory, lang) =
            (self.input.assessment, self.input.directory, self.input.lang);
        let inline: Vec<usize> = match self.layout {
            Layout::Inline => (0..assessment.cells.len()).collect(),
            Layout::Paged { .. } => Vec::new(),
        };
        let page = IndexPage {
            t: lang.labels(),
            lang: lang.html_lang(),
            generator: self.input.generator,
            header: &self.header,
            matrix: Matrix::new(assessment, directory, lang, &|i| self.layout.href(i)),
            overview: overview::tables(&assessment.summaries, directory, lang),
            trend: trend::TrendView::new(assessment, directory, lang)?,
            changes: changes::Changes::new(assessment, lang),
            families: families::rows(self.input.families, &self.evidence),
            vantages: self.input.vantages,
            inline: self.details(&self.evidence, &inline),
            pages: page_links(self.page_cells().len(), ""),
        };
        Ok(page.render()?)
    }

    fn side_pages(&self) -> Result<Vec<SidePage>, RenderError> {
        let lang = self.input.lang;
        let count = self.page_cells().len();
        let mut pages = Vec::with_capacity(count);
        for (p, cells) in self.page_cells().iter().enumerate() {
            let html = DetailsPage {
                t: lang.labels(),
                lang: lang.html_lang(),
                generator: self.input.generator,
                header: &self.header,
                page_label: format!("{}/{count}", p + 1),
                pages: page_links(count, "../"),
                cells: self.details(&self.nested, cells),
            }
            .render()?;
            pages.push(SidePage {
                path: page_path(p),
                html,
            });
        }
        Ok(pages)
    }
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
