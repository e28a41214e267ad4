//! How model values become database values and back. Kept in one place so that every table
//! writes a time, an enum or a JSON list the same way, and a value this version cannot read is
//! reported by column instead of silently becoming a default.

use chrono::{DateTime, SecondsFormat, Utc};
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::io::{Read, Write};

use super::cells::{Cells, required, text};

/// A time as stored: RFC 3339 UTC with nine fraction digits, so text order is time order and
/// the nanoseconds the engine measured come back unchanged.
pub(super) fn time(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Nanos, true)
}

/// A count or duration as stored. SQLite integers are signed; no real duration reaches
/// `i64::MAX` milliseconds, so saturating cannot change a measured value.
pub(super) fn int(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

pub(super) fn json<T: Serialize + ?Sized>(value: &T) -> rusqlite::Result<String> {
    serde_json::to_string(value).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}

/// Gzip of `bytes`; `None` for nothing, so an empty body costs no blob.
pub(super) fn gzip(bytes: &[u8]) -> rusqlite::Result<Option<Vec<u8>>> {
    if bytes.is_empty() {
        return Ok(None);
    }
    compress(bytes)
        .map(Some)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}

/// Gzip at the fastest level: on pages of tens of KB it compresses about three times faster
/// than the default level for a few percent more bytes, and compressing was the largest cost
/// of storing a record.
pub(super) fn compress(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = GzEncoder::new(Vec::with_capacity(bytes.len() / 4), Compression::fast());
    encoder.write_all(bytes)?;
    encoder.finish()
}

pub(super) fn decompress(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    GzDecoder::new(bytes).read_to_end(&mut out)?;
    Ok(out)
}

/// A text column holding one of an enum's names.
pub(super) fn name<R: Cells, T>(
    row: &R,
    column: &str,
    what: &'static str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<T, R::Error> {
    let text = text(row, column)?;
    parse(&text).ok_or_else(|| row.unreadable(column, what, text))
}

/// A nullable text column holding one of an enum's names.
pub(super) fn opt_name<R: Cells, T>(
    row: &R,
    column: &str,
    what: &'static str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Option<T>, R::Error> {
    match row.text(column)? {
        None => Ok(None),
        Some(text) => match parse(&text) {
            Some(value) => Ok(Some(value)),
            None => Err(row.unreadable(column, what, text)),
        },
    }
}

/// Parses a name the way serde writes it, for enums the model gives no `parse` of their own.
pub(super) fn serde_name<T: DeserializeOwned>(text: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(text.to_string())).ok()
}

fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

pub(super) fn opt_time<R: Cells>(
    row: &R,
    column: &str,
    what: &'static str,
) -> Result<Option<DateTime<Utc>>, R::Error> {
    opt_name(row, column, what, parse_time)
}

pub(super) fn req_time<R: Cells>(
    row: &R,
    column: &str,
    what: &'static str,
) -> Result<DateTime<Utc>, R::Error> {
    name(row, column, what, parse_time)
}

/// A non-negative integer column as a `u64`, `u32` or `u16`.
pub(super) fn unsigned<R: Cells, T: TryFrom<i64>>(
    row: &R,
    column: &str,
    what: &'static str,
) -> Result<T, R::Error> {
    let value = required(row, column, row.int(column))?;
    T::try_from(value).map_err(|_| row.unreadable(column, what, value.to_string()))
}

pub(super) fn opt_unsigned<R: Cells, T: TryFrom<i64>>(
    row: &R,
    column: &str,
    what: &'static str,
) -> Result<Option<T>, R::Error> {
    row.int(column)?
        .map(|v| T::try_from(v).map_err(|_| row.unreadable(column, what, v.to_string())))
        .transpose()
}

/// A JSON column read back into the model type it was written from.
pub(super) fn from_json<R: Cells, T: DeserializeOwned>(
    row: &R,
    column: &str,
    what: &'static str,
) -> Result<T, R::Error> {
    let text = text(row, column)?;
    serde_json::from_str(&text).map_err(|_| row.unreadable(column, what, text))
}

/// The gzip blob of a text column (the decoded page body); NULL is the empty text.
pub(super) fn gunzip_text<R: Cells>(
    row: &R,
    column: &str,
    what: &'static str,
) -> Result<String, R::Error> {
    let Some(blob) = row.blob(column)? else {
        return Ok(String::new());
    };
    let bytes = decompress(&blob).map_err(|e| row.unreadable(column, what, e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| row.unreadable(column, what, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn stored_times_sort_as_text_in_time_order() {
        let whole = Utc.with_ymd_and_hms(2021, 9, 17, 8, 0, 0).unwrap();
        let later = whole + chrono::Duration::nanoseconds(500);
        assert!(time(&whole) < time(&later));
        assert_eq!(time(&whole), "2021-09-17T08:00:00.000000000Z");
    }

    #[test]
    fn gzip_round_trips_and_skips_empty() {
        let text = "已停止访问该网页".repeat(50);
        let blob = gzip(text.as_bytes()).unwrap().unwrap();
        assert!(blob.len() < text.len());
        assert_eq!(decompress(&blob).unwrap(), text.as_bytes());
        assert_eq!(gzip(b"").unwrap(), None);
    }

    #[test]
    fn hop_via_is_read_by_its_serde_name() {
        use crate::model::HopVia;
        assert_eq!(
            serde_name::<HopVia>("meta_refresh"),
            Some(HopVia::MetaRefresh)
        );
        assert_eq!(serde_name::<HopVia>("teleport"), None);
    }
}
