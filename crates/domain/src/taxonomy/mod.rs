//! Classification data: SSYK 2012 occupations, the JobTech skills and
//! languages, occupation substitutability, SUN 2020, SNI 2007 and the
//! municipalities, parsed from the JobTech Taxonomy export layout.
//!
//! The exports shipped in `data/taxonomy` are embedded at compile time
//! ([`shipped`]); a newer export in the same layout is parsed with [`parse`]
//! and replaces the stored one when its [`Taxonomy::version`] differs.

use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};

use crate::participants::fold_for_search;

/// Whether `code` has the shape of an SSYK 2012 unit group (level 4): four
/// digits (the armed forces' groups start with 0, e.g. 0110). Whether it
/// exists is the taxonomy's question, asked by the store.
pub fn is_ssyk4(code: &str) -> bool {
    code.len() == 4 && code.bytes().all(|b| b.is_ascii_digit())
}

/// A required SSYK level-4 code field, trimmed: blank is `required`, any
/// other shape `invalid`.
pub fn ssyk4_field(
    errors: &mut crate::ValidationErrors,
    field: &str,
    value: Option<&str>,
) -> Option<String> {
    match value.map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            errors.add(field, "required", format!("{field} is required"));
            None
        }
        Some(s) if is_ssyk4(s) => Some(s.to_string()),
        Some(_) => {
            errors.add(
                field,
                "invalid",
                format!("{field} must be an SSYK level-4 code (4 digits)"),
            );
            None
        }
    }
}

/// The export files a taxonomy is read from, in the order the version hashes them.
pub const FILES: [&str; 12] = [
    "ssyk-level-1-groups.json",
    "ssyk-level-2-groups.json",
    "ssyk-level-4-groups-with-related-occupations.json",
    "ssyk-level-4-groups-with-related-skills.json",
    "skills.json",
    "substitutability-relations-between-occupations.json",
    "languages.json",
    "sun-level-hierarchy.json",
    "sun-field-hierarchy-level-1.json",
    "sun-field-hierarchy-level-2.json",
    "sni-level-1.json",
    "sni-level-2.json",
];

const SHIPPED: [&str; 12] = [
    include_str!("../../../../data/taxonomy/ssyk-level-1-groups.json"),
    include_str!("../../../../data/taxonomy/ssyk-level-2-groups.json"),
    include_str!("../../../../data/taxonomy/ssyk-level-4-groups-with-related-occupations.json"),
    include_str!("../../../../data/taxonomy/ssyk-level-4-groups-with-related-skills.json"),
    include_str!("../../../../data/taxonomy/skills.json"),
    include_str!("../../../../data/taxonomy/substitutability-relations-between-occupations.json"),
    include_str!("../../../../data/taxonomy/languages.json"),
    include_str!("../../../../data/taxonomy/sun-level-hierarchy.json"),
    include_str!("../../../../data/taxonomy/sun-field-hierarchy-level-1.json"),
    include_str!("../../../../data/taxonomy/sun-field-hierarchy-level-2.json"),
    include_str!("../../../../data/taxonomy/sni-level-1.json"),
    include_str!("../../../../data/taxonomy/sni-level-2.json"),
];

const COUNTIES_CSV: &str = include_str!("../../../../data/geo/counties.csv");
const MUNICIPALITIES_CSV: &str = include_str!("../../../../data/geo/municipalities.csv");

/// An SSYK 2012 group at level 1, 2 or 4 (the exports have no level 3;
/// it is the first three digits of a level-4 code).
#[derive(Debug, Clone, PartialEq)]
pub struct OccupationGroup {
    pub code: String,
    pub level: u8,
    pub concept_id: String,
    pub label: String,
    pub definition: String,
}

