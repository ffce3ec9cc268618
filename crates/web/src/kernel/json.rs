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
use serde::Serialize;
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
    /// The fields sent and read well (for a PATCH's [`Body::over`]).
    sent: Vec<String>,
    answer: PhantomData<O>,
}

impl<T, O> Body<T, O> {
    pub fn new(value: T, errors: ValidationErrors) -> Self {
        Body {
            value,
            errors,
            sent: vec![],
            answer: PhantomData,
        }
    }

    /// The body with its value made into another (the errors kept).
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Body<U, O> {
        Body {
            value: f(self.value),
            errors: self.errors,
            sent: self.sent,
            answer: PhantomData,
        }
    }

    /// Was `key` sent (and read well)?
    pub fn sent(&self, key: &str) -> bool {
        self.sent.iter().any(|k| k == key)
    }

    /// A PATCH: the fields sent laid over `base`, the others kept (`null`
    /// sent clears), as JSON Merge Patch (RFC 7386) does.
    pub fn over(mut self, base: &T) -> Self
    where
        T: Serialize + DeserializeOwned,
    {
        let (Ok(Value::Object(mut merged)), Ok(Value::Object(sent))) = (
            serde_json::to_value(base),
            serde_json::to_value(&self.value),
        ) else {
            return self;
        };
        for key in &self.sent {
            if let Some(v) = sent.get(key) {
                merged.insert(key.clone(), v.clone());
            }
        }
        if let Ok(v) = serde_json::from_value(Value::Object(merged)) {
            self.value = v;
        }
        self
    }

    /// Name `key` as required when `present` says it is missing (and it
    /// is not named already, say for its type).
    pub fn require(mut self, key: &str, present: impl FnOnce(&T) -> bool) -> Self {
        if !present(&self.value) && self.errors.for_field(key).is_none() {
            self.errors
                .add(key, "required", format!("{key} is required"));
        }
        self
    }

    /// Name `key` as read-only when `present` says it was sent: a field
    /// one operation takes and another does not (a PATCH's `version`).
    pub fn read_only(mut self, key: &str, present: impl FnOnce(&T) -> bool) -> Self {
        if present(&self.value) {
            self.errors
                .add(key, "read_only", format!("{key} is read-only"));
        }
        self
    }

    /// Add the rules' errors for the fields not named yet, so every bad
    /// field is named at once; the value when there are none.
    pub fn checked<R>(
        mut self,
        rules: impl FnOnce(&T) -> Result<R, ValidationErrors>,
    ) -> Result<T, Problem> {
        if let Err(e) = rules(&self.value) {
            for e in e.0 {
                if self.errors.for_field(&e.field).is_none() {
                    self.errors.0.push(e);
                }
            }
        }
        self.into_result()
    }

    /// The rules' result for the value, with the shape's errors first and
    /// the rules' errors for the fields not named yet.
    pub fn into_rules<R>(
        self,
        rules: impl FnOnce(&T) -> Result<R, ValidationErrors>,
    ) -> Result<R, Problem> {
        let result = rules(&self.value);
        crate::kernel::params::with_rules(self.errors, result).map_err(Problem::validation)
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
        let known = known_fields::<T>();
        let keys: Vec<String> = map.keys().filter(|k| known.contains(k)).cloned().collect();
        let (value, errors) = read_known::<T>(map, &known, &properties::<O>())?;
        let sent = keys
            .into_iter()
            .filter(|k| errors.for_field(k).is_none())
            .collect();
        Ok(Body {
            value,
            errors,
            sent,
            answer: PhantomData,
        })
    }
}

/// Read `map` into `T`: the value from the good fields and the errors of
/// the others. `read_only` names the answer's fields.
pub fn read_body<T>(
    map: Map<String, Value>,
    read_only: &[(String, RefOr<Schema>)],
) -> Result<(T, ValidationErrors), Problem>
where
    T: DeserializeOwned + utoipa::ToSchema,
{
    read_known(map, &known_fields::<T>(), read_only)
}

