//! The joint assessment (kartläggning): work experience (SSYK 2012
//! occupations and years), education, Swedish level, barriers and resources
//! (childcare, housing, economy, health), the person's own goals and free
//! text. Versioned: every save is a new, complete version.
//!
//! Health is special: it is shown to a reader who holds the participant by
//! consent only when that consent covers `health` (the caller decides; this
//! module only keeps it apart as [`Barrier`] `health`).

use crate::org::code_enum;
use crate::participants::{EducationLevel, SwedishLevel};
use crate::taxonomy::is_ssyk4;
use crate::validation::{optional_text, ValidationErrors};
use serde::{Deserialize, Serialize};

code_enum!(
    /// How much a circumstance stands in the way.
    BarrierLevel {
        None = "none",
        Some = "some",
        Major = "major",
    }
);

pub const MAX_WORK_ENTRIES: usize = 20;
pub const MAX_NOTE: usize = 1000;
pub const MAX_TEXT: usize = 4000;
pub const MAX_NAME: usize = 200;
pub const MAX_YEARS: i64 = 60;
/// The barrier areas in display order; `health` needs a consent covering it.
pub const AREAS: [&str; 4] = ["childcare", "housing", "economy", "health"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkExperience {
    pub ssyk_code: String,
    pub occupation: String,
    pub years: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Barrier {
    pub level: BarrierLevel,
    pub note: Option<String>,
}

/// A validated assessment (one version's content). `health` is kept apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessmentData {
    pub work_experience: Vec<WorkExperience>,
    pub education_level: EducationLevel,
    pub education_text: Option<String>,
    pub swedish_level: Option<SwedishLevel>,
    pub childcare: Option<Barrier>,
    pub housing: Option<Barrier>,
    pub economy: Option<Barrier>,
    pub own_goals: Option<String>,
    pub free_text: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct WorkInput {
    pub ssyk_code: Option<String>,
    pub occupation: Option<String>,
    /// Text so a form's "3x" reports as a field error.
    pub years: Option<String>,
}

/// A barrier as it arrives (also the API body's shape).
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct BarrierInput {
    /// none, some or major (required when a note is given)
    pub level: Option<String>,
    /// At most 1 000 characters.
    pub note: Option<String>,
}

/// What arrives from a form or the API, untyped enough to name each problem.
#[derive(Debug, Clone, Default)]
pub struct AssessmentInput {
    pub work_experience: Vec<WorkInput>,
    pub education_level: Option<String>,
    pub education_text: Option<String>,
    pub swedish_level: Option<String>,
    pub childcare: BarrierInput,
    pub housing: BarrierInput,
    pub economy: BarrierInput,
    pub health: BarrierInput,
    pub own_goals: Option<String>,
    pub free_text: Option<String>,
}

fn barrier(errors: &mut ValidationErrors, area: &str, b: &BarrierInput) -> Option<Barrier> {
    let note_field = format!("{area}.note");
    let note = optional_text(errors, &note_field, b.note.as_deref(), MAX_NOTE);
    let level = match b.level.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            if note.is_some() {
                errors.add(
                    &format!("{area}.level"),
                    "required",
                    format!("{area}.level is required with a note"),
                );
            }
            return None;
        }
        Some(l) => match BarrierLevel::parse(l) {
            Some(l) => l,
            None => {
                errors.add(
                    &format!("{area}.level"),
                    "invalid",
                    format!("{area}.level must be one of none, some, major"),
                );
                return None;
            }
        },
    };
    Some(Barrier { level, note })
}

