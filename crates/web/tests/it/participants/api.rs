//! The participant registry through `/api/v1/participants`: create, read,
//! patch, list and search, and every way input can be wrong. Errors are
//! problem+json naming each field, and never repeat an identity number.

use crate::common;

use chrono::{Datelike, NaiveDate};
use common::{pnr, pnr_on, Reply, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

const PARTICIPANTS: &str = "/api/v1/participants";

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn path(id: i64) -> String {
    format!("{PARTICIPANTS}/{id}")
}

/// "YYYYMMDD-NNNC" from 12 digits.
fn hyphenated(twelve: &str) -> String {
    format!("{}-{}", &twelve[..8], &twelve[8..])
}

fn age(birth: NaiveDate, today: NaiveDate) -> i64 {
    let mut years = (today.year() - birth.year()) as i64;
    if (today.month(), today.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    years
}

/// Every way an identity number might be spelled back to the client.
fn spellings(number: &str) -> Vec<String> {
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    let mut out = vec![number.to_string(), digits.clone()];
    if digits.len() == 12 {
        out.push(digits[2..].to_string());
        out.push(hyphenated(&digits));
        out.push(format!("{}-{}", &digits[2..8], &digits[8..]));
    }
    out
}

#[track_caller]
fn assert_not_echoed(r: &Reply, number: &str) {
    for s in spellings(number) {
        assert!(
            !r.text.contains(&s),
            "the reply repeats the identity number: {}",
            r.text
        );
    }
}

async fn post(app: &TestApp, user: &str, body: &Value) -> Reply {
    app.call(user, Method::POST, PARTICIPANTS, Some(body)).await
}

async fn patch(app: &TestApp, id: i64, body: &Value) -> Reply {
    app.call("cw_a", Method::PATCH, &path(id), Some(body)).await
}

async fn read(app: &TestApp, id: i64) -> Value {
    let r = app.get("cw_a", &path(id)).await.must(200);
    r.json
}

/// GET /participants with query parameters (URL-encoded by the client).
async fn list(app: &TestApp, user: &str, params: &[(&str, &str)]) -> Reply {
    Reply::read(
        app.api(user, Method::GET, PARTICIPANTS)
            .query(params)
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn search(app: &TestApp, user: &str, body: &Value) -> Reply {
    app.call(
        user,
        Method::POST,
        "/api/v1/participants/search",
        Some(body),
    )
    .await
}

fn ids(r: &Reply) -> Vec<i64> {
    r.json["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items: {}", r.text))
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect()
}

fn person(number: &str, first: &str, last: &str) -> Value {
    json!({ "identity_number": number, "first_name": first, "last_name": last })
}

/// What is wrong, the body, and the (field, code) pairs the problem must name.
type Case = (&'static str, Value, Vec<(&'static str, &'static str)>);

// --- create ------------------------------------------------------------------

both_engines!(
    create_returns_the_canonical_record_with_defaults,
    |app: TestApp| async move {
        let today = vagar_domain::time::swedish_date(app.clock.now());
        let (twelve, _) = pnr_on(date(1990, 3, 4), 123);
        let r = post(
            &app,
            "cw_a",
            &person(&hyphenated(&twelve), " Åsa ", "Öberg"),
        )
        .await
        .must(201);
        let id = r.json["id"].as_i64().expect("id");
        assert_eq!(
            r.headers.get("location").and_then(|v| v.to_str().ok()),
            Some(path(id).as_str())
        );
        // Personal data is never cached.
        assert_eq!(
            r.headers.get("cache-control").and_then(|v| v.to_str().ok()),
            Some("no-store")
        );
        assert!(r.content_type.starts_with("application/json"));
        let p = &r.json;
        assert_eq!(p["identity_number"], twelve.as_str());
        assert_eq!(p["identity_number"].as_str().unwrap().len(), 12);
        assert_eq!(p["first_name"], "Åsa", "names are trimmed");
        assert_eq!(p["last_name"], "Öberg");
        assert_eq!(p["birth_date"], "1990-03-04");
        assert_eq!(p["age"], age(date(1990, 3, 4), today));
        assert_eq!(p["gender"], "unknown");
        assert_eq!(p["birth_region"], "unknown");
        assert_eq!(p["education_level"], "unknown");
        assert_eq!(p["education_sun_levels"], json!(["9"]));
        assert_eq!(p["municipality_code"], "0180");
        assert_eq!(p["registered_on"], today.format("%Y-%m-%d").to_string());
        assert_eq!(p["target_groups"], json!([]));
        assert_eq!(p["languages"], json!([]));
        assert_eq!(p["driving_licences"], json!([]));
        for nullable in [
            "disability",
            "district",
            "swedish_level",
            "email",
            "phone",
            "responsible_caseworker_id",
        ] {
            assert_eq!(p[nullable], Value::Null, "{nullable}");
        }
        assert_eq!(p["organisation_id"], app.org_a);
        assert_eq!(p["version"], 1);

        // GET returns the same record.
        let got = read(&app, id).await;
        assert_eq!(&got, p);

        // Every spelling is stored canonically: 10 digits with '-' or without,
        // 12 digits with '+', and a 10-digit '+' (100 years or older).
        let (b12, b10) = pnr_on(date(1975, 12, 31), 456);
        let (c12, c10) = pnr_on(date(1920, 6, 15), 789);
        let (d12, _) = pnr_on(date(1988, 8, 8), 246);
        let (e12, e10) = pnr_on(date(2004, 2, 29), 135);
        for (sent, canonical, born) in [
            (
                format!("{}-{}", &b10[..6], &b10[6..]),
                &b12,
                date(1975, 12, 31),
            ),
            (
                format!("{}+{}", &c10[..6], &c10[6..]),
                &c12,
                date(1920, 6, 15),
            ),
            (
                format!("{}+{}", &d12[..8], &d12[8..]),
                &d12,
                date(1988, 8, 8),
            ),
            (e10.clone(), &e12, date(2004, 2, 29)),
        ] {
            let r = post(&app, "cw_a", &person(&sent, "Stava", "Sätt"))
                .await
                .must(201);
            assert_eq!(r.json["identity_number"], canonical.as_str());
            assert_eq!(r.json["birth_date"], born.format("%Y-%m-%d").to_string());
            assert_eq!(r.json["age"], age(born, today));
        }
        assert_eq!(app.store.count_participants().await.unwrap(), 5);

        // A full record round-trips, with lists normalised.
        let (f12, _) = pnr_on(date(1999, 9, 9), 357);
        let full = json!({
            "identity_number": f12,
            "first_name": "Fatima",
            "last_name": "Ali",
            "gender": "woman",
            "birth_region": "outside_europe",
            "education_level": "post_secondary_short",
            "disability": false,
            "target_groups": ["youth", "sfi", "youth"],
            "municipality_code": "0184",
            "district": "Rinkeby-Kista",
            "swedish_level": "sfi_c",
            "languages": ["SO", "ar"],
            "driving_licences": ["b", "AM"],
            "email": "fatima@example.se",
            "phone": "+46 70-123 45 67",
            "registered_on": "2024-01-15",
            "responsible_caseworker_id": app.user_ids["cw_a2"],
        });
        let r = post(&app, "cw_a", &full).await.must(201);
        let p = &r.json;
        assert_eq!(p["target_groups"], json!(["youth", "sfi"]));
        assert_eq!(p["languages"], json!(["so", "ar"]));
        assert_eq!(p["driving_licences"], json!(["B", "AM"]));
        assert_eq!(p["education_sun_levels"], json!(["4"]));
        assert_eq!(p["disability"], false);
        assert_eq!(p["registered_on"], "2024-01-15");
        assert_eq!(p["municipality_code"], "0184");
        assert_eq!(p["responsible_caseworker_id"], app.user_ids["cw_a2"]);
        assert_eq!(&read(&app, p["id"].as_i64().unwrap()).await, p);
    }
);

both_engines!(
    invalid_creates_name_each_field_and_leave_nothing,
    |app: TestApp| async move {
        let today = vagar_domain::time::swedish_date(app.clock.now());
        let (good, _) = pnr_on(date(1990, 3, 4), 123);
        let good = hyphenated(&good);
        let mut bad_check = good.clone();
        let last = bad_check.pop().unwrap();
        bad_check.push(if last == '9' { '0' } else { '9' });
        let (unborn, _) = pnr_on(date(today.year() + 1, 1, 1), 111);
        let with = |extra: Value| {
            let mut b = person(&good, "Anna", "Andersson");
            for (k, v) in extra.as_object().unwrap() {
                b[k] = v.clone();
            }
            b
        };
        let tomorrow = (today + chrono::Duration::days(1))
            .format("%Y-%m-%d")
            .to_string();
        let cases: Vec<Case> = vec![
            (
                "check digit",
                person(&bad_check, "Anna", "Andersson"),
                vec![("identity_number", "checksum")],
            ),
            (
                "date in the identity number",
                person("19901332-1234", "Anna", "Andersson"),
                vec![("identity_number", "date")],
            ),
            (
                "identity number born in the future",
                person(&unborn, "Anna", "Andersson"),
                vec![("identity_number", "future")],
            ),
            (
                "identity number format",
                person("1990-03-04", "Anna", "Andersson"),
                vec![("identity_number", "format")],
            ),
            (
                "missing required fields",
                json!({}),
                vec![
                    ("identity_number", "required"),
                    ("first_name", "required"),
                    ("last_name", "required"),
                ],
            ),
            (
                "blank required fields",
                json!({ "identity_number": " ", "first_name": "", "last_name": "  " }),
                vec![
                    ("identity_number", "required"),
                    ("first_name", "required"),
                    ("last_name", "required"),
                ],
            ),
            (
                "wrong types",
                json!({
                    "identity_number": good,
                    "first_name": 42,
                    "last_name": "Andersson",
                    "target_groups": "youth",
                    "disability": "yes",
                    "responsible_caseworker_id": "x",
                    "languages": [1, 2],
                }),
                vec![
                    ("first_name", "type"),
                    ("target_groups", "type"),
                    ("disability", "type"),
                    ("responsible_caseworker_id", "type"),
                    ("languages", "type"),
                ],
            ),
            (
                "null for a required field",
                with(json!({ "last_name": null })),
                vec![("last_name", "type")],
            ),
            (
                "identity number as a number",
                json!({ "identity_number": 199003041234_i64, "first_name": "A", "last_name": "B" }),
                vec![("identity_number", "type")],
            ),
            (
                "unknown field",
                with(json!({ "nickname": "Annie" })),
                vec![("nickname", "unknown_field")],
            ),
            (
                "unknown field named like an identity number",
                with(json!({ good.clone(): { "first_name": "Anna" } })),
                vec![("(not shown)", "unknown_field")],
            ),
            (
                "read-only fields",
                with(json!({ "id": 7, "organisation_id": 1, "age": 30 })),
                vec![
                    ("id", "read_only"),
                    ("organisation_id", "read_only"),
                    ("age", "read_only"),
                ],
            ),
            (
                "version on create",
                with(json!({ "version": 1 })),
                vec![("version", "read_only")],
            ),
            (
                "invalid choices",
                with(json!({
                    "gender": "female",
                    "birth_region": "mars",
                    "education_level": "phd",
                    "swedish_level": "fluent",
                    "target_groups": ["youth", "students"],
                    "driving_licences": ["Q"],
                    "languages": ["swedish"],
                })),
                vec![
                    ("gender", "invalid_choice"),
                    ("birth_region", "invalid_choice"),
                    ("education_level", "invalid_choice"),
                    ("swedish_level", "invalid_choice"),
                    ("target_groups", "invalid_choice"),
                    ("driving_licences", "invalid_choice"),
                    ("languages", "invalid"),
                ],
            ),
            (
                "unknown municipality",
                with(json!({ "municipality_code": "9999" })),
                vec![("municipality_code", "unknown_municipality")],
            ),
            (
                "bad email and phone",
                with(json!({ "email": "not-an-address", "phone": "ring mig" })),
                vec![("email", "invalid"), ("phone", "invalid")],
            ),
            (
                "registration date that does not exist",
                with(json!({ "registered_on": "2024-02-30" })),
                vec![("registered_on", "invalid_date")],
            ),
            (
                "registration date in the future",
                with(json!({ "registered_on": tomorrow })),
                vec![("registered_on", "future")],
            ),
            (
                "too long name",
                with(json!({ "first_name": "A".repeat(101) })),
                vec![("first_name", "too_long")],
            ),
            (
                "control characters",
                with(json!({ "last_name": "And\u{0007}ersson" })),
                vec![("last_name", "invalid")],
            ),
            (
                "responsible caseworker who is not a caseworker",
                with(json!({ "responsible_caseworker_id": app.user_ids["admin"] })),
                vec![("responsible_caseworker_id", "unknown_caseworker")],
            ),
            (
                "responsible caseworker who does not exist",
                with(json!({ "responsible_caseworker_id": 987654 })),
                vec![("responsible_caseworker_id", "unknown_caseworker")],
            ),
        ];
        for (what, body, expected) in cases {
            let r = post(&app, "cw_a", &body).await;
            let fields: Vec<&str> = expected.iter().map(|(f, _)| *f).collect();
            r.assert_problem(422, &fields);
            for (field, code) in &expected {
                assert_eq!(
                    r.error_code(field).as_deref(),
                    Some(*code),
                    "{what}: code of {field} in {}",
                    r.text
                );
            }
            for n in [&good, &bad_check, &unborn] {
                assert_not_echoed(&r, n);
            }
            assert_eq!(
                app.store.count_participants().await.unwrap(),
                0,
                "{what} left a record"
            );
        }

        // A body that is JSON but not an object.
        let r = post(&app, "cw_a", &json!([person(&good, "A", "B")])).await;
        r.assert_problem(422, &[]);
        assert_not_echoed(&r, &good);
        assert_eq!(app.store.count_participants().await.unwrap(), 0);
    }
);

both_engines!(
    unreadable_requests_get_problem_responses,
    |app: TestApp| async move {
        let (number, _) = pnr_on(date(1990, 3, 4), 123);
        let number = hyphenated(&number);
        let valid = person(&number, "Anna", "Andersson").to_string();
        let send = |content_type: Option<&'static str>, body: String| {
            let mut req = app.api("cw_a", Method::POST, PARTICIPANTS).body(body);
            if let Some(ct) = content_type {
                req = req.header("content-type", ct);
            }
            async move { Reply::read(req.send().await.unwrap()).await }
        };

        let malformed = format!("{{\"identity_number\": \"{number}\", \"first_name\": ");
        let r = send(Some("application/json"), malformed).await;
        r.assert_problem(400, &[]);
        assert_not_echoed(&r, &number);

        for ct in [
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
            None,
        ] {
            let r = send(ct, valid.clone()).await;
            r.assert_problem(415, &[]);
            assert_not_echoed(&r, &number);
        }

        let huge = json!({
            "identity_number": number,
            "first_name": "A".repeat(70 * 1024),
            "last_name": "B",
        })
        .to_string();
        assert!(huge.len() > 64 * 1024);
        let r = send(Some("application/json"), huge).await;
        r.assert_problem(413, &[]);
        assert_not_echoed(&r, &number);

        // Media types are case-insensitive.
        let r = send(Some("Application/JSON; charset=UTF-8"), valid.clone()).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let id = r.id();
        app.delete("cw_a", &path(id)).await.assert_problem(405, &[]);
        let r = app.call("cw_a", Method::PUT, PARTICIPANTS, None).await;
        r.assert_problem(405, &[]);
        assert!(
            r.headers.get("allow").is_some(),
            "405 names the allowed methods"
        );
        app.get("cw_a", "/api/v1/no-such-thing")
            .await
            .assert_problem(404, &[]);
        app.get("cw_a", &format!("{PARTICIPANTS}/%FF"))
            .await
            .assert_problem(404, &[]);
        app.delete("cw_a", &format!("{PARTICIPANTS}/{id}"))
            .await
            .must(405);
        assert_eq!(read(&app, id).await["id"], id);

        // The same goes for PATCH.
        let (number, _) = pnr_on(date(1991, 4, 5), 124);
        let number = hyphenated(&number);
        let created = app
            .create("cw_a", person(&number, "Anna", "Andersson"))
            .await;
        let id = created["id"].as_i64().unwrap();
        Reply::read(
            app.api("cw_a", Method::PATCH, &path(id))
                .header("content-type", "text/plain")
                .body("{\"first_name\": \"X\"}")
                .send()
                .await
                .unwrap(),
        )
        .await
        .assert_problem(415, &[]);
        Reply::read(
            app.api("cw_a", Method::PATCH, &path(id))
                .header("content-type", "application/json")
                .body("{\"first_name\": ")
                .send()
                .await
                .unwrap(),
        )
        .await
        .assert_problem(400, &[]);
        assert_eq!(app.store.count_participants().await.unwrap(), 2);
        assert_eq!(read(&app, id).await, created);
    }
);

both_engines!(
    a_registered_identity_number_conflicts_in_any_spelling,
    |app: TestApp| async move {
        let (twelve, ten) = pnr_on(date(1981, 12, 18), 987);
        let first = app
            .create("cw_a", person(&hyphenated(&twelve), "Första", "Person"))
            .await;
        for spelling in [
            twelve.clone(),
            format!("{}+{}", &twelve[..8], &twelve[8..]),
            ten.clone(),
            format!("{}-{}", &ten[..6], &ten[6..]),
            format!("  {twelve}  "),
        ] {
            for user in ["cw_a", "cw_a2", "cw_b"] {
                let r = post(&app, user, &person(&spelling, "Andra", "Person")).await;
                r.assert_problem(409, &["identity_number"]);
                assert_not_echoed(&r, &twelve);
                assert!(!r.text.contains("Första"));
            }
        }
        assert_eq!(app.store.count_participants().await.unwrap(), 1);
        let id = first["id"].as_i64().unwrap();
        assert_eq!(read(&app, id).await, first);
    }
);

// --- patch ---------------------------------------------------------------------

both_engines!(
    patch_changes_only_the_given_fields,
    |app: TestApp| async move {
        let (number, _) = pnr_on(date(1985, 7, 1), 222);
        let created = app
            .create(
                "cw_a",
                json!({
                    "identity_number": number,
                    "first_name": "Karl",
                    "last_name": "Svensson",
                    "email": "karl@example.se",
                    "phone": "08-123 456",
                    "district": "Farsta",
                    "target_groups": ["long_term_unemployed"],
                    "languages": ["sv"],
                }),
            )
            .await;
        let id = created["id"].as_i64().unwrap();

        app.clock.advance(chrono::Duration::hours(2));
        let r = patch(&app, id, &json!({ "district": "Bromma" }))
            .await
            .must(200);
        let mut expected = created.clone();
        expected["district"] = json!("Bromma");
        expected["version"] = json!(2);
        expected["updated_at"] = r.json["updated_at"].clone();
        assert_eq!(r.json, expected);
        assert_ne!(r.json["updated_at"], created["updated_at"]);
        assert_eq!(read(&app, id).await, r.json);

        // null clears a nullable field; the rest stays.
        let r = patch(&app, id, &json!({ "email": null, "version": 2 }))
            .await
            .must(200);
        assert_eq!(r.json["email"], Value::Null);
        assert_eq!(r.json["phone"], "08-123 456");
        assert_eq!(r.json["district"], "Bromma");
        assert_eq!(r.json["version"], 3);
        assert_eq!(read(&app, id).await["email"], Value::Null);

        // A patch that changes nothing leaves the version alone.
        let same = r.json.clone();
        for body in [
            json!({}),
            json!({ "district": "Bromma", "email": null }),
            json!({ "version": 3 }),
        ] {
            let r = patch(&app, id, &body).await.must(200);
            assert_eq!(r.json, same, "{body}");
        }

        // The same identity number in another spelling is no change and no conflict.
        let r = patch(
            &app,
            id,
            &json!({ "identity_number": format!("{}-{}", &number[2..8], &number[8..]) }),
        )
        .await
        .must(200);
        assert_eq!(r.json, same);

        // Changing the identity number moves the birth date with it.
        let (other, _) = pnr_on(date(1986, 2, 3), 333);
        let r = patch(&app, id, &json!({ "identity_number": other }))
            .await
            .must(200);
        assert_eq!(r.json["birth_date"], "1986-02-03");
        let r = list(&app, "cw_a", &[("q", "19860203")]).await;
        assert_eq!(ids(&r), vec![id]);
        let r = list(&app, "cw_a", &[("q", "19850701")]).await;
        assert_eq!(ids(&r), Vec::<i64>::new());
    }
);

both_engines!(
    refused_patches_leave_the_record_unchanged,
    |app: TestApp| async move {
        let (mine, _) = pnr_on(date(1985, 7, 1), 222);
        let (theirs, theirs10) = pnr_on(date(1970, 1, 1), 444);
        let p = app
            .create(
                "cw_a",
                json!({ "identity_number": mine, "first_name": "Karl", "last_name": "Svensson",
                        "email": "karl@example.se" }),
            )
            .await;
        app.create("cw_b", person(&theirs, "Olle", "Annan")).await;
        let id = p["id"].as_i64().unwrap();
        let mut bad_check = hyphenated(&mine);
        let last = bad_check.pop().unwrap();
        bad_check.push(if last == '9' { '0' } else { '9' });
        let tomorrow = (vagar_domain::time::swedish_date(app.clock.now())
            + chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();

        let cases: Vec<(Value, u16, Vec<&str>)> = vec![
            (
                json!({ "email": "bad", "gender": "x", "first_name": "" }),
                422,
                vec!["email", "gender", "first_name"],
            ),
            (json!({ "first_name": null }), 422, vec!["first_name"]),
            (json!({ "last_name": 5 }), 422, vec!["last_name"]),
            (
                json!({ "registered_on": tomorrow }),
                422,
                vec!["registered_on"],
            ),
            (
                json!({ "municipality_code": "0000" }),
                422,
                vec!["municipality_code"],
            ),
            (json!({ "id": 99, "first_name": "Ny" }), 422, vec!["id"]),
            (json!({ "colour": "blue" }), 422, vec!["colour"]),
            (json!({ "version": "1" }), 422, vec!["version"]),
            (json!({ "version": 0 }), 422, vec!["version"]),
            (
                json!({ "identity_number": bad_check, "first_name": "Ny" }),
                422,
                vec!["identity_number"],
            ),
            // Someone else's number, in another spelling: a conflict.
            (
                json!({ "identity_number": format!("{}-{}", &theirs10[..6], &theirs10[6..]) }),
                409,
                vec!["identity_number"],
            ),
            // A stale version: someone else changed it meanwhile.
            (
                json!({ "version": 2, "first_name": "Ny" }),
                409,
                vec!["version"],
            ),
        ];
        for (body, status, fields) in cases {
            let r = patch(&app, id, &body).await;
            r.assert_problem(status, &fields);
            assert_not_echoed(&r, &theirs);
            assert_not_echoed(&r, &mine);
            assert_eq!(read(&app, id).await, p, "{body} changed the record");
        }

        // After a real change the old version is stale.
        patch(&app, id, &json!({ "version": 1, "first_name": "Kalle" }))
            .await
            .must(200);
        patch(
            &app,
            id,
            &json!({ "version": 1, "first_name": "Karl-Erik" }),
        )
        .await
        .assert_problem(409, &["version"]);
        assert_eq!(read(&app, id).await["first_name"], "Kalle");

        // Unknown and malformed ids are simply not found.
        for bad in [
            "987654",
            "0",
            "-1",
            "abc",
            "1.5",
            "99999999999999999999999",
            "1%20",
        ] {
            let url = format!("{PARTICIPANTS}/{bad}");
            app.patch("cw_a", &url, json!({ "first_name": "X" }))
                .await
                .assert_problem(404, &[]);
            app.get("cw_a", &url).await.assert_problem(404, &[]);
        }
    }
);

// --- list and search -------------------------------------------------------------

both_engines!(
    name_search_ignores_case_and_accents_in_either_order,
    |app: TestApp| async move {
        let mut id = std::collections::HashMap::new();
        for (i, (first, last)) in [
            ("Karin", "Östlund"),
            ("Erik", "Östlund"),
            ("Åke", "Andersson"),
            ("Anna", "Andersén"),
            ("Ostkaka", "Berg"),
        ]
        .into_iter()
        .enumerate()
        {
            let p = app
                .create(
                    "cw_a",
                    json!({ "identity_number": pnr(i as u32),
                "first_name": first, "last_name": last }),
                )
                .await;
            id.insert(first, p["id"].as_i64().unwrap());
        }
        let find = |q: &'static str| {
            let app = &app;
            async move {
                let r = list(app, "cw_a", &[("q", q)]).await.must_as(200, q);
                let mut found = ids(&r);
                found.sort();
                assert_eq!(r.json["total"], found.len(), "{q}");
                found
            }
        };
        let sorted = |mut v: Vec<i64>| {
            v.sort();
            v
        };
        let ostlunds = sorted(vec![id["Karin"], id["Erik"]]);
        assert_eq!(find("ostl").await, ostlunds);
        assert_eq!(find("ÖSTL").await, ostlunds);
        assert_eq!(find("Östlund").await, ostlunds);
        assert_eq!(find("  östlund  ").await, ostlunds);
        // "first last" and "last first".
        assert_eq!(find("Karin Östlund").await, vec![id["Karin"]]);
        assert_eq!(find("ostlund karin").await, vec![id["Karin"]]);
        assert_eq!(find("östlund k").await, vec![id["Karin"]]);
        assert_eq!(find("karin ö").await, vec![id["Karin"]]);
        // Prefix of either name; accents on the stored side too.
        assert_eq!(find("ake").await, vec![id["Åke"]]);
        assert_eq!(find("ANDERSEN").await, vec![id["Anna"]]);
        assert_eq!(find("anders").await, sorted(vec![id["Åke"], id["Anna"]]));
        assert_eq!(
            find("ost").await,
            sorted(vec![id["Karin"], id["Erik"], id["Ostkaka"]])
        );
        assert_eq!(
            find("lund").await,
            Vec::<i64>::new(),
            "prefix, not substring"
        );
        assert_eq!(find("Zlatan").await, Vec::<i64>::new());
        // A wildcard is just a character.
        assert_eq!(find("%").await.len(), 5, "no term lists all");
        assert_eq!(find("o%").await, find("o").await, "punctuation is ignored");
        assert_eq!(find("_stlund").await, Vec::<i64>::new());

        // POST search reads names the same way.
        let r = search(&app, "cw_a", &json!({ "q": "ÖSTLUND KARIN" })).await;
        assert_eq!(ids(&r), vec![id["Karin"]]);
    }
);

both_engines!(
    identity_numbers_never_travel_in_urls,
    |app: TestApp| async move {
        let (twelve, ten) = pnr_on(date(1981, 12, 18), 987);
        let p = app
            .create("cw_a", person(&hyphenated(&twelve), "Hemlig", "Person"))
            .await;
        app.create("cw_a", person(&pnr(1), "Annan", "Person")).await;
        let id = p["id"].as_i64().unwrap();
        let mut bad_check = hyphenated(&twelve);
        let last = bad_check.pop().unwrap();
        bad_check.push(if last == '9' { '0' } else { '9' });

        for q in [
            hyphenated(&twelve),
            twelve.clone(),
            ten.clone(),
            format!("{}-{}", &ten[..6], &ten[6..]),
            bad_check.clone(),
            format!("Hemlig {twelve}"),
        ] {
            let r = list(&app, "cw_a", &[("q", q.as_str())]).await;
            r.assert_problem(422, &["q"]);
            assert_eq!(r.error_code("q").as_deref(), Some("identity_in_url"), "{q}");
            assert_not_echoed(&r, &twelve);
            assert_not_echoed(&r, &bad_check);
        }

        // In a body it is fine, in every spelling, and finds exactly that person.
        for q in [
            hyphenated(&twelve),
            twelve.clone(),
            format!("{}+{}", &twelve[..8], &twelve[8..]),
            ten.clone(),
            format!("{}-{}", &ten[..6], &ten[6..]),
        ] {
            let r = search(&app, "cw_a", &json!({ "q": q })).await.must(200);
            assert_eq!(ids(&r), vec![id], "{q}");
            assert_eq!(r.json["total"], 1);
        }
        // An invalid number is refused without repeating it; an unknown one finds nobody.
        let r = search(&app, "cw_a", &json!({ "q": bad_check })).await;
        r.assert_problem(422, &["q"]);
        assert_eq!(r.error_code("q").as_deref(), Some("checksum"));
        assert_not_echoed(&r, &bad_check);
        let (unknown, _) = pnr_on(date(1981, 12, 18), 988);
        let r = search(&app, "cw_a", &json!({ "q": unknown }))
            .await
            .must(200);
        assert_eq!(ids(&r), Vec::<i64>::new());
    }
);

both_engines!(filters_and_paging, |app: TestApp| async move {
    // 25 participants: districts alternate, every third is a youth.
    let mut all = Vec::new();
    for i in 0..25u32 {
        let district = if i % 2 == 0 { "Farsta" } else { "Bromma" };
        let groups = if i % 3 == 0 {
            json!(["youth", "sfi"])
        } else {
            json!(["sfi"])
        };
        let p = app
            .create(
                "cw_a",
                json!({ "identity_number": pnr(i), "first_name": "Test",
                            "last_name": format!("Person{i:02}"), "district": district,
                            "target_groups": groups }),
            )
            .await;
        all.push(p["id"].as_i64().unwrap());
    }
    // Someone in another unit matches every filter but is never counted.
    app.create(
        "cw_b",
        json!({ "identity_number": pnr(99), "first_name": "Test", "last_name": "Person99",
                    "district": "Farsta", "target_groups": ["youth"] }),
    )
    .await;

    let count = |params: Vec<(&'static str, &'static str)>| {
        let app = &app;
        async move {
            let r = list(app, "cw_a", &params)
                .await
                .must_as(200, format!("{params:?}"));
            (r.json["total"].as_u64().unwrap(), ids(&r).len())
        }
    };
    assert_eq!(count(vec![]).await, (25, 20), "default per_page is 20");
    assert_eq!(count(vec![("district", "Farsta")]).await, (13, 13));
    assert_eq!(count(vec![("district", "Bromma")]).await, (12, 12));
    assert_eq!(count(vec![("district", "farsta")]).await, (0, 0));
    assert_eq!(count(vec![("target_group", "youth")]).await, (9, 9));
    assert_eq!(count(vec![("target_group", "sfi")]).await, (25, 20));
    assert_eq!(count(vec![("target_group", "newly_arrived")]).await, (0, 0));
    assert_eq!(
        count(vec![("district", "Farsta"), ("target_group", "youth")]).await,
        (5, 5)
    );
    assert_eq!(
        count(vec![("q", "person1"), ("district", "Bromma")]).await,
        (5, 5)
    );
    // Birth date, compact or with hyphens (pnr(7) is born 1990-01-08).
    let r = list(&app, "cw_a", &[("q", "19900108")]).await;
    assert_eq!(ids(&r), vec![all[7]]);
    let r = list(&app, "cw_a", &[("q", "1990-01-08")]).await;
    assert_eq!(ids(&r), vec![all[7]]);
    list(&app, "cw_a", &[("q", "19900230")])
        .await
        .assert_problem(422, &["q"]);
    list(&app, "cw_a", &[("q", "1234")])
        .await
        .assert_problem(422, &["q"]);

    // Pages of 10: ordered by name, no overlaps, nothing missing.
    let mut seen = Vec::new();
    for (page, n) in [("1", 10), ("2", 10), ("3", 5), ("4", 0)] {
        let r = list(&app, "cw_a", &[("per_page", "10"), ("page", page)])
            .await
            .must(200);
        assert_eq!(r.json["total"], 25);
        assert_eq!(r.json["page"], page.parse::<u32>().unwrap());
        assert_eq!(r.json["per_page"], 10);
        assert_eq!(r.json["total_is_capped"], false);
        let names: Vec<String> = r.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["last_name"].as_str().unwrap().to_string())
            .collect();
        let mut ordered = names.clone();
        ordered.sort();
        assert_eq!(names, ordered);
        assert_eq!(names.len(), n);
        seen.extend(ids(&r));
    }
    seen.sort();
    assert_eq!(seen, all);
    // The same through POST search.
    let r = search(
        &app,
        "cw_a",
        &json!({ "q": "test", "page": 3, "per_page": 10,
                                             "district": null, "target_group": "sfi" }),
    )
    .await
    .must(200);
    assert_eq!(ids(&r).len(), 5);
    assert_eq!(r.json["total"], 25);

    // Out of range or not numbers: 422 naming the parameter.
    for (k, v) in [
        ("per_page", "0"),
        ("per_page", "101"),
        ("per_page", "ten"),
        ("per_page", "-5"),
        ("page", "0"),
        ("page", "x"),
        ("target_group", "students"),
    ] {
        list(&app, "cw_a", &[(k, v)])
            .await
            .assert_problem(422, &[k]);
    }
    assert_eq!(count(vec![("per_page", "100")]).await, (25, 25));
    for body in [
        json!({ "per_page": 101 }),
        json!({ "per_page": 0 }),
        json!({ "per_page": "10" }),
        json!({ "page": 0 }),
        json!({ "sort": "name" }),
    ] {
        let r = search(&app, "cw_a", &body).await;
        let field = body.as_object().unwrap().keys().next().unwrap().clone();
        r.assert_problem(422, &[&field]);
    }
});
