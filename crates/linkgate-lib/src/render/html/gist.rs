//! What a report's drill-down shows of a page: its title and the start of its visible text.
//! A run's pages are summarised while the run is read, a few at a time and on every core,
//! and their bodies dropped, so a report of a run of 20,000 pages does not hold 20,000 pages
//! (it held 1.3 GB) and its slowest step, parsing each page, does not run on one core.

use std::collections::HashMap;

use crate::classify::Page;
use crate::model::{Observation, Record};

/// Characters of a page's visible text the drill-down shows.
const TEXT_EXCERPT: usize = 400;

/// A page's title and the start of its visible text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageGist {
    pub title: String,
    pub text: String,
}

/// How much of a page is parsed first: its title and the start of its text are nearly always
/// there, and parsing a 40 KB page whole for them was half of a large run's CPU time.
const FIRST_BYTES: usize = 8 * 1024;

impl PageGist {
    pub fn of(observation: &Observation) -> PageGist {
        let body = &observation.body;
        if observation.rendered_text.is_none() && body.len() > 2 * FIRST_BYTES {
            let mut cut = FIRST_BYTES;
            while !body.is_char_boundary(cut) {
                cut -= 1;
            }
            // Enough when the start of the page has its whole title and more text than is
            // shown: what follows can only add text after it.
            let start = &body[..cut];
            let (gist, more) = PageGist::from_page(&Page::parse(start, None));
            if more && !gist.title.is_empty() && closes_title(start) {
                return gist;
            }
        }
        PageGist::from_page(&Page::parse(body, observation.rendered_text.as_deref())).0
    }

    /// The gist of a page, and whether its text goes on past what the gist shows.
    fn from_page(page: &Page<'_>) -> (PageGist, bool) {
        let text = page.text();
        let gist = PageGist {
            title: page.title().to_string(),
            text: excerpt(text),
        };
        let more = text.chars().nth(TEXT_EXCERPT).is_some();
        (gist, more)
    }
}

/// The gists of a run's pages, by context then link: one record of each in a run of an audit.
#[derive(Debug, Clone, Default)]
pub struct PageGists(HashMap<String, HashMap<String, PageGist>>);

impl PageGists {
    /// Summarises the pages of `records` on every core, then empties their bodies and
    /// headers.
    pub fn take_from(&mut self, records: &mut [Record]) {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let chunk = records.len().div_ceil(threads).max(1);
        let gists: Vec<Vec<PageGist>> = std::thread::scope(|scope| {
            let workers: Vec<_> = records
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || {
                        part.iter()
                            .map(|r| PageGist::of(&r.observation))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            workers
                .into_iter()
                // A panic while parsing a page is a bug; it surfaces here as it would have.
                .map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        });
        for (record, gist) in records.iter_mut().zip(gists.into_iter().flatten()) {
            // Nor does a report show response headers: a record kept for the drill-down is
            // about a third of its size without them.
            record.observation.body = String::new();
            record.observation.headers = Vec::new();
            self.0
                .entry(record.context.clone())
                .or_default()
                .insert(record.link_id.clone(), gist);
        }
    }

    /// The gist of `record`'s page, when it was taken.
    pub fn of(&self, record: &Record) -> Option<&PageGist> {
        self.0.get(&record.context)?.get(&record.link_id)
    }
}

/// Whether `html` has a `</title>`: a title cut short by the end of a page's start would
/// otherwise be taken for the whole title.
fn closes_title(html: &str) -> bool {
    html.as_bytes()
        .windows(7)
        .any(|w| w.eq_ignore_ascii_case(b"</title"))
}

fn excerpt(text: &str) -> String {
    let mut out: String = text.chars().take(TEXT_EXCERPT).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    // Kept for every record of the run: no room to spare.
    out.shrink_to_fit();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gist_has_the_title_and_the_start_of_the_visible_text() {
        let long = "字".repeat(500);
        let body = format!("<title> 标题 </title><script>x()</script><p>{long}</p>");
        let observation = Observation {
            body,
            ..Observation::default()
        };
        let gist = PageGist::of(&observation);
        assert_eq!(gist.title, "标题");
        assert_eq!(gist.text.chars().count(), TEXT_EXCERPT + 1);
        assert!(gist.text.ends_with('…'));
    }

    /// The start of a page gives the gist the whole page gives, for every fixture page of
    /// the pack and for long pages built to be read from their start.
    #[test]
    fn the_start_of_a_page_gives_the_gist_of_the_whole_page() {
        let whole = |body: &str| PageGist::from_page(&Page::parse(body, None)).0;
        let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
        let mut pages: Vec<String> = walk(&root.join("tests/fixtures/pages"));
        pages.extend(walk(&root.join("scenarios/signatures/fixtures")));
        let filler = "<p>".to_string() + &"商品详情，正品保证。".repeat(1500) + "</p>";
        pages.push(format!(
            "<title>长页</title><style>{}</style>{filler}",
            "p{}".repeat(3000)
        ));
        pages.push(format!(
            "<title>表格</title><table><tr><td>格</td>文字{filler}"
        ));
        pages.push(format!(
            "<title>t</title><p hidden>{filler}</p><p>看得见</p>"
        ));
        // The title straddles the end of the page's start.
        let late = format!("<p>{}</p>", "字".repeat(2700));
        pages.push(format!("{late}<title>{}</title>{filler}", "题".repeat(100)));
        assert!(pages.len() > 20);
        for body in pages {
            let observation = Observation {
                body: body.clone(),
                ..Observation::default()
            };
            assert_eq!(
                PageGist::of(&observation),
                whole(&body),
                "{}",
                &body[..80.min(body.len())]
            );
        }
    }

    fn walk(dir: &std::path::Path) -> Vec<String> {
        let mut pages = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pages.extend(walk(&path));
            } else if path.extension().is_some_and(|e| e == "html") {
                let bytes = std::fs::read(&path).unwrap();
                pages.push(crate::charset::decode(&bytes, None, None).text);
            }
        }
        pages
    }
}
