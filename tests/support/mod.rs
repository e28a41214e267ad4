//! What integration tests share: local servers (a scriptable HTTP(S) server that logs what it
//! was sent, TCP servers that misbehave on purpose, a counting forward proxy, a throwaway
//! certificate authority), the gateway site most runs measure, scenario files written per
//! test, page fixtures, and the real binary run against them with its history read back; the
//! platform simulator started in-process (`sim`), a small stored history for report tests
//! (`report`) and a builder for records (`record`).
//! Everything listens on 127.0.0.1: no test touches the internet.

// Each test binary compiles this module whole but uses a different subset of it, so the
// helpers one binary leaves unused would otherwise warn there.
#![allow(dead_code)]

pub mod cli;
pub mod corpus;
pub mod faults;
pub mod fixtures;
pub mod history;
pub mod pg;
pub mod proxy;
pub mod record;
pub mod report;
pub mod scenario;
pub mod server;
pub mod sim;
pub mod site;
pub mod stored;
pub mod tls;
pub mod tsa;
pub mod tunnel;

pub use server::{Reply, Server};

/// WeChat on Android, as the bundled pack's `wechat.android.*` contexts send it (a test in
/// `pack.rs` keeps them equal): the one WeChat user agent of the tests.
pub const WECHAT_UA: &str = "Mozilla/5.0 (Linux; Android 13; M2102J2SC Build/TKQ1.221114.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MMWEBID/2585 MicroMessenger/8.0.47.2560(0x28002F35) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64";
