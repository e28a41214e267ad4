//! TLS to the PostgreSQL server. A shared history usually lives on another machine, often a
//! managed database that requires TLS, and its rows are evidence: the connection is encrypted
//! whenever the server offers it (libpq's default `sslmode=prefer`; `sslmode=require` refuses a
//! server that does not, `sslmode=disable` never asks), and the server's certificate is always
//! checked against the system's roots and `PGSSLROOTCERT` (a PEM file, as libpq reads it for a
//! private CA). Unlike libpq's `prefer` and `require`, an unverified certificate is refused:
//! a history that can be written through a man in the middle is not evidence.

use std::sync::{Arc, OnceLock};

use tokio_postgres_rustls::MakeRustlsConnect;
use tokio_rustls::rustls::crypto::aws_lc_rs;
use tokio_rustls::rustls::pki_types::CertificateDer;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

/// The environment variable naming extra trusted roots, as libpq names it.
pub const ROOT_CERT_VAR: &str = "PGSSLROOTCERT";

/// The connector every connection uses, built once: reading the system's roots takes a few
/// milliseconds, and a run opens several connections.
pub(super) fn connector() -> Result<MakeRustlsConnect, String> {
    static CONFIG: OnceLock<Result<Arc<ClientConfig>, String>> = OnceLock::new();
    CONFIG
        .get_or_init(|| client_config().map(Arc::new))
        .clone()
        .map(|config| MakeRustlsConnect::new((*config).clone()))
}

fn client_config() -> Result<ClientConfig, String> {
    let mut roots = RootCertStore::empty();
    // A root the system lists but rustls cannot parse is left out, as browsers do.
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    if let Some(path) = std::env::var_os(ROOT_CERT_VAR).filter(|p| !p.is_empty()) {
        let shown = std::path::Path::new(&path).display().to_string();
        let certs = CertificateDer::pem_file_iter(&path)
            .map_err(|e| format!("cannot read {ROOT_CERT_VAR} {shown}: {e}"))?;
        let mut added = 0;
        for cert in certs {
            let cert = cert.map_err(|e| format!("{ROOT_CERT_VAR} {shown}: {e}"))?;
            roots
                .add(cert)
                .map_err(|e| format!("{ROOT_CERT_VAR} {shown}: {e}"))?;
            added += 1;
        }
        if added == 0 {
            return Err(format!(
                "{ROOT_CERT_VAR} {shown} holds no PEM certificate; point it at the CA \
                 certificate that signed the database server's"
            ));
        }
    }
    ClientConfig::builder_with_provider(Arc::new(aws_lc_rs::default_provider()))
        .with_safe_default_protocol_versions()
        .map(|builder| builder.with_root_certificates(roots).with_no_client_auth())
        .map_err(|e| format!("cannot set up TLS: {e}"))
}
