//! Swedish municipalities and counties, embedded from `data/geo` (SCB, CC0).

use std::collections::HashMap;
use std::sync::OnceLock;

const MUNICIPALITIES_CSV: &str = include_str!("../../../../data/geo/municipalities.csv");
const COUNTIES_CSV: &str = include_str!("../../../../data/geo/counties.csv");

/// Stockholm's municipality code, the default for the synthetic city.
pub const STOCKHOLM: &str = "0180";

/// The 13 stadsdelsområden of Stockholm (from 2020).
pub const STOCKHOLM_DISTRICTS: [&str; 13] = [
    "Bromma",
    "Enskede-Årsta-Vantör",
    "Farsta",
    "Hägersten-Älvsjö",
    "Hässelby-Vällingby",
    "Kungsholmen",
    "Norrmalm",
    "Rinkeby-Kista",
    "Skarpnäck",
    "Skärholmen",
    "Spånga-Tensta",
    "Södermalm",
    "Östermalm",
];

#[derive(Debug, Clone)]
pub struct Municipality {
    pub code: &'static str,
    pub name: &'static str,
    pub county_code: &'static str,
}

fn table() -> &'static HashMap<&'static str, Municipality> {
    static TABLE: OnceLock<HashMap<&'static str, Municipality>> = OnceLock::new();
    TABLE.get_or_init(|| {
        MUNICIPALITIES_CSV
            .lines()
            .skip(1)
            .filter_map(|line| {
                let mut cols = line.split(',');
                let code = cols.next()?;
                let _long = cols.next()?;
                let name = cols.next()?;
                let county_code = cols.next()?;
                Some((
                    code,
                    Municipality {
                        code,
                        name,
                        county_code,
                    },
                ))
            })
            .collect()
    })
}

pub fn municipality(code: &str) -> Option<&'static Municipality> {
    table().get(code)
}

pub fn municipalities() -> impl Iterator<Item = &'static Municipality> {
    table().values()
}

/// The 21 counties (län) as (code, name), e.g. ("01", "Stockholms län").
pub fn counties() -> impl Iterator<Item = (&'static str, &'static str)> {
    COUNTIES_CSV.lines().skip(1).filter_map(|line| {
        let mut cols = line.split(',');
        Some((cols.next()?, cols.next()?))
    })
}

pub fn county_name(code: &str) -> Option<&'static str> {
    counties().find(|(c, _)| *c == code).map(|(_, n)| n)
}

/// The county a municipality lies in.
pub fn county_of(municipality_code: &str) -> Option<&'static str> {
    municipality(municipality_code).map(|m| m.county_code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_290_municipalities_are_loaded() {
        assert_eq!(municipalities().count(), 290);
        assert_eq!(municipality("0180").unwrap().name, "Stockholm");
        assert!(municipality("9999").is_none());
        assert_eq!(counties().count(), 21);
        assert_eq!(county_name("01"), Some("Stockholms län"));
        assert_eq!(county_of("0180"), Some("01"));
    }
}
