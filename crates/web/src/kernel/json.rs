//! Reading JSON bodies so every problem names its field: malformed JSON (400),
//! wrong content type (415), oversized (413), wrong types and unknown fields (422).
//!
//! [`Body`] is the one shape of a request body: a struct that is both the
//! parser (`serde::Deserialize`) and the document (`utoipa::ToSchema`). Its
//! known fields are serde's, the expected types and limits (nullable,
//! `minimum`/`maximum`, `max_items`) are the schema's, and the fields the
//! answer has but the body does not take are read-only.

use crate::kernel::error::Problem;
use crate::AppState;
use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::marker::PhantomData;
use utoipa::openapi::schema::{ArrayItems, Schema, SchemaType, Type};
use utoipa::openapi::RefOr;
use vagar_domain::ValidationErrors;

pub struct JsonObject(pub Map<String, Value>);

impl FromRequest<AppState> for JsonObject {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Problem> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|m| {
                // Media types are case-insensitive (RFC 9110, 8.3.1).
                let m = m.trim().to_ascii_lowercase();
                m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
            })
            .unwrap_or(false);
        if !is_json {
            return Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported media type",
                "send the body as application/json",
            ));
        }
        let bytes = bytes::Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                Problem::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload-too-large",
                    "Payload too large",
                    format!("the body may be at most {} bytes", crate::BODY_LIMIT),
                )
            } else {
                Problem::new(
                    StatusCode::BAD_REQUEST,
                    "bad-request",
                    "Bad request",
                    "the body could not be read",
                )
            }
        })?;
        let value: Value = serde_json::from_slice(&bytes).map_err(|e| {
            Problem::new(
                StatusCode::BAD_REQUEST,
                "malformed-json",
                "Malformed JSON",
                format!(
                    "the body is not valid JSON (line {}, column {})",
                    e.line(),
                    e.column()
                ),
            )
        })?;
        match value {
            Value::Object(map) => Ok(JsonObject(map)),
            _ => Err(Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation-error",
                "Invalid input",
                "the body must be a JSON object",
            )),
        }
    }
}

/// Letters, digits, `_` and `-`, starting with a letter or `_`, at most 64
/// characters and with fewer than six digits.
fn looks_like_field_name(key: &str) -> bool {
    key.len() <= 64
        && key
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && key.chars().filter(char::is_ascii_digit).count() < 6
}

/// Typed access to a JSON object's fields, collecting one error per field.
pub struct Fields<'a> {
    pub map: &'a Map<String, Value>,
    pub errors: ValidationErrors,
}

