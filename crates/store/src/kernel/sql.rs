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
