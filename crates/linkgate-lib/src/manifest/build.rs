//! Building a manifest: a pure function from a run, its records and the bytes of the files
//! written for it to a [`Manifest`], and from a manifest to the exact bytes of its file.

use super::sign::Signer;
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sha2::Digest;

use super::ManifestError;
use super::model::{EntryKind, EvidenceFile, EvidenceRole, FORMAT, Manifest, OutputFile, Previous};
use crate::model::{Record, Run};

/// Everything a manifest says that does not depend on the chain.
#[derive(Debug, Clone)]
pub struct Draft<'a> {
    pub kind: EntryKind,
    pub run: &'a Run,
    /// The run's record count and the evidence its records refer to.
    pub evidence: &'a RunEvidence,
    /// Evidence file names by SHA-256, for the files found in the evidence folder.
    pub evidence_files: &'a BTreeMap<String, String>,
    /// The SHA-256 of those files as stored, by the SHA-256 of their content.
    pub evidence_bytes: &'a BTreeMap<String, String>,
    /// How the entry is attested besides the chain: signed, timestamped.
    pub attest: &'a Attest,
    /// Files written into the run folder, hashed.
    pub outputs: Vec<OutputFile>,
    pub signature_set: Option<String>,
    pub written_at: DateTime<Utc>,
}

/// What attests an entry besides the chain: a signature with a key kept elsewhere, a
/// token from a time-stamping authority (asked for once the entry is written).
#[derive(Debug, Clone, Default)]
pub struct Attest {
    pub signer: Option<Signer>,
    /// The time-stamping authority's URL.
    pub tsa: Option<String>,
}

/// No signature, no timestamp.
pub static UNATTESTED: Attest = Attest {
    signer: None,
    tsa: None,
};

/// Hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(bytes))
}

impl OutputFile {
    /// The entry of a file `file` of the run folder with these contents.
    pub fn of(file: impl Into<String>, bytes: &[u8]) -> OutputFile {
        OutputFile {
            file: file.into(),
            sha256: sha256_hex(bytes),
            bytes: bytes.len() as u64,
        }
    }

    /// The entry of the file at `path`, hashed as it is read: a run's CSV and report can be
    /// larger than what a run otherwise holds in memory (150 MB at 100,000 links).
    pub fn read(file: impl Into<String>, path: &std::path::Path) -> std::io::Result<OutputFile> {
        use std::io::Read;
        let mut file_in = std::fs::File::open(path)?;
        let (mut hasher, mut buffer, mut bytes) = (sha2::Sha256::new(), vec![0; 1 << 16], 0);
        loop {
            let n = match file_in.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            hasher.update(&buffer[..n]);
            bytes += n as u64;
        }
        Ok(OutputFile {
            file: file.into(),
            sha256: hex::encode(hasher.finalize()),
            bytes,
        })
    }
}

/// What a manifest lists of a run's records: how many there are and every evidence file
/// they refer to, each once (the first role it is seen in wins: a page can be one probe's
/// final body and another's intermediate page), sorted by hash. Gathered a record at a time,
/// so sealing a run of any size holds no records.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunEvidence {
    pub records: usize,
    pub files: BTreeMap<String, EvidenceRole>,
}

impl RunEvidence {
    pub fn of(records: &[Record]) -> RunEvidence {
        let mut evidence = RunEvidence::default();
        records.iter().for_each(|r| evidence.add(r));
        evidence
    }

    pub fn add(&mut self, record: &Record) {
        self.records += 1;
        let o = &record.observation;
        let found = o
            .body_sha256
            .iter()
            .map(|s| (s, EvidenceRole::Body))
            .chain(
                o.screenshot_sha256
                    .iter()
                    .map(|s| (s, EvidenceRole::Screenshot)),
            )
            .chain(o.evidence.iter().map(|s| (s, EvidenceRole::Intermediate)));
        for (sha256, role) in found {
            self.files
                .entry(sha256.to_ascii_lowercase())
                .or_insert(role);
        }
    }
}

