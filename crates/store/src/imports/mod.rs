//! Applying the imported feeds: shortage occupations (Yrkesbarometer) and
//! job ads (JobTech JobSearch). Each import is one transaction with its
//! audit event, and idempotent: importing the same file again changes nothing.

use chrono::{DateTime, Utc};
use vagar_domain::imports::{JobAd, ShortageRow};

use crate::access::{record_system, SYSTEM};
use crate::audit::Tx;
use crate::kernel::sql::{Arg, Sql};
use crate::{get, micros, Result, Store};

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ShortageImport {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct JobAdImport {
    pub employers_created: u64,
    pub workplaces_created: u64,
    pub needs_created: u64,
    pub needs_updated: u64,
    pub needs_unchanged: u64,
    pub needs_closed: u64,
}

fn text(s: &str) -> Arg {
    Arg::Text(s.to_string())
}

fn opt(s: &Option<String>) -> Arg {
    Arg::OptText(s.clone())
}

impl Store {
    /// Insert or update Yrkesbarometer rows by (round, occupation, county).
    pub async fn import_shortage(
        &self,
        rows: &[ShortageRow],
        source: &str,
        now: DateTime<Utc>,
        progress: impl Fn(u64),
    ) -> Result<ShortageImport> {
        let mut tx = self.begin_audited().await?;
        let mut out = ShortageImport::default();
        for (i, r) in rows.iter().enumerate() {
            let existing = Sql::new(
                "SELECT ssyk_code, occupation_label, job_opportunities, recruitment_situation, outlook \
                 FROM shortage_occupations WHERE round = ",
            )
            .bind(text(&r.round))
            .push(" AND concept_id = ")
            .bind(text(&r.concept_id))
            .push(" AND county_code = ")
            .bind(text(&r.county_code))
            .query()
            .fetch_optional(&mut *tx)
            .await?;
            match existing {
                None => {
                    Sql::new(
                        "INSERT INTO shortage_occupations (round, concept_id, ssyk_code, county_code, \
                         occupation_label, job_opportunities, recruitment_situation, outlook, imported_at) VALUES (",
                    )
                    .bind(text(&r.round))
                    .push(", ")
                    .bind(text(&r.concept_id))
                    .push(", ")
                    .bind(text(&r.ssyk_code))
                    .push(", ")
                    .bind(text(&r.county_code))
                    .push(", ")
                    .bind(text(&r.occupation_label))
                    .push(", ")
                    .bind(opt(&r.job_opportunities))
                    .push(", ")
                    .bind(text(&r.recruitment_situation))
                    .push(", ")
                    .bind(opt(&r.outlook))
                    .push(", ")
                    .bind(Arg::I64(micros(now)))
                    .push(")")
                    .query()
                    .execute(&mut *tx)
                    .await?;
                    out.inserted += 1;
                }
                Some(row) => {
                    let same = get::<String>(&row, "ssyk_code")? == r.ssyk_code
                        && get::<String>(&row, "occupation_label")? == r.occupation_label
                        && get::<Option<String>>(&row, "job_opportunities")? == r.job_opportunities
                        && get::<String>(&row, "recruitment_situation")? == r.recruitment_situation
                        && get::<Option<String>>(&row, "outlook")? == r.outlook;
                    if same {
                        out.unchanged += 1;
                    } else {
                        Sql::new("UPDATE shortage_occupations SET ssyk_code = ")
                            .bind(text(&r.ssyk_code))
                            .push(", occupation_label = ")
                            .bind(text(&r.occupation_label))
                            .push(", job_opportunities = ")
                            .bind(opt(&r.job_opportunities))
                            .push(", recruitment_situation = ")
                            .bind(text(&r.recruitment_situation))
                            .push(", outlook = ")
                            .bind(opt(&r.outlook))
                            .push(", imported_at = ")
                            .bind(Arg::I64(micros(now)))
                            .push(" WHERE round = ")
                            .bind(text(&r.round))
                            .push(" AND concept_id = ")
                            .bind(text(&r.concept_id))
                            .push(" AND county_code = ")
                            .bind(text(&r.county_code))
                            .query()
                            .execute(&mut *tx)
                            .await?;
                        out.updated += 1;
                    }
                }
            }
            progress(i as u64 + 1);
        }
        let detail = format!(
            "{source}: {} inserted, {} updated, {} unchanged",
            out.inserted, out.updated, out.unchanged
        );
        record_system(&mut tx, now, "import_shortage", SYSTEM, &detail).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Shortage at a workplace's municipality (Stockholm's county when none),
    /// asked once per (SSYK, county) through `cache` when marking many needs.
    pub(crate) async fn shortage_at(
        &self,
        cache: &mut std::collections::HashMap<(String, String), bool>,
        ssyk_code: &str,
        municipality: Option<&str>,
    ) -> Result<bool> {
        let county = municipality
            .and_then(vagar_domain::geo::county_of)
            .unwrap_or("01");
        let key = (ssyk_code.to_string(), county.to_string());
        if let Some(v) = cache.get(&key) {
            return Ok(*v);
        }
        let v = self.is_shortage(ssyk_code, county).await?;
        cache.insert(key, v);
        Ok(v)
    }

    /// Is this SSYK 4 occupation short of people in the county, by the
    /// newest round that covers it there (the whole country when the county
    /// has no row)?
    pub async fn is_shortage(&self, ssyk_code: &str, county_code: &str) -> Result<bool> {
        let newest_round =
            Sql::new("SELECT MAX(round) AS r FROM shortage_occupations WHERE ssyk_code = ")
                .bind(text(ssyk_code))
                .push(" AND county_code IN (")
                .bind(text(county_code))
                .push(", '00')")
                .query()
                .fetch_one(&self.pool)
                .await?;
        let round: Option<String> = get(&newest_round, "r")?;
        let Some(round) = round else {
            return Ok(false);
        };
        let rows = Sql::new(
            "SELECT recruitment_situation, county_code FROM shortage_occupations WHERE ssyk_code = ",
        )
        .bind(text(ssyk_code))
        .push(" AND round = ")
        .bind(text(&round))
        .push(" AND county_code IN (")
        .bind(text(county_code))
        .push(", '00')")
        .query()
        .fetch_all(&self.pool)
        .await?;
        let mut county = Vec::new();
        let mut country = Vec::new();
        for r in &rows {
            let situation: String = get(r, "recruitment_situation")?;
            let code: String = get(r, "county_code")?;
            if code == county_code {
                county.push(situation);
            } else {
                country.push(situation);
            }
        }
        // The county's own verdict wins over the whole country's; one
        // occupation of the group short of people marks the group.
        let verdict = if county.is_empty() { country } else { county };
        Ok(verdict.iter().any(|s| s == "shortage"))
    }

    /// Create or update employers, workplaces and competence needs from job
    /// ads, by ad id. An ad marked removed closes its need. A need a
    /// coordinator has filled or closed keeps that status.
    pub async fn import_job_ads(
        &self,
        ads: &[JobAd],
        source: &str,
        now: DateTime<Utc>,
        progress: impl Fn(u64),
    ) -> Result<JobAdImport> {
        let mut tx = self.begin_audited().await?;
        let mut out = JobAdImport::default();
        let at = micros(now);
        for (i, ad) in ads.iter().enumerate() {
            let (employer_id, created) = employer_for_ad(&mut tx, ad, at).await?;
            out.employers_created += u64::from(created);
            let workplace_id = match &ad.municipality_code {
                None => None,
                Some(m) => {
                    let (id, created) = workplace_for_ad(&mut tx, employer_id, ad, m, at).await?;
                    out.workplaces_created += u64::from(created);
                    Some(id)
                }
            };
            let existing = Sql::new(
                "SELECT id, employer_id, workplace_id, title, ssyk_code, occupation_id, occupation_label, \
                 positions, driving_licences, working_time, description, status, application_deadline \
                 FROM competence_needs WHERE job_ad_id = ",
            )
            .bind(text(&ad.ad_id))
            .query()
            .fetch_optional(&mut *tx)
            .await?;
            let working_time = if ad.part_time {
                "part_time"
            } else {
                "full_time"
            };
            let licences = ad.driving_licences.join(",");
            let status_for = |current: &str| -> String {
                if ad.removed {
                    "closed".into()
                } else {
                    current.to_string()
                }
            };
            let need_id = match existing {
                None => {
                    let row = Sql::new(
                        "INSERT INTO competence_needs (employer_id, workplace_id, title, ssyk_code, occupation_id, \
                         occupation_label, positions, driving_licences, working_time, forms, description, status, \
                         source, job_ad_id, application_deadline, triaged_at, created_at, updated_at) VALUES (",
                    )
                    .bind(Arg::I64(employer_id))
                    .push(", ")
                    .bind(Arg::OptI64(workplace_id))
                    .push(", ")
                    .bind(text(&ad.headline))
                    .push(", ")
                    .bind(text(&ad.ssyk_code))
                    .push(", ")
                    .bind(opt(&ad.occupation_id))
                    .push(", ")
                    .bind(text(&ad.occupation_label))
                    .push(", ")
                    .bind(Arg::I64(ad.positions))
                    .push(", ")
                    .bind(text(&licences))
                    .push(", ")
                    .bind(text(working_time))
                    // A job ad is an employment: its form is a job.
                    .push(", 'fixed_term_job', ")
                    .bind(text(&ad.description))
                    .push(", ")
                    .bind(Arg::Text(status_for("open")))
                    .push(", 'job_ad', ")
                    .bind(text(&ad.ad_id))
                    .push(", ")
                    .bind(opt(&ad.application_deadline))
                    // Imported ads need no triage: they are not in the queue.
                    .push(", ")
                    .bind(Arg::I64(at))
                    .push(", ")
                    .bind(Arg::I64(at))
                    .push(", ")
                    .bind(Arg::I64(at))
                    .push(") RETURNING id")
                    .query()
                    .fetch_one(&mut *tx)
                    .await?;
                    out.needs_created += 1;
                    if ad.removed {
                        out.needs_closed += 1;
                    }
                    let id: i64 = get(&row, "id")?;
                    replace_skills(&mut tx, id, ad).await?;
                    progress(i as u64 + 1);
                    continue;
                }
                Some(row) => {
                    let id: i64 = get(&row, "id")?;
                    let status: String = get(&row, "status")?;
                    let new_status = status_for(&status);
                    let same = get::<i64>(&row, "employer_id")? == employer_id
                        && get::<Option<i64>>(&row, "workplace_id")? == workplace_id
                        && get::<String>(&row, "title")? == ad.headline
                        && get::<String>(&row, "ssyk_code")? == ad.ssyk_code
                        && get::<Option<String>>(&row, "occupation_id")? == ad.occupation_id
                        && get::<String>(&row, "occupation_label")? == ad.occupation_label
                        && get::<i64>(&row, "positions")? == ad.positions
                        && get::<String>(&row, "driving_licences")? == licences
                        && get::<String>(&row, "working_time")? == working_time
                        && get::<String>(&row, "description")? == ad.description
                        && get::<Option<String>>(&row, "application_deadline")?
                            == ad.application_deadline
                        && status == new_status
                        && skills_of(&mut tx, id).await? == sorted_skills(ad);
                    if same {
                        out.needs_unchanged += 1;
                        progress(i as u64 + 1);
                        continue;
                    }
                    if new_status != status {
                        out.needs_closed += 1;
                    }
                    Sql::new("UPDATE competence_needs SET employer_id = ")
                        .bind(Arg::I64(employer_id))
                        .push(", workplace_id = ")
                        .bind(Arg::OptI64(workplace_id))
                        .push(", title = ")
                        .bind(text(&ad.headline))
                        .push(", ssyk_code = ")
                        .bind(text(&ad.ssyk_code))
                        .push(", occupation_id = ")
                        .bind(opt(&ad.occupation_id))
                        .push(", occupation_label = ")
                        .bind(text(&ad.occupation_label))
                        .push(", positions = ")
                        .bind(Arg::I64(ad.positions))
                        .push(", driving_licences = ")
                        .bind(text(&licences))
                        .push(", working_time = ")
                        .bind(text(working_time))
                        .push(", description = ")
                        .bind(text(&ad.description))
                        .push(", application_deadline = ")
                        .bind(opt(&ad.application_deadline))
                        .push(", status = ")
                        .bind(Arg::Text(new_status))
                        .push(", version = version + 1, updated_at = ")
                        .bind(Arg::I64(at))
                        .push(" WHERE id = ")
                        .bind(Arg::I64(id))
                        .query()
                        .execute(&mut *tx)
                        .await?;
                    out.needs_updated += 1;
                    id
                }
            };
            replace_skills(&mut tx, need_id, ad).await?;
            progress(i as u64 + 1);
        }
        let detail = format!(
            "{source}: {} needs created, {} updated, {} unchanged, {} closed; {} employers and {} workplaces created",
            out.needs_created,
            out.needs_updated,
            out.needs_unchanged,
            out.needs_closed,
            out.employers_created,
            out.workplaces_created
        );
        record_system(&mut tx, now, "import_job_ads", SYSTEM, &detail).await?;
        tx.commit().await?;
        Ok(out)
    }
}

fn sorted_skills(ad: &JobAd) -> Vec<(String, String, bool)> {
    let mut v = ad.skills.clone();
    v.sort();
    v
}

async fn skills_of(tx: &mut Tx, need_id: i64) -> Result<Vec<(String, String, bool)>> {
    let rows =
        Sql::new("SELECT skill_id, label, required FROM competence_need_skills WHERE need_id = ")
            .bind(Arg::I64(need_id))
            .query()
            .fetch_all(&mut **tx)
            .await?;
    let mut v = rows
        .iter()
        .map(|r| {
            Ok((
                get::<String>(r, "skill_id")?,
                get::<String>(r, "label")?,
                get::<i64>(r, "required")? != 0,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    v.sort();
    Ok(v)
}

async fn replace_skills(tx: &mut Tx, need_id: i64, ad: &JobAd) -> Result<()> {
    Sql::new("DELETE FROM competence_need_skills WHERE need_id = ")
        .bind(Arg::I64(need_id))
        .query()
        .execute(&mut **tx)
        .await?;
    for (id, label, required) in &ad.skills {
        Sql::new(
            "INSERT INTO competence_need_skills (need_id, skill_id, label, required) VALUES (",
        )
        .bind(Arg::I64(need_id))
        .push(", ")
        .bind(text(id))
        .push(", ")
        .bind(text(label))
        .push(", ")
        .bind(Arg::I64(i64::from(*required)))
        .push(")")
        .query()
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The employer with the ad's organisation number, created if missing. An
/// existing employer keeps its name: the register, not the ad, is the source.
async fn employer_for_ad(tx: &mut Tx, ad: &JobAd, at: i64) -> Result<(i64, bool)> {
    crate::employers::upsert_employer(
        tx,
        &ad.organisation_number,
        &ad.employer_name,
        "job_ad",
        None,
        crate::from_micros(at),
    )
    .await
}

/// The employer's workplace of this name in this municipality, created if missing.
async fn workplace_for_ad(
    tx: &mut Tx,
    employer_id: i64,
    ad: &JobAd,
    municipality: &str,
    at: i64,
) -> Result<(i64, bool)> {
    let name = ad
        .workplace_name
        .clone()
        .unwrap_or_else(|| ad.employer_name.clone());
    let found = Sql::new("SELECT id FROM employer_workplaces WHERE employer_id = ")
        .bind(Arg::I64(employer_id))
        .push(" AND name = ")
        .bind(text(&name))
        .push(" AND municipality_code = ")
        .bind(text(municipality))
        .push(" ORDER BY id")
        .query()
        .fetch_optional(&mut **tx)
        .await?;
    if let Some(row) = found {
        return Ok((get(&row, "id")?, false));
    }
    let row = Sql::new(
        "INSERT INTO employer_workplaces (employer_id, name, street_address, postal_code, city, \
         municipality_code, created_at) VALUES (",
    )
    .bind(Arg::I64(employer_id))
    .push(", ")
    .bind(text(&name))
    .push(", ")
    .bind(opt(&ad.street_address))
    .push(", ")
    .bind(opt(&ad.postal_code))
    .push(", ")
    .bind(opt(&ad.city))
    .push(", ")
    .bind(text(municipality))
    .push(", ")
    .bind(Arg::I64(at))
    .push(") RETURNING id")
    .query()
    .fetch_one(&mut **tx)
    .await?;
    Ok((get(&row, "id")?, true))
}
