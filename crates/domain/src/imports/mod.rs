//! Reading the two open-data feeds Vägar imports, row by row, into checked
//! values: Arbetsförmedlingen's Yrkesbarometer (shortage occupations) and a
//! JobTech JobSearch answer (job ads). Every row that cannot be used is
//! reported with its position and the reason; nothing here touches storage.

use serde::Deserialize;
use serde_json::Value;

use crate::geo;
use crate::identity::OrganisationNumber;
use crate::taxonomy::is_ssyk4;

/// A row that could not be used: its 1-based position in the file's array
/// (and the ad id, for job ads) and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowProblem {
    pub row: usize,
    pub id: Option<String>,
    pub reason: String,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum FileError {
    #[error("the file is not JSON: {0}")]
    NotJson(String),
    #[error("{0}")]
    Layout(String),
}

/// Whole country, in `shortage_occupations.county_code`.
pub const WHOLE_COUNTRY: &str = "00";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShortageRow {
    pub round: String,
    pub concept_id: String,
    pub ssyk_code: String,
    pub county_code: String,
    pub occupation_label: String,
    /// small, medium or large
    pub job_opportunities: Option<String>,
    /// shortage, balance or surplus
    pub recruitment_situation: String,
    pub outlook: Option<String>,
}

fn text(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn fold(s: &str) -> String {
    crate::participants::fold_for_search(s)
}

/// A county given as a code ("01", "1"), a name ("Stockholms län",
/// "Stockholm") or the whole country ("Riket", "Hela landet", "Sverige").
pub fn county_code(input: &str) -> Option<String> {
    let s = input.trim();
    if s.bytes().all(|b| b.is_ascii_digit()) && !s.is_empty() && s.len() <= 2 {
        let code = format!("{:0>2}", s);
        return (code == WHOLE_COUNTRY || geo::county_name(&code).is_some()).then_some(code);
    }
    let key = fold(s);
    if ["riket", "hela landet", "sverige", "hela riket", "sweden"].contains(&key.as_str()) {
        return Some(WHOLE_COUNTRY.to_string());
    }
    let key = key.trim_end_matches(" lan").to_string();
    geo::counties()
        .find(|(_, name)| {
            let n = fold(name);
            n == key || n.trim_end_matches(" lan") == key || n.trim_end_matches("s lan") == key
        })
        .map(|(code, _)| code.to_string())
}

fn job_opportunities(s: &str) -> Option<&'static str> {
    match fold(s).as_str() {
        "sma" | "small" | "mycket sma" | "smaa" => Some("small"),
        "medelstora" | "medium" | "medel" => Some("medium"),
        "stora" | "large" | "mycket stora" => Some("large"),
        _ => None,
    }
}

fn recruitment_situation(s: &str) -> Option<&'static str> {
    match fold(s).as_str() {
        "brist" | "stor brist" | "liten brist" | "shortage" => Some("shortage"),
        "balans" | "balance" => Some("balance"),
        "overskott" | "stort overskott" | "litet overskott" | "surplus" => Some("surplus"),
        _ => None,
    }
}

