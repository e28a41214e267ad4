//! Trusted timestamps: a manifest proves what a run's files were, not *when* they were. An
//! RFC 3161 time-stamping authority (TSA) signs the manifest's SHA-256 with its own clock, and
//! the answer is kept beside the manifest as `manifest.json.tsr`, the TSA's response as it
//! came, so OpenSSL checks it without linkgate:
//!
//! ```text
//! openssl ts -verify -in manifest.json.tsr -data manifest.json -CAfile tsa-ca.pem
//! ```
//!
//! linkgate checks the token's imprint (the digest it vouches for is the manifest's), its time
//! (not before the run started, not in the future), and, given the TSA's certificate, its
//! signature (RSA with SHA-256, what TSAs and `openssl ts` use). A TSA that does not answer
//! does not fail a run: verify says the timestamp is missing and `linkgate timestamp RUN_ID`
//! asks again.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use cmpv2::status::PkiStatus;
use cms::cert::x509::Certificate;
use cms::cert::x509::spki::AlgorithmIdentifierOwned;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier};
use der::asn1::{Any, Int, OctetString};
use der::oid::ObjectIdentifier;
use der::{Decode, DecodePem, Encode};
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::sha2::{Digest, Sha256};
use rsa::signature::Verifier;
use x509_tsp::{MessageImprint, TimeStampReq, TimeStampResp, TspVersion, TstInfo};

const SHA_256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");

/// A token's file: the stamped file's name with `.tsr` appended.
pub fn token_path(stamped: &Path) -> PathBuf {
    let mut name = stamped.as_os_str().to_owned();
    name.push(".tsr");
    PathBuf::from(name)
}

/// Why no token was stored.
#[derive(Debug, thiserror::Error)]
pub enum TimestampError {
    #[error("cannot read {}: {source}", .path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {}: {source}", .path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the time-stamping authority {url} did not answer: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("the time-stamping authority {url} answered with an unusable token: {reason}")]
    Refused { url: String, reason: String },
}

/// The request for a token over `digest` (SHA-256), asking for the TSA's certificate too.
pub fn request(digest: &[u8; 32], nonce: u64) -> der::Result<Vec<u8>> {
    let request = TimeStampReq {
        version: TspVersion::V1,
        message_imprint: MessageImprint {
            hash_algorithm: AlgorithmIdentifierOwned {
                oid: SHA_256,
                parameters: Some(Any::from(der::asn1::AnyRef::NULL)),
            },
            hashed_message: OctetString::new(digest.to_vec())?,
        },
        req_policy: None,
        nonce: Some(Int::new(&positive(nonce))?),
        cert_req: true,
        extensions: None,
    };
    request.to_der()
}

/// `n` as the minimal two's-complement bytes of a positive DER INTEGER: no leading zero
/// bytes, but one when the top bit is set. A TSA rejects a request with a non-minimal one.
fn positive(n: u64) -> Vec<u8> {
    let bytes = n.to_be_bytes();
    let first = bytes
        .iter()
        .position(|b| *b != 0)
        .unwrap_or(bytes.len() - 1);
    let mut out = bytes[first..].to_vec();
    if out[0] & 0x80 != 0 {
        out.insert(0, 0);
    }
    out
}

/// Asks the TSA at `url` for a token over the file at `stamped` and stores the answer beside
/// it. The answer is checked first: a token for other bytes is never stored.
pub async fn stamp(
    client: &reqwest::Client,
    url: &str,
    stamped: &Path,
) -> Result<PathBuf, TimestampError> {
    let bytes = std::fs::read(stamped).map_err(|source| TimestampError::Read {
        path: stamped.to_path_buf(),
        source,
    })?;
    let digest: [u8; 32] = Sha256::digest(&bytes).into();
    let unreachable = |reason: String| TimestampError::Unreachable {
        url: url.into(),
        reason,
    };
    let query = request(&digest, rand::random()).map_err(|e| unreachable(e.to_string()))?;
    let answer = client
        .post(url)
        .header("content-type", "application/timestamp-query")
        .body(query)
        .send()
        .await
        .map_err(|e| unreachable(e.to_string()))?;
    if !answer.status().is_success() {
        return Err(unreachable(format!("HTTP {}", answer.status())));
    }
    let body = answer
        .bytes()
        .await
        .map_err(|e| unreachable(e.to_string()))?;
    read_token(&body, &bytes).map_err(|reason| TimestampError::Refused {
        url: url.into(),
        reason,
    })?;
    let path = token_path(stamped);
    std::fs::write(&path, &body).map_err(|source| TimestampError::Write {
        path: path.clone(),
        source,
    })?;
    Ok(path)
}

