//! The matrix: host contexts (grouped by platform, then scene) down, link platforms across.
//! Each cell carries its compliance three ways (colour, symbol, word) so it reads in print
//! and without colour vision, and links to its drill-down.

use std::collections::HashMap;

use super::lang::{Lang, change_mark, class, symbol};
use crate::assess::{Assessment, CellAssessment, Directory, Note};
use crate::model::ProbeRole;

/// A column: one link platform.
pub struct Column {
    pub name: String,
    pub owner: String,
}

/// One cell as the matrix shows it.
pub struct CellView {
    pub present: bool,
    pub class: String,
    /// ✓ ✗ ? (compliance) or ◇ + symbol for a same-owner cell.
    pub mark: String,
    pub word: String,
    pub detail: String,
    pub change: &'static str,
    pub href: String,
    /// What a screen reader or a tooltip says.
    pub label: String,
}

/// One row: a host context.
pub struct RowView {
    /// How many rows the scene header spans; 0 when an earlier row's header covers it.
    pub scene_span: usize,
    pub scene: String,
    pub client: String,
    pub context: String,
    pub cells: Vec<CellView>,
}

/// The rows of one host platform.
pub struct RowGroup {
    pub title: String,
    pub rows: Vec<RowView>,
}

pub struct Matrix {
    pub columns: Vec<Column>,
    pub groups: Vec<RowGroup>,
}

impl Matrix {
    /// The matrix of `assessment`'s cells; `href(i)` is where cell `i`'s drill-down is.
    pub fn new(
        assessment: &Assessment,
        directory: &Directory,
        lang: Lang,
        href: &dyn Fn(usize) -> String,
    ) -> Matrix {
        let mut platforms: Vec<&str> = Vec::new();
        for cell in &assessment.cells {
            if !platforms.contains(&cell.key.link_platform.as_str()) {
                platforms.push(&cell.key.link_platform);
            }
        }
        platforms.sort_by_key(|p| directory.order(p));
        let columns = platforms
            .iter()
            .map(|p| Column {
                name: directory.name(p, lang.is_zh()).to_string(),
                owner: directory.owner(p).to_string(),
            })
            .collect();
        let column_of: HashMap<&str, usize> =
            platforms.iter().enumerate().map(|(i, p)| (*p, i)).collect();
        let mut groups: Vec<RowGroup> = Vec::new();
        let mut last_host: Option<&str> = None;
        for (i, cell) in assessment.cells.iter().enumerate() {
            if last_host != Some(cell.host_platform.as_str()) {
                last_host = Some(&cell.host_platform);
                groups.push(RowGroup {
                    title: format!(
                        "{} · {}",
                        directory.name(&cell.host_platform, lang.is_zh()),
                        directory.owner(&cell.host_platform)
                    ),
                    rows: Vec::new(),
                });
            }
            let Some(group) = groups.last_mut() else {
                continue;
            };
            if group
                .rows
                .last()
                .is_none_or(|r| r.context != cell.key.context)
            {
                group.rows.push(row(cell, lang, platforms.len()));
            }
            if let (Some(row), Some(column)) = (
                group.rows.last_mut(),
                column_of.get(cell.key.link_platform.as_str()),
            ) {
                row.cells[*column] = cell_view(assessment, cell, lang, href(i));
            }
        }
        for group in &mut groups {
            span_scenes(&mut group.rows);
        }
        Matrix { columns, groups }
    }
}

fn row(cell: &CellAssessment, lang: Lang, columns: usize) -> RowView {
    RowView {
        scene_span: 1,
        scene: lang.scene(cell.scene).to_string(),
        client: cell.client.as_str().to_string(),
        context: cell.key.context.clone(),
        cells: (0..columns).map(|_| empty()).collect(),
    }
}

fn empty() -> CellView {
    CellView {
        present: false,
        class: "none".to_string(),
        mark: "—".to_string(),
        word: String::new(),
        detail: String::new(),
        change: "",
        href: String::new(),
        label: String::new(),
    }
}

/// Rows of one scene share one scene header.
fn span_scenes(rows: &mut [RowView]) {
    let mut start = 0;
    while start < rows.len() {
        let end = (start..rows.len())
            .find(|i| rows[*i].scene != rows[start].scene)
            .unwrap_or(rows.len());
        rows[start].scene_span = end - start;
        for row in &mut rows[start + 1..end] {
            row.scene_span = 0;
        }
        start = end;
    }
}

fn cell_view(assessment: &Assessment, cell: &CellAssessment, lang: Lang, href: String) -> CellView {
    let lead = &assessment.pairs[cell.lead].finding;
    let same_owner = cell.role == ProbeRole::SameOwner;
    let mut classes = vec![class(cell.compliance)];
    if lead.note == Some(Note::UniformFriction)
        && cell.compliance == crate::assess::Compliance::Compliant
    {
        classes.push("friction");
    }
    if same_owner {
        classes.push("same");
    }
    let mark = match same_owner {
        true => format!("◇{}", symbol(cell.compliance)),
        false => symbol(cell.compliance).to_string(),
    };
    let mut detail = lead.mechanism.clone();
    if let Some(note) = lead.note {
        detail = format!("{detail} · {}", lang.note_short(note));
    }
    if cell.pairs.len() > 1 {
        let links = match lang {
            Lang::En => format!("{} links", cell.pairs.len()),
            Lang::Zh => format!("{} 个链接", cell.pairs.len()),
        };
        detail = format!("{detail} · {links}");
    }
    let t = lang.labels();
    let mut label = format!(
        "{} × {}: {}",
        cell.key.context,
        cell.key.link_platform,
        lang.compliance(cell.compliance)
    );
    if same_owner {
        label = format!("{label} ({})", t.same_owner);
    }
    CellView {
        present: true,
        class: classes.join(" "),
        mark,
        word: lang.verdict(lead.verdict).to_string(),
        detail,
        change: change_mark(cell.change),
        href,
        label,
    }
}
