//! How well a participant fits a competence need: every factor scored in
//! 0..=1, explained, and weighted into one score; hard constraints remove a
//! pair outright. The batch assignment turns the score into an integer cost
//! (0 = perfect) that the exact solver minimises.

use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

use crate::participants::{EducationLevel, SwedishLevel, TargetGroup};

/// The weights of the factors. Configuration: a deployment can give its
/// own as JSON (`Weights::from_json`); any weight left out keeps its default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Weights {
    pub occupation: f64,
    pub required_skills: f64,
    pub meritorious_skills: f64,
    pub swedish: f64,
    pub driving_licence: f64,
    pub education: f64,
    pub distance: f64,
    pub shortage: f64,
    pub accessibility: f64,
    pub forms: f64,
}

impl Default for Weights {
    /// Occupation fit dominates, as the report's finding (interventions that
    /// meet the employer's actual competence need work) suggests; skills
    /// and Swedish come next; the rest refine.
    fn default() -> Self {
        Weights {
            occupation: 40.0,
            required_skills: 15.0,
            meritorious_skills: 5.0,
            swedish: 12.0,
            driving_licence: 3.0,
            education: 6.0,
            distance: 8.0,
            shortage: 5.0,
            accessibility: 3.0,
            forms: 3.0,
        }
    }
}

impl Weights {
    pub fn from_json(json: &str) -> Result<Weights, String> {
        let w: Weights = serde_json::from_str(json).map_err(|e| e.to_string())?;
        let all = [
            w.occupation,
            w.required_skills,
            w.meritorious_skills,
            w.swedish,
            w.driving_licence,
            w.education,
            w.distance,
            w.shortage,
            w.accessibility,
            w.forms,
        ];
        if all.iter().any(|v| !v.is_finite() || *v < 0.0) {
            return Err("every weight must be a number ≥ 0".into());
        }
        if all.iter().sum::<f64>() <= 0.0 {
            return Err("at least one weight must be above 0".into());
        }
        Ok(w)
    }
}

/// Where a participant's occupation comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OccupationSource {
    Experience,
    Wish,
    PlanGoal,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParticipantOccupation {
    pub ssyk_code: String,
    pub occupation_id: Option<String>,
    pub label: String,
    pub source: OccupationSource,
    /// Years of experience (experience only).
    pub years: u32,
}

/// What the rules read about a participant.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Candidate {
    pub participant_id: i64,
    pub occupations: Vec<ParticipantOccupation>,
    pub skills: HashSet<String>,
    pub swedish_level: Option<SwedishLevel>,
    pub driving_licences: Vec<String>,
    pub education_level: Option<EducationLevel>,
    pub municipality_code: String,
    pub district: Option<String>,
    /// Features of the premises the participant needs (accessibility codes).
    pub accessibility_needs: Vec<String>,
    pub target_groups: Vec<TargetGroup>,
    pub age: Option<u32>,
    /// Already in a placement: never proposed again.
    pub placed: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Need {
    pub need_id: i64,
    pub ssyk_code: String,
    pub occupation_id: Option<String>,
    pub occupation_label: String,
    pub required_skills: Vec<(String, String)>,
    pub meritorious_skills: Vec<(String, String)>,
    pub swedish_level: Option<SwedishLevel>,
    pub driving_licences: Vec<String>,
    pub education_level: Option<EducationLevel>,
    pub municipality_code: String,
    pub district: Option<String>,
    pub accessibility: Vec<String>,
    pub forms: Vec<String>,
    /// The occupation is short of people in the workplace's county.
    pub shortage: bool,
    /// A displacement check blocks placements here (the work models' rule).
    pub displacement_blocked: bool,
    /// Open positions: the need's positions less those already filled.
    pub capacity: u32,
}

/// Occupation substitutability: experience in `experience` serves `target`
/// to a percentage (JobTech's 25/50/75).
#[derive(Debug, Clone, Default)]
pub struct Substitutes {
    by_target: HashMap<String, HashMap<String, u8>>,
}

impl Substitutes {
    pub fn new(pairs: impl IntoIterator<Item = (String, String, u8)>) -> Substitutes {
        let mut by_target: HashMap<String, HashMap<String, u8>> = HashMap::new();
        for (experience, target, pct) in pairs {
            by_target.entry(target).or_default().insert(experience, pct);
        }
        Substitutes { by_target }
    }
    /// How well `experience` serves `target`, in percent.
    pub fn percentage(&self, experience: &str, target: &str) -> Option<u8> {
        self.by_target.get(target)?.get(experience).copied()
    }
    /// The occupations whose experience serves `target`, with percentages.
    pub fn serving(&self, target: &str) -> impl Iterator<Item = (&str, u8)> {
        self.by_target
            .get(target)
            .into_iter()
            .flat_map(|m| m.iter().map(|(k, v)| (k.as_str(), *v)))
    }
}

