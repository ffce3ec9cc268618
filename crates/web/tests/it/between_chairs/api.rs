//! Nobody between chairs through the public API on both engines: each reason
//! flagged exactly when its rule holds (time moved with the app's clock),
//! filters, paging and counts, access (own unit, partner under consent,
//! analyst 403), the audit of the ids returned, and the daily job's counts
//! against an independent count of the rules.

use crate::common;

use chrono::{Duration, NaiveDate};
use common::{day, TestApp};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};

const LIST: &str = "/api/v1/alerts/between-chairs";

/// A participant registered today by `user` (unit A or B).
async fn register(
    app: &TestApp,
    user: &str,
    i: u32,
    caseworker: Option<&str>,
    district: &str,
) -> i64 {
    let mut body = json!({
        "identity_number": common::pnr(i),
        "first_name": "Stol",
        "last_name": format!("Mellan{i:03}"),
        "district": district,
    });
    if let Some(cw) = caseworker {
        body["responsible_caseworker_id"] = json!(app.user_ids[cw]);
    }
    app.create(user, body).await["id"].as_i64().unwrap()
}

async fn plan(app: &TestApp, user: &str, id: i64) {
    app.put(
        user,
        &format!("/api/v1/participants/{id}/plan"),
        json!({ "goal_kind": "occupation", "ssyk_code": "5321", "goal_title": "Undersköterska" }),
    )
    .await
    .must(201);
}

async fn step(app: &TestApp, user: &str, id: i64, org: i64, status: &str, due_in: i64) -> i64 {
    let t = app.today();
    let r = app
        .post(
            user,
            &format!("/api/v1/participants/{id}/plan/steps"),
            json!({
                "activity_type": "work_practice",
                "organisation_id": org,
                "start_date": day(t),
                "due_date": day(t + Duration::days(due_in)),
                "status": status,
            }),
        )
        .await
        .must(201);
    r.id()
}

async fn contact(app: &TestApp, user: &str, id: i64) {
    app.post(
        user,
        &format!("/api/v1/participants/{id}/contacts"),
        json!({ "contact_date": day(app.today()), "kind": "meeting" }),
    )
    .await
    .must(201);
}

/// Every flagged participant `user` sees with `query`, by id, following pages.
async fn flagged(app: &TestApp, user: &str, query: &str) -> BTreeMap<i64, Value> {
    let mut out = BTreeMap::new();
    for page in 1.. {
        let sep = if query.is_empty() { "" } else { "&" };
        let json = app
            .get(
                user,
                &format!("{LIST}?{query}{sep}per_page=200&page={page}"),
            )
            .await
            .must(200)
            .json;
        let items = json["items"].as_array().unwrap().clone();
        for i in &items {
            out.insert(i["participant_id"].as_i64().unwrap(), i.clone());
        }
        if items.len() < 200 {
            break;
        }
    }
    out
}

