//! Translations with Fluent: Swedish by default, English switchable.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Sv,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Sv => "sv",
            Lang::En => "en",
        }
    }
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "sv" => Some(Lang::Sv),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
    pub fn other(self) -> Lang {
        match self {
            Lang::Sv => Lang::En,
            Lang::En => Lang::Sv,
        }
    }
}

type Bundle = FluentBundle<FluentResource>;

fn bundle(lang: Lang) -> &'static Bundle {
    static SV: OnceLock<Bundle> = OnceLock::new();
    static EN: OnceLock<Bundle> = OnceLock::new();
    let (cell, src, id) = match lang {
        Lang::Sv => (&SV, include_str!("../../locales/sv.ftl"), "sv-SE"),
        Lang::En => (&EN, include_str!("../../locales/en.ftl"), "en-GB"),
    };
    cell.get_or_init(|| {
        let res = FluentResource::try_new(src.to_string()).expect("shipped .ftl parses");
        let mut b = FluentBundle::new_concurrent(vec![id.parse().expect("valid language id")]);
        // Isolation marks around arguments confuse screen readers and tests.
        b.set_use_isolating(false);
        b.add_resource(res).expect("no duplicate keys");
        b
    })
}

/// A whole number as a number, so that a message can choose its plural
/// form (`{ $n -> [one] … *[other] … }`); anything else as text. Only the
/// canonical form counts: a code with a leading zero ("0180") stays text.
fn value(v: &str) -> FluentValue<'static> {
    match v.parse::<i64>() {
        Ok(n) if n.to_string() == v => FluentValue::from(n),
        _ => FluentValue::from(v.to_string()),
    }
}

/// Translate `key`; unknown keys come back as the key so a gap is visible.
pub fn t(lang: Lang, key: &str, args: &[(&str, String)]) -> String {
    let b = bundle(lang);
    let Some(msg) = b.get_message(key).and_then(|m| m.value()) else {
        return key.to_string();
    };
    let mut fargs = FluentArgs::new();
    for (k, v) in args {
        fargs.set(*k, value(v));
    }
    let mut errors = vec![];
    b.format_pattern(msg, Some(&fargs), &mut errors)
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_choose_their_plural_and_codes_stay_as_typed() {
        let one = t(Lang::Sv, "match-confirmed", &[("n", "1".into())]);
        assert_eq!(one, "1 föreslagen placering skapades.");
        let two = t(Lang::Sv, "match-confirmed", &[("n", "2".into())]);
        assert_eq!(two, "2 föreslagna placeringar skapades.");
        assert_eq!(
            t(Lang::En, "match-confirmed", &[("n", "1".into())]),
            "1 proposed placement was created."
        );
        assert_eq!(
            t(Lang::En, "match-confirmed", &[("n", "12".into())]),
            "12 proposed placements were created."
        );
        assert_eq!(
            t(Lang::Sv, "page-of", &[("page", "0180".into())]),
            "Sida 0180"
        );
        assert_eq!(
            t(Lang::Sv, "page-of", &[("page", "12345".into())]),
            "Sida 12345"
        );
    }

    #[test]
    fn both_languages_translate_with_arguments() {
        assert_eq!(t(Lang::Sv, "page-of", &[("page", "2".into())]), "Sida 2");
        assert_eq!(t(Lang::En, "page-of", &[("page", "2".into())]), "Page 2");
        assert_eq!(t(Lang::Sv, "no-such-key", &[]), "no-such-key");
    }
}