impl<'a> Fields<'a> {
    pub fn new(map: &'a Map<String, Value>, known: &[&str], read_only: &[&str]) -> Fields<'a> {
        let mut errors = ValidationErrors::new();
        for key in map.keys() {
            if read_only.contains(&key.as_str()) {
                errors.add(key, "read_only", format!("{key} is read-only"));
            } else if !known.contains(&key.as_str()) {
                // A key is whatever the client sent, an identity number too:
                // only something shaped like a field name is repeated.
                let shown = if looks_like_field_name(key) {
                    key.as_str()
                } else {
                    "(not shown)"
                };
                errors.add(
                    shown,
                    "unknown_field",
                    format!("{shown} is not a known field"),
                );
            }
        }
        Fields { map, errors }
    }

    fn type_error(&mut self, key: &str, expected: &str) {
        self.errors
            .add(key, "type", format!("{key} must be {expected}"));
    }

    /// A string field; `null` is refused.
    pub fn string(&mut self, key: &str) -> Option<String> {
        match self.map.get(key)? {
            Value::String(s) => Some(s.clone()),
            _ => {
                self.type_error(key, "a string");
                None
            }
        }
    }

    /// A string or `null` (which clears it).
    pub fn nullable_string(&mut self, key: &str) -> Option<Option<String>> {
        match self.map.get(key)? {
            Value::String(s) => Some(Some(s.clone())),
            Value::Null => Some(None),
            _ => {
                self.type_error(key, "a string or null");
                None
            }
        }
    }

    pub fn nullable_bool(&mut self, key: &str) -> Option<Option<bool>> {
        match self.map.get(key)? {
            Value::Bool(b) => Some(Some(*b)),
            Value::Null => Some(None),
            _ => {
                self.type_error(key, "true, false or null");
                None
            }
        }
    }

    pub fn nullable_i64(&mut self, key: &str) -> Option<Option<i64>> {
        match self.map.get(key)? {
            Value::Number(n) if n.as_i64().is_some() => Some(n.as_i64()),
            Value::Null => Some(None),
            _ => {
                self.type_error(key, "an integer or null");
                None
            }
        }
    }

    /// A string where absent and `null` both mean none.
    pub fn optional_string(&mut self, key: &str) -> Option<String> {
        self.nullable_string(key).flatten()
    }

    /// An integer where absent and `null` both mean none.
    pub fn optional_i64(&mut self, key: &str) -> Option<i64> {
        self.nullable_i64(key).flatten()
    }

    pub fn integer(&mut self, key: &str, min: i64, max: i64) -> Option<i64> {
        match self.map.get(key)? {
            Value::Number(n) if n.as_i64().is_some_and(|v| (min..=max).contains(&v)) => n.as_i64(),
            _ => {
                self.type_error(key, &format!("an integer from {min} to {max}"));
                None
            }
        }
    }

    /// An array of strings; `null` means empty.
    pub fn strings(&mut self, key: &str) -> Option<Vec<String>> {
        match self.map.get(key)? {
            Value::Null => Some(vec![]),
            Value::Array(items) if items.len() <= 50 => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    match item {
                        Value::String(s) => out.push(s.clone()),
                        _ => {
                            self.type_error(key, "an array of strings");
                            return None;
                        }
                    }
                }
                Some(out)
            }
            _ => {
                self.type_error(key, "an array of at most 50 strings");
                None
            }
        }
    }
}

// ------------------------------------------------------------ typed bodies

/// A body type with no answer shape: no field of it is read-only.
pub struct NoOutput;

impl utoipa::PartialSchema for NoOutput {
    fn schema() -> RefOr<Schema> {
        RefOr::T(Schema::Object(utoipa::openapi::schema::Object::new()))
    }
}

impl utoipa::ToSchema for NoOutput {}

/// A JSON body read into `T`, with one error per bad field.
///
/// Every key `T` does not take is named (`read_only` when the answer `O`
/// has it, else `unknown_field`, never echoing a key not shaped like a
/// field name); every value of the wrong type is named (`type`, saying
/// what the schema expects) and left out, so `value` holds the rest. The
/// handler adds the rules' errors with [`crate::kernel::params::with_rules`]
/// or answers the shape errors alone with [`Body::into_result`].
pub struct Body<T, O = NoOutput> {
    pub value: T,
    pub errors: ValidationErrors,
    answer: PhantomData<O>,
}

impl<T, O> Body<T, O> {
    pub fn new(value: T, errors: ValidationErrors) -> Self {
        Body {
            value,
            errors,
            answer: PhantomData,
        }
    }

    /// The value, or 422 naming every bad field.
    pub fn into_result(self) -> Result<T, Problem> {
        if self.errors.is_empty() {
            Ok(self.value)
        } else {
            Err(Problem::validation(self.errors))
        }
    }
}

impl<T, O> FromRequest<AppState> for Body<T, O>
where
    T: DeserializeOwned + utoipa::ToSchema,
    O: utoipa::ToSchema,
{
    type Rejection = Problem;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Problem> {
        let JsonObject(map) = JsonObject::from_request(req, state).await?;
        let (value, errors) = read_body::<T>(map, &properties::<O>())?;
        Ok(Body {
            value,
            errors,
            answer: PhantomData,
        })
    }
}

