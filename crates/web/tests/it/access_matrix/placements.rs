//! The placement endpoints by role and where the placement is.

use super::*;

use chrono::Duration;
use common::pnr;
use serde_json::json;

// ------------------------------------------------------------ placements

listed_enum! {
    /// Where a placement is, seen from the `employer` user (organisation
    /// "Employer"): at the employer its organisation acts for, or at another.
    enum Host;
    const HOSTS = {
        OwnHost,
        OtherHost,
    }
}

listed_enum! {
    /// The placement endpoints, in the order they are tried: reads, then the
    /// override (the fixture's placements are blocked), the change, the exit
    /// (which ends the placement) and a new placement at the same host; the
    /// week of hours done is recorded before the exit.
    enum PlacementEndpoint;
    const PLACEMENT_ENDPOINTS = {
        ListPlacements,
        ReadPlacement,
        ReadDisplacement,
        OverridePlacement,
        UpdatePlacement,
        RecordWeek,
        ExitPlacement,
        CreatePlacement,
    }
}

impl PlacementEndpoint {
    fn label(self) -> &'static str {
        match self {
            PlacementEndpoint::ListPlacements => "GET /placements (presence)",
            PlacementEndpoint::ReadPlacement => "GET /placements/{id}",
            PlacementEndpoint::ReadDisplacement => "GET /placements/{id}/displacement",
            PlacementEndpoint::OverridePlacement => "POST /placements/{id}/override",
            PlacementEndpoint::UpdatePlacement => "PATCH /placements/{id}",
            PlacementEndpoint::RecordWeek => "PUT /placements/{id}/weeks/{week}",
            PlacementEndpoint::ExitPlacement => "POST /placements/{id}/exit",
            PlacementEndpoint::CreatePlacement => "POST /placements (at the host)",
        }
    }
}

/// 200 with the host's minimal fields only (first name, dates, role,
/// hours, supervisor; no surname, identity number or other personal data).
const MINIMAL: u16 = 5;

/// The table for placements: columns (OwnHost, OtherHost). The participant
/// is unit A's, on cw_a's caseload, no consent. Caseworkers follow the
/// participant policy (read to read, change to place, change and end);
/// coordinators act anywhere and alone override; admins read; the employer
/// user reads its own host's placements, minimally, and nothing else.
fn expected_placement(user: &str, e: PlacementEndpoint) -> [u16; 2] {
    use PlacementEndpoint::*;
    const F: u16 = 403;
    const N: u16 = 404;
    match (user, e) {
        ("analyst" | "partner", _) => [F, F],
        ("cw_a" | "cw_a2", ListPlacements) => [LISTED, LISTED],
        (
            "cw_a" | "cw_a2",
            ReadPlacement | ReadDisplacement | UpdatePlacement | RecordWeek | ExitPlacement,
        ) => [200, 200],
        ("cw_a" | "cw_a2", CreatePlacement) => [201, 201],
        ("cw_a" | "cw_a2", OverridePlacement) => [F, F],
        ("cw_b", ListPlacements) => [ABSENT, ABSENT],
        ("cw_b", OverridePlacement) => [F, F],
        ("cw_b", _) => [N, N],
        ("admin", ListPlacements) => [LISTED, LISTED],
        ("admin", ReadPlacement | ReadDisplacement) => [200, 200],
        ("admin", _) => [F, F],
        ("coordinator", ListPlacements) => [LISTED, LISTED],
        ("coordinator", CreatePlacement) => [201, 201],
        ("coordinator", _) => [200, 200],
        ("employer", ListPlacements) => [LISTED, ABSENT],
        ("employer", ReadPlacement) => [MINIMAL, N],
        ("employer", _) => [F, F],
        (other, _) => panic!("no row for {other}"),
    }
}

struct PlacementWorld {
    intervention: i64,
    participant: i64,
    /// (placement, host employer, host workplace) per `HOSTS`.
    placements: Vec<(i64, (i64, i64))>,
}

