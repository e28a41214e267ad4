//! Trusting an extra CA in this browser only. Chromium has no flag to add a root, but
//! `--ignore-certificate-errors-spki-list` accepts any chain that contains a certificate
//! whose public key (SubjectPublicKeyInfo) hashes to a listed value, and still rejects every
//! other bad chain. So a CA given with `--ca-cert` is pinned by the base64 SHA-256 of its
//! SPKI, the system store is left alone, and a server (or intercepting proxy) must send the
//! CA certificate in its chain, as the simulator does.
//!
//! The SPKI is found by walking the certificate's DER by hand: it is the seventh field of
//! `tbsCertificate` (sixth when the optional version is absent), which takes twenty lines
//! instead of an X.509 parser.

use base64::Engine as _;
use sha2::{Digest, Sha256};
use tokio_rustls::rustls::pki_types::CertificateDer;
use tokio_rustls::rustls::pki_types::pem::PemObject;

/// Why a CA certificate could not be pinned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpkiError {
    #[error("holds no -----BEGIN CERTIFICATE----- block")]
    NoCertificate,
    #[error("is not valid PEM: {0}")]
    Pem(String),
    #[error("certificate #{0} is not a DER X.509 certificate")]
    Der(usize),
}

/// The pins (base64 SHA-256 of each certificate's SPKI) of every certificate in a PEM file.
pub fn pins_of_pem(pem: &[u8]) -> Result<Vec<String>, SpkiError> {
    let mut pins = Vec::new();
    for (index, cert) in CertificateDer::pem_slice_iter(pem).enumerate() {
        let cert = cert.map_err(|e| SpkiError::Pem(e.to_string()))?;
        let spki = spki_of_der(&cert).ok_or(SpkiError::Der(index + 1))?;
        pins.push(base64::engine::general_purpose::STANDARD.encode(Sha256::digest(spki)));
    }
    if pins.is_empty() {
        return Err(SpkiError::NoCertificate);
    }
    Ok(pins)
}

/// The DER bytes (tag and length included) of the certificate's SubjectPublicKeyInfo.
fn spki_of_der(cert: &[u8]) -> Option<&[u8]> {
    let (certificate, _) = element(cert, 0x30)?;
    let (tbs, _) = element(content(certificate)?, 0x30)?;
    let mut rest = content(tbs)?;
    if rest.first() == Some(&0xA0) {
        rest = element(rest, 0xA0)?.1;
    }
    // serialNumber, signature, issuer, validity, subject
    for tag in [0x02, 0x30, 0x30, 0x30, 0x30] {
        rest = element(rest, tag)?.1;
    }
    Some(element(rest, 0x30)?.0)
}

/// Splits the element with `tag` at the start of `der` from what follows it.
fn element(der: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    if *der.first()? != tag {
        return None;
    }
    let (header, length) = header_and_length(der)?;
    let end = header.checked_add(length)?;
    (end <= der.len()).then(|| der.split_at(end))
}

/// The content of one element.
fn content(element: &[u8]) -> Option<&[u8]> {
    let (header, length) = header_and_length(element)?;
    element.get(header..header + length)
}

/// Header size and content length of the element at the start of `der` (definite lengths).
fn header_and_length(der: &[u8]) -> Option<(usize, usize)> {
    let first = *der.get(1)?;
    if first < 0x80 {
        return Some((2, usize::from(first)));
    }
    let count = usize::from(first & 0x7F);
    if count == 0 || count > 4 {
        return None;
    }
    let bytes = der.get(2..2 + count)?;
    let length = bytes.iter().fold(0usize, |n, b| (n << 8) | usize::from(*b));
    Some((2 + count, length))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair, PublicKeyData};

    fn ca(name: &str) -> (String, Vec<u8>) {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        let cert = params.self_signed(&key).unwrap();
        (cert.pem(), key.subject_public_key_info())
    }

    fn pin(spki: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(spki))
    }

    #[test]
    fn pin_is_the_hash_of_the_key_spki() {
        let (pem, spki) = ca("linkgate test CA");
        assert_eq!(pins_of_pem(pem.as_bytes()).unwrap(), vec![pin(&spki)]);
    }

    #[test]
    fn every_certificate_of_a_bundle_is_pinned() {
        let (a, spki_a) = ca("a");
        let (b, spki_b) = ca("b");
        let bundle = format!("{a}\n{b}");
        assert_eq!(
            pins_of_pem(bundle.as_bytes()).unwrap(),
            vec![pin(&spki_a), pin(&spki_b)]
        );
    }

    #[test]
    fn pem_without_certificates_is_rejected() {
        assert_eq!(pins_of_pem(b"hello"), Err(SpkiError::NoCertificate));
    }

    #[test]
    fn truncated_der_is_rejected_not_panicking() {
        let (pem, _) = ca("c");
        let der = CertificateDer::from_pem_slice(pem.as_bytes()).unwrap();
        for cut in [0, 1, 4, 10, der.len() / 2] {
            assert_eq!(spki_of_der(&der[..cut]), None, "cut at {cut}");
        }
    }
}