fn reasons(v: Option<&Value>) -> Vec<String> {
    v.map(|v| {
        v["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap().to_string())
            .collect()
    })
    .unwrap_or_default()
}

/// A carried participant of unit A: caseworker, an active step due in
/// `due_in` days, a contact today.
async fn carried(app: &TestApp, i: u32, due_in: i64) -> i64 {
    let id = register(app, "cw_a", i, Some("cw_a"), "Farsta").await;
    plan(app, "cw_a", id).await;
    step(app, "cw_a", id, app.org_a, "active", due_in).await;
    contact(app, "cw_a", id).await;
    id
}

both_engines!(
    each_reason_exactly_when_its_rule_holds,
    |app: TestApp| async move {
        let t0 = app.today();
        let a = carried(&app, 1, 60).await;
        // No caseworker, otherwise carried.
        let b = register(&app, "cw_a", 2, None, "Farsta").await;
        plan(&app, "cw_a", b).await;
        step(&app, "cw_a", b, app.org_a, "active", 60).await;
        contact(&app, "cw_a", b).await;
        // Only a planned step: no active one.
        let c = register(&app, "cw_a", 3, Some("cw_a"), "Farsta").await;
        plan(&app, "cw_a", c).await;
        step(&app, "cw_a", c, app.org_a, "planned", 60).await;
        contact(&app, "cw_a", c).await;
        // An active step due in 5 days.
        let d = carried(&app, 4, 5).await;
        // Registered today, never contacted: the registration counts.
        let e = register(&app, "cw_a", 5, Some("cw_a"), "Farsta").await;
        plan(&app, "cw_a", e).await;
        step(&app, "cw_a", e, app.org_a, "active", 60).await;
        // No plan at all.
        let f = register(&app, "cw_a", 6, Some("cw_a"), "Farsta").await;
        contact(&app, "cw_a", f).await;

        let l = flagged(&app, "cw_a", "").await;
        assert!(
            !l.contains_key(&a) && !l.contains_key(&d) && !l.contains_key(&e),
            "{l:?}"
        );
        assert_eq!(reasons(l.get(&b)), ["no_caseworker"]);
        assert_eq!(reasons(l.get(&c)), ["no_active_step"]);
        assert_eq!(reasons(l.get(&f)), ["no_active_step"]);
        assert_eq!(l[&c]["last_contact_date"], json!(day(t0)));
        assert_eq!(l[&b]["overdue_due_date"], Value::Null);

        // Due in 5 days: on day 5 not yet overdue, on day 6 it is.
        app.clock.advance(Duration::days(5));
        let l = flagged(&app, "cw_a", "").await;
        assert!(!l.contains_key(&d));
        app.clock.advance(Duration::days(1));
        let l = flagged(&app, "cw_a", "").await;
        assert_eq!(reasons(l.get(&d)), ["overdue_step"]);
        assert_eq!(
            l[&d]["overdue_due_date"],
            json!(day(t0 + Duration::days(5)))
        );
        assert!(!l.contains_key(&a) && !l.contains_key(&e));

        // A contact (or the registration) exactly 30 days ago is recent; 31 is not.
        app.clock.advance(Duration::days(24));
        let l = flagged(&app, "cw_a", "").await;
        assert!(!l.contains_key(&a) && !l.contains_key(&e), "{l:?}");
        app.clock.advance(Duration::days(1));
        let l = flagged(&app, "cw_a", "").await;
        assert_eq!(reasons(l.get(&a)), ["no_recent_contact"]);
        assert_eq!(reasons(l.get(&e)), ["no_recent_contact"]);
        assert_eq!(reasons(l.get(&b)), ["no_caseworker", "no_recent_contact"]);
        assert_eq!(reasons(l.get(&d)), ["overdue_step", "no_recent_contact"]);
        assert_eq!(l[&e]["last_contact_date"], Value::Null);
        // N is configurable.
        let l40 = flagged(&app, "cw_a", "days=40").await;
        assert!(!l40.contains_key(&a) && !l40.contains_key(&e));
        assert_eq!(reasons(l40.get(&b)), ["no_caseworker"]);
        // A new contact carries `a` again.
        contact(&app, "cw_a", a).await;
        let l = flagged(&app, "cw_a", "").await;
        assert!(!l.contains_key(&a));

        // Invalid parameters name the field.
        app.get("cw_a", &format!("{LIST}?reasons=bogus"))
            .await
            .assert_problem(422, &["reasons"]);
        app.get("cw_a", &format!("{LIST}?days=0"))
            .await
            .assert_problem(422, &["days"]);
        app.get("cw_a", &format!("{LIST}?per_page=201"))
            .await
            .assert_problem(422, &["per_page"]);
    }
);

both_engines!(filters_paging_and_counts, |app: TestApp| async move {
    let af = app.org("AF").await;
    // Five without a caseworker in Farsta, two of them also without a plan;
    // three carried in Bromma, one of them with an open AF step; one in
    // Bromma without a caseworker whose open step is AF's.
    let mut farsta = Vec::new();
    for i in 0..5 {
        let id = register(&app, "cw_a", 10 + i, None, "Farsta").await;
        if i < 3 {
            plan(&app, "cw_a", id).await;
            step(&app, "cw_a", id, app.org_a, "active", 60).await;
        }
        contact(&app, "cw_a", id).await;
        farsta.push(id);
    }
    let mut bromma = Vec::new();
    for i in 0..3 {
        let id = register(&app, "cw_a", 20 + i, Some("cw_a2"), "Bromma").await;
        plan(&app, "cw_a", id).await;
        step(
            &app,
            "cw_a",
            id,
            if i == 0 { af } else { app.org_a },
            "active",
            60,
        )
        .await;
        contact(&app, "cw_a", id).await;
        bromma.push(id);
    }
    let x = register(&app, "cw_a", 30, None, "Bromma").await;
    plan(&app, "cw_a", x).await;
    step(&app, "cw_a", x, af, "active", 60).await;
    contact(&app, "cw_a", x).await;

    let all = app.get("cw_a", LIST).await.must(200).json;
    assert_eq!(all["total"], 6);
    assert_eq!(all["counts"]["no_caseworker"], 6);
    assert_eq!(all["counts"]["no_active_step"], 2);
    assert_eq!(all["counts"]["overdue_step"], 0);
    assert_eq!(all["counts"]["no_recent_contact"], 0);
    assert_eq!(all["days"], 30);

    let l = flagged(&app, "cw_a", "district=Farsta").await;
    assert_eq!(l.keys().copied().collect::<Vec<_>>(), farsta);
    let l = flagged(&app, "cw_a", "district=Bromma").await;
    assert_eq!(l.keys().copied().collect::<Vec<_>>(), vec![x]);
    let l = flagged(&app, "cw_a", &format!("organisation_id={af}")).await;
    assert_eq!(l.keys().copied().collect::<Vec<_>>(), vec![x]);
    let l = flagged(&app, "cw_a", &format!("organisation_id={}", app.org_a)).await;
    assert_eq!(l.len(), 6);
    let l = flagged(&app, "cw_a", &format!("organisation_id={}", app.org_b)).await;
    assert!(l.is_empty());
    let only = app
        .get("cw_a", &format!("{LIST}?reasons=no_active_step"))
        .await
        .json;
    assert_eq!(only["total"], 2);
    assert_eq!(only["counts"], json!({ "no_active_step": 2 }));
    let ids: Vec<i64> = only["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["participant_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, farsta[3..].to_vec());

    // Pages of two cover the list once, in order.
    let mut paged = Vec::new();
    for page in 1..=4 {
        let j = app
            .get("cw_a", &format!("{LIST}?per_page=2&page={page}"))
            .await
            .must(200)
            .json;
        assert_eq!(j["total"], 6);
        assert_eq!(j["page"], page);
        let items = j["items"].as_array().unwrap();
        assert_eq!(items.len(), if page <= 3 { 2 } else { 0 });
        paged.extend(items.iter().map(|i| i["participant_id"].as_i64().unwrap()));
    }
    let first: Vec<i64> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["participant_id"].as_i64().unwrap())
        .collect();
    assert_eq!(paged, first);
});

