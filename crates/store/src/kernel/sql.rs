//! A small SQL builder with `$n` placeholders, which both engines accept
//! through the `Any` driver. Values are always bound, never spliced.

use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::Any;

#[derive(Debug, Clone)]
pub enum Arg {
    I64(i64),
    OptI64(Option<i64>),
    Text(String),
    OptText(Option<String>),
}

impl From<i64> for Arg {
    fn from(v: i64) -> Arg {
        Arg::I64(v)
    }
}

impl From<Option<i64>> for Arg {
    fn from(v: Option<i64>) -> Arg {
        Arg::OptI64(v)
    }
}

impl From<&str> for Arg {
    fn from(v: &str) -> Arg {
        Arg::Text(v.to_string())
    }
}

impl From<String> for Arg {
    fn from(v: String) -> Arg {
        Arg::Text(v)
    }
}

impl From<Option<&str>> for Arg {
    fn from(v: Option<&str>) -> Arg {
        Arg::OptText(v.map(str::to_string))
    }
}

impl From<Option<String>> for Arg {
    fn from(v: Option<String>) -> Arg {
        Arg::OptText(v)
    }
}

#[derive(Debug, Default, Clone)]
pub struct Sql {
    pub text: String,
    pub args: Vec<Arg>,
}

impl Sql {
    pub fn new(text: &str) -> Sql {
        Sql {
            text: text.to_string(),
            args: Vec::new(),
        }
    }
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }
    /// Append a placeholder bound to `arg`.
    pub fn bind(&mut self, arg: Arg) -> &mut Self {
        self.args.push(arg);
        self.text.push_str(&format!("${}", self.args.len()));
        self
    }
    /// Append `$a, $b, …` bound to `args`, for `IN (…)` and value lists.
    pub fn bind_list(&mut self, args: impl IntoIterator<Item = Arg>) -> &mut Self {
        for (i, a) in args.into_iter().enumerate() {
            if i > 0 {
                self.text.push(',');
            }
            self.bind(a);
        }
        self
    }
    /// `a = $n, b = $m, …`: each column set to its value, for `UPDATE … SET`.
    pub fn bind_assignments(&mut self, columns: &[&str], values: Vec<Arg>) -> &mut Self {
        for (i, (c, v)) in columns.iter().zip(values).enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            self.push(c).push(" = ").bind(v);
        }
        self
    }
    /// Placeholders bound to `ids`, for `IN (…)`.
    pub fn bind_ids(&mut self, ids: &[i64]) -> &mut Self {
        self.bind_list(ids.iter().map(|id| Arg::I64(*id)))
    }
    /// Placeholders bound to `texts`, for `IN (…)`.
    pub fn bind_texts(&mut self, texts: &[String]) -> &mut Self {
        self.bind_list(texts.iter().map(|t| Arg::Text(t.clone())))
    }
    pub fn query(&self) -> Query<'_, Any, AnyArguments<'_>> {
        let mut q = sqlx::query(&self.text);
        for a in &self.args {
            q = match a {
                Arg::I64(v) => q.bind(*v),
                Arg::OptI64(v) => q.bind(*v),
                Arg::Text(v) => q.bind(v.as_str()),
                Arg::OptText(v) => q.bind(v.as_deref()),
            };
        }
        q
    }
}