/// Read a Yrkesbarometer file: one JSON array of rows with `yb_yrke`,
/// `yb_concept_id`, `ssyk`, `lan`, `omgang`, `jobbmojligheter`,
/// `rekryteringssituation` and `prognos`. Values may be Swedish words (as
/// published) or the English codes.
pub fn parse_shortage(json: &str) -> Result<(Vec<ShortageRow>, Vec<RowProblem>), FileError> {
    let v: Value = serde_json::from_str(json).map_err(|e| FileError::NotJson(e.to_string()))?;
    let rows = v
        .as_array()
        .ok_or_else(|| FileError::Layout("expected a JSON array of Yrkesbarometer rows".into()))?;
    let mut ok = Vec::new();
    let mut problems = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let problem = |reason: String| RowProblem {
            row: i + 1,
            id: text(r, "yb_concept_id"),
            reason,
        };
        if !r.is_object() {
            problems.push(problem("not an object".into()));
            continue;
        }
        let mut reasons = Vec::new();
        let label = text(r, "yb_yrke");
        if label.is_none() {
            reasons.push("yb_yrke is missing".to_string());
        }
        let concept = text(r, "yb_concept_id");
        if concept.is_none() {
            reasons.push("yb_concept_id is missing".into());
        }
        let ssyk = text(r, "ssyk");
        let ssyk_ok = ssyk.as_deref().is_some_and(is_ssyk4);
        if !ssyk_ok {
            reasons.push("ssyk must be a 4-digit SSYK 2012 code".into());
        }
        let county = text(r, "lan").and_then(|l| county_code(&l));
        if county.is_none() {
            reasons.push("lan is not a county or the whole country".into());
        }
        let round = text(r, "omgang");
        if round.is_none() {
            reasons.push("omgang is missing".into());
        }
        let situation = text(r, "rekryteringssituation").and_then(|s| recruitment_situation(&s));
        if situation.is_none() {
            reasons.push(
                "rekryteringssituation must be brist/balans/överskott (shortage/balance/surplus)"
                    .into(),
            );
        }
        let jobs = match text(r, "jobbmojligheter") {
            None => None,
            Some(j) => match job_opportunities(&j) {
                Some(j) => Some(j.to_string()),
                None => {
                    reasons.push("jobbmojligheter must be små/medelstora/stora".into());
                    None
                }
            },
        };
        if !reasons.is_empty() {
            problems.push(problem(reasons.join("; ")));
            continue;
        }
        ok.push(ShortageRow {
            round: round.unwrap_or_default(),
            concept_id: concept.unwrap_or_default(),
            ssyk_code: ssyk.unwrap_or_default(),
            county_code: county.unwrap_or_default(),
            occupation_label: label.unwrap_or_default(),
            job_opportunities: jobs,
            recruitment_situation: situation.unwrap_or_default().to_string(),
            outlook: text(r, "prognos"),
        });
    }
    // The same occupation, county and round twice is a contradiction.
    let mut seen = std::collections::HashMap::new();
    for (i, row) in ok.iter().enumerate() {
        let key = (&row.round, &row.concept_id, &row.county_code);
        if let Some(first) = seen.insert(key, i) {
            problems.push(RowProblem {
                row: 0,
                id: Some(row.concept_id.clone()),
                reason: format!(
                    "{} in county {} round {} appears twice (rows {} and {})",
                    row.occupation_label,
                    row.county_code,
                    row.round,
                    first + 1,
                    i + 1
                ),
            });
        }
    }
    Ok((ok, problems))
}

/// One usable job ad.
#[derive(Debug, Clone, PartialEq)]
pub struct JobAd {
    pub ad_id: String,
    pub headline: String,
    pub organisation_number: OrganisationNumber,
    pub employer_name: String,
    pub workplace_name: Option<String>,
    pub ssyk_code: String,
    pub occupation_id: Option<String>,
    pub occupation_label: String,
    pub positions: i64,
    pub description: String,
    pub application_deadline: Option<String>,
    pub municipality_code: Option<String>,
    pub street_address: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub part_time: bool,
    pub driving_licences: Vec<String>,
    /// (concept id, label, required)
    pub skills: Vec<(String, String, bool)>,
    pub removed: bool,
}

/// Longest description kept from an ad.
pub const MAX_DESCRIPTION: usize = 10_000;

#[derive(Deserialize)]
struct Answer {
    hits: Vec<Value>,
}