both_engines!(access_and_audit, |app: TestApp| async move {
    let af = app.org("AF").await;
    let a1 = register(&app, "cw_a", 1, None, "Farsta").await;
    let a2 = register(&app, "cw_a", 2, None, "Farsta").await;
    let b1 = register(&app, "cw_b", 3, None, "Farsta").await;
    // a1 consents to AF.
    app.post(
        "cw_a",
        &format!("/api/v1/participants/{a1}/consents"),
        json!({ "organisation_ids": [af], "categories": ["action_plan"], "method": "written" }),
    )
    .await
    .must(201);
    // b1 consents to AF for contact details only: AF may read b1's record,
    // but the list would reveal plan status, which that consent does not cover.
    app.post(
        "cw_b",
        &format!("/api/v1/participants/{b1}/consents"),
        json!({ "organisation_ids": [af], "categories": ["contact_details"], "method": "written" }),
    )
    .await
    .must(201);
    app.get("partner", &format!("/api/v1/participants/{b1}"))
        .await
        .must(200);

    let ids = |l: BTreeMap<i64, Value>| l.keys().copied().collect::<Vec<_>>();
    assert_eq!(ids(flagged(&app, "cw_a", "").await), vec![a1, a2]);
    assert_eq!(ids(flagged(&app, "cw_b", "").await), vec![b1]);
    assert_eq!(ids(flagged(&app, "partner", "").await), vec![a1]);
    assert_eq!(ids(flagged(&app, "admin", "").await), vec![a1, a2, b1]);
    for user in ["analyst", "coordinator", "employer"] {
        app.get(user, LIST).await.assert_problem(403, &[]);
    }
    // The list never shows what a single read refuses.
    for (user, hidden) in [("cw_b", a1), ("partner", a2)] {
        app.get(user, &format!("/api/v1/participants/{hidden}"))
            .await
            .must(404);
    }

    // Each list is audited with the ids it returned.
    let r = app.get("admin", "/api/v1/audit?limit=1000").await.must(200);
    let events: Vec<&Value> = r
        .json
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "alerts.between_chairs.list")
        .collect();
    let by_user: HashMap<String, Vec<i64>> = events
        .iter()
        .filter(|e| e["outcome"].as_str().unwrap().starts_with("allowed"))
        .map(|e| {
            (
                e["username"].as_str().unwrap().to_string(),
                e["participant_ids"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|i| i.as_i64().unwrap())
                    .collect::<Vec<i64>>(),
            )
        })
        .collect();
    assert_eq!(by_user["partner"], vec![a1]);
    assert_eq!(by_user["cw_b"], vec![b1]);
    let mut cw_a = by_user["cw_a"].clone();
    cw_a.sort();
    assert_eq!(cw_a, vec![a1, a2]);
    assert!(events
        .iter()
        .any(|e| e["username"] == "analyst" && e["outcome"] == "denied"));
});

