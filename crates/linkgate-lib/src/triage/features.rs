//! What a page is made of, for comparing pages nobody has a signature for: its structure (how
//! often each tag occurs: a template keeps its skeleton when its words change) and its text
//! (the visible words as overlapping shingles, MinHashed: a template keeps most of its words
//! when its markup changes). Both are needed: two landing pages of one shop share a skeleton
//! but not their text; a block page's variants share their text but not always their markup.

use std::collections::{BTreeMap, BTreeSet};

use crate::classify::{Page, title_of};

use super::minhash::MinHash;

/// Characters per shingle: Chinese has no spaces, so text is shingled by characters.
const SHINGLE: usize = 4;

/// A page's features.
#[derive(Debug, Clone)]
pub struct Features {
    /// Tag name → how many elements of it.
    pub tags: BTreeMap<String, u32>,
    pub text: MinHash,
    /// Visible text, whitespace collapsed.
    pub visible: String,
    pub title: String,
    /// Every `class` and `id` on the page, as `.class` and `#id` selectors.
    pub selectors: BTreeSet<String>,
}

impl Features {
    /// The features of an HTML page.
    pub fn of(body: &str) -> Features {
        let page = Page::parse(body, None);
        let mut tags: BTreeMap<String, u32> = BTreeMap::new();
        let mut selectors = BTreeSet::new();
        for element in page.html().root_element().descendent_elements() {
            let value = element.value();
            *tags.entry(value.name().to_string()).or_default() += 1;
            for class in value.classes() {
                selectors.insert(format!(".{class}"));
            }
            if let Some(id) = value.id() {
                selectors.insert(format!("#{id}"));
            }
        }
        // Enough text for a family's phrases; all of it would hold the history in memory.
        let visible: String = page.text().chars().take(4000).collect();
        Features {
            text: MinHash::of(shingles(page.text())),
            title: title_of(page.html()),
            tags,
            visible,
            selectors,
        }
    }

    /// How alike two pages' structures are: the cosine of their tag counts, 0 to 1.
    pub fn structure_similarity(&self, other: &Features) -> f64 {
        let dot: f64 = self
            .tags
            .iter()
            .filter_map(|(tag, a)| other.tags.get(tag).map(|b| f64::from(*a) * f64::from(*b)))
            .sum();
        let norm = |t: &BTreeMap<String, u32>| {
            t.values()
                .map(|n| f64::from(*n).powi(2))
                .sum::<f64>()
                .sqrt()
        };
        let (a, b) = (norm(&self.tags), norm(&other.tags));
        if a == 0.0 || b == 0.0 {
            0.0
        } else {
            dot / (a * b)
        }
    }
}

/// The text's overlapping runs of [`SHINGLE`] characters (the whole text when shorter).
fn shingles(text: &str) -> impl Iterator<Item = String> + '_ {
    let chars: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
    let n = chars
        .len()
        .saturating_sub(SHINGLE - 1)
        .max(usize::from(!chars.is_empty()));
    (0..n).map(move |i| chars[i..(i + SHINGLE).min(chars.len())].iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reworded_page_stays_near_and_another_template_is_far() {
        let a = Features::of(
            "<html><title>提示</title><div class=msg><h2>该网页已被多人举报，为维护绿色网络环境，已停止访问</h2><a id=go>继续</a></div>",
        );
        let b = Features::of(
            "<html><title>提示</title><div class=msg><h2>该网页已被多人举报，为维护绿色网络环境，已暂停访问</h2><a id=go>继续</a></div>",
        );
        let c = Features::of(
            "<html><title>商品</title><ul><li>价格 99 元</li><li>库存 3 件</li><li>包邮</li></ul></html>",
        );
        assert!(
            a.text.similarity(&b.text) >= super::super::TEXT_ALIKE,
            "{}",
            a.text.similarity(&b.text)
        );
        assert!(a.text.similarity(&c.text) < 0.1);
        assert!(a.structure_similarity(&b) > 0.99);
        assert!(a.selectors.contains(".msg") && a.selectors.contains("#go"));
    }
}
