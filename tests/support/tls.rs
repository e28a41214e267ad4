//! A throwaway certificate authority made with rcgen, and a TLS acceptor for 127.0.0.1
//! signed by it, so tests can check that `--ca-cert` is needed and sufficient.

use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::crypto::aws_lc_rs;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A CA certificate (PEM, what `--ca-cert` reads) and an acceptor serving a leaf it signed.
pub struct TestPki {
    pub ca_pem: Vec<u8>,
    pub acceptor: TlsAcceptor,
}

pub fn pki() -> TestPki {
    pki_for(&["127.0.0.1", "localhost"])
}

/// A CA certificate, and a leaf for every name in `names` it signed, with the leaf's key.
struct Issued {
    ca: rcgen::Certificate,
    leaf: rcgen::Certificate,
    leaf_key: KeyPair,
}

fn issue(names: &[&str]) -> Issued {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "linkgate test CA");
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let leaf_key = KeyPair::generate().unwrap();
    let mut leaf_params =
        CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>()).unwrap();
    leaf_params.use_authority_key_identifier_extension = true;
    let leaf = leaf_params.signed_by(&leaf_key, &issuer).unwrap();
    Issued { ca, leaf, leaf_key }
}

/// PEM files for a server that is not ours to configure in code (PostgreSQL): the CA, and a
/// leaf for 127.0.0.1 with its key.
pub struct PemFiles {
    pub ca: String,
    pub cert: String,
    pub key: String,
}

pub fn pem_files() -> PemFiles {
    let issued = issue(&["127.0.0.1", "localhost"]);
    PemFiles {
        ca: issued.ca.pem(),
        cert: issued.leaf.pem(),
        key: issued.leaf_key.serialize_pem(),
    }
}

/// A CA and an acceptor serving a leaf for every name in `names`.
pub fn pki_for(names: &[&str]) -> TestPki {
    let Issued {
        ca: ca_cert,
        leaf,
        leaf_key,
    } = issue(names);

    let chain: Vec<CertificateDer<'static>> = vec![leaf.der().clone(), ca_cert.der().clone()];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    let config = ServerConfig::builder_with_provider(Arc::new(aws_lc_rs::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    TestPki {
        ca_pem: ca_cert.pem().into_bytes(),
        acceptor: TlsAcceptor::from(Arc::new(config)),
    }
}