async fn placement_attempt(
    app: &TestApp,
    user: &str,
    e: PlacementEndpoint,
    world: &PlacementWorld,
    h: usize,
) -> (u16, String) {
    use PlacementEndpoint::*;
    let t = app.today();
    let (id, host) = world.placements[h];
    let version: i64 = vagar_store::sqlx::Row::get(
        &vagar_store::sqlx::query("SELECT version FROM placements WHERE id = $1")
            .bind(id)
            .fetch_one(app.store.pool())
            .await
            .expect("version"),
        "version",
    );
    let (method, path, body) = match e {
        ListPlacements => (Method::GET, "/api/v1/placements".to_string(), None),
        ReadPlacement => (Method::GET, format!("/api/v1/placements/{id}"), None),
        ReadDisplacement => (
            Method::GET,
            format!("/api/v1/placements/{id}/displacement"),
            None,
        ),
        OverridePlacement => (
            Method::POST,
            format!("/api/v1/placements/{id}/override"),
            Some(json!({ "override_reason": "Uppsägningen gällde en annan avdelning." })),
        ),
        UpdatePlacement => (
            Method::PATCH,
            format!("/api/v1/placements/{id}"),
            Some(json!({ "supervisor_name": "Ny Handledare", "version": version })),
        ),
        RecordWeek => {
            let monday =
                t - Duration::days(chrono::Datelike::weekday(&t).num_days_from_monday() as i64);
            (
                Method::PUT,
                format!("/api/v1/placements/{id}/weeks/{}", day(monday)),
                Some(json!({ "work_minutes": 1800, "study_minutes": 600 })),
            )
        }
        ExitPlacement => (
            Method::POST,
            format!("/api/v1/placements/{id}/exit"),
            Some(json!({ "exit_date": day(t), "exit_outcome": "studies" })),
        ),
        CreatePlacement => (
            Method::POST,
            "/api/v1/placements".to_string(),
            Some(json!({
                "participant_id": world.participant, "intervention_id": world.intervention,
                "employer_id": host.0, "workplace_id": host.1,
                "start_date": day(t + Duration::days(10)), "end_date": day(t + Duration::days(100)),
                "employment_form": "municipality", "hours_per_week_minutes": 600,
                "supervisor_name": "Handledare Hansson", "occupation_ssyk": "5120",
            })),
        ),
    };
    let r = app.call(user, method, &path, body.as_ref()).await;
    let text: String = r.text.chars().take(300).collect();
    if r.status >= 400 && r.text.contains("Placerbar") {
        return (999, format!("refusal names the participant: {text}"));
    }
    if r.status != 200 {
        return (r.status, text);
    }
    let got = match e {
        ListPlacements => {
            let ids: Vec<i64> = r
                .json
                .as_array()
                .map(|a| a.iter().filter_map(|p| p["id"].as_i64()).collect())
                .unwrap_or_default();
            if ids.contains(&id) {
                LISTED
            } else {
                ABSENT
            }
        }
        ReadPlacement => {
            let full =
                r.json["last_name"] == "Placerbar" && r.json["participant_id"] == world.participant;
            let minimal = r.json.get("last_name").is_none()
                && r.json.get("participant_id").is_none()
                && r.json.get("identity_number").is_none()
                && r.json.get("risk_factors").is_none()
                && r.json["first_name"] == "Matris"
                && r.json["supervisor_name"].is_string();
            match (full, minimal) {
                (true, false) => 200,
                (false, true) => MINIMAL,
                _ => return (994, format!("neither full nor minimal: {text}")),
            }
        }
        _ => 200,
    };
    (got, text)
}