/// One explained factor.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Factor {
    /// occupation, required_skills, meritorious_skills, swedish,
    /// driving_licence, education, distance, shortage, accessibility, forms
    pub code: &'static str,
    /// 0..=1
    pub score: f64,
    pub weight: f64,
    /// What the factor found, in words (English; the UI words it in Swedish
    /// from `code`, `score` and `detail`).
    pub detail: String,
}

/// Why a pair can never be proposed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case", tag = "code")]
pub enum Block {
    MissingLicence { licence: String },
    ProgrammeRule { reason: String },
    DisplacementBlocked,
    AlreadyPlaced,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Scored {
    /// Weighted mean of the factors, 0..=1.
    pub score: f64,
    /// 0..=1000, for the solver: `round(1000 × (1 − score))`.
    pub cost: i64,
    pub factors: Vec<Factor>,
}

/// A Swedish level on one scale: SFI courses placed against CEFR (A ≈ A1,
/// B ≈ A1–A2, C ≈ A2–B1, D ≈ B1–B2), mother tongue above C2.
pub fn swedish_rank(l: SwedishLevel) -> u8 {
    match l {
        SwedishLevel::SfiA | SwedishLevel::A1 => 2,
        SwedishLevel::SfiB => 3,
        SwedishLevel::A2 => 4,
        SwedishLevel::SfiC => 5,
        SwedishLevel::B1 => 6,
        SwedishLevel::SfiD => 7,
        SwedishLevel::B2 => 8,
        SwedishLevel::C1 => 10,
        SwedishLevel::C2 => 12,
        SwedishLevel::Native => 14,
    }
}

fn education_rank(e: EducationLevel) -> Option<u8> {
    match e {
        EducationLevel::Primary => Some(1),
        EducationLevel::Secondary => Some(2),
        EducationLevel::PostSecondaryShort => Some(3),
        EducationLevel::PostSecondaryLong => Some(4),
        EducationLevel::Unknown => None,
    }
}

/// Occupation fit of one of the participant's occupations, before the
/// source's discount: same SSYK 4 (1.0) > same SSYK 3 (0.7) > substitutable
/// (0.4–0.6 by percentage) > same SSYK 2 (0.3) > none.
pub fn occupation_fit(
    have: &ParticipantOccupation,
    need: &Need,
    subs: &Substitutes,
) -> (f64, String) {
    occupation_fit_words(have, need, subs, true)
}

fn occupation_fit_words(
    have: &ParticipantOccupation,
    need: &Need,
    subs: &Substitutes,
    explain: bool,
) -> (f64, String) {
    macro_rules! words {
        ($($t:tt)*) => {
            if explain { format!($($t)*) } else { String::new() }
        };
    }
    if let (Some(have_id), Some(need_id)) = (&have.occupation_id, &need.occupation_id) {
        if have_id == need_id {
            return (1.0, words!("same occupation: {}", have.label));
        }
    }
    if have.ssyk_code == need.ssyk_code {
        return (
            1.0,
            words!("same SSYK group {}: {}", need.ssyk_code, have.label),
        );
    }
    if have.ssyk_code.get(..3) == need.ssyk_code.get(..3) && have.ssyk_code.len() >= 3 {
        return (
            0.7,
            words!("same SSYK 3 group {}: {}", &need.ssyk_code[..3], have.label),
        );
    }
    if let (Some(have_id), Some(need_id)) = (&have.occupation_id, &need.occupation_id) {
        if let Some(pct) = subs.percentage(have_id, need_id) {
            return (
                0.35 + 0.3 * f64::from(pct.min(100)) / 100.0,
                words!(
                    "substitutable: {} → {} {pct} %",
                    have.label,
                    need.occupation_label
                ),
            );
        }
    }
    if have.ssyk_code.get(..2) == need.ssyk_code.get(..2) && have.ssyk_code.len() >= 2 {
        return (
            0.3,
            words!("same SSYK 2 group {}: {}", &need.ssyk_code[..2], have.label),
        );
    }
    (0.0, String::new())
}

fn source_factor(o: &ParticipantOccupation) -> f64 {
    match o.source {
        // Years count a little, up to five.
        OccupationSource::Experience => 0.9 + 0.02 * f64::from(o.years.min(5)),
        OccupationSource::Wish => 0.8,
        OccupationSource::PlanGoal => 0.85,
    }
}

/// Is any of the need's forms open to this participant? Rental (the Telge
/// model) takes young people 16–29; a learning employment (REVIT: work with
/// study) needs someone without completed upper-secondary education; work
/// practice, fixed-term jobs and staffing are open to all.
pub fn open_forms(c: &Candidate, forms: &[String]) -> Vec<String> {
    forms.iter().filter(|f| form_open(c, f)).cloned().collect()
}

fn form_open(c: &Candidate, form: &str) -> bool {
    match form {
        "rental" => c.age.is_none_or(|a| (16..=29).contains(&a)),
        "learning_employment" => matches!(
            c.education_level,
            None | Some(EducationLevel::Primary) | Some(EducationLevel::Unknown)
        ),
        _ => true,
    }
}

/// The hard constraints: the first that removes the pair, if any.
pub fn block(c: &Candidate, n: &Need) -> Option<Block> {
    if c.placed {
        return Some(Block::AlreadyPlaced);
    }
    if n.displacement_blocked {
        return Some(Block::DisplacementBlocked);
    }
    for l in &n.driving_licences {
        if !c.driving_licences.iter().any(|h| h.eq_ignore_ascii_case(l)) {
            return Some(Block::MissingLicence { licence: l.clone() });
        }
    }
    if !n.forms.is_empty() && !n.forms.iter().any(|f| form_open(c, f)) {
        return Some(Block::ProgrammeRule {
            reason: format!(
                "none of the need's forms ({}) is open to the participant",
                n.forms.join(", ")
            ),
        });
    }
    None
}

fn county(m: &str) -> Option<&'static str> {
    crate::geo::county_of(m)
}

