//! A throwaway PostgreSQL server for the tests that write a shared history: Debian's own
//! `postgresql` binaries (`initdb`, `pg_ctl`), a cluster in a temporary folder, listening on
//! 127.0.0.1 on a free port, trusted (no password), stopped when the value is dropped. Not a
//! mock: the server the PostgreSQL history runs against in production. Run as root (as CI
//! is), the server runs as the `postgres` user the package creates, since PostgreSQL refuses
//! to run as root.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

/// A running server; dropping it stops it and removes its folder.
pub struct PgServer {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    as_postgres: bool,
}

/// The folder of `initdb`, `pg_ctl` and `createdb`: `PG_BIN`, else the newest of Debian's
/// `/usr/lib/postgresql/N/bin` (the package does not put them on PATH), else PATH.
fn bin_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("PG_BIN") {
        return PathBuf::from(dir);
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let n = e.file_name().to_string_lossy().parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((n, bin))
        })
        .collect();
    versions.sort();
    match versions.pop() {
        Some((_, bin)) => bin,
        None => {
            let found = Command::new("sh")
                .args(["-c", "command -v initdb"])
                .output()
                .expect("sh");
            let path = String::from_utf8_lossy(&found.stdout).trim().to_string();
            assert!(
                !path.is_empty(),
                "PostgreSQL is not installed: `apt-get install -y postgresql` (the tests start \
                 their own server with its initdb and pg_ctl), or set PG_BIN"
            );
            Path::new(&path).parent().unwrap().to_path_buf()
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl PgServer {
    /// Creates a cluster and starts it (about a second).
    pub fn start() -> PgServer {
        PgServer::start_with(None)
    }

    /// A server that accepts TLS connections only, with `pem`'s certificate and key: a
    /// connection that is not encrypted is refused.
    pub fn start_tls(pem: &super::tls::PemFiles) -> PgServer {
        PgServer::start_with(Some(pem))
    }

    fn start_with(pem: Option<&super::tls::PemFiles>) -> PgServer {
        // SAFETY: geteuid has no preconditions and cannot fail.
        let as_postgres = unsafe { libc::geteuid() } == 0;
        // Under /tmp when the server runs as `postgres`: a TMPDIR of root's own (under /root)
        // would be out of that user's reach.
        let dir = match as_postgres {
            true => tempfile::tempdir_in("/tmp"),
            false => tempfile::tempdir(),
        }
        .unwrap();
        let server = PgServer {
            bin: bin_dir(),
            port: free_port(),
            as_postgres,
            dir,
        };
        if as_postgres {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(server.dir.path())
                .status()
                .unwrap();
            assert!(status.success(), "chown of the server's folder");
        }
        let data = server.data();
        server.tool(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "linkgate",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        let mut options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
            server.port,
            server.dir.path().display()
        );
        if let Some(pem) = pem {
            options.push_str(&server.tls_only(pem));
        }
        let log = server.dir.path().join("server.log");
        server.tool(
            "pg_ctl",
            &[
                "-D",
                &data,
                "-o",
                &options,
                "-l",
                &log.to_string_lossy(),
                "-w",
                "start",
            ],
        );
        server
    }

    /// Writes the certificate and key, lets only TLS connections in, and answers the server
    /// options that turn TLS on.
    fn tls_only(&self, pem: &super::tls::PemFiles) -> String {
        use std::os::unix::fs::PermissionsExt;
        let dir = self.dir.path();
        std::fs::write(dir.join("server.crt"), &pem.cert).unwrap();
        std::fs::write(dir.join("server.key"), &pem.key).unwrap();
        // PostgreSQL refuses a key others can read.
        let key = dir.join("server.key");
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
        let hba = "local all all trust\nhostssl all all 127.0.0.1/32 trust\n";
        std::fs::write(dir.join("data/pg_hba.conf"), hba).unwrap();
        if self.as_postgres {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir)
                .status()
                .unwrap();
            assert!(status.success(), "chown of the server's files");
        }
        format!(
            " -c ssl=on -c ssl_cert_file={} -c ssl_key_file={}",
            dir.join("server.crt").display(),
            key.display()
        )
    }

    fn data(&self) -> String {
        self.dir.path().join("data").to_string_lossy().into_owned()
    }

    /// Runs one of the server's tools, as `postgres` when the tests run as root.
    fn tool(&self, name: &str, args: &[&str]) {
        let program = self.bin.join(name);
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&program);
            c
        } else {
            Command::new(&program)
        };
        let out = command.args(args).output().unwrap_or_else(|e| {
            panic!("cannot run {}: {e}", program.display());
        });
        assert!(
            out.status.success(),
            "{name} {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// A new, empty database on this server, as a URL for `--db`.
    pub fn database(&self) -> String {
        static N: AtomicU32 = AtomicU32::new(0);
        let name = format!("history{}", N.fetch_add(1, Ordering::Relaxed));
        let port = self.port.to_string();
        self.tool(
            "createdb",
            &["-h", "127.0.0.1", "-p", &port, "-U", "linkgate", &name],
        );
        self.url(&name)
    }

    pub fn url(&self, database: &str) -> String {
        format!("postgres://linkgate@127.0.0.1:{}/{database}", self.port)
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        let data = self.data();
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.tool("pg_ctl", &["-D", &data, "-m", "immediate", "-w", "stop"])
        }));
    }
}