/// What a stored token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The TSA's time.
    pub time: DateTime<Utc>,
}

/// The token of a TSA response, checked against the bytes it must vouch for.
pub fn read_token(response: &[u8], stamped: &[u8]) -> Result<Token, String> {
    let (_, tst) = parts(response)?;
    if tst.message_imprint.hash_algorithm.oid != SHA_256 {
        return Err("the token's digest is not SHA-256".into());
    }
    let digest = Sha256::digest(stamped);
    if tst.message_imprint.hashed_message.as_bytes() != digest.as_slice() {
        return Err("the token vouches for other bytes than this file's".into());
    }
    let time = tst.gen_time.to_system_time();
    Ok(Token {
        time: DateTime::<Utc>::from(time),
    })
}

/// The signed data of a response and the token information it signs.
fn parts(response: &[u8]) -> Result<(SignedData, TstInfo), String> {
    let response =
        TimeStampResp::from_der(response).map_err(|e| format!("not a timestamp response ({e})"))?;
    if !matches!(
        response.status.status,
        PkiStatus::Accepted | PkiStatus::GrantedWithMods
    ) {
        return Err(format!(
            "the authority refused: {:?}",
            response.status.status
        ));
    }
    let token: ContentInfo = response
        .time_stamp_token
        .ok_or("the response holds no token")?;
    let signed = token
        .content
        .to_der()
        .and_then(|der| SignedData::from_der(&der))
        .map_err(|e| format!("the token is not signed data ({e})"))?;
    let content = signed
        .encap_content_info
        .econtent
        .as_ref()
        .ok_or("the token holds no time-stamp information")?;
    let tst = TstInfo::from_der(content.value())
        .map_err(|e| format!("the time-stamp information cannot be read ({e})"))?;
    Ok((signed, tst))
}

/// Whether the response's token was signed by the TSA whose certificate (PEM) is `cert`.
pub fn check_signature(response: &[u8], cert: &[u8]) -> Result<(), String> {
    let cert = Certificate::from_pem(cert)
        .or_else(|_| Certificate::from_der(cert))
        .map_err(|e| format!("the TSA certificate cannot be read ({e})"))?;
    let (signed, _) = parts(response)?;
    let signer = signed
        .signer_infos
        .0
        .iter()
        .next()
        .ok_or("the token has no signer")?;
    if let SignerIdentifier::IssuerAndSerialNumber(id) = &signer.sid
        && (id.serial_number != cert.tbs_certificate.serial_number
            || id.issuer != cert.tbs_certificate.issuer)
    {
        return Err("the token was signed by another certificate than the trusted one".into());
    }
    if signer.digest_alg.oid != SHA_256 {
        return Err("the token is signed over another digest than SHA-256".into());
    }
    let attrs = signer
        .signed_attrs
        .as_ref()
        .ok_or("the token has no signed attributes")?;
    let content = signed
        .encap_content_info
        .econtent
        .as_ref()
        .ok_or("no content")?;
    let digest = Sha256::digest(content.value());
    let attested = attrs
        .iter()
        .find(|a| a.oid == MESSAGE_DIGEST)
        .and_then(|a| a.values.iter().next())
        .and_then(|v| v.decode_as::<OctetString>().ok())
        .ok_or("the token's signed attributes hold no digest")?;
    if attested.as_bytes() != digest.as_slice() {
        return Err("the token's information was changed after it was signed".into());
    }
    if ![RSA_ENCRYPTION, SHA256_WITH_RSA].contains(&signer.signature_algorithm.oid) {
        return Err("the token is not signed with RSA (the only kind linkgate checks)".into());
    }
    let spki = cert
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|e| e.to_string())?;
    use rsa::pkcs8::DecodePublicKey;
    let key = rsa::RsaPublicKey::from_public_key_der(&spki)
        .map_err(|e| format!("the TSA certificate's key is not RSA ({e})"))?;
    let signed_bytes = attrs.to_der().map_err(|e| e.to_string())?;
    let signature = Signature::try_from(signer.signature.as_bytes())
        .map_err(|e| format!("the signature cannot be read ({e})"))?;
    VerifyingKey::<Sha256>::new(key)
        .verify(&signed_bytes, &signature)
        .map_err(|_| "the token's signature does not verify with the TSA certificate".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_are_minimal_positive_integers() {
        assert_eq!(positive(0), [0]);
        assert_eq!(positive(0x7f), [0x7f]);
        assert_eq!(positive(0x80), [0, 0x80]);
        assert_eq!(positive(0x0102), [1, 2]);
        assert_eq!(
            positive(u64::MAX),
            [0, 255, 255, 255, 255, 255, 255, 255, 255]
        );
    }
}