/// Every evidence file `records` refer to (see [`RunEvidence`]).
pub fn evidence_of(records: &[Record]) -> BTreeMap<String, EvidenceRole> {
    RunEvidence::of(records).files
}

/// The manifest of `draft` at `sequence` in the chain, after `previous`, with its digest.
pub fn build(draft: &Draft<'_>, sequence: u64, previous: Option<Previous>) -> Manifest {
    let evidence = draft
        .evidence
        .files
        .iter()
        .map(|(sha256, role)| EvidenceFile {
            file: draft.evidence_files.get(sha256).cloned(),
            file_sha256: draft.evidence_bytes.get(sha256).cloned(),
            sha256: sha256.clone(),
            role: *role,
        })
        .collect();
    let mut outputs = draft.outputs.clone();
    outputs.sort_by(|a, b| a.file.cmp(&b.file));
    outputs.dedup_by(|a, b| a.file == b.file);
    let mut manifest = Manifest {
        format: FORMAT.to_string(),
        kind: draft.kind,
        sequence,
        written_at: draft.written_at,
        written_by: format!("linkgate {}", env!("CARGO_PKG_VERSION")),
        run: draft.run.clone(),
        signature_set: draft.signature_set.clone(),
        records: draft.evidence.records,
        evidence,
        outputs,
        previous,
        timestamp_from: draft.attest.tsa.clone(),
        manifest_sha256: String::new(),
    };
    // Digesting plain data cannot fail; an empty digest would show in verify if it did.
    manifest.manifest_sha256 = digest(&manifest).unwrap_or_default();
    manifest
}

/// The SHA-256 of a manifest's canonical JSON (compact, `manifest_sha256` left out). Going
/// through a JSON value makes the digest the same whether it is computed from the struct or
/// from the file read back, whatever the file's whitespace.
pub fn digest(manifest: &Manifest) -> Result<String, serde_json::Error> {
    let value = serde_json::to_value(manifest)?;
    digest_value(value)
}

/// The digest of a manifest read as a JSON value.
pub(super) fn digest_value(mut value: serde_json::Value) -> Result<String, serde_json::Error> {
    if let Some(object) = value.as_object_mut() {
        object.remove("manifest_sha256");
    }
    Ok(sha256_hex(&serde_json::to_vec(&value)?))
}

