//! The simulator's certificate authority. It is made fresh at every start (nothing to leak,
//! nothing to expire between runs) and signs one leaf certificate per host on demand, cached.
//! Servers send leaf + CA: Chromium accepts an extra CA only when the chain carries it and
//! its SPKI hash is whitelisted (NOTES-crates.md).

use chrono::{DateTime, Datelike, Duration, Utc};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SerialNumber,
};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::crypto::{CryptoProvider, aws_lc_rs};
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use super::SimError;

/// Hosts whose TLS setup is kept; beyond it the cache starts over (a client inventing host
/// names must not grow memory without bound).
const CACHE_LIMIT: usize = 4096;

/// A CA and the per-host server configurations it signed.
pub struct Authority {
    ca_pem: String,
    ca_der: CertificateDer<'static>,
    issuer: Issuer<'static, KeyPair>,
    /// One key for every leaf: making a key per host would only cost time.
    leaf_key: KeyPair,
    provider: Arc<CryptoProvider>,
    now: DateTime<Utc>,
    cache: Mutex<HashMap<String, Arc<ServerConfig>>>,
}

impl Authority {
    /// A new CA, valid from a day before `now` for ten years.
    pub fn new(now: DateTime<Utc>) -> Result<Authority, SimError> {
        let ca_key = KeyPair::generate()?;
        let mut params = CertificateParams::default();
        let mut name = DistinguishedName::new();
        name.push(DnType::OrganizationName, "linkgate");
        name.push(
            DnType::CommonName,
            format!("linkgate simulator CA {}", now.format("%Y-%m-%d %H:%M:%S")),
        );
        params.distinguished_name = name;
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        set_validity(
            &mut params,
            now - Duration::days(1),
            now + Duration::days(3650),
        );
        params.serial_number = Some(serial(&[b"ca", now.to_rfc3339().as_bytes()]));
        let ca = params.self_signed(&ca_key)?;
        Ok(Authority {
            ca_pem: ca.pem(),
            ca_der: ca.der().clone(),
            issuer: Issuer::new(params, ca_key),
            leaf_key: KeyPair::generate()?,
            provider: Arc::new(aws_lc_rs::default_provider()),
            now,
            cache: Mutex::new(HashMap::new()),
        })
    }

    /// The CA certificate, PEM.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The TLS server configuration for `host`, signing its certificate the first time.
    pub fn server_config(&self, host: &str) -> Result<Arc<ServerConfig>, SimError> {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        if let Some(config) = self.lock().get(&host) {
            return Ok(config.clone());
        }
        let config = Arc::new(self.make_config(&host)?);
        let mut cache = self.lock();
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(host, config.clone());
        Ok(config)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<ServerConfig>>> {
        // A panic while holding the lock cannot leave the map inconsistent: keep using it.
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn make_config(&self, host: &str) -> Result<ServerConfig, SimError> {
        let mut params = CertificateParams::new(vec![host.to_string()])?;
        let mut name = DistinguishedName::new();
        name.push(DnType::CommonName, host);
        params.distinguished_name = name;
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        // Under 398 days, the longest browsers accept for a server certificate.
        let (from, until) = (self.now - Duration::days(1), self.now + Duration::days(390));
        set_validity(&mut params, from, until);
        params.serial_number = Some(serial(&[self.ca_der.as_ref(), host.as_bytes()]));
        let leaf = params.signed_by(&self.leaf_key, &self.issuer)?;
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.leaf_key.serialize_der()));
        let mut config = ServerConfig::builder_with_provider(self.provider.clone())
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(vec![leaf.der().clone(), self.ca_der.clone()], key)?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(config)
    }
}

/// Validity from midnight UTC of `from`'s day to midnight of `until`'s.
fn set_validity(params: &mut CertificateParams, from: DateTime<Utc>, until: DateTime<Utc>) {
    // chrono's months (1..=12) and days (1..=31) fit a u8 and are valid for rcgen.
    let at = |t: DateTime<Utc>| rcgen::date_time_ymd(t.year(), t.month() as u8, t.day() as u8);
    params.not_before = at(from);
    params.not_after = at(until);
}

/// A positive 16-byte serial derived from `parts`: unique per CA and host, as browsers
/// require of certificates from one issuer.
fn serial(parts: &[&[u8]]) -> SerialNumber {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    let mut bytes = hasher.finalize()[..16].to_vec();
    bytes[0] &= 0x7f;
    bytes[0] |= 0x01;
    SerialNumber::from(bytes)
}
