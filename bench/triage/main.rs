//! Benchmark of triage (issue #18): how long grouping 100,000 inconclusive pages into
//! families takes (features: parsing, tag counts, MinHash of the visible text; then the
//! families), on pages made like the history's: a few templates of warning pages in three
//! wordings each, and many landing pages that each differ. Prints the time and how many
//! families were found, with their precision and recall against the templates they came from.
//!
//! Run: `cargo bench --bench triage`. Results: bench/triage/RESULTS.md.

use std::time::Instant;

use linkgate::triage::Features;

const PAGES: usize = 100_000;
const TEMPLATES: usize = 5;

/// Five warning templates, as five platforms word them.
const WARNINGS: [&str; TEMPLATES] = [
    "您即将访问的网站可能存在风险，该链接未通过平台安全检测，请谨慎访问",
    "此网页已被多人举报，为维护绿色网络环境，已停止访问该网页",
    "当前网页非官方页面，请长按网址复制后使用浏览器打开",
    "该内容暂不支持在应用内打开，请前往浏览器继续查看",
    "网址未在本平台完成备案，可能存在内容风险，是否继续前往",
];

/// Words a shop's pages are made of.
const WORDS: [&str; 24] = [
    "连衣裙",
    "运动鞋",
    "蓝牙耳机",
    "保温杯",
    "羽绒服",
    "手机壳",
    "护肤套装",
    "零食礼包",
    "台灯",
    "背包",
    "毛衣",
    "茶叶",
    "咖啡豆",
    "充电宝",
    "雨伞",
    "围巾",
    "牛仔裤",
    "帆布鞋",
    "面膜",
    "香水",
    "电饭煲",
    "枕头",
    "地毯",
    "花瓶",
];

/// A small deterministic generator, so every run measures the same pages.
fn pick(seed: usize, k: usize) -> usize {
    let mut z = (seed as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ (k as u64).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z ^= z >> 31;
    z as usize
}

/// Page `i`: one page in five is a warning of template `i % 5` (in one of three wordings),
/// the others landing pages of shops, each with products of its own.
fn page(i: usize) -> (Option<usize>, String) {
    if i.is_multiple_of(5) {
        let template = (i / 5) % TEMPLATES;
        let wording = ["", "（温馨提示）", "。如有疑问请联系客服"][i % 3];
        (
            Some(template),
            format!(
                "<html><head><title>提示</title></head><body><div class=\"notice\">\
             <p>{}{wording}</p><p class=\"url\">https://x{i}.test/</p><a href=\"#\">继续</a></div></body></html>",
                WARNINGS[template]
            ),
        )
    } else {
        let items: String = (0..8)
            .map(|k| {
                let (a, b) = (
                    WORDS[pick(i, k) % WORDS.len()],
                    WORDS[pick(i, k + 100) % WORDS.len()],
                );
                format!("<li>{a}{b} 新款 ¥{}</li>", pick(i, k + 200) % 500)
            })
            .collect();
        (
            None,
            format!(
                "<html><head><title>{}</title></head><body><ul>{items}</ul></body></html>",
                WORDS[pick(i, 300) % WORDS.len()]
            ),
        )
    }
}

fn main() {
    let made: Vec<(Option<usize>, String)> = (0..PAGES).map(page).collect();
    let started = Instant::now();
    let features: Vec<Features> = made.iter().map(|(_, body)| Features::of(body)).collect();
    let featured = started.elapsed();
    let families = linkgate::triage::cluster_families(&features);
    let total = started.elapsed();
    println!("| measure | value |\n| --- | ---: |");
    println!("| pages | {PAGES} |");
    println!(
        "| features (parse, tags, MinHash) | {:.1} s |",
        featured.as_secs_f64()
    );
    println!("| families | {:.1} s |", (total - featured).as_secs_f64());
    println!("| **total** | **{:.1} s** |", total.as_secs_f64());
    // Precision and recall of each template's largest family.
    for template in 0..TEMPLATES {
        let truth: Vec<usize> = (0..PAGES)
            .filter(|&i| made[i].0 == Some(template))
            .collect();
        let best = families
            .iter()
            .max_by_key(|f| f.iter().filter(|&&i| made[i].0 == Some(template)).count())
            .unwrap();
        let hits = best
            .iter()
            .filter(|&&i| made[i].0 == Some(template))
            .count();
        println!(
            "| template {template}: precision / recall | {:.3} / {:.3} |",
            hits as f64 / best.len() as f64,
            hits as f64 / truth.len() as f64
        );
    }
    let landing_in_big = families
        .iter()
        .filter(|f| f.len() > 1)
        .flatten()
        .filter(|&&i| made[i].0.is_none())
        .count();
    println!("| landing pages in a family of several | {landing_in_big} |");
    println!("| families in all | {} |", families.len());
}
