//! How raw input reads from a JSON body. A feature's `…Input` struct is the
//! one shape of its request body: `serde::Deserialize` is the parser and
//! `utoipa::ToSchema` the API document (the web's `Body` extractor names each
//! bad field from them), and the feature's validation turns it into the
//! domain type. Every field is optional at this stage, so that a missing one
//! is named by the rules (`required`) rather than by the parser.

use serde::{Deserialize, Deserializer};

/// `null` reads as `Some(None)`, absent as `None` (with `#[serde(default)]`):
/// on PATCH `null` clears the field.
pub fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// An array where `null` means empty.
pub fn null_as_empty<'de, D, T>(d: D) -> Result<Option<Vec<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<Vec<T>>::deserialize(d).map(|v| Some(v.unwrap_or_default()))
}

/// An array where `null` means empty, into a plain `Vec` (absent: empty too,
/// with `#[serde(default)]`).
pub fn null_as_default<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<Vec<T>>::deserialize(d).map(Option::unwrap_or_default)
}