/// Read a JobSearch answer `{total:{value}, hits:[…]}`. An ad is usable when
/// it has an id, a valid employer organisation number, an employer name and
/// an SSYK 4 occupation group (`occupation_group.legacy_ams_taxonomy_id`,
/// or resolved by the caller from `occupation_group.concept_id`).
pub fn parse_job_ads(
    json: &str,
    ssyk_of_group: impl Fn(&str) -> Option<String>,
) -> Result<(Vec<JobAd>, Vec<RowProblem>), FileError> {
    let v: Value = serde_json::from_str(json).map_err(|e| FileError::NotJson(e.to_string()))?;
    let answer: Answer = serde_json::from_value(v).map_err(|_| {
        FileError::Layout("expected a JobSearch answer: {\"total\": …, \"hits\": [ … ]}".into())
    })?;
    let mut ok: Vec<JobAd> = Vec::new();
    let mut problems = Vec::new();
    for (i, h) in answer.hits.iter().enumerate() {
        let id = text(h, "id");
        let problem = |reason: String| RowProblem {
            row: i + 1,
            id: id.clone(),
            reason,
        };
        let Some(ad_id) = id.clone() else {
            problems.push(problem("id is missing".into()));
            continue;
        };
        let empty = Value::Null;
        let employer = h.get("employer").unwrap_or(&empty);
        let mut reasons = Vec::new();
        let org = match text(employer, "organization_number") {
            None => {
                reasons.push("employer.organization_number is missing".to_string());
                None
            }
            Some(o) => match OrganisationNumber::parse(&o) {
                Ok(o) => Some(o),
                Err(e) => {
                    reasons.push(format!("employer.organization_number: {e}"));
                    None
                }
            },
        };
        let employer_name = text(employer, "name");
        if employer_name.is_none() {
            reasons.push("employer.name is missing".into());
        }
        let group = h.get("occupation_group").unwrap_or(&empty);
        let ssyk = text(group, "legacy_ams_taxonomy_id")
            .filter(|s| is_ssyk4(s))
            .or_else(|| text(group, "concept_id").and_then(|c| ssyk_of_group(&c)));
        if ssyk.is_none() {
            reasons.push("occupation_group is not an SSYK 2012 unit group".into());
        }
        let occupation = h.get("occupation").unwrap_or(&empty);
        let positions = match h.get("number_of_vacancies") {
            None | Some(Value::Null) => 1,
            Some(Value::Number(n)) => match n.as_i64() {
                Some(n) if (1..=500).contains(&n) => n,
                _ => {
                    reasons.push("number_of_vacancies must be 1–500".into());
                    0
                }
            },
            Some(_) => {
                reasons.push("number_of_vacancies is not a number".into());
                0
            }
        };
        let address = h.get("workplace_address").unwrap_or(&empty);
        let municipality_code = text(address, "municipality_code");
        if let Some(m) = &municipality_code {
            if geo::municipality(m).is_none() {
                reasons.push(format!(
                    "workplace_address.municipality_code {m} is not a municipality"
                ));
            }
        }
        if !reasons.is_empty() {
            problems.push(problem(reasons.join("; ")));
            continue;
        }
        let mut skills: Vec<(String, String, bool)> = Vec::new();
        for (key, required) in [("must_have", true), ("nice_to_have", false)] {
            let list = h
                .get(key)
                .and_then(|m| m.get("skills"))
                .and_then(Value::as_array);
            for s in list.into_iter().flatten() {
                if let (Some(cid), Some(label)) = (text(s, "concept_id"), text(s, "label")) {
                    if !skills.iter().any(|(c, _, _)| *c == cid) {
                        skills.push((cid, label, required));
                    }
                }
            }
        }
        let driving_licences = h
            .get("driving_license")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|d| text(d, "label"))
            .map(|l| l.trim().to_uppercase())
            .filter(|l| !l.is_empty() && l.len() <= 3)
            .collect();
        let description: String = h
            .get("description")
            .and_then(|d| text(d, "text"))
            .unwrap_or_default()
            .chars()
            .take(MAX_DESCRIPTION)
            .collect();
        let part_time = h
            .get("working_hours_type")
            .and_then(|w| text(w, "label"))
            .is_some_and(|l| fold(&l).contains("deltid") || fold(&l).contains("part"));
        let ad = JobAd {
            headline: text(h, "headline").unwrap_or_else(|| {
                text(occupation, "label").unwrap_or_else(|| "Platsannons".into())
            }),
            organisation_number: org.expect("checked above"),
            employer_name: employer_name.expect("checked above"),
            workplace_name: text(employer, "workplace"),
            ssyk_code: ssyk.expect("checked above"),
            occupation_id: text(occupation, "concept_id"),
            occupation_label: text(occupation, "label")
                .or_else(|| text(group, "label"))
                .unwrap_or_default(),
            positions,
            description,
            application_deadline: text(h, "application_deadline")
                .map(|d| d.chars().take(10).collect()),
            municipality_code,
            street_address: text(address, "street_address"),
            postal_code: text(address, "postcode"),
            city: text(address, "city"),
            part_time,
            driving_licences,
            skills,
            removed: h.get("removed").and_then(Value::as_bool).unwrap_or(false),
            ad_id,
        };
        // The same ad twice in one answer: the later one wins, as it would
        // on a second import.
        if let Some(prev) = ok.iter_mut().find(|a| a.ad_id == ad.ad_id) {
            *prev = ad;
        } else {
            ok.push(ad);
        }
    }
    Ok((ok, problems))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counties_by_code_name_or_whole_country() {
        assert_eq!(county_code("01").as_deref(), Some("01"));
        assert_eq!(county_code("1").as_deref(), Some("01"));
        assert_eq!(county_code("Stockholms län").as_deref(), Some("01"));
        assert_eq!(county_code("stockholm").as_deref(), Some("01"));
        assert_eq!(county_code("Västra Götalands län").as_deref(), Some("14"));
        assert_eq!(county_code("Riket").as_deref(), Some("00"));
        assert_eq!(county_code("Atlantis"), None);
        assert_eq!(county_code("99"), None);
    }

    #[test]
    fn shortage_rows_in_swedish_or_english_and_bad_rows_reported() {
        let json = r#"[
          {"yb_yrke":"Undersköterskor","yb_concept_id":"abc","ssyk":"5321","lan":"Stockholms län",
           "omgang":"2026-2","jobbmojligheter":"stora","rekryteringssituation":"brist","prognos":"stora"},
          {"yb_yrke":"Lagerarbetare","yb_concept_id":"def","ssyk":"4321","lan":"Riket",
           "omgang":"2026-2","jobbmojligheter":"small","rekryteringssituation":"surplus"},
          {"yb_yrke":"X","yb_concept_id":"ghi","ssyk":"53","lan":"Narnia","omgang":"2026-2",
           "rekryteringssituation":"kanske"},
          7
        ]"#;
        let (rows, problems) = parse_shortage(json).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].county_code, "01");
        assert_eq!(rows[0].recruitment_situation, "shortage");
        assert_eq!(rows[0].job_opportunities.as_deref(), Some("large"));
        assert_eq!(rows[1].county_code, "00");
        assert_eq!(rows[1].recruitment_situation, "surplus");
        assert_eq!(problems.len(), 2);
        assert_eq!(problems[0].row, 3);
        assert!(
            problems[0].reason.contains("ssyk"),
            "{}",
            problems[0].reason
        );
        assert!(problems[0].reason.contains("lan"));
        assert!(problems[0].reason.contains("rekryteringssituation"));
        assert_eq!(problems[1].row, 4);
        assert!(matches!(parse_shortage("{}"), Err(FileError::Layout(_))));
        assert!(matches!(parse_shortage("nope"), Err(FileError::NotJson(_))));
    }

    fn ad(id: &str, org: &str) -> String {
        format!(
            r#"{{"id":"{id}","headline":"Undersköterska till hemtjänst","number_of_vacancies":3,
            "application_deadline":"2026-12-31T23:59:59","description":{{"text":"Vi söker"}},
            "employer":{{"organization_number":"{org}","name":"Omsorg AB","workplace":"Omsorg Farsta"}},
            "occupation":{{"concept_id":"occ1","label":"Undersköterska, hemtjänst"}},
            "occupation_group":{{"concept_id":"g1","label":"Undersköterskor","legacy_ams_taxonomy_id":"5321"}},
            "working_hours_type":{{"label":"Deltid"}},
            "driving_license":[{{"concept_id":"x","label":"B"}}],
            "workplace_address":{{"municipality_code":"0180","city":"Stockholm","postcode":"12345","coordinates":[18.0,59.3]}},
            "must_have":{{"skills":[{{"concept_id":"s1","label":"Demensvård","weight":10}}]}},
            "nice_to_have":{{"skills":[{{"concept_id":"s2","label":"Palliativ vård","weight":5}}]}},
            "removed":false}}"#
        )
    }

    #[test]
    fn job_ads_become_needs_and_unusable_ads_are_reported() {
        let json = format!(
            r#"{{"total":{{"value":3}},"hits":[{},{},{{"headline":"no id"}}]}}"#,
            ad("a1", "556036-0793"),
            ad("a2", "556036-0794"),
        );
        let (ads, problems) = parse_job_ads(&json, |_| None).unwrap();
        assert_eq!(ads.len(), 1);
        let a = &ads[0];
        assert_eq!(a.organisation_number.as_str(), "5560360793");
        assert_eq!((a.ssyk_code.as_str(), a.positions), ("5321", 3));
        assert!(a.part_time);
        assert_eq!(a.driving_licences, ["B"]);
        assert_eq!(a.application_deadline.as_deref(), Some("2026-12-31"));
        assert_eq!(
            a.skills,
            [
                ("s1".to_string(), "Demensvård".to_string(), true),
                ("s2".to_string(), "Palliativ vård".to_string(), false)
            ]
        );
        assert_eq!(problems.len(), 2);
        assert_eq!(
            (problems[0].row, problems[0].id.as_deref()),
            (2, Some("a2"))
        );
        assert!(problems[0].reason.contains("organization_number"));
        assert_eq!(problems[1].row, 3);
        // Without the legacy code, the caller's lookup gives the SSYK group.
        let json = ad("a3", "5560360793").replace(r#","legacy_ams_taxonomy_id":"5321""#, "");
        let (ads, _) = parse_job_ads(&format!(r#"{{"hits":[{json}]}}"#), |c| {
            (c == "g1").then(|| "5321".into())
        })
        .unwrap();
        assert_eq!(ads[0].ssyk_code, "5321");
        assert!(matches!(
            parse_job_ads("[]", |_| None),
            Err(FileError::Layout(_))
        ));
    }
}