/// Score a pair that no hard constraint removes, every factor explained.
pub fn score(c: &Candidate, n: &Need, subs: &Substitutes, w: &Weights) -> Scored {
    compute(c, n, subs, w, true)
}

/// The cost alone, without the words: for ranking many candidates, whose
/// few best are then explained with [`score`]. Always equal to `score(…).cost`.
pub fn cost_only(c: &Candidate, n: &Need, subs: &Substitutes, w: &Weights) -> i64 {
    compute(c, n, subs, w, false).cost
}

/// Receives each factor; the words come as a closure, called only when
/// explaining, so ranking thousands of candidates allocates nothing.
trait Sink {
    fn factor(
        &mut self,
        code: &'static str,
        score: f64,
        weight: f64,
        detail: impl FnOnce() -> String,
    );
}

struct Explain(Vec<Factor>);
impl Sink for Explain {
    fn factor(
        &mut self,
        code: &'static str,
        score: f64,
        weight: f64,
        detail: impl FnOnce() -> String,
    ) {
        self.0.push(Factor {
            code,
            score,
            weight,
            detail: detail(),
        });
    }
}

#[derive(Default)]
struct Sum {
    weighted: f64,
    weights: f64,
}
impl Sink for Sum {
    fn factor(&mut self, _: &'static str, score: f64, weight: f64, _: impl FnOnce() -> String) {
        self.weighted += score * weight;
        self.weights += weight;
    }
}

fn compute(c: &Candidate, n: &Need, subs: &Substitutes, w: &Weights, explain: bool) -> Scored {
    if explain {
        let mut sink = Explain(Vec::with_capacity(10));
        factors(c, n, subs, w, &mut sink);
        let total_w: f64 = sink.0.iter().map(|f| f.weight).sum();
        let weighted: f64 = sink.0.iter().map(|f| f.score * f.weight).sum();
        let score = mean(weighted, total_w);
        Scored {
            score,
            cost: cost(score),
            factors: sink.0,
        }
    } else {
        let mut sink = Sum::default();
        factors(c, n, subs, w, &mut sink);
        let score = mean(sink.weighted, sink.weights);
        Scored {
            score,
            cost: cost(score),
            factors: Vec::new(),
        }
    }
}

