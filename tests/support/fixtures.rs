//! The repository's page fixtures (the signatures' own under `scenarios/signatures/fixtures/`,
//! ordinary and reference pages under `tests/fixtures/pages/`), the bundled scenario pack, and a
//! fixture page as an engine would have seen it, for tests that classify pages without
//! fetching them.

use std::path::{Path, PathBuf};

use linkgate::catalog::Catalog;
use linkgate::model::{Hop, HopVia, Observation};

/// Where a page fixture is, e.g. `fixture("wechat/stop.html")`: beside the pack's signatures
/// when it is one of theirs, else among the test pages.
pub fn fixture(page: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let signed = root.join("scenarios/signatures/fixtures").join(page);
    if signed.exists() {
        signed
    } else {
        root.join("tests/fixtures/pages").join(page)
    }
}

/// The bytes of a page fixture.
pub fn fixture_bytes(page: &str) -> Vec<u8> {
    let path = fixture(page);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The scenario pack linkgate ships (`scenarios/`).
pub fn bundled() -> Catalog {
    Catalog::load(&[concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios")])
        .unwrap_or_else(|e| panic!("the bundled scenarios must load:\n{e}"))
}

/// A page as the engines would have seen it: one 200 response at `url`, decoded as they do.
pub fn observation_of(url: &str, bytes: &[u8]) -> Observation {
    let decoded = linkgate::charset::decode(bytes, None, None);
    Observation {
        entry_url: url.into(),
        hops: vec![Hop {
            url: url.into(),
            status: Some(200),
            location: None,
            via: HopVia::Start,
            elapsed_ms: 0,
        }],
        final_url: url.into(),
        status: Some(200),
        body: decoded.text,
        charset: Some(decoded.charset.into()),
        ..Observation::default()
    }
}