both_engines!(placements_by_role_and_host, |app: TestApp| async move {
    let t = app.today();
    let own =
        crate::common::work::insert_host(&app, "5560000001", "Matrisvärd Egen AB", true).await;
    let other =
        crate::common::work::insert_host(&app, "5560000002", "Matrisvärd Annan AB", false).await;
    let hosts = [own, other];
    let users: Vec<&str> = common::USERS.iter().map(|u| u.0).collect();
    let mut worlds = Vec::new();
    for (w, user) in users.iter().enumerate() {
        let intervention = crate::common::work::insert_intervention(
            &app,
            &format!("Matrisinsats {user}"),
            "rental",
        )
        .await;
        // Open-ended, so that the dates below fit whatever today is.
        vagar_store::sqlx::query("UPDATE interventions SET period_to = NULL WHERE id = $1")
            .bind(intervention)
            .execute(app.store.pool())
            .await
            .expect("open-ended");
        let p = must(
            &app,
            "cw_a",
            Method::POST,
            "/api/v1/participants",
            json!({ "identity_number": pnr(900 + w as u32), "first_name": "Matris", "last_name": "Placerbar",
                    "responsible_caseworker_id": app.user_ids["cw_a"] }),
            201,
        )
        .await["id"]
            .as_i64()
            .unwrap();
        let mut placements = Vec::new();
        for host in hosts {
            let id = crate::common::work::insert_placement(
                &app,
                p,
                intervention,
                host,
                &day(t - Duration::days(10)),
                &day(t + Duration::days(80)),
                "municipality",
            )
            .await;
            // Blocked, so that the override has something to override; ten
            // hours a week, so that the person's two placements and the two
            // the matrix adds stay within one full time.
            vagar_store::sqlx::query(
                "UPDATE placements SET risk_level = 'blocked', hours_per_week_minutes = 600 WHERE id = $1",
            )
                .bind(id)
                .execute(app.store.pool())
                .await
                .expect("block");
            placements.push((id, host));
        }
        worlds.push(PlacementWorld {
            intervention,
            participant: p,
            placements,
        });
    }
    let mut mismatches = Vec::new();
    let mut audit_gaps = Vec::new();
    let mut cells = 0;
    for (w, user) in users.iter().enumerate() {
        for &e in PLACEMENT_ENDPOINTS {
            let want = expected_placement(user, e);
            for (h, host) in HOSTS.iter().enumerate() {
                cells += 1;
                let since = audit_head(&app).await;
                let (got, text) = placement_attempt(&app, user, e, &worlds[w], h).await;
                if got != want[h] {
                    mismatches.push(format!(
                        "{user:<11} | {:<36} | {host:?} | want {} | got {} — {text}",
                        e.label(),
                        answer_name(want[h]),
                        answer_name(got)
                    ));
                    continue;
                }
                if e == PlacementEndpoint::ListPlacements {
                    continue;
                }
                // Every answer is audited, naming the participant.
                let outcomes = audit_outcomes(&app, user, since, worlds[w].participant).await;
                let problem = match got {
                    403 => (denials_since(&app, user, since).await == 0)
                        .then(|| "no denied event".to_string()),
                    404 => (!outcomes.iter().any(|o| o == "denied"))
                        .then(|| format!("no denied event naming the participant: {outcomes:?}")),
                    _ => (!outcomes.iter().any(|o| o.starts_with("allowed:")))
                        .then(|| format!("no allowed event naming the participant: {outcomes:?}")),
                };
                if let Some(problem) = problem {
                    audit_gaps.push(format!(
                        "{user:<11} | {:<36} | {host:?} | {problem}",
                        e.label()
                    ));
                }
            }
        }
    }
    assert_eq!(cells, users.len() * PLACEMENT_ENDPOINTS.len() * HOSTS.len());
    assert!(
        mismatches.is_empty() && audit_gaps.is_empty(),
        "{} of {cells} placement cells differ from the table:\n{}\n{} answers without their audit event:\n{}",
        mismatches.len(),
        mismatches.join("\n"),
        audit_gaps.len(),
        audit_gaps.join("\n"),
    );
});
