//! One row, whichever database it came from. SQLite and PostgreSQL hand back rows of different
//! types with different errors; the decoding of a run, a record or a verdict from its columns
//! is the same for both, so it is written once against this trait ([`super::decode`]), and a
//! value one version cannot read is reported the same way from either.

use rusqlite::types::Type;

use super::error::Unreadable;

/// The columns of one row, read by name. Every read answers `None` for NULL; what a NULL
/// means is the caller's decision.
pub(super) trait Cells {
    type Error;
    fn text(&self, column: &str) -> Result<Option<String>, Self::Error>;
    fn int(&self, column: &str) -> Result<Option<i64>, Self::Error>;
    fn flag(&self, column: &str) -> Result<Option<bool>, Self::Error>;
    fn blob(&self, column: &str) -> Result<Option<Vec<u8>>, Self::Error>;
    /// `column` holds `value`, which is not `what` this version can read.
    fn unreadable(&self, column: &str, what: &'static str, value: String) -> Self::Error;
}

impl Cells for rusqlite::Row<'_> {
    type Error = rusqlite::Error;

    fn text(&self, column: &str) -> rusqlite::Result<Option<String>> {
        self.get(column)
    }
    fn int(&self, column: &str) -> rusqlite::Result<Option<i64>> {
        self.get(column)
    }
    fn flag(&self, column: &str) -> rusqlite::Result<Option<bool>> {
        self.get(column)
    }
    fn blob(&self, column: &str) -> rusqlite::Result<Option<Vec<u8>>> {
        self.get(column)
    }
    fn unreadable(&self, column: &str, what: &'static str, value: String) -> rusqlite::Error {
        let index = self.as_ref().column_index(column).unwrap_or_default();
        rusqlite::Error::FromSqlConversionFailure(
            index,
            Type::Text,
            Box::new(Unreadable { what, value }),
        )
    }
}

/// A column that must hold a value.
pub(super) fn required<R: Cells, T>(
    row: &R,
    column: &str,
    value: Result<Option<T>, R::Error>,
) -> Result<T, R::Error> {
    value?.ok_or_else(|| row.unreadable(column, "a required value", "NULL".to_string()))
}

pub(super) fn text<R: Cells>(row: &R, column: &str) -> Result<String, R::Error> {
    required(row, column, row.text(column))
}

pub(super) fn flag<R: Cells>(row: &R, column: &str) -> Result<bool, R::Error> {
    required(row, column, row.flag(column))
}
