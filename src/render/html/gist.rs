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

impl PageGist {
    pub fn of(observation: &Observation) -> PageGist {
        let page = Page::parse(&observation.body, observation.rendered_text.as_deref());
        PageGist {
            title: page.title().to_string(),
            text: excerpt(page.text()),
        }
    }
}

/// The gists of a run's pages, by (context, link): one record of each in a run of an audit.
#[derive(Debug, Clone, Default)]
pub struct PageGists(HashMap<(String, String), PageGist>);

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
                .insert((record.context.clone(), record.link_id.clone()), gist);
        }
    }

    /// The gist of `record`'s page, when it was taken.
    pub fn of(&self, record: &Record) -> Option<&PageGist> {
        self.0
            .get(&(record.context.clone(), record.link_id.clone()))
    }
}

fn excerpt(text: &str) -> String {
    let mut out: String = text.chars().take(TEXT_EXCERPT).collect();
    if out.len() < text.len() {
        out.push('…');
    }
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
}
