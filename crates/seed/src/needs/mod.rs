//! Demo competence needs, skewed toward the shortage areas the report names
//! (care, education, construction), spread over the seeded employers'
//! workplaces. Deterministic for a seed.

use crate::occupations::fits;
use chrono::{Duration, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use vagar_domain::taxonomy::Taxonomy;

/// One demo need; the store inserts it for `employer_id` at `workplace_id`.
#[derive(Debug, Clone, PartialEq)]
pub struct SeedNeed {
    pub employer_index: usize,
    pub title: String,
    pub ssyk_code: String,
    pub occupation_id: Option<String>,
    pub occupation_label: String,
    pub positions: i64,
    pub swedish_level: Option<&'static str>,
    pub driving_licences: &'static str,
    pub education_level: Option<&'static str>,
    pub start_date: NaiveDate,
    pub duration_months: i64,
    pub part_time: bool,
    pub forms: &'static str,
    /// (skill id, label, required)
    pub skills: Vec<(String, String, bool)>,
    pub status: &'static str,
}

/// (share in per mille, SSYK groups)
pub(crate) const AREAS: &[(u32, &[&str])] = &[
    (350, &["5321", "5323", "5330", "5342", "5343", "2221"]),
    (200, &["2341", "2343", "2342", "5311", "5312"]),
    (
        150,
        &["7111", "7112", "7113", "7125", "7126", "7411", "7131"],
    ),
    (
        300,
        &[
            "9111", "5120", "9412", "9413", "4322", "8332", "5222", "5152", "8331", "8344",
        ],
    ),
];

const FORMS: &[&str] = &[
    "work_practice,fixed_term_job",
    "fixed_term_job",
    "work_practice",
    "learning_employment,fixed_term_job",
    "rental",
    "staffing,fixed_term_job",
];

/// `count` needs for the employers whose SNI codes `employers` gives (by
/// index), as of `as_of`. The area is drawn by its share; the need goes to
/// an employer whose industry has an occupation of the area
/// ([`crate::occupations::for_industry`]), and is for such an occupation.
pub fn needs(
    seed: u64,
    count: usize,
    employers: &[Option<String>],
    as_of: NaiveDate,
    t: &Taxonomy,
) -> Vec<SeedNeed> {
    if employers.is_empty() {
        return Vec::new();
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x6e65_6564);
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let mut x = rng.gen_range(0..1000);
        let groups = AREAS
            .iter()
            .find(|(share, _)| {
                if x < *share {
                    true
                } else {
                    x -= share;
                    false
                }
            })
            .map(|a| a.1)
            .unwrap_or(AREAS[0].1);
        let fitting: Vec<usize> = (0..employers.len())
            .filter(|e| groups.iter().any(|g| fits(employers[*e].as_deref(), g)))
            .collect();
        let (employer_index, ssyk) = if fitting.is_empty() {
            // No employer in the area's industries: one of the employer's own.
            let e = rng.gen_range(0..employers.len());
            let own = crate::occupations::for_industry(employers[e].as_deref());
            (e, own[rng.gen_range(0..own.len())])
        } else {
            let e = fitting[rng.gen_range(0..fitting.len())];
            let codes: Vec<&str> = groups
                .iter()
                .copied()
                .filter(|g| fits(employers[e].as_deref(), g))
                .collect();
            (e, codes[rng.gen_range(0..codes.len())])
        };
        let names: Vec<_> = t.names.iter().filter(|n| n.ssyk_code == ssyk).collect();
        let group_label = t
            .groups
            .iter()
            .find(|g| g.code == ssyk)
            .map(|g| g.label.clone())
            .unwrap_or_default();
        let name = (!names.is_empty()).then(|| names[rng.gen_range(0..names.len())]);
        let skills_of: Vec<&(String, String)> =
            t.group_skills.iter().filter(|(c, _)| c == ssyk).collect();
        let mut skills = Vec::new();
        for k in 0..rng.gen_range(0..4usize).min(skills_of.len()) {
            let (_, id) = skills_of[rng.gen_range(0..skills_of.len())];
            if skills.iter().any(|(s, _, _)| s == id) {
                continue;
            }
            let label = t
                .skills
                .iter()
                .find(|s| &s.concept_id == id)
                .map(|s| s.label.clone())
                .unwrap_or_default();
            skills.push((id.clone(), label, k == 0));
        }
        let label = name.map(|n| n.label.clone()).unwrap_or(group_label);
        out.push(SeedNeed {
            employer_index,
            title: label.clone(),
            ssyk_code: ssyk.to_string(),
            occupation_id: name.map(|n| n.concept_id.clone()),
            occupation_label: label,
            positions: [1, 1, 1, 2, 2, 3, 5][rng.gen_range(0..7)],
            swedish_level: [None, Some("sfi_c"), Some("sfi_d"), Some("b1"), Some("b2")]
                [rng.gen_range(0..5)],
            driving_licences: if ssyk.starts_with("833") || rng.gen_bool(0.1) {
                "B"
            } else {
                ""
            },
            education_level: [None, None, Some("primary"), Some("secondary")][rng.gen_range(0..4)],
            start_date: as_of + Duration::days(rng.gen_range(7..120)),
            duration_months: [3, 6, 6, 12, 12][rng.gen_range(0..5)],
            part_time: rng.gen_bool(0.25),
            forms: FORMS[rng.gen_range(0..FORMS.len())],
            skills,
            // Most open; some filled or closed, as a register a year old would be.
            status: match i % 10 {
                0 => "filled",
                1 => "closed",
                _ => "open",
            },
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needs_lean_toward_care_education_and_construction_and_repeat() {
        let t = vagar_domain::taxonomy::shipped().unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        let employers: Vec<Option<String>> = (0..40)
            .map(|i| crate::employer(1, i, day).employer.sni_code)
            .collect();
        let a = needs(1, 1000, &employers, day, &t);
        assert_eq!(a, needs(1, 1000, &employers, day, &t));
        for n in &a {
            let sni = employers[n.employer_index].as_deref();
            assert!(fits(sni, &n.ssyk_code), "{} at SNI {sni:?}", n.ssyk_code);
            assert!(t
                .groups
                .iter()
                .any(|g| g.level == 4 && g.code == n.ssyk_code));
        }
        let shortage = a
            .iter()
            .filter(|n| {
                ["53", "22", "23", "71", "74"]
                    .iter()
                    .any(|p| n.ssyk_code.starts_with(p))
            })
            .count();
        assert!(shortage > 600, "{shortage}");
        assert!(a.iter().all(|n| n.employer_index < 40 && n.positions >= 1));
        assert!(a.iter().any(|n| !n.skills.is_empty() && n.skills[0].2));
        assert!(needs(1, 10, &[], day, &t).is_empty());
    }
}