/// [`read_body`] with `T`'s fields already listed (the extractor needs them
/// too, to tell which fields were sent).
fn read_known<T>(
    mut map: Map<String, Value>,
    fields: &[String],
    read_only: &[(String, RefOr<Schema>)],
) -> Result<(T, ValidationErrors), Problem>
where
    T: DeserializeOwned + utoipa::ToSchema,
{
    let schema = properties::<T>();
    let mut errors = ValidationErrors::new();
    let mut bad = Vec::new();
    for key in map.keys() {
        if fields.contains(key) {
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
        let Some(v) = map.get(key) else { continue };
        let kind = expected(key);
        if !kind.accepts(v) {
            errors.add(key, "type", format!("{key} must be {}", kind.describe()));
            bad.push(key.clone());
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
                // Inside an object of an array (`create_steps[1].colour`):
                // drop just that field, so the element's other fields and
                // the array's other elements are still read and checked.
                let removed_inside = remove_at(&mut map, e.path());
                if !removed_inside && map.remove(&key).is_none() {
                    return Err(Problem::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "validation-error",
                        "Invalid input",
                        "the body does not have the expected fields",
                    ));
                }
                if e.path().iter().count() > 1 {
                    // Inside an object or array: name the whole path
                    // (`work_experience[0].years`), never the value.
                    let shown = shown_path(e.path());
                    if e.inner().to_string().starts_with("unknown field") {
                        errors.add(
                            &shown,
                            "unknown_field",
                            format!("{shown} is not a known field"),
                        );
                    } else {
                        errors.add(&shown, "type", format!("{shown} is not valid here"));
                    }
                } else {
                    let kind = expected(&key);
                    errors.add(&key, "type", format!("{key} must be {}", kind.describe()));
                }
            }
        }
    }
}

/// Remove the field a nested path ends in (`a[1].b`: the key `b` of the
/// second object of `a`); false when the path is one key deep or does not
/// end in an object's key.
fn remove_at(map: &mut Map<String, Value>, path: &serde_path_to_error::Path) -> bool {
    use serde_path_to_error::Segment;
    let segs: Vec<&Segment> = path.iter().collect();
    let [Segment::Map { key: first }, middle @ .., Segment::Map { key: last }] = segs.as_slice()
    else {
        return false;
    };
    if middle.is_empty() {
        return false;
    }
    let mut at = match map.get_mut(first) {
        Some(v) => v,
        None => return false,
    };
    for seg in middle {
        let next = match (seg, at) {
            (Segment::Map { key }, Value::Object(o)) => o.get_mut(key),
            (Segment::Seq { index }, Value::Array(a)) => a.get_mut(*index),
            _ => None,
        };
        match next {
            Some(v) => at = v,
            None => return false,
        }
    }
    match at {
        Value::Object(o) => o.remove(last).is_some(),
        _ => false,
    }
}

/// `a.b[0].c`, with any key not shaped like a field name hidden: a key is
/// whatever the client sent, an identity number too.
fn shown_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for seg in path.iter() {
        match seg {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(if looks_like_field_name(key) {
                    key
                } else {
                    "(not shown)"
                });
            }
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    out
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

/// The properties of `T`'s schema (empty when it is not an object); a
/// struct with `#[serde(flatten)] #[schema(inline)]` fields is `allOf`
/// its own object and theirs, so those are walked too.
pub fn properties<T: utoipa::ToSchema>() -> Vec<(String, RefOr<Schema>)> {
    fn walk(s: RefOr<Schema>, out: &mut Vec<(String, RefOr<Schema>)>) {
        match s {
            RefOr::T(Schema::Object(o)) => out.extend(o.properties),
            RefOr::T(Schema::AllOf(a)) => {
                for item in a.items {
                    walk(item, out);
                }
            }
            // An inlined part with a default is wrapped in a one-item `oneOf`.
            RefOr::T(Schema::OneOf(o)) if o.items.len() == 1 => {
                for item in o.items {
                    walk(item, out);
                }
            }
            _ => {}
        }
    }
    let mut out = vec![];
    walk(T::schema(), &mut out);
    out
}

/// The fields `T` reads: serde's own list, or for a struct that flattens
/// another (serde then reads a map) its schema's properties.
pub fn known_fields<T: DeserializeOwned + utoipa::ToSchema>() -> Vec<String> {
    let fields = serde_fields::<T>();
    if fields.is_empty() {
        properties::<T>().into_iter().map(|(k, _)| k).collect()
    } else {
        fields.iter().map(|f| (*f).to_string()).collect()
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

pub use vagar_domain::input::{null_as_default, null_as_empty, nullable};

#[cfg(test)]
mod tests {
    use super::known_fields;
    use vagar_store::work::placements::NewPlacement;

    /// A body that flattens parts (`#[serde(flatten)]`) reads a map, so
    /// serde cannot list its fields: the schema's properties of every part
    /// are its fields, and none of them is refused as unknown.
    #[test]
    fn a_flattened_body_knows_the_fields_of_each_part() {
        let known = known_fields::<NewPlacement>();
        for f in [
            "participant_id",
            "intervention_id",
            "need_id",
            "override_reason",
            "employer_id",
            "host_organisation_id",
            "start_date",
            "supervisor_name",
            "extra_task",
        ] {
            assert!(known.iter().any(|k| k == f), "{f} not known: {known:?}");
        }
        assert!(!known.iter().any(|k| k == "terms" || k == "host"));
    }
}
