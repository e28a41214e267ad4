//! Unit tests of reading manual-observation sheets: good rows, every bad cell named, headers.

use std::path::Path;

use super::*;

const SCENARIOS: &str = r#"
[[platform]]
id = "wechat"
owner = "tencent"
name = "WeChat"
name_zh = "微信"

[[platform]]
id = "taobao"
owner = "alibaba"
name = "Taobao"
name_zh = "淘宝"

[[context]]
host = "wechat"
client = "android"
scenes = ["private_chat", "live_room"]
user_agent = "Mozilla/5.0 MicroMessenger/8.0.47"

[[context]]
id = "neutral.android"
client = "android"
user_agent = "Mozilla/5.0 (Linux; Android 13) Mobile Safari/537.36"

[[link]]
id = "taobao.item"
platform = "taobao"
category = "ecommerce"
url = "https://m.tb.cn/h.abc"
landing = '/item/'

[[audit]]
id = "manual-audit"
title = "Manual"
control = "neutral.android"
deadlines = [{ date = 2021-09-17, label = "MIIT deadline" }]
"#;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\nfake image data";

fn catalog() -> Catalog {
    Catalog::from_sources(&[("scenarios/all.toml".into(), SCENARIOS.to_string())]).unwrap()
}

fn read(path: &Path) -> std::io::Result<Vec<u8>> {
    match path.file_name().and_then(|n| n.to_str()) {
        Some("live.png") | Some("control.png") => Ok(PNG.to_vec()),
        Some("photo.jpg") => Ok(b"\xFF\xD8\xFF\xE0 jpeg".to_vec()),
        _ => Err(std::io::ErrorKind::NotFound.into()),
    }
}

fn now() -> DateTime<Utc> {
    "2026-11-24T12:00:00Z".parse().unwrap()
}

fn parse_csv(text: &str) -> Result<Vec<ManualObservation>, ImportError> {
    let catalog = catalog();
    let audit = catalog.audit("manual-audit").unwrap().clone();
    parse(
        Path::new("manual.csv"),
        text.as_bytes(),
        Path::new("shots"),
        &catalog,
        &audit,
        now(),
        &read,
    )
}

const HEADER: &str = "context,link,verdict,mechanism,observed_at,screenshot,analyst,note\n";

#[test]
fn good_rows_become_manual_records_paired_with_their_control() {
    let text = format!(
        "\u{feff}{HEADER}\
         wechat.android.live_room,taobao.item,blocked,stop_page,2026-11-20 10:15,live.png,li,tapped in a live room\n\
         neutral.android,taobao.item,opened,direct,2026-11-20T02:20:00Z,control.png,li,\n"
    );
    let rows = parse_csv(&text).unwrap();
    assert_eq!(rows.len(), 2);
    // A local time is read in the audit's zone (Asia/Shanghai by default).
    assert_eq!(
        rows[0].observed_at,
        "2026-11-20T02:15:00Z".parse::<DateTime<Utc>>().unwrap()
    );
    assert_eq!(rows[0].role, ProbeRole::Rival);
    assert_eq!(rows[1].role, ProbeRole::Control);

    let catalog = catalog();
    let audit = catalog.audit("manual-audit").unwrap();
    let records = records("run-1", audit, &catalog, &rows);
    let (rival, shots) = &records[0];
    assert_eq!(rival.observation.engine, EngineKind::Manual);
    assert_eq!(rival.verdict.kind, VerdictKind::Blocked);
    assert_eq!(rival.verdict.actor, Actor::Host);
    assert_eq!(rival.verdict.signature.as_deref(), Some("manual"));
    assert!(
        rival.verdict.reason.contains("by li"),
        "{}",
        rival.verdict.reason
    );
    assert_eq!(rival.control_verdict, Some(VerdictKind::Opened));
    assert_eq!(
        rival.observation.screenshot_sha256.as_deref(),
        Some(shots[0].sha256.as_str())
    );
}

#[test]
fn every_bad_cell_is_named_by_line_and_column() {
    let text = format!(
        "{HEADER}\
         wechat.android.live_room,taobao.item,blocked,stop_page,2026-11-20 10:15,live.png,li,ok\n\
         wechat.android.live_rom,taobao.item,blokked,Stop Page,yesterday,missing.png,,x\n\
         wechat.android.live_room,taobao.item,opened,direct,2030-01-01 00:00,photo.jpg,li,x\n"
    );
    let err = parse_csv(&text).unwrap_err();
    let ImportError::Invalid { problems, .. } = &err else {
        panic!("{err}");
    };
    let at: Vec<(usize, usize)> = problems.iter().map(|p| (p.line, p.column)).collect();
    assert_eq!(
        at,
        vec![
            (3, 1),
            (3, 3),
            (3, 4),
            (3, 5),
            (3, 6),
            (3, 7),
            (4, 5),
            (4, 6)
        ],
        "{err}"
    );
    let text = err.to_string();
    assert!(text.contains("manual.csv:3:1: unknown context `wechat.android.live_rom`; did you mean `wechat.android.live_room`?"), "{text}");
    assert!(
        text.contains("manual.csv:3:6: screenshot file shots/missing.png is missing"),
        "{text}"
    );
    assert!(text.contains("is not a PNG"), "{text}");
    assert!(
        text.ends_with("8 problems in manual.csv; nothing was imported"),
        "{text}"
    );
}

#[test]
fn a_repeated_pair_and_a_bad_header_are_refused() {
    let row = "neutral.android,taobao.item,opened,direct,2026-11-20 10:15,control.png,li,\n";
    let err = parse_csv(&format!("{HEADER}{row}{row}"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("manual.csv:3:1: context neutral.android and link taobao.item were already recorded on line 2"), "{err}");

    let err = parse_csv("context,link,verdict\n").unwrap_err().to_string();
    assert!(err.contains("column `mechanism` is missing"), "{err}");
    let err = parse_csv(&HEADER.replace("note", "notes"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown column `notes` (column 8)"), "{err}");
}
