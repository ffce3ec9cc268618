//! The pages `/insatser`, `/insatser/{id}`, `/placeringar/{id}`,
//! `/mina-placeringar` and `/arbetsgivarregister/{id}/varsel`, used as a
//! person would with a browser-like client: an intervention is created and
//! cannot open before its indicator and plan; a dry run explains the block
//! factor by factor; enrolment that breaks a rule shows inline messages and
//! keeps the values with nothing written; a coordinator overrides with a
//! reason; the host's user sees its own placed participant only.

use crate::common::work::insert_host;
use crate::common::{self, hidden_csrf, TestApp};
use crate::work::interventions::api::{count, day, own_and_other_placement, participant, today};
use chrono::Duration;

async fn get(c: &reqwest::Client, app: &TestApp, path: &str) -> (u16, String) {
    let r = c.get(app.url(path)).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Post `fields` with the CSRF token of `page`; (status, Location or body).
async fn post(
    c: &reqwest::Client,
    app: &TestApp,
    page: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> (u16, String) {
    let (_, html) = get(c, app, page).await;
    let csrf = hidden_csrf(&html);
    let mut form: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    let r = c.post(app.url(action)).form(&form).send().await.unwrap();
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = r.text().await.unwrap();
    (status, location.unwrap_or(body))
}

both_engines!(
    work_interventions_pages_create_open_assess_place,
    |app: TestApp| async move {
        let t = today(&app);
        let c = app.login("coordinator").await;
        let (s, html) = get(&c, &app, "/insatser").await;
        assert_eq!(s, 200);
        assert!(
            html.contains("href=\"/insatser\"") && html.contains("aria-current=\"page\""),
            "nav link"
        );
        // Bad input: inline messages, values kept.
        let (s, html) = post(
            &c,
            &app,
            "/insatser",
            "/insatser",
            &[("name", "Ungdomsjobb Söder"), ("capacity", "x")],
        )
        .await;
        assert_eq!(s, 422);
        assert!(
            html.contains("error-summary")
                && html.contains("id=\"kind-error\"")
                && html.contains("Ungdomsjobb Söder"),
            "{html}"
        );
        let (s, loc) = post(
            &c,
            &app,
            "/insatser",
            "/insatser",
            &[
                ("name", "Ungdomsjobb Söder"),
                ("kind", "programme:youth_employment"),
                ("target_groups", "youth"),
                ("capacity", "5"),
                ("period_from", &day(t - Duration::days(30))),
                ("operator_kind", "municipality"),
            ],
        )
        .await;
        assert_eq!(s, 303, "{loc}");
        let page = loc.clone();
        let id: i64 = loc.trim_start_matches("/insatser/").parse().unwrap();
        // Opening without indicator and plan names both.
        let (s, html) = post(&c, &app, &page, &format!("{page}/oppna"), &[]).await;
        assert_eq!(s, 422);
        assert!(
            html.contains("Måste finnas innan insatsen kan öppnas"),
            "{html}"
        );
        let (s, _) = post(
            &c,
            &app,
            &page,
            &format!("{page}/indikatorer"),
            &[
                ("outcome", "work_or_studies"),
                ("measured_after_days", "90"),
                ("target_percent", "40"),
            ],
        )
        .await;
        assert_eq!(s, 303);
        let (_, html) = get(&c, &app, &page).await;
        let version = html
            .split("name=\"version\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        let (s, _) = post(
            &c,
            &app,
            &page,
            &format!("{page}/uppfoljningsplan"),
            &[
                ("follow_up_plan", "Mäts efter 90 dagar."),
                ("version", &version),
            ],
        )
        .await;
        assert_eq!(s, 303);
        let (s, _) = post(&c, &app, &page, &format!("{page}/oppna"), &[]).await;
        assert_eq!(s, 303);
        let (_, html) = get(&c, &app, &page).await;
        assert!(
            html.contains("Öppen för deltagare") && html.contains("id=\"place\""),
            "open with the place form"
        );
        // A host with a recent dismissal in the occupation: the dry run explains.
        let host = insert_host(&app, "5566770001", "Café Söder AB", false).await;
        let (s, _) = post(
            &c,
            &app,
            &format!("/arbetsgivarregister/{}/varsel", host.0),
            &format!("/arbetsgivarregister/{}/varsel", host.0),
            &[
                ("occupation_ssyk", "5120"),
                ("kind", "dismissal"),
                ("occurred_on", &day(t - Duration::days(40))),
                ("persons", "3"),
            ],
        )
        .await;
        assert_eq!(s, 303);
        let (_, html) = get(&c, &app, &format!("/arbetsgivarregister/{}/varsel", host.0)).await;
        assert!(
            html.contains("Uppsägning") && html.contains("5120"),
            "{html}"
        );
        // The workplace's head count, for the share factor.
        let varsel = format!("/arbetsgivarregister/{}/varsel", host.0);
        let staff_path = format!("{varsel}/arbetsplatser/{}", host.1);
        let (s, html) = post(&c, &app, &varsel, &staff_path, &[("staff_count", "tolv")]).await;
        assert_eq!(s, 422);
        assert!(
            html.contains(&format!("staff_count-{}-error", host.1)),
            "{html}"
        );
        let (s, _) = post(&c, &app, &varsel, &staff_path, &[("staff_count", "12")]).await;
        assert_eq!(s, 303);
        let (_, html) = get(&c, &app, &varsel).await;
        assert!(html.contains("value=\"12\""), "{html}");
        let host_value = format!("{}:{}", host.0, host.1);
        let young = participant(&app, t - Duration::days(365 * 20), 201, &["youth"]).await;
        let young_s = young.to_string();
        let start = day(t);
        let end = day(t + Duration::days(90));
        let base: Vec<(&str, &str)> = vec![
            ("participant_id", &young_s),
            ("host", &host_value),
            ("occupation_ssyk", "5120"),
            ("role_title", "Kafébiträde"),
            ("start_date", &start),
            ("end_date", &end),
            ("employment_form", "municipality"),
            ("hours_per_week", "30"),
            ("planned_work_percent", "100"),
            ("planned_study_percent", "0"),
            ("supervisor_name", "Handledare Holm"),
        ];
        let mut assess = base.clone();
        assess.push(("action", "assess"));
        let placed = count(&app, "SELECT COUNT(*) AS n FROM placements").await;
        let (s, html) = post(&c, &app, &page, &format!("{page}/placera"), &assess).await;
        assert_eq!(s, 200);
        assert!(
            html.contains("data-factor=\"recent_dismissals\"")
                && html.contains("Spärrar")
                && html.contains("Spärrad"),
            "{html}"
        );
        assert!(
            html.contains("sagt upp 3 person(er)"),
            "the explanation names the numbers: {html}"
        );
        // Placing is refused with the explanation, the values kept, nothing written.
        let mut place = base.clone();
        place.push(("action", "place"));
        let (s, html) = post(&c, &app, &page, &format!("{page}/placera"), &place).await;
        assert_eq!(s, 422);
        assert!(
            html.contains("Placeringen spärras")
                && html.contains("data-factor=\"recent_dismissals\"")
                && html.contains("Kafébiträde"),
            "{html}"
        );
        // Too old for youth jobs: the rule is named with its limit.
        let older = participant(&app, t - Duration::days(365 * 30), 202, &[])
            .await
            .to_string();
        let mut old = place.clone();
        old[0] = ("participant_id", &older);
        old[2] = ("occupation_ssyk", "5321");
        let (s, html) = post(&c, &app, &page, &format!("{page}/placera"), &old).await;
        assert_eq!(s, 422);
        assert!(
            html.contains("högsta ålder vid startdatum är 24 år"),
            "{html}"
        );
        assert_eq!(
            count(&app, "SELECT COUNT(*) AS n FROM placements").await,
            placed,
            "nothing written"
        );
        // The coordinator overrides with a reason.
        let mut over = place.clone();
        over.push((
            "override_reason",
            "Uppsägningen gällde kvällspersonal, detta är dagtid.",
        ));
        let (s, loc) = post(&c, &app, &page, &format!("{page}/placera"), &over).await;
        assert_eq!(s, 303, "{loc}");
        let (s, html) = get(&c, &app, &loc).await;
        assert_eq!(s, 200);
        assert!(
            html.contains("Undantagen från spärren")
                && html.contains("dagtid")
                && html.contains("id=\"exit-submit\""),
            "{html}"
        );
        // Ending it: an outcome is required; then it is ended with its outcome.
        let exit_date = day(t + Duration::days(20));
        let (s, html) = post(
            &c,
            &app,
            &loc,
            &format!("{loc}/avsluta"),
            &[("exit_date", &exit_date), ("exit_outcome", "")],
        )
        .await;
        assert_eq!(s, 422);
        assert!(
            html.contains("id=\"exit_outcome-error\"") && html.contains("error-summary"),
            "{html}"
        );
        let (s, _) = post(
            &c,
            &app,
            &loc,
            &format!("{loc}/avsluta"),
            &[("exit_date", &exit_date), ("exit_outcome", "studies")],
        )
        .await;
        assert_eq!(s, 303);
        let (_, html) = get(&c, &app, &loc).await;
        assert!(
            html.contains("Avslutad")
                && html.contains("Studier")
                && !html.contains("id=\"exit-submit\""),
            "{html}"
        );
        let _ = id;
    }
);

both_engines!(
    work_interventions_pages_host_sees_only_its_own,
    |app: TestApp| async move {
        let hosts = [("5566770002", "Egen AB"), ("5566770003", "Annan AB")];
        let (mine, theirs) = own_and_other_placement(&app, hosts, [203, 204], [22, 22], 60).await;
        let c = app.login("employer").await;
        let (s, html) = get(&c, &app, "/mina-placeringar").await;
        assert_eq!(s, 200);
        assert!(
            html.contains(&format!("/placeringar/{mine}"))
                && !html.contains(&format!("/placeringar/{theirs}")),
            "{html}"
        );
        assert!(
            !html.contains("Placerad203") && html.contains("Handledare Hansson"),
            "first name only: {html}"
        );
        let (s, html) = get(&c, &app, &format!("/placeringar/{mine}")).await;
        assert_eq!(s, 200);
        assert!(
            !html.contains("Placerad203")
                && !html.contains("risk-factors")
                && !html.contains("exit-submit"),
            "{html}"
        );
        let (s, _) = get(&c, &app, &format!("/placeringar/{theirs}")).await;
        assert_eq!(s, 404);
        let (s, _) = get(&c, &app, "/insatser").await;
        assert_eq!(s, 403);
        // A blocked placement: the coordinator lets it stand with a reason on its page.
        vagar_store::sqlx::query("UPDATE placements SET risk_level = 'blocked' WHERE id = $1")
            .bind(theirs)
            .execute(app.store.pool())
            .await
            .unwrap();
        let coord = app.login("coordinator").await;
        let page = format!("/placeringar/{theirs}");
        let (_, html) = get(&coord, &app, &page).await;
        assert!(
            html.contains("id=\"blocked\"") && html.contains("id=\"override-submit\""),
            "{html}"
        );
        let version = html
            .split("name=\"version\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        let (s, html) = post(
            &coord,
            &app,
            &page,
            &format!("{page}/undanta"),
            &[("override_reason", "kort"), ("version", &version)],
        )
        .await;
        assert_eq!(s, 422);
        assert!(html.contains("id=\"override_reason-error\""), "{html}");
        let (s, _) = post(
            &coord,
            &app,
            &page,
            &format!("{page}/undanta"),
            &[
                ("override_reason", "Avtalad före varslet, annan avdelning."),
                ("version", &version),
            ],
        )
        .await;
        assert_eq!(s, 303);
        let (_, html) = get(&coord, &app, &page).await;
        assert!(
            html.contains("id=\"override\"")
                && html.contains("annan avdelning")
                && !html.contains("override-submit"),
            "{html}"
        );
        // A caseworker sees the block but no override form.
        let cw = app.login("cw_a").await;
        let (_, html) = get(&cw, &app, &page).await;
        assert!(
            html.contains("risk-factors") && !html.contains("override-submit"),
            "{html}"
        );
    }
);
