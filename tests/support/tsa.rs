//! A real RFC 3161 time-stamping authority for tests: `openssl ts -reply` behind a local HTTP
//! handler, with a root CA and a TSA certificate made with `openssl` in a temporary folder.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{Reply, Server};

/// The authority and the files a checker needs.
pub struct Tsa {
    pub server: Server,
    /// The root CA (PEM), for `openssl ts -verify -CAfile`.
    pub ca: PathBuf,
    /// The TSA's certificate (PEM), for `linkgate verify --tsa-cert`.
    pub cert: PathBuf,
}

fn openssl(dir: &Path, args: &[&str]) {
    let output = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

const CONFIG: &str = "\
[ tsa ]
default_tsa = tsa_config1
[ tsa_config1 ]
dir = .
serial = ./serial
crypto_device = builtin
signer_cert = ./tsa.crt
signer_key = ./tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha512
accuracy = secs:1
ess_cert_id_alg = sha256
";

impl Tsa {
    /// Makes the keys and certificates in `dir` and starts answering on 127.0.0.1.
    pub async fn start(dir: &Path) -> Tsa {
        std::fs::create_dir_all(dir).unwrap();
        let days = ["-days", "2"];
        openssl(
            dir,
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
                "-subj",
                "/CN=linkgate test root",
                days[0],
                days[1],
            ],
        );
        openssl(
            dir,
            &[
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "tsa.key",
                "-out",
                "tsa.csr",
                "-subj",
                "/CN=linkgate test TSA",
            ],
        );
        std::fs::write(
            dir.join("ext.cnf"),
            "extendedKeyUsage=critical,timeStamping\nbasicConstraints=CA:FALSE\n",
        )
        .unwrap();
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                "tsa.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                "tsa.crt",
                "-extfile",
                "ext.cnf",
                days[0],
                days[1],
            ],
        );
        std::fs::write(dir.join("tsa.cnf"), CONFIG).unwrap();
        std::fs::write(dir.join("serial"), "01\n").unwrap();
        let home = dir.to_path_buf();
        let count = AtomicUsize::new(0);
        let server = Server::start(move |request| {
            let n = count.fetch_add(1, Ordering::SeqCst);
            let (query, reply) = (format!("q{n}.tsq"), format!("r{n}.tsr"));
            std::fs::write(home.join(&query), &request.body).unwrap();
            let status = Command::new("openssl")
                .current_dir(&home)
                .args([
                    "ts",
                    "-reply",
                    "-config",
                    "tsa.cnf",
                    "-queryfile",
                    &query,
                    "-out",
                    &reply,
                ])
                .output()
                .unwrap();
            match status.status.success() {
                true => Reply::bytes(
                    "application/timestamp-reply",
                    std::fs::read(home.join(&reply)).unwrap(),
                ),
                false => Reply::html("cannot answer").status(500),
            }
        })
        .await;
        Tsa {
            server,
            ca: dir.join("ca.pem"),
            cert: dir.join("tsa.crt"),
        }
    }

    pub fn url(&self) -> String {
        self.server.url("/tsa")
    }
}
