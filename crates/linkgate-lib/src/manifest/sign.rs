//! Signed manifests: anyone who can write the reports folder can rewrite the whole hash chain,
//! so a manifest is also signed with a key kept elsewhere. The signature is an SSH signature
//! (the `SSHSIG` format of OpenSSH's `ssh-keygen -Y sign`), written beside the manifest as
//! `manifest.json.sig`, so a third party checks it with OpenSSH alone:
//!
//! ```text
//! echo "linkgate $(cat key.pub)" > allowed_signers
//! ssh-keygen -Y verify -f allowed_signers -I linkgate -n linkgate-manifest \
//!     -s manifest.json.sig < manifest.json
//! ```
//!
//! Keys are Ed25519, in OpenSSH's own file format (`linkgate key new FILE` writes `FILE` and
//! `FILE.pub`).

use std::path::{Path, PathBuf};

use ssh_key::{Algorithm, HashAlg, LineEnding, PrivateKey, PublicKey, SshSig};

/// The namespace every manifest signature is made in: a signature for another purpose made
/// with the same key does not verify as a manifest's.
pub const NAMESPACE: &str = "linkgate-manifest";

/// A signature's file: the signed file's name with `.sig` appended.
pub fn signature_path(signed: &Path) -> PathBuf {
    let mut name = signed.as_os_str().to_owned();
    name.push(".sig");
    PathBuf::from(name)
}

/// Why a key could not be made, read or used.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read the signing key {}: {source}", .path.display())]
    Read {
        path: PathBuf,
        source: ssh_key::Error,
    },
    #[error(
        "the signing key {} is encrypted; linkgate signs unattended, so give it a key without a \
         passphrase (`linkgate key new FILE`)", .path.display()
    )]
    Encrypted { path: PathBuf },
    #[error("cannot write {}: {source}", .path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} already exists; choose another file or remove it first", .path.display())]
    Exists { path: PathBuf },
    #[error("cannot make or use an Ed25519 key: {0}")]
    Key(#[from] ssh_key::Error),
}

/// A key that signs manifests, loaded once.
#[derive(Debug, Clone)]
pub struct Signer {
    key: PrivateKey,
    path: PathBuf,
}

impl Signer {
    /// The OpenSSH private key at `path`, which must not be encrypted.
    pub fn load(path: &Path) -> Result<Signer, KeyError> {
        let key = PrivateKey::read_openssh_file(path).map_err(|source| KeyError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        if key.is_encrypted() {
            return Err(KeyError::Encrypted {
                path: path.to_path_buf(),
            });
        }
        Ok(Signer {
            key,
            path: path.to_path_buf(),
        })
    }

    /// The signature of `bytes`, armored (`-----BEGIN SSH SIGNATURE-----`).
    pub fn sign(&self, bytes: &[u8]) -> Result<String, KeyError> {
        let signature = self.key.sign(NAMESPACE, HashAlg::Sha512, bytes)?;
        Ok(signature.to_pem(LineEnding::LF)?)
    }

    /// Signs the file at `signed` into its `.sig` file.
    pub fn sign_file(&self, signed: &Path) -> Result<PathBuf, KeyError> {
        let write = |path: &Path| {
            let path = path.to_path_buf();
            move |source| KeyError::Write { path, source }
        };
        let bytes = std::fs::read(signed).map_err(write(signed))?;
        let path = signature_path(signed);
        std::fs::write(&path, self.sign(&bytes)?).map_err(write(&path))?;
        Ok(path)
    }

    /// The key file, for messages.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Makes a new Ed25519 key pair: `path` (private, mode 0600) and `path.pub`. Refuses to
/// overwrite either. Returns the public key's line.
pub fn new_key(path: &Path) -> Result<String, KeyError> {
    let public_path = PathBuf::from(format!("{}.pub", path.display()));
    for existing in [path, public_path.as_path()] {
        if existing.symlink_metadata().is_ok() {
            return Err(KeyError::Exists {
                path: existing.to_path_buf(),
            });
        }
    }
    let mut key = PrivateKey::random(&mut ssh_key::rand_core::OsRng, Algorithm::Ed25519)?;
    key.set_comment("linkgate");
    key.write_openssh_file(path, LineEnding::LF)
        .map_err(|e| match e {
            ssh_key::Error::Io(kind) => KeyError::Write {
                path: path.to_path_buf(),
                source: kind.into(),
            },
            other => KeyError::Key(other),
        })?;
    let line = key.public_key().to_openssh()?;
    std::fs::write(&public_path, format!("{line}\n")).map_err(|source| KeyError::Write {
        path: public_path.clone(),
        source,
    })?;
    Ok(line)
}

/// The public key a `verify --trusted-key` names: an OpenSSH public key file (`key.pub`) or
/// one line of it.
pub fn read_public_key(path: &Path) -> Result<PublicKey, KeyError> {
    PublicKey::read_openssh_file(path).map_err(|source| KeyError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// Whether `armored` is `key`'s signature of `bytes` as a manifest; the reason when not.
pub fn check(key: &PublicKey, bytes: &[u8], armored: &str) -> Result<(), String> {
    let signature =
        SshSig::from_pem(armored).map_err(|e| format!("the signature cannot be read ({e})"))?;
    if signature.namespace() != NAMESPACE {
        return Err(format!(
            "the signature was made for `{}`, not for a linkgate manifest",
            signature.namespace()
        ));
    }
    if signature.public_key() != key.key_data() {
        return Err("the signature was made with another key than the trusted one".into());
    }
    key.verify(NAMESPACE, bytes, &signature).map_err(|_| {
        "the signature does not match the file: the file or the signature was changed".into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_for_its_bytes_only_and_with_its_key_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        let line = new_key(&path).unwrap();
        assert!(line.starts_with("ssh-ed25519 "), "{line}");
        assert!(matches!(new_key(&path), Err(KeyError::Exists { .. })));
        let signer = Signer::load(&path).unwrap();
        let public = read_public_key(&dir.path().join("k.pub")).unwrap();
        let armored = signer.sign(b"manifest").unwrap();
        assert!(armored.starts_with("-----BEGIN SSH SIGNATURE-----"));
        assert_eq!(check(&public, b"manifest", &armored), Ok(()));
        assert!(
            check(&public, b"manifest!", &armored)
                .unwrap_err()
                .contains("does not match")
        );
        new_key(&dir.path().join("other")).unwrap();
        let other = read_public_key(&dir.path().join("other.pub")).unwrap();
        assert!(
            check(&other, b"manifest", &armored)
                .unwrap_err()
                .contains("another key")
        );
        assert!(
            check(&public, b"manifest", "garbage")
                .unwrap_err()
                .contains("cannot be read")
        );
    }
}
