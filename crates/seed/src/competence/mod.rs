//! Synthetic competence profiles: most SFI students and newly arrived
//! participants have one, a few others too (about 30 % overall), with
//! experience, skills and languages drawn from the shipped taxonomy.

use chrono::NaiveDate;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use vagar_domain::competence::{
    profile_code, Concept, Experience, LanguageLevel, LanguageSkill, Occupation, ProfileData,
    ValidationStatus,
};
use vagar_domain::participants::{BirthRegion, ParticipantData, TargetGroup};
use vagar_domain::taxonomy::Taxonomy;

const STREAM_TAG: [u8; 16] = *b"vagar-seed/k/v1\0";

/// SSYK groups common among the people the service meets (care, school,
/// cleaning, warehouse, restaurant, retail, transport, building).
pub(crate) const COMMON_SSYK: [&str; 15] = [
    "5311", "5312", "5321", "5323", "5330", "9111", "9120", "4322", "9412", "5120", "5222", "8344",
    "8332", "7112", "9621",
];

fn rng_for(seed: u64, index: u64) -> ChaCha8Rng {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    key[8..16].copy_from_slice(&index.to_le_bytes());
    key[16..].copy_from_slice(&STREAM_TAG);
    ChaCha8Rng::from_seed(key)
}

/// The profile of participant `index`, or `None` when they have none:
/// (profile code, profile). Deterministic in `(seed, index)`.
pub fn competence_profile(
    seed: u64,
    index: u64,
    p: &ParticipantData,
    t: &Taxonomy,
    _today: NaiveDate,
) -> Option<(String, ProfileData)> {
    let mut rng = rng_for(seed, index);
    let newcomer = p
        .target_groups
        .iter()
        .any(|g| matches!(g, TargetGroup::Sfi | TargetGroup::NewlyArrived));
    let share = if newcomer { 0.75 } else { 0.2 };
    if !rng.gen_bool(share) {
        return None;
    }
    let code = profile_code(rng.gen::<[u8; 8]>());
    let common: Vec<_> = t
        .names
        .iter()
        .filter(|n| COMMON_SSYK.contains(&n.ssyk_code.as_str()))
        .collect();
    let mut d = ProfileData::default();
    for _ in 0..rng.gen_range(1..=3) {
        let n = if !common.is_empty() && rng.gen_bool(0.8) {
            common[rng.gen_range(0..common.len())]
        } else if !t.names.is_empty() {
            &t.names[rng.gen_range(0..t.names.len())]
        } else {
            break;
        };
        if d.experiences
            .iter()
            .any(|x| x.occupation.concept_id.as_deref() == Some(&n.concept_id))
        {
            continue;
        }
        d.experiences.push(Experience {
            occupation: Occupation {
                ssyk_code: n.ssyk_code.clone(),
                concept_id: Some(n.concept_id.clone()),
                label: n.label.clone(),
            },
            years: rng.gen_range(0..=12),
        });
    }
    // Skills of the groups worked in.
    for x in &d.experiences.clone() {
        let ids: Vec<&String> = t
            .group_skills
            .iter()
            .filter(|(g, _)| *g == x.occupation.ssyk_code)
            .map(|(_, s)| s)
            .collect();
        for _ in 0..rng.gen_range(0..=4).min(ids.len()) {
            let id = ids[rng.gen_range(0..ids.len())];
            if d.skills.iter().any(|s| &s.concept_id == id) {
                continue;
            }
            if let Some(s) = t.skills.iter().find(|s| &s.concept_id == id) {
                d.skills.push(Concept {
                    concept_id: s.concept_id.clone(),
                    label: s.label.clone(),
                });
            }
        }
    }
    for (i, code) in p.languages.iter().enumerate() {
        if let Some(l) = t
            .languages
            .iter()
            .find(|l| l.iso_639_1.as_deref() == Some(code.as_str()))
        {
            let level = if i == 0 && p.birth_region != BirthRegion::Sweden {
                LanguageLevel::Native
            } else {
                [
                    LanguageLevel::Basic,
                    LanguageLevel::Good,
                    LanguageLevel::Fluent,
                ][rng.gen_range(0..3)]
            };
            d.languages.push(LanguageSkill {
                language: Concept {
                    concept_id: l.concept_id.clone(),
                    label: l.label.clone(),
                },
                level,
            });
        }
    }
    d.education_level = p
        .education_level
        .sun_levels()
        .first()
        .map(|s| s.to_string())
        .filter(|s| t.sun_levels.iter().any(|c| &c.code == s));
    d.foreign_education = p.birth_region != BirthRegion::Sweden && rng.gen_bool(0.5);
    if d.foreign_education {
        d.foreign_validation = Some(
            [
                ValidationStatus::NotStarted,
                ValidationStatus::InProgress,
                ValidationStatus::Validated,
                ValidationStatus::NotValidated,
            ][rng.gen_range(0..4)],
        );
    }
    d.swedish_level = p.swedish_level;
    d.driving_licences = p.driving_licences.clone();
    if rng.gen_bool(0.2) {
        d.certificates.push(
            [
                "Hygienpass",
                "Truckkort A+B",
                "HLR-utbildning",
                "ID06",
                "Heta arbeten",
            ][rng.gen_range(0..5)]
            .to_string(),
        );
    }
    if let Some(x) = d.experiences.first() {
        d.wished_occupations.push(x.occupation.clone());
    }
    Some((code, d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_are_deterministic_and_about_a_third_of_participants() {
        let t = vagar_domain::taxonomy::shipped().unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        let mut n = 0;
        for i in 0..400 {
            let p = crate::participant(7, i, today);
            let a = competence_profile(7, i, &p, &t, today);
            assert_eq!(a, competence_profile(7, i, &p, &t, today));
            if let Some((code, d)) = a {
                n += 1;
                assert!(vagar_domain::competence::is_profile_code(&code));
                assert!(!d.experiences.is_empty());
            }
        }
        assert!((60..=240).contains(&n), "{n} of 400");
    }
}