/// Read `map` into `T`: the value from the good fields and the errors of
/// the others. `read_only` names the answer's fields.
pub fn read_body<T>(
    mut map: Map<String, Value>,
    read_only: &[(String, RefOr<Schema>)],
) -> Result<(T, ValidationErrors), Problem>
where
    T: DeserializeOwned + utoipa::ToSchema,
{
    let fields = serde_fields::<T>();
    let schema = properties::<T>();
    let mut errors = ValidationErrors::new();
    let mut bad = Vec::new();
    for key in map.keys() {
        if fields.contains(&key.as_str()) {
            continue;
        }
        bad.push(key.clone());
        if read_only.iter().any(|(k, _)| k == key) {
            errors.add(key, "read_only", format!("{key} is read-only"));
        } else {
            // A key is whatever the client sent, an identity number too:
            // only something shaped like a field name is repeated.
            let shown = if looks_like_field_name(key) {
                key.as_str()
            } else {
                "(not shown)"
            };
            errors.add(
                shown,
                "unknown_field",
                format!("{shown} is not a known field"),
            );
        }
    }
    let expected = |key: &str| {
        schema
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, s)| Kind::of(s))
            .unwrap_or(Kind::Any { nullable: true })
    };
    for key in fields {
        let Some(v) = map.get(*key) else { continue };
        let kind = expected(key);
        if !kind.accepts(v) {
            errors.add(*key, "type", format!("{key} must be {}", kind.describe()));
            bad.push((*key).to_string());
        }
    }
    for key in &bad {
        map.remove(key);
    }
    // What the schema cannot say (a date, a code): serde names the field;
    // drop it and read the rest again, so every bad field is named.
    loop {
        let value = Value::Object(map.clone());
        match serde_path_to_error::deserialize::<_, T>(value) {
            Ok(v) => return Ok((v, errors)),
            Err(e) => {
                let key = match e.path().iter().next() {
                    Some(serde_path_to_error::Segment::Map { key }) => key.clone(),
                    _ => String::new(),
                };
                if map.remove(&key).is_none() {
                    return Err(Problem::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "validation-error",
                        "Invalid input",
                        "the body does not have the expected fields",
                    ));
                }
                let kind = expected(&key);
                errors.add(&key, "type", format!("{key} must be {}", kind.describe()));
            }
        }
    }
}

/// The names serde reads for `T`, in declaration order.
pub fn serde_fields<T: DeserializeOwned>() -> &'static [&'static str] {
    use serde::de::{Error, Visitor};
    struct Probe<'a>(&'a mut &'static [&'static str]);
    impl<'de> serde::Deserializer<'de> for Probe<'_> {
        type Error = serde::de::value::Error;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
            Err(Self::Error::custom("not a struct"))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            *self.0 = fields;
            Err(Self::Error::custom("probed"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
            bytes byte_buf option unit unit_struct newtype_struct seq tuple
            tuple_struct map enum identifier ignored_any
        }
    }
    let mut fields: &'static [&'static str] = &[];
    let _ = T::deserialize(Probe(&mut fields));
    fields
}

/// The properties of `T`'s schema (empty when it is not an object).
pub fn properties<T: utoipa::ToSchema>() -> Vec<(String, RefOr<Schema>)> {
    match T::schema() {
        RefOr::T(Schema::Object(o)) => o.properties.into_iter().collect(),
        _ => vec![],
    }
}

/// What a property's schema accepts, as far as a body check needs it.
enum Kind {
    String {
        nullable: bool,
    },
    Boolean {
        nullable: bool,
    },
    Integer {
        nullable: bool,
        min: Option<i64>,
        max: Option<i64>,
    },
    Number {
        nullable: bool,
    },
    Array {
        nullable: bool,
        items: Box<Kind>,
        max: Option<usize>,
    },
    Any {
        nullable: bool,
    },
}

fn number(n: &Option<utoipa::Number>) -> Option<i64> {
    match n {
        Some(utoipa::Number::Int(i)) => Some(*i as i64),
        Some(utoipa::Number::UInt(u)) => i64::try_from(*u).ok(),
        Some(utoipa::Number::Float(f)) => Some(*f as i64),
        None => None,
    }
}