impl AssessmentData {
    /// Validate an input into the assessment and the health barrier.
    pub fn from_input(
        input: &AssessmentInput,
    ) -> Result<(AssessmentData, Option<Barrier>), ValidationErrors> {
        let mut e = ValidationErrors::new();
        if input.work_experience.len() > MAX_WORK_ENTRIES {
            e.add(
                "work_experience",
                "too_many",
                format!("work_experience may have at most {MAX_WORK_ENTRIES} entries"),
            );
        }
        let mut work = Vec::new();
        for (i, w) in input.work_experience.iter().enumerate() {
            let f = |name: &str| format!("work_experience[{i}].{name}");
            let code = w.ssyk_code.as_deref().map(str::trim).unwrap_or("");
            let mut ok = true;
            if code.is_empty() {
                e.add(
                    &f("ssyk_code"),
                    "required",
                    format!("{} is required", f("ssyk_code")),
                );
                ok = false;
            } else if !is_ssyk4(code) {
                e.add(
                    &f("ssyk_code"),
                    "invalid",
                    format!(
                        "{} must be an SSYK 2012 unit group: four digits",
                        f("ssyk_code")
                    ),
                );
                ok = false;
            }
            let occupation = crate::validation::required_text(
                &mut e,
                &f("occupation"),
                w.occupation.as_deref(),
                MAX_NAME,
            );
            let years = match w.years.as_deref().map(str::trim).unwrap_or("") {
                "" => {
                    e.add(
                        &f("years"),
                        "required",
                        format!("{} is required", f("years")),
                    );
                    None
                }
                y => match y.parse::<i64>() {
                    Ok(y) if (0..=MAX_YEARS).contains(&y) => Some(y),
                    _ => {
                        e.add(
                            &f("years"),
                            "out_of_range",
                            format!(
                                "{} must be a whole number from 0 to {MAX_YEARS}",
                                f("years")
                            ),
                        );
                        None
                    }
                },
            };
            if let (true, Some(years)) = (ok && !occupation.is_empty(), years) {
                work.push(WorkExperience {
                    ssyk_code: code.to_string(),
                    occupation,
                    years,
                });
            }
        }
        let education_level =
            match input.education_level.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => EducationLevel::Unknown,
                Some(v) => EducationLevel::parse(v).unwrap_or_else(|| {
                    e.add(
                        "education_level",
                        "invalid",
                        "education_level must be primary, secondary, post_secondary_short, post_secondary_long or unknown",
                    );
                    EducationLevel::Unknown
                }),
            };
        let education_text = optional_text(
            &mut e,
            "education_text",
            input.education_text.as_deref(),
            MAX_NOTE,
        );
        let swedish_level = match input
            .swedish_level
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(v) => {
                let p = SwedishLevel::parse(v);
                if p.is_none() {
                    e.add(
                        "swedish_level",
                        "invalid",
                        "swedish_level must be an SFI course, a CEFR level or native",
                    );
                }
                p
            }
        };
        let childcare = barrier(&mut e, "childcare", &input.childcare);
        let housing = barrier(&mut e, "housing", &input.housing);
        let economy = barrier(&mut e, "economy", &input.economy);
        let health = barrier(&mut e, "health", &input.health);
        let own_goals = optional_text(&mut e, "own_goals", input.own_goals.as_deref(), MAX_TEXT);
        let free_text = optional_text(&mut e, "free_text", input.free_text.as_deref(), MAX_TEXT);
        e.into_result((
            AssessmentData {
                work_experience: work,
                education_level,
                education_text,
                swedish_level,
                childcare,
                housing,
                economy,
                own_goals,
                free_text,
            },
            health,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_codes_years_levels_and_lengths() {
        let input = AssessmentInput {
            work_experience: vec![
                WorkInput {
                    ssyk_code: Some("5120".into()),
                    occupation: Some("Kock".into()),
                    years: Some("3".into()),
                },
                WorkInput {
                    ssyk_code: Some("51A".into()),
                    occupation: Some("x".into()),
                    years: Some("61".into()),
                },
            ],
            swedish_level: Some("b3".into()),
            health: BarrierInput {
                level: Some("huge".into()),
                note: None,
            },
            own_goals: Some("x".repeat(MAX_TEXT + 1)),
            ..Default::default()
        };
        let e = AssessmentData::from_input(&input).unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "work_experience[1].ssyk_code",
                "work_experience[1].years",
                "swedish_level",
                "health.level",
                "own_goals"
            ]
        );
        let ok = AssessmentInput {
            work_experience: vec![input.work_experience[0].clone()],
            health: BarrierInput {
                level: Some("some".into()),
                note: Some("Ryggbesvär".into()),
            },
            ..Default::default()
        };
        let (data, health) = AssessmentData::from_input(&ok).unwrap();
        assert_eq!(data.work_experience[0].years, 3);
        assert_eq!(health.unwrap().level, BarrierLevel::Some);
    }
}
