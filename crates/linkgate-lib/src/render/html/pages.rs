//! How a report is split into files. A small report is one self-contained index.html with
//! every drill-down inline; past a cap of observations the drill-downs move to side pages
//! (`details/001.html`, …) so that the index of a 100,000-observation history stays small
//! enough to open, while the matrix, overview, trend and changes always stay on the index.

use super::families::FamilyRow;
use askama::Template;

use super::changes::Changes;
use super::detail::{CellDetail, anchor};
use super::header::Header;
use super::lang::Labels;
use super::matrix::Matrix;
use super::overview::TallyTable;
use super::trend::TrendView;
use crate::assess::CellAssessment;

/// Observations a report keeps inline in index.html; more go to side pages.
pub const INLINE_CAP: usize = 300;
/// Observations per side page (a cell bigger than this gets a page of its own).
pub const PAGE_CAP: usize = 300;

/// Where each cell's drill-down goes.
pub enum Layout {
    Inline,
    /// `pages[p]` lists the cells on side page `p + 1`.
    Paged {
        pages: Vec<Vec<usize>>,
        page_of: Vec<usize>,
    },
}

impl Layout {
    pub fn of(cells: &[CellAssessment]) -> Layout {
        let observations: usize = cells.iter().map(|c| c.pairs.len()).sum();
        if observations <= INLINE_CAP {
            return Layout::Inline;
        }
        let mut pages: Vec<Vec<usize>> = Vec::new();
        let mut page_of = Vec::with_capacity(cells.len());
        let mut filled = PAGE_CAP;
        for (i, cell) in cells.iter().enumerate() {
            if filled + cell.pairs.len() > PAGE_CAP {
                pages.push(Vec::new());
                filled = 0;
            }
            filled += cell.pairs.len();
            page_of.push(pages.len() - 1);
            if let Some(page) = pages.last_mut() {
                page.push(i);
            }
        }
        Layout::Paged { pages, page_of }
    }

    /// The drill-down of cell `index`, as linked from index.html.
    pub fn href(&self, index: usize) -> String {
        match self {
            Layout::Inline => format!("#{}", anchor(index)),
            Layout::Paged { page_of, .. } => {
                let page = page_of.get(index).copied().unwrap_or(0);
                format!("{}#{}", page_path(page), anchor(index))
            }
        }
    }
}

/// The path of side page `page` (0-based) relative to the report folder.
pub fn page_path(page: usize) -> String {
    format!("details/{:03}.html", page + 1)
}

/// A link in a page list.
pub struct PageLink {
    pub href: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "report/index.html")]
pub struct IndexPage<'a> {
    pub t: &'static Labels,
    pub lang: &'static str,
    pub generator: &'a str,
    pub header: &'a Header,
    pub matrix: Matrix,
    pub overview: Vec<TallyTable>,
    pub trend: TrendView,
    pub changes: Changes,
    pub families: Vec<FamilyRow>,
    pub vantages: Option<&'a crate::assess::VantageComparison>,
    pub inline: Vec<CellDetail>,
    pub pages: Vec<PageLink>,
}

#[derive(Template)]
#[template(path = "report/details.html")]
pub struct DetailsPage<'a> {
    pub t: &'static Labels,
    pub lang: &'static str,
    pub generator: &'a str,
    pub header: &'a Header,
    pub page_label: String,
    pub pages: Vec<PageLink>,
    pub cells: Vec<CellDetail>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assess::{CellKey, ChangeKind, Compliance, Timeline};
    use crate::model::{Client, ProbeRole};

    fn cells(sizes: &[usize]) -> Vec<CellAssessment> {
        sizes
            .iter()
            .map(|n| CellAssessment {
                key: CellKey {
                    context: "c".into(),
                    link_platform: "p".into(),
                },
                host_platform: "h".into(),
                scene: None,
                client: Client::Android,
                role: ProbeRole::Rival,
                compliance: Compliance::Compliant,
                lead: 0,
                pairs: (0..*n).collect(),
                history: Vec::new(),
                timeline: Timeline::default(),
                change: ChangeKind::Same,
            })
            .collect()
    }

    #[test]
    fn a_small_report_keeps_every_drill_down_inline() {
        let layout = Layout::of(&cells(&[INLINE_CAP / 2, INLINE_CAP / 2]));
        assert!(matches!(layout, Layout::Inline));
        assert_eq!(layout.href(1), "#c1");
    }

    #[test]
    fn past_the_cap_cells_fill_pages_in_order_and_a_big_cell_gets_its_own() {
        let layout = Layout::of(&cells(&[200, 100, 1, PAGE_CAP + 50, 10]));
        let Layout::Paged { pages, .. } = &layout else {
            panic!("expected pages");
        };
        assert_eq!(pages, &[vec![0, 1], vec![2], vec![3], vec![4]]);
        assert_eq!(layout.href(3), "details/003.html#c3");
    }
}