impl Kind {
    fn of(s: &RefOr<Schema>) -> Kind {
        let RefOr::T(s) = s else {
            return Kind::Any { nullable: false };
        };
        match s {
            Schema::Object(o) => {
                let (types, nullable): (Vec<&Type>, bool) = match &o.schema_type {
                    SchemaType::Type(t) => (vec![t], false),
                    SchemaType::Array(ts) => (
                        ts.iter().filter(|t| **t != Type::Null).collect(),
                        ts.contains(&Type::Null),
                    ),
                    SchemaType::AnyValue => (vec![], true),
                };
                match types.as_slice() {
                    [Type::String] => Kind::String { nullable },
                    [Type::Boolean] => Kind::Boolean { nullable },
                    [Type::Integer] => Kind::Integer {
                        nullable,
                        min: number(&o.minimum),
                        max: number(&o.maximum),
                    },
                    [Type::Number] => Kind::Number { nullable },
                    _ => Kind::Any { nullable },
                }
            }
            Schema::Array(a) => {
                let nullable =
                    matches!(&a.schema_type, SchemaType::Array(ts) if ts.contains(&Type::Null));
                let items = match &a.items {
                    ArrayItems::RefOrSchema(s) => Kind::of(s),
                    ArrayItems::False => Kind::Any { nullable: true },
                };
                Kind::Array {
                    nullable,
                    items: Box::new(items),
                    max: a.max_items,
                }
            }
            Schema::OneOf(o) => {
                let nullable = o.items.iter().any(|i| {
                    matches!(i, RefOr::T(Schema::Object(o)) if o.schema_type == SchemaType::Type(Type::Null))
                });
                Kind::Any { nullable }
            }
            _ => Kind::Any { nullable: false },
        }
    }

    fn nullable(&self) -> bool {
        match self {
            Kind::String { nullable }
            | Kind::Boolean { nullable }
            | Kind::Integer { nullable, .. }
            | Kind::Number { nullable }
            | Kind::Array { nullable, .. }
            | Kind::Any { nullable } => *nullable,
        }
    }

    fn accepts(&self, v: &Value) -> bool {
        if v.is_null() {
            return self.nullable();
        }
        match self {
            Kind::String { .. } => v.is_string(),
            Kind::Boolean { .. } => v.is_boolean(),
            Kind::Integer { min, max, .. } => v
                .as_i64()
                .is_some_and(|i| min.is_none_or(|m| i >= m) && max.is_none_or(|m| i <= m)),
            Kind::Number { .. } => v.is_number(),
            Kind::Array { items, max, .. } => v.as_array().is_some_and(|a| {
                max.is_none_or(|m| a.len() <= m) && a.iter().all(|i| items.accepts(i))
            }),
            Kind::Any { .. } => true,
        }
    }

    /// "a string", "an integer from 1 to 100", "true, false or null", …
    fn describe(&self) -> String {
        let or_null = |s: &str| {
            if self.nullable() {
                format!("{s} or null")
            } else {
                s.to_string()
            }
        };
        match self {
            Kind::String { .. } => or_null("a string"),
            Kind::Boolean { nullable: true } => "true, false or null".into(),
            Kind::Boolean { nullable: false } => "true or false".into(),
            Kind::Integer {
                min: None,
                max: None,
                ..
            } => or_null("an integer"),
            Kind::Integer { min, max, .. } => or_null(&format!(
                "an integer from {} to {}",
                min.unwrap_or(i64::MIN),
                max.unwrap_or(i64::MAX)
            )),
            Kind::Number { .. } => or_null("a number"),
            // Today's wording: `null` means empty, so it is not named.
            Kind::Array { items, max, .. } => {
                let items = match **items {
                    Kind::String { .. } => "strings",
                    Kind::Integer { .. } => "integers",
                    _ => "values",
                };
                match max {
                    Some(m) => format!("an array of at most {m} {items}"),
                    None => format!("an array of {items}"),
                }
            }
            Kind::Any { .. } => or_null("a valid value"),
        }
    }
}

/// `null` reads as `Some(None)`, absent as `None` (with `#[serde(default)]`):
/// on PATCH `null` clears the field.
pub fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// An array where `null` means empty.
pub fn null_as_empty<'de, D, T>(d: D) -> Result<Option<Vec<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<Vec<T>>::deserialize(d).map(|v| Some(v.unwrap_or_default()))
}
