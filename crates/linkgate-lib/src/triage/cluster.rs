//! Pages into families: candidate pairs from the MinHash bands (pages that share a band),
//! kept when both their text and their structure are alike, then joined transitively (a
//! family is a connected component). Comparing only the candidates keeps 100,000 pages to a
//! few seconds, where every pair would be five billion comparisons.

use std::collections::HashMap;

use super::features::Features;

/// Text at least this alike (estimated Jaccard of shingles)…
pub const TEXT_ALIKE: f64 = 0.5;
/// …and structure at least this alike (cosine of tag counts) make two pages one family.
pub const STRUCTURE_ALIKE: f64 = 0.8;

/// Families compared per bucket.
const HEADS: usize = 16;

/// The families of `pages`, each a list of indexes into it, largest first (ties: first seen).
pub fn families(pages: &[Features]) -> Vec<Vec<usize>> {
    let mut parent: Vec<usize> = (0..pages.len()).collect();
    let mut buckets: HashMap<(usize, u64), Vec<usize>> = HashMap::new();
    for (i, page) in pages.iter().enumerate() {
        for key in page.text.bands() {
            buckets.entry(key).or_default().push(i);
        }
    }
    for members in buckets.values() {
        // A bucket's pages are compared with one page of each family found in it so far (at
        // most `HEADS`), not with each other: identical pages make buckets of thousands.
        let mut heads: Vec<usize> = Vec::new();
        for &page in members {
            let root = find(&mut parent, page);
            let mut placed = false;
            for &head in &heads {
                if find(&mut parent, head) == root {
                    placed = true;
                    break;
                }
                if alike(&pages[head], &pages[page]) {
                    union(&mut parent, head, page);
                    placed = true;
                    break;
                }
            }
            if !placed && heads.len() < HEADS {
                heads.push(page);
            }
        }
    }
    let mut by_root: HashMap<usize, Vec<usize>> = HashMap::new();
    for i in 0..pages.len() {
        let root = find(&mut parent, i);
        by_root.entry(root).or_default().push(i);
    }
    let mut out: Vec<Vec<usize>> = by_root.into_values().collect();
    out.sort_by_key(|f| (std::cmp::Reverse(f.len()), f[0]));
    out
}

/// Whether two pages belong to one family.
pub fn alike(a: &Features, b: &Features) -> bool {
    a.text.similarity(&b.text) >= TEXT_ALIKE && a.structure_similarity(b) >= STRUCTURE_ALIKE
}

/// The member most like the others (the largest summed text similarity): the family's face.
pub fn representative(pages: &[Features], members: &[usize]) -> usize {
    // Centrality over a sample keeps a family of 10,000 from costing 10⁸ comparisons.
    let sample: Vec<usize> = members
        .iter()
        .copied()
        .step_by((members.len() / 200).max(1))
        .collect();
    members
        .iter()
        .copied()
        .max_by(|&a, &b| {
            let score = |i: usize| -> f64 {
                sample
                    .iter()
                    .map(|&j| pages[i].text.similarity(&pages[j].text))
                    .sum()
            };
            score(a).total_cmp(&score(b)).then(b.cmp(&a))
        })
        .unwrap_or(members[0])
}

fn find(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

fn union(parent: &mut [usize], a: usize, b: usize) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    if ra != rb {
        parent[ra.max(rb)] = ra.min(rb);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn warning(n: usize, words: &str) -> Features {
        Features::of(&format!(
            "<html><title>安全提示</title><body><div class=tip><h2>{words}</h2>\
             <p>链接 https://x.test/{n} 可能存在风险，请谨慎访问，不要输入密码与支付信息</p>\
             <a class=go href=#>继续访问</a></div></body></html>"
        ))
    }

    fn landing(n: usize) -> Features {
        let items: String = (0..8)
            .map(|i| {
                format!(
                    "<li>商品 {n}-{i} 价格 {} 元 月销 {} 件</li>",
                    n * 7 + i,
                    n + i
                )
            })
            .collect();
        Features::of(&format!(
            "<html><title>店铺 {n}</title><body><ul>{items}</ul><footer>客服 {n}</footer></body></html>"
        ))
    }

    #[test]
    fn three_wordings_of_one_warning_are_one_family_and_landing_pages_stay_out() {
        let mut pages: Vec<Features> = (0..9)
            .map(|n| {
                let words = [
                    "该网址可能存在安全风险",
                    "此网址存在潜在安全风险",
                    "您访问的网址可能存在安全风险",
                ];
                warning(n, words[n % 3])
            })
            .collect();
        pages.extend((0..6).map(landing));
        let found = families(&pages);
        assert_eq!(found[0], (0..9).collect::<Vec<_>>(), "{found:?}");
        assert!(found[1..].iter().all(|f| f.iter().all(|&i| i >= 9)));
        let face = representative(&pages, &found[0]);
        assert!(found[0].contains(&face));
    }
}