/// The bytes of the manifest's file: pretty JSON, one trailing newline.
pub fn to_bytes(manifest: &Manifest) -> Result<Vec<u8>, ManifestError> {
    let mut bytes =
        serde_json::to_vec_pretty(manifest).map_err(|source| ManifestError::Encode {
            run_id: manifest.run.id.clone(),
            source,
        })?;
    bytes.push(b'\n');
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        Category, Client, EngineKind, Observation, ProbeRole, RunStatus, Verdict, VerdictKind,
    };

    fn run() -> Run {
        Run {
            id: "20261124T190000Z-0001".into(),
            started_at: "2026-11-24T19:00:00Z".parse().unwrap(),
            ended_at: Some("2026-11-24T19:05:00Z".parse().unwrap()),
            status: RunStatus::Completed,
            tool_version: "0.1.0".into(),
            vantage: "beijing-unicom".into(),
            audits: vec!["miit-2021".into()],
            scenario_files: vec![crate::model::ScenarioFile {
                path: "scenarios/audits.toml".into(),
                sha256: "ab".repeat(32),
            }],
            simulated: false,
        }
    }

    fn record(body: &str, intermediate: &[&str]) -> Record {
        Record {
            run_id: run().id,
            observed_at: "2026-11-24T19:01:00Z".parse().unwrap(),
            audit: "miit-2021".into(),
            context: "wechat.android.private_chat".into(),
            host_platform: Some("wechat".into()),
            scene: None,
            client: Client::Android,
            link_id: "taobao.item".into(),
            link_platform: "taobao".into(),
            link_category: Category::Ecommerce,
            url: "https://m.tb.cn/x".into(),
            role: ProbeRole::Rival,
            observation: Observation {
                engine: EngineKind::Http,
                body_sha256: Some(body.to_string()),
                evidence: intermediate.iter().map(|s| s.to_string()).collect(),
                ..Observation::default()
            },
            verdict: Verdict::inconclusive("timeout", crate::model::Actor::None, "r"),
            control_verdict: Some(VerdictKind::Opened),
        }
    }

    #[test]
    fn evidence_is_listed_once_with_its_first_role() {
        let a = "a".repeat(64);
        let b = "b".repeat(64);
        let records = [record(&a, &[&b]), record(&b, &[])];
        let evidence = evidence_of(&records);
        assert_eq!(
            evidence.into_iter().collect::<Vec<_>>(),
            vec![(a, EvidenceRole::Body), (b, EvidenceRole::Intermediate)]
        );
    }

    #[test]
    fn a_file_read_in_pieces_hashes_as_its_bytes_do() {
        let dir = tempfile::tempdir().unwrap();
        let bytes: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(dir.path().join("big.csv"), &bytes).unwrap();
        let read = OutputFile::read("big.csv", &dir.path().join("big.csv")).unwrap();
        assert_eq!(read, OutputFile::of("big.csv", &bytes));
    }

    #[test]
    fn the_digest_survives_a_round_trip_through_the_file_and_catches_an_edit() {
        let run = run();
        let records = [record(&"c".repeat(64), &[])];
        let files = BTreeMap::from([("c".repeat(64), format!("{}.html.gz", "c".repeat(64)))]);
        let draft = Draft {
            kind: EntryKind::Run,
            run: &run,
            evidence: &RunEvidence::of(&records),
            evidence_files: &files,
            evidence_bytes: &BTreeMap::new(),
            attest: &UNATTESTED,
            outputs: vec![OutputFile::of("observations.csv", b"run_id\n")],
            signature_set: None,
            written_at: "2026-11-24T19:05:01Z".parse().unwrap(),
        };
        let manifest = build(&draft, 1, None);
        let bytes = to_bytes(&manifest).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(digest_value(value).unwrap(), manifest.manifest_sha256);
        assert_eq!(manifest.outputs[0].sha256, sha256_hex(b"run_id\n"));

        let edited = String::from_utf8(bytes)
            .unwrap()
            .replace("beijing-unicom", "shanghai-telecom");
        let value: serde_json::Value = serde_json::from_str(&edited).unwrap();
        assert_ne!(digest_value(value).unwrap(), manifest.manifest_sha256);
    }

    #[test]
    fn manifest_json_snapshot() {
        let run = run();
        let a = "a".repeat(64);
        let records = [record(&a, &[])];
        let files = BTreeMap::from([(a.clone(), format!("{a}.html.gz"))]);
        let draft = Draft {
            kind: EntryKind::Run,
            run: &run,
            evidence: &RunEvidence::of(&records),
            evidence_files: &files,
            evidence_bytes: &BTreeMap::new(),
            attest: &UNATTESTED,
            outputs: vec![OutputFile::of("observations.csv", b"x")],
            signature_set: None,
            written_at: "2026-11-24T19:05:01Z".parse().unwrap(),
        };
        let previous = Previous {
            sequence: 6,
            run_id: "20261123T190000Z-0002".into(),
            kind: EntryKind::Run,
            sha256: "d".repeat(64),
        };
        let manifest = build(&draft, 7, Some(previous));
        // The digest covers `written_by`, so both change with the version.
        let text = String::from_utf8(to_bytes(&manifest).unwrap())
            .unwrap()
            .replace(&manifest.manifest_sha256, "DIGEST")
            .replace(env!("CARGO_PKG_VERSION"), "VERSION");
        insta::assert_snapshot!(text);
    }
}