fn mean(weighted: f64, weights: f64) -> f64 {
    if weights > 0.0 {
        (weighted / weights).clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// The occupation factor alone (0 = no related occupation).
pub fn occupation_score(c: &Candidate, n: &Need, subs: &Substitutes) -> f64 {
    c.occupations
        .iter()
        .map(|o| (occupation_fit_words(o, n, subs, false).0 * source_factor(o)).min(1.0))
        .fold(0.0, f64::max)
}

fn source_words(o: &ParticipantOccupation) -> String {
    match o.source {
        OccupationSource::Experience => format!("experience ({} years)", o.years),
        OccupationSource::Wish => "wished occupation".into(),
        OccupationSource::PlanGoal => "action plan goal".into(),
    }
}

fn factors(c: &Candidate, n: &Need, subs: &Substitutes, w: &Weights, sink: &mut impl Sink) {
    // The best of the participant's occupations (numbers only), explained below.
    let best = c
        .occupations
        .iter()
        .map(|o| {
            let (fit, _) = occupation_fit_words(o, n, subs, false);
            ((fit * source_factor(o)).min(1.0), o)
        })
        .filter(|(f, _)| *f > 0.0)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    sink.factor(
        "occupation",
        best.map_or(0.0, |b| b.0),
        w.occupation,
        || match best {
            None => "no related occupation".into(),
            Some((_, o)) => {
                let (_, why) = occupation_fit_words(o, n, subs, true);
                format!("{why}, from {}", source_words(o))
            }
        },
    );

    for (code, list, weight) in [
        ("required_skills", &n.required_skills, w.required_skills),
        (
            "meritorious_skills",
            &n.meritorious_skills,
            w.meritorious_skills,
        ),
    ] {
        let have = list.iter().filter(|(id, _)| c.skills.contains(id)).count();
        let score = if list.is_empty() {
            1.0
        } else {
            have as f64 / list.len() as f64
        };
        sink.factor(code, score, weight, || {
            if list.is_empty() {
                return "none asked for".into();
            }
            let names: Vec<&str> = list
                .iter()
                .filter(|(id, _)| c.skills.contains(id))
                .map(|(_, l)| l.as_str())
                .collect();
            format!("{} of {}: {}", have, list.len(), names.join(", "))
        });
    }

    let swedish = match (n.swedish_level, c.swedish_level) {
        (None, _) => 1.0,
        (Some(_), None) => 0.3,
        (Some(want), Some(have)) => {
            match i32::from(swedish_rank(want)) - i32::from(swedish_rank(have)) {
                i32::MIN..=0 => 1.0,
                1..=2 => 0.6,
                3..=4 => 0.3,
                _ => 0.0,
            }
        }
    };
    sink.factor("swedish", swedish, w.swedish, || {
        match (n.swedish_level, c.swedish_level) {
            (None, _) => "no level asked for".into(),
            (Some(want), None) => format!("{} asked for, level not known", want.as_str()),
            (Some(want), Some(have)) => {
                format!("{} asked for, has {}", want.as_str(), have.as_str())
            }
        }
    });

    // Required licences are hard constraints; here a B licence is a small
    // plus when the need asks for none.
    let has_b = c
        .driving_licences
        .iter()
        .any(|l| l.eq_ignore_ascii_case("B"));
    let licence = if !n.driving_licences.is_empty() || has_b {
        1.0
    } else {
        0.5
    };
    sink.factor("driving_licence", licence, w.driving_licence, || {
        if !n.driving_licences.is_empty() {
            format!("has {}", n.driving_licences.join(", "))
        } else if has_b {
            "none asked for; has B".into()
        } else {
            "none asked for".into()
        }
    });

    let education = match (
        n.education_level.and_then(education_rank),
        c.education_level,
    ) {
        (None, _) => 1.0,
        (Some(_), None) | (Some(_), Some(EducationLevel::Unknown)) => 0.5,
        (Some(want), Some(have)) => {
            if education_rank(have).is_some_and(|h| h >= want) {
                1.0
            } else {
                0.3
            }
        }
    };
    sink.factor("education", education, w.education, || {
        match (
            n.education_level.and_then(education_rank),
            c.education_level,
        ) {
            (None, _) => "no level asked for".into(),
            (Some(_), None) | (Some(_), Some(EducationLevel::Unknown)) => "level not known".into(),
            (Some(_), Some(have)) => format!("has {}", have.as_str()),
        }
    });

    let same_county = || {
        county(&c.municipality_code).is_some()
            && county(&c.municipality_code) == county(&n.municipality_code)
    };
    let (distance, near) = if n.municipality_code.is_empty() {
        (0.5, 0)
    } else if c.municipality_code == n.municipality_code {
        match (&c.district, &n.district) {
            (Some(a), Some(b)) if a == b => (1.0, 1),
            _ => (0.8, 2),
        }
    } else if same_county() {
        (0.5, 3)
    } else {
        (0.1, 4)
    };
    sink.factor("distance", distance, w.distance, || match near {
        0 => "workplace not known".into(),
        1 => format!(
            "same district: {}",
            n.district.as_deref().unwrap_or_default()
        ),
        2 => "same municipality".into(),
        3 => "same county".into(),
        _ => "another county".into(),
    });

    sink.factor(
        "shortage",
        if n.shortage { 1.0 } else { 0.0 },
        w.shortage,
        || {
            if n.shortage {
                "shortage occupation in the county".into()
            } else {
                "not a shortage occupation".into()
            }
        },
    );

    let missing = c
        .accessibility_needs
        .iter()
        .filter(|a| !n.accessibility.contains(a))
        .count();
    let access = if c.accessibility_needs.is_empty() {
        1.0
    } else {
        (c.accessibility_needs.len() - missing) as f64 / c.accessibility_needs.len() as f64
    };
    sink.factor("accessibility", access, w.accessibility, || {
        if c.accessibility_needs.is_empty() {
            "no needs recorded".into()
        } else if missing == 0 {
            "the premises meet every need".into()
        } else {
            let list: Vec<&str> = c
                .accessibility_needs
                .iter()
                .filter(|a| !n.accessibility.contains(a))
                .map(String::as_str)
                .collect();
            format!("missing: {}", list.join(", "))
        }
    });

    let open = n.forms.iter().filter(|f| form_open(c, f)).count();
    let forms = if n.forms.is_empty() {
        1.0
    } else {
        open as f64 / n.forms.len() as f64
    };
    sink.factor("forms", forms, w.forms, || {
        if n.forms.is_empty() {
            "any form".into()
        } else {
            format!("open: {}", open_forms(c, &n.forms).join(", "))
        }
    });
}

/// The solver's cost of a score: `round(1000 × (1 − score))`, monotone.
pub fn cost(score: f64) -> i64 {
    (1000.0 * (1.0 - score.clamp(0.0, 1.0))).round() as i64
}

/// A pair the suggestions may show: not blocked, and with some occupation fit.
pub fn evaluate(c: &Candidate, n: &Need, subs: &Substitutes, w: &Weights) -> Result<Scored, Block> {
    if let Some(b) = block(c, n) {
        return Err(b);
    }
    Ok(score(c, n, subs, w))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn occ(ssyk: &str, id: Option<&str>, source: OccupationSource) -> ParticipantOccupation {
        ParticipantOccupation {
            ssyk_code: ssyk.into(),
            occupation_id: id.map(str::to_string),
            label: format!("occupation {ssyk}"),
            source,
            years: 3,
        }
    }

    fn need() -> Need {
        Need {
            need_id: 1,
            ssyk_code: "5312".into(),
            occupation_id: Some("elevassistent".into()),
            occupation_label: "Elevassistent".into(),
            municipality_code: "0180".into(),
            district: Some("Farsta".into()),
            ..Need::default()
        }
    }

    fn subs() -> Substitutes {
        Substitutes::new([("barnskotare".to_string(), "elevassistent".to_string(), 75)])
    }

    #[test]
    fn occupation_fit_is_ordered_as_the_issue_says() {
        let n = need();
        let s = subs();
        let fit = |o: ParticipantOccupation| occupation_fit(&o, &n, &s).0;
        let same4 = fit(occ("5312", None, OccupationSource::Experience));
        let same3 = fit(occ("5311", None, OccupationSource::Experience));
        let sub75 = fit(occ(
            "9999",
            Some("barnskotare"),
            OccupationSource::Experience,
        ));
        let same2 = fit(occ("5399", None, OccupationSource::Experience));
        let none = fit(occ("2341", None, OccupationSource::Experience));
        assert!(same4 > same3 && same3 > sub75 && sub75 > same2 && same2 > none);
        let s25 = Substitutes::new([("barnskotare".to_string(), "elevassistent".to_string(), 25)]);
        let sub25 = occupation_fit(
            &occ("9999", Some("barnskotare"), OccupationSource::Wish),
            &n,
            &s25,
        )
        .0;
        assert!(sub75 > sub25 && sub25 > same2);
        let (_, why) = occupation_fit(
            &occ("9999", Some("barnskotare"), OccupationSource::Wish),
            &n,
            &s,
        );
        assert!(
            why.contains("substitutable") && why.contains("75 %"),
            "{why}"
        );
    }

    #[test]
    fn hard_constraints_remove_pairs() {
        let mut n = need();
        n.driving_licences = vec!["B".into()];
        let c = Candidate {
            municipality_code: "0180".into(),
            ..Candidate::default()
        };
        assert_eq!(
            evaluate(&c, &n, &subs(), &Weights::default()).unwrap_err(),
            Block::MissingLicence {
                licence: "B".into()
            }
        );
        let with_b = Candidate {
            driving_licences: vec!["b".into()],
            ..c.clone()
        };
        assert!(evaluate(&with_b, &n, &subs(), &Weights::default()).is_ok());
        let placed = Candidate {
            placed: true,
            ..with_b.clone()
        };
        assert_eq!(block(&placed, &n), Some(Block::AlreadyPlaced));
        let mut rental = need();
        rental.forms = vec!["rental".into()];
        let older = Candidate {
            age: Some(45),
            ..c.clone()
        };
        assert!(matches!(
            block(&older, &rental),
            Some(Block::ProgrammeRule { .. })
        ));
        let young = Candidate {
            age: Some(22),
            ..c.clone()
        };
        assert_eq!(block(&young, &rental), None);
        let mut blocked = need();
        blocked.displacement_blocked = true;
        assert_eq!(block(&c, &blocked), Some(Block::DisplacementBlocked));
    }

    #[test]
    fn every_factor_is_explained_and_weights_are_configuration() {
        let c = Candidate {
            occupations: vec![occ("5312", None, OccupationSource::Experience)],
            municipality_code: "0180".into(),
            district: Some("Farsta".into()),
            swedish_level: Some(SwedishLevel::SfiD),
            ..Candidate::default()
        };
        let mut n = need();
        n.swedish_level = Some(SwedishLevel::B1);
        let s = score(&c, &n, &subs(), &Weights::default());
        assert_eq!(s.factors.len(), 10);
        assert!(s
            .factors
            .iter()
            .all(|f| !f.detail.is_empty() && (0.0..=1.0).contains(&f.score)));
        assert_eq!(
            s.factors
                .iter()
                .find(|f| f.code == "swedish")
                .unwrap()
                .score,
            1.0
        );
        assert_eq!(
            s.factors
                .iter()
                .find(|f| f.code == "distance")
                .unwrap()
                .score,
            1.0
        );
        let w = Weights::from_json(r#"{"occupation": 0, "distance": 100}"#).unwrap();
        assert_eq!(w.swedish, Weights::default().swedish);
        assert!(Weights::from_json(r#"{"occupation": -1}"#).is_err());
        assert!(Weights::from_json(r#"{"colour": 1}"#).is_err());
    }

    fn level() -> impl Strategy<Value = Option<SwedishLevel>> {
        prop::option::of(prop::sample::select(SwedishLevel::ALL.to_vec()))
    }

    proptest! {
        #[test]
        fn scores_and_costs_stay_in_range_and_more_fit_never_costs_more(
            have in level(), want in level(), years in 0u32..40, skills in 0usize..4,
        ) {
            let mut n = need();
            n.swedish_level = want;
            n.required_skills = (0..3).map(|i| (format!("s{i}"), format!("Skill {i}"))).collect();
            let base = Candidate {
                occupations: vec![ParticipantOccupation { years, ..occ("5311", None, OccupationSource::Experience) }],
                swedish_level: have,
                skills: (0..skills).map(|i| format!("s{i}")).collect(),
                municipality_code: "0180".into(),
                ..Candidate::default()
            };
            let s = score(&base, &n, &subs(), &Weights::default());
            prop_assert!((0.0..=1.0).contains(&s.score));
            prop_assert!((0..=1000).contains(&s.cost));
            prop_assert_eq!(s.cost, cost(s.score));
            prop_assert_eq!(cost_only(&base, &n, &subs(), &Weights::default()), s.cost);
            // One more required skill never makes the pair worse.
            let mut more = base.clone();
            more.skills.insert("s0".into());
            more.skills.insert(format!("s{}", skills.min(2)));
            prop_assert!(score(&more, &n, &subs(), &Weights::default()).cost <= s.cost);
            // Nor does experience in the very same group.
            let mut same = base.clone();
            same.occupations[0].ssyk_code = "5312".into();
            prop_assert!(score(&same, &n, &subs(), &Weights::default()).cost <= s.cost);
        }
    }
}
