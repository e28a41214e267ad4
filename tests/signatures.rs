//! Every bundled signature recognises its own fixture page, and no fixture page of a
//! signature is mistaken for another page state. A signature without a passing fixture is a
//! guess; this test is what makes the scenario pack evidence.

mod support;

use linkgate::classify::{Situation, classify};
use linkgate::model::VerdictKind;
use support::fixtures::{bundled, observation_of};

#[test]
fn every_signature_classifies_its_fixture() {
    let catalog = bundled();
    assert!(!catalog.signatures.is_empty());
    let mut failures = Vec::new();
    for signature in &catalog.signatures {
        let bytes = std::fs::read(&signature.fixture).unwrap_or_else(|e| {
            panic!(
                "{}: fixture {}: {e}",
                signature.id,
                signature.fixture.display()
            )
        });
        let url = signature
            .fixture_url
            .clone()
            .unwrap_or_else(|| "https://fixture.linkgate.invalid/page".to_string());
        let observation = observation_of(&url, &bytes);
        let situation = Situation {
            host: signature.hosts.0.first().map(String::as_str),
            target: signature.targets.0.first().map(String::as_str),
            ..Situation::default()
        };
        let verdict = classify(&observation, &situation, &catalog.signatures).verdict;
        let expected = (
            signature.fixture_verdict.unwrap_or(signature.verdict),
            signature.mechanism.as_str(),
            Some(signature.id.as_str()),
        );
        let got = (
            verdict.kind,
            verdict.mechanism.as_str(),
            verdict.signature.as_deref(),
        );
        if got != expected {
            failures.push(format!(
                "{}: expected {expected:?}, got {got:?} ({})",
                signature.id, verdict.reason
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "fixtures misclassified:\n{}",
        failures.join("\n")
    );
}

#[test]
fn every_signature_cites_a_source() {
    for signature in &bundled().signatures {
        assert!(
            signature.source.trim().len() >= 10,
            "{} has no real source",
            signature.id
        );
    }
}

#[test]
fn a_gbk_fixture_is_decoded_before_matching() {
    let catalog = bundled();
    let signature = catalog
        .signature("weibo.sinaurl.unfiled")
        .expect("bundled signature");
    let bytes = std::fs::read(&signature.fixture).unwrap();
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the fixture is meant to be GBK"
    );
    let observation = observation_of(signature.fixture_url.as_deref().unwrap(), &bytes);
    assert_eq!(observation.charset.as_deref(), Some("GBK"));
    let situation = Situation {
        host: Some("weibo"),
        ..Situation::default()
    };
    let verdict = classify(&observation, &situation, &catalog.signatures).verdict;
    assert_eq!(verdict.kind, VerdictKind::Interstitial);
}