/// The rules recomputed from plain rows, without the domain function or the
/// list's SQL: (flagged, per reason) for the whole database.
pub async fn independent_counts(
    store: &vagar_store::Store,
    today: NaiveDate,
    days: i64,
) -> (u64, BTreeMap<&'static str, u64>, BTreeMap<String, u64>) {
    use vagar_store::sqlx::Row;
    let pool = store.pool();
    let mut people: HashMap<i64, (bool, String, String)> = HashMap::new();
    for r in vagar_store::sqlx::query(
        "SELECT id, responsible_caseworker_id, registered_on, district FROM participants",
    )
    .fetch_all(pool)
    .await
    .unwrap()
    {
        let cw: Option<i64> = r.try_get("responsible_caseworker_id").unwrap();
        let district: Option<String> = r.try_get("district").unwrap();
        people.insert(
            r.try_get("id").unwrap(),
            (
                cw.is_some(),
                r.try_get("registered_on").unwrap(),
                district.unwrap_or_default(),
            ),
        );
    }
    let mut active: HashMap<i64, bool> = HashMap::new();
    let mut overdue: HashMap<i64, bool> = HashMap::new();
    let t = day(today);
    for r in vagar_store::sqlx::query("SELECT participant_id, status, due_date FROM plan_steps")
        .fetch_all(pool)
        .await
        .unwrap()
    {
        let p: i64 = r.try_get("participant_id").unwrap();
        let status: String = r.try_get("status").unwrap();
        let due: String = r.try_get("due_date").unwrap();
        if status == "active" {
            active.insert(p, true);
        }
        if (status == "active" || status == "planned") && due < t {
            overdue.insert(p, true);
        }
    }
    let mut last: HashMap<i64, String> = HashMap::new();
    for r in vagar_store::sqlx::query("SELECT participant_id, contact_date FROM contacts")
        .fetch_all(pool)
        .await
        .unwrap()
    {
        let p: i64 = r.try_get("participant_id").unwrap();
        let d: String = r.try_get("contact_date").unwrap();
        let e = last.entry(p).or_default();
        if d > *e {
            *e = d;
        }
    }
    let cutoff = day(today - Duration::days(days));
    let mut flagged = 0;
    let mut per: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut by_district: BTreeMap<String, u64> = BTreeMap::new();
    for (id, (has_cw, registered, district)) in &people {
        let mut any = false;
        let mut hit = |k: &'static str| {
            *per.entry(k).or_default() += 1;
            any = true;
        };
        if !has_cw {
            hit("no_caseworker");
        }
        if !active.contains_key(id) {
            hit("no_active_step");
        }
        if overdue.contains_key(id) {
            hit("overdue_step");
        }
        let latest = match last.get(id) {
            Some(c) if c > registered => c.clone(),
            _ => registered.clone(),
        };
        if latest < cutoff {
            hit("no_recent_contact");
        }
        if any {
            flagged += 1;
            *by_district.entry(district.clone()).or_default() += 1;
        }
    }
    (flagged, per, by_district)
}

both_engines!(
    job_and_admin_list_match_an_independent_count,
    |app: TestApp| async move {
        // A small mixed world, then time moves so every rule has cases.
        for i in 0..12u32 {
            let cw = if i % 4 == 0 { None } else { Some("cw_a") };
            let id = register(
                &app,
                "cw_a",
                100 + i,
                cw,
                if i % 2 == 0 { "Farsta" } else { "Bromma" },
            )
            .await;
            if i % 3 != 0 {
                plan(&app, "cw_a", id).await;
                step(
                    &app,
                    "cw_a",
                    id,
                    app.org_a,
                    if i % 5 == 0 { "planned" } else { "active" },
                    (i as i64) * 4,
                )
                .await;
            }
            if i % 2 == 1 {
                contact(&app, "cw_a", id).await;
            }
            app.clock.advance(Duration::days(3));
        }
        let today = app.today();
        let (flagged, per, by_district) = independent_counts(&app.store, today, 30).await;
        assert!(
            flagged > 0 && per.len() == 4,
            "every rule has cases: {per:?}"
        );
        let run = app
            .store
            .run_between_chairs(app.clock.now(), 30)
            .await
            .unwrap();
        assert_eq!(run.total.flagged, flagged);
        for (k, n) in &per {
            let r = vagar_domain::between_chairs::Reason::parse(k).unwrap();
            assert_eq!(run.total.get(r), *n, "{k}");
        }
        let got: BTreeMap<String, u64> = run
            .by_district
            .iter()
            .map(|(d, c)| (d.clone(), c.flagged))
            .collect();
        assert_eq!(got, by_district);
        let j = app.get("admin", LIST).await.json;
        assert_eq!(j["total"], flagged);
        for (k, n) in &per {
            assert_eq!(j["counts"][*k], *n, "{k}");
        }
        let runs = app.store.between_chairs_runs(10).await.unwrap();
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].total, run.total);
        assert_eq!(runs[0].by_district, run.by_district);
    }
);
