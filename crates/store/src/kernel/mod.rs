//! What every feature of the store shares: the SQL builder, bulk inserts,
//! and the small helpers for stored dates, lists and errors that each
//! feature used to copy.

pub(crate) mod bulk;
pub(crate) mod sql;

use crate::audit::Tx;
use crate::{get, Result, StoreError};
use chrono::NaiveDate;
use sqlx::any::AnyRow;
use vagar_domain::ValidationErrors;

/// A stored `YYYY-MM-DD` date.
pub(crate) fn parse_date(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| StoreError::Other("stored date is not YYYY-MM-DD".into()))
}

/// An optional stored date.
pub(crate) fn opt_date(s: Option<String>) -> Result<Option<NaiveDate>> {
    s.as_deref().map(parse_date).transpose()
}

/// The date in column `col` of `row`.
pub(crate) fn date_at(row: &AnyRow, col: &str) -> Result<NaiveDate> {
    parse_date(&get::<String>(row, col)?)
}

/// The optional date in column `col` of `row`.
pub(crate) fn opt_date_at(row: &AnyRow, col: &str) -> Result<Option<NaiveDate>> {
    opt_date(get(row, col)?)
}

/// A date as it is stored: `YYYY-MM-DD`.
pub(crate) fn date_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// A time on `d` at `hour` UTC, in stored microseconds (the seed's
/// created/recorded columns).
pub(crate) fn micros_at(d: NaiveDate, hour: u32) -> i64 {
    d.and_hms_opt(hour, 0, 0)
        .map(|t| t.and_utc().timestamp_micros())
        .unwrap_or_default()
}

/// A stored comma-separated list, without blanks.
/// A user as the pages name people: "display name (organisation)", from a
/// row's `display_name` and `organisation_name`.
pub(crate) fn who(row: &AnyRow) -> Result<String> {
    let name: String = crate::get(row, "display_name")?;
    let org: String = crate::get(row, "organisation_name")?;
    Ok(format!("{name} ({org})"))
}

pub(crate) fn split_list(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .collect()
}

/// One invalid field, as a validation error.
pub(crate) fn one_error(field: &str, code: &str, message: impl Into<String>) -> StoreError {
    let mut e = ValidationErrors::new();
    e.add(field, code, message);
    StoreError::Validation(e)
}

/// Stored data that does not parse: `what` the record is, `field` the value.
pub(crate) fn corrupt(what: &str, field: &str) -> StoreError {
    StoreError::Other(format!("stored {what} has an invalid {field}"))
}

/// The one row a query for one id returned (`NotFound` when none).
pub(crate) fn the_one<T>(mut rows: Vec<T>) -> Result<T> {
    rows.pop().ok_or(StoreError::NotFound)
}

/// Commit the work's transaction and answer `value`.
pub(crate) async fn commit<T>(tx: Tx, value: T) -> Result<T> {
    tx.commit().await?;
    Ok(value)
}

/// Whether `table` has a row with this id.
pub(crate) async fn exists(tx: &mut Tx, table: &str, id: i64) -> Result<bool> {
    let row = sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table} WHERE id = $1"))
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
    Ok(get::<i64>(&row, "n")? > 0)
}
