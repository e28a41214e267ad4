//! Where a history is: an SQLite file (the default, `reports/linkgate.db`) or a PostgreSQL
//! database (`--db postgres://USER@HOST/DB`), so that many vantages and shards can write one
//! history. Shown in messages without the password a URL may carry.

use std::fmt;
use std::path::{Path, PathBuf};

/// See the module documentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Sqlite(PathBuf),
    /// A `postgres://` or `postgresql://` URL (libpq's form, as `psql` takes it).
    Postgres(String),
}

impl Location {
    /// `postgres://…` and `postgresql://…` are PostgreSQL; anything else is an SQLite file.
    pub fn parse(text: &str) -> Location {
        let lower = text.get(..13).unwrap_or(text).to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            Location::Postgres(text.to_string())
        } else {
            Location::Sqlite(PathBuf::from(text))
        }
    }

    /// The SQLite file, for a history that is one.
    pub fn file(&self) -> Option<&Path> {
        match self {
            Location::Sqlite(path) => Some(path),
            Location::Postgres(_) => None,
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Location::Postgres(_))
    }

    /// Whether there may be a history to read here: an SQLite file that exists, or any
    /// database (the server says whether it holds one).
    pub fn may_exist(&self) -> bool {
        match self {
            Location::Sqlite(path) => path.exists(),
            Location::Postgres(_) => true,
        }
    }
}

impl From<PathBuf> for Location {
    fn from(path: PathBuf) -> Location {
        Location::Sqlite(path)
    }
}

impl From<&Path> for Location {
    fn from(path: &Path) -> Location {
        Location::Sqlite(path.to_path_buf())
    }
}

impl From<&PathBuf> for Location {
    fn from(path: &PathBuf) -> Location {
        Location::Sqlite(path.clone())
    }
}

impl From<&Location> for Location {
    fn from(location: &Location) -> Location {
        location.clone()
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Sqlite(path) => write!(f, "{}", path.display()),
            Location::Postgres(url) => f.write_str(&without_password(url)),
        }
    }
}

/// `postgres://user:secret@host/db` shown as `postgres://user:***@host/db`.
fn without_password(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        Ok(_) => url.to_string(),
        Err(_) => "a PostgreSQL URL that cannot be read".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_is_postgres_and_anything_else_a_file() {
        let pg = Location::parse("postgres://linkgate@db.internal/history");
        assert!(pg.is_postgres());
        assert!(Location::parse("POSTGRESQL://a@b/c").is_postgres());
        assert_eq!(
            Location::parse("reports/linkgate.db").file(),
            Some(Path::new("reports/linkgate.db"))
        );
        assert!(!Location::parse("postgres.db").is_postgres());
    }

    #[test]
    fn the_password_is_never_shown() {
        let pg = Location::parse("postgres://linkgate:hunter2@db:5432/history");
        assert_eq!(pg.to_string(), "postgres://linkgate:***@db:5432/history");
    }
}