/// An occupation name (yrkesbenämning) inside an SSYK level-4 group.
#[derive(Debug, Clone, PartialEq)]
pub struct OccupationName {
    pub concept_id: String,
    pub label: String,
    pub ssyk_code: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Concept {
    pub concept_id: String,
    pub label: String,
}

/// Experience in `experience` serves the occupation `target` to `percentage` %.
#[derive(Debug, Clone, PartialEq)]
pub struct Substitution {
    pub experience: String,
    pub target: String,
    pub percentage: u8,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Language {
    pub concept_id: String,
    pub label: String,
    pub iso_639_1: Option<String>,
    pub iso_639_2: Option<String>,
    pub iso_639_3: Option<String>,
}

/// A code in a hierarchy (SUN levels and fields, SNI, counties, municipalities).
#[derive(Debug, Clone, PartialEq)]
pub struct Code {
    pub code: String,
    pub label: String,
    pub level: u8,
    pub parent: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Taxonomy {
    /// `jobtech-` and a hash of the export files: equal files, equal version.
    pub version: String,
    pub groups: Vec<OccupationGroup>,
    pub names: Vec<OccupationName>,
    pub skills: Vec<Concept>,
    /// (SSYK level-4 code, skill concept id)
    pub group_skills: Vec<(String, String)>,
    pub substitutions: Vec<Substitution>,
    pub languages: Vec<Language>,
    pub sun_levels: Vec<Code>,
    pub sun_fields: Vec<Code>,
    pub sni: Vec<Code>,
    pub counties: Vec<Code>,
    pub municipalities: Vec<Code>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum TaxonomyError {
    #[error("{file}: the file is missing")]
    Missing { file: String },
    #[error("{file}: {reason}")]
    Invalid { file: String, reason: String },
}

fn invalid(file: &str, reason: impl Into<String>) -> TaxonomyError {
    TaxonomyError::Invalid {
        file: file.to_string(),
        reason: reason.into(),
    }
}

#[derive(Deserialize)]
struct Export {
    data: Data,
}
#[derive(Deserialize)]
struct Data {
    concepts: Vec<Raw>,
}
#[derive(Deserialize)]
struct Raw {
    id: Option<String>,
    preferred_label: String,
    #[serde(default)]
    definition: Option<String>,
    #[serde(default)]
    ssyk_code_2012: Option<String>,
    #[serde(default)]
    sun_education_level_code_2020: Option<String>,
    #[serde(default)]
    sun_education_field_code_2020: Option<String>,
    #[serde(default)]
    sni_level_code_2007: Option<String>,
    #[serde(default)]
    iso_639_1_2002: Option<String>,
    #[serde(default)]
    iso_639_2_1998: Option<String>,
    #[serde(default)]
    iso_639_3_2007: Option<String>,
    #[serde(default)]
    narrower: Vec<Raw>,
    #[serde(default)]
    related: Vec<Raw>,
    #[serde(default)]
    substitutes: Vec<RawSubstitute>,
    #[serde(default)]
    substituted_by: Vec<RawSubstitute>,
}
#[derive(Deserialize)]
struct RawSubstitute {
    id: String,
    substitutability_percentage: u8,
}

fn concepts(file: &str, text: &str) -> Result<Vec<Raw>, TaxonomyError> {
    serde_json::from_str::<Export>(text)
        .map(|e| e.data.concepts)
        .map_err(|e| invalid(file, format!("not a JobTech taxonomy export: {e}")))
}

fn id(file: &str, raw: &Raw) -> Result<String, TaxonomyError> {
    match &raw.id {
        Some(id) if !id.trim().is_empty() => Ok(id.clone()),
        _ => Err(invalid(
            file,
            format!("concept \"{}\" has no id", raw.preferred_label),
        )),
    }
}

fn digits(
    file: &str,
    code: &Option<String>,
    len: usize,
    label: &str,
) -> Result<String, TaxonomyError> {
    match code {
        Some(c) if c.len() == len && c.bytes().all(|b| b.is_ascii_digit()) => Ok(c.clone()),
        other => Err(invalid(
            file,
            format!("\"{label}\" has code {other:?}, expected {len} digits"),
        )),
    }
}

/// FNV-1a, 64 bits: a stable fingerprint of the export files, not a security hash.
fn fingerprint(texts: &[String]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for t in texts {
        for b in t.bytes().chain(std::iter::once(0)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// The SNI 2007 section (level 1 letter) a division (level 2, two digits) belongs to.
pub fn sni_section(division: &str) -> Option<&'static str> {
    let n: u8 = division.parse().ok()?;
    Some(match n {
        1..=3 => "A",
        5..=9 => "B",
        10..=33 => "C",
        35 => "D",
        36..=39 => "E",
        41..=43 => "F",
        45..=47 => "G",
        49..=53 => "H",
        55..=56 => "I",
        58..=63 => "J",
        64..=66 => "K",
        68 => "L",
        69..=75 => "M",
        77..=82 => "N",
        84 => "O",
        85 => "P",
        86..=88 => "Q",
        90..=93 => "R",
        94..=96 => "S",
        97..=98 => "T",
        99 => "U",
        _ => return None,
    })
}

/// The version of the shipped taxonomy, without parsing it.
pub fn shipped_version() -> String {
    let texts: Vec<String> = SHIPPED.iter().map(|s| s.to_string()).collect();
    format!("jobtech-{:016x}", fingerprint(&texts))
}

/// The taxonomy shipped with Vägar.
pub fn shipped() -> Result<Taxonomy, TaxonomyError> {
    let files: BTreeMap<&str, &str> = FILES.iter().copied().zip(SHIPPED).collect();
    parse(|name| files.get(name).map(|s| s.to_string()))
}

/// Parse the export files, read through `read(file name)`.
pub fn parse(read: impl Fn(&str) -> Option<String>) -> Result<Taxonomy, TaxonomyError> {
    let mut texts = Vec::with_capacity(FILES.len());
    for f in FILES {
        texts.push(read(f).ok_or_else(|| TaxonomyError::Missing { file: f.into() })?);
    }
    let text = |name: &str| {
        let i = FILES.iter().position(|f| *f == name).expect("known file");
        texts[i].as_str()
    };
    let mut t = Taxonomy {
        version: format!("jobtech-{:016x}", fingerprint(&texts)),
        ..Taxonomy::default()
    };

    for (file, level, len) in [(FILES[0], 1u8, 1usize), (FILES[1], 2, 2), (FILES[2], 4, 4)] {
        for raw in concepts(file, text(file))? {
            let code = digits(file, &raw.ssyk_code_2012, len, &raw.preferred_label)?;
            t.groups.push(OccupationGroup {
                concept_id: id(file, &raw)?,
                label: raw.preferred_label.clone(),
                definition: raw.definition.clone().unwrap_or_default(),
                code: code.clone(),
                level,
            });
            if level == 4 {
                for n in &raw.narrower {
                    t.names.push(OccupationName {
                        concept_id: id(file, n)?,
                        label: n.preferred_label.clone(),
                        ssyk_code: code.clone(),
                    });
                }
            }
        }
    }
    let ssyk4: BTreeMap<String, String> = t
        .groups
        .iter()
        .filter(|g| g.level == 4)
        .map(|g| (g.concept_id.clone(), g.code.clone()))
        .collect();

    let file = FILES[4];
    for raw in concepts(file, text(file))? {
        t.skills.push(Concept {
            concept_id: id(file, &raw)?,
            label: raw.preferred_label,
        });
    }
    let skill_ids: HashSet<&str> = t.skills.iter().map(|s| s.concept_id.as_str()).collect();

    let file = FILES[3];
    let mut pairs = HashSet::new();
    for raw in concepts(file, text(file))? {
        // This export names groups by concept id only.
        let gid = id(file, &raw)?;
        let code = match &raw.ssyk_code_2012 {
            Some(c) => c.clone(),
            None => ssyk4
                .get(gid.as_str())
                .cloned()
                .ok_or_else(|| invalid(file, format!("unknown SSYK group {gid}")))?,
        };
        for s in &raw.related {
            let sid = id(file, s)?;
            // Skills linked to a group but missing from skills.json are left
            // out rather than refusing the whole export.
            if skill_ids.contains(sid.as_str()) && pairs.insert((code.clone(), sid.clone())) {
                t.group_skills.push((code.clone(), sid));
            }
        }
    }

    let file = FILES[5];
    let name_ids: HashSet<&str> = t.names.iter().map(|n| n.concept_id.as_str()).collect();
    let mut subs: BTreeMap<(String, String), u8> = BTreeMap::new();
    for raw in concepts(file, text(file))? {
        let this = id(file, &raw)?;
        let edges = raw
            .substituted_by
            .iter()
            .map(|s| (s.id.clone(), this.clone(), s.substitutability_percentage))
            .chain(
                raw.substitutes
                    .iter()
                    .map(|s| (this.clone(), s.id.clone(), s.substitutability_percentage)),
            );
        for (experience, target, pct) in edges {
            if !(1..=100).contains(&pct) {
                return Err(invalid(
                    file,
                    format!("substitutability {pct} % for {this} is outside 1–100"),
                ));
            }
            if experience == target
                || !name_ids.contains(experience.as_str())
                || !name_ids.contains(target.as_str())
            {
                continue;
            }
            let e = subs.entry((experience, target)).or_insert(0);
            *e = (*e).max(pct);
        }
    }
    t.substitutions = subs
        .into_iter()
        .map(|((experience, target), percentage)| Substitution {
            experience,
            target,
            percentage,
        })
        .collect();

    let file = FILES[6];
    for raw in concepts(file, text(file))? {
        t.languages.push(Language {
            concept_id: id(file, &raw)?,
            label: raw.preferred_label.clone(),
            iso_639_1: raw.iso_639_1_2002.map(|s| s.to_lowercase()),
            iso_639_2: raw.iso_639_2_1998.map(|s| s.to_lowercase()),
            iso_639_3: raw.iso_639_3_2007.map(|s| s.to_lowercase()),
        });
    }

    // SUN levels come as a tree; keep every node with its parent.
    fn walk(
        file: &str,
        raw: &Raw,
        parent: Option<&str>,
        depth: u8,
        out: &mut Vec<Code>,
    ) -> Result<(), TaxonomyError> {
        let code = raw
            .sun_education_level_code_2020
            .clone()
            .filter(|c| !c.is_empty())
            .ok_or_else(|| invalid(file, format!("\"{}\" has no SUN code", raw.preferred_label)))?;
        if !out.iter().any(|c| c.code == code) {
            out.push(Code {
                code: code.clone(),
                label: raw.preferred_label.clone(),
                level: depth,
                parent: parent.map(str::to_string),
            });
        }
        for n in &raw.narrower {
            walk(file, n, Some(&code), depth + 1, out)?;
        }
        Ok(())
    }
    let file = FILES[7];
    for raw in concepts(file, text(file))? {
        walk(file, &raw, None, 1, &mut t.sun_levels)?;
    }
    for (file, level) in [(FILES[8], 1u8), (FILES[9], 2)] {
        for raw in concepts(file, text(file))? {
            let code = raw
                .sun_education_field_code_2020
                .clone()
                .filter(|c| c.len() == level as usize)
                .ok_or_else(|| {
                    invalid(
                        file,
                        format!("\"{}\" has a bad SUN field code", raw.preferred_label),
                    )
                })?;
            t.sun_fields.push(Code {
                parent: (level == 2).then(|| code[..1].to_string()),
                code,
                label: raw.preferred_label,
                level,
            });
        }
    }
    for (file, level) in [(FILES[10], 1u8), (FILES[11], 2)] {
        for raw in concepts(file, text(file))? {
            let code = raw.sni_level_code_2007.clone().ok_or_else(|| {
                invalid(file, format!("\"{}\" has no SNI code", raw.preferred_label))
            })?;
            let parent = if level == 2 {
                Some(
                    sni_section(&code)
                        .ok_or_else(|| invalid(file, format!("unknown SNI division {code}")))?
                        .to_string(),
                )
            } else {
                None
            };
            t.sni.push(Code {
                code,
                label: raw.preferred_label,
                level,
                parent,
            });
        }
    }
    for line in COUNTIES_CSV.lines().skip(1) {
        let cols: Vec<&str> = line.split(',').collect();
        if let [code, name, ..] = cols[..] {
            t.counties.push(Code {
                code: code.into(),
                label: name.into(),
                level: 1,
                parent: None,
            });
        }
    }
    for line in MUNICIPALITIES_CSV.lines().skip(1) {
        let cols: Vec<&str> = line.split(',').collect();
        if let [code, _long, short, county] = cols[..] {
            t.municipalities.push(Code {
                code: code.into(),
                label: short.into(),
                level: 2,
                parent: Some(county.into()),
            });
        }
    }
    Ok(t)
}

/// The form of a label or query that search compares: lower case, accents
/// and å/ä/ö folded, punctuation dropped, single spaces.
pub fn search_key(s: &str) -> String {
    fold_for_search(s)
}

/// Order for search hits: a label that starts with the query before one where
/// a later word does, then shorter labels, then Swedish alphabetical order.
pub fn rank(query_key: &str, label: &str) -> (u8, usize, Vec<u32>) {
    let key = search_key(label);
    let starts = if key.starts_with(query_key) { 0 } else { 1 };
    (starts, key.len(), swedish_sort_key(label))
}

/// Collation key for Swedish alphabetical order: å, ä, ö after z; other
/// accents sort with their base letter; case ignored.
pub fn swedish_sort_key(s: &str) -> Vec<u32> {
    s.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'å' => 'z' as u32 + 1,
            'ä' | 'æ' => 'z' as u32 + 2,
            'ö' | 'ø' => 'z' as u32 + 3,
            c => fold_for_search(&c.to_string())
                .chars()
                .next()
                .map(|f| f as u32)
                .unwrap_or(c as u32),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_taxonomy_parses_completely() {
        let t = shipped().expect("shipped taxonomy");
        assert_eq!(t.groups.iter().filter(|g| g.level == 1).count(), 10);
        assert_eq!(t.groups.iter().filter(|g| g.level == 2).count(), 46);
        assert_eq!(t.groups.iter().filter(|g| g.level == 4).count(), 400);
        assert_eq!(t.names.len(), 2412);
        assert_eq!(t.skills.len(), 6657);
        assert_eq!(t.languages.len(), 470);
        assert_eq!(t.municipalities.len(), 290);
        assert_eq!(t.counties.len(), 21);
        assert!(t.group_skills.len() > 15_000);
        assert!(t.substitutions.len() > 8_000);
        assert!(t.version.starts_with("jobtech-"));
        let us = t
            .names
            .iter()
            .find(|n| n.label == "Undersköterska, hemtjänst, hemsjukvård och äldreboende")
            .or_else(|| {
                t.names
                    .iter()
                    .find(|n| n.label.starts_with("Undersköterska"))
            })
            .expect("undersköterska");
        assert_eq!(&us.ssyk_code[..2], "53");
        assert!(t
            .sni
            .iter()
            .any(|c| c.code == "41" && c.parent.as_deref() == Some("F")));
        assert!(t
            .sun_levels
            .iter()
            .any(|c| c.code == "33" && c.parent.as_deref() == Some("3")));
    }

    #[test]
    fn the_version_follows_the_content() {
        let a = shipped().unwrap();
        let files: BTreeMap<&str, String> = FILES
            .iter()
            .copied()
            .zip(SHIPPED.iter().map(|s| s.to_string()))
            .collect();
        let mut changed = files.clone();
        changed.insert(
            "skills.json",
            r#"{"data":{"concepts":[{"id":"x1","preferred_label":"Svetsning","type":"skill"}]}}"#
                .into(),
        );
        let b = parse(|f| changed.get(f).cloned()).unwrap();
        assert_ne!(a.version, b.version);
        assert_eq!(a.version, shipped_version());
        assert_eq!(b.skills.len(), 1);
        // Links to skills that the new export no longer has are dropped.
        assert!(b.group_skills.is_empty());
    }

    #[test]
    fn a_broken_export_names_the_file_and_the_reason() {
        let err = parse(|f| {
            if f == "ssyk-level-2-groups.json" {
                Some(r#"{"data":{"concepts":[{"id":"a","preferred_label":"X","ssyk_code_2012":"2x"}]}}"#.into())
            } else {
                Some(r#"{"data":{"concepts":[]}}"#.into())
            }
        })
        .unwrap_err();
        assert_eq!(
            err,
            invalid(
                "ssyk-level-2-groups.json",
                "\"X\" has code Some(\"2x\"), expected 2 digits"
            )
        );
        let err = parse(|f| (f != "skills.json").then(|| r#"{"data":{"concepts":[]}}"#.into()));
        assert_eq!(
            err.unwrap_err(),
            TaxonomyError::Missing {
                file: "skills.json".into()
            }
        );
        let err = parse(|_| Some("[1,2]".into())).unwrap_err();
        assert!(err
            .to_string()
            .starts_with("ssyk-level-1-groups.json: not a JobTech taxonomy export"));
    }

    #[test]
    fn search_keys_fold_swedish_letters_and_ranking_prefers_prefixes() {
        assert_eq!(
            search_key("Undersköterska, hemtjänst"),
            "underskoterska hemtjanst"
        );
        assert!(search_key("Undersköterska").starts_with(&search_key("underskoterska")));
        assert!(rank("unders", "Undersköterska") < rank("unders", "Vårdare, undersköterska"));
        let mut words = vec!["Ödla", "Zebra", "Åsna", "Älg", "Apa", "Éclair"];
        words.sort_by_key(|w| swedish_sort_key(w));
        assert_eq!(words, ["Apa", "Éclair", "Zebra", "Åsna", "Älg", "Ödla"]);
    }
}
