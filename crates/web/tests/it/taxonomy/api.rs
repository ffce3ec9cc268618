//! The classification data through the public API on both engines: Swedish-
//! aware prefix search for occupations, skills and languages, the code lists,
//! bad parameters as problem+json, and no login needed (open data).

use crate::common;

use common::TestApp;
use serde_json::Value;

async fn get(app: &TestApp, path: &str) -> (u16, Value) {
    let res = app.http.get(app.url(path)).send().await.unwrap();
    (
        res.status().as_u16(),
        res.json().await.unwrap_or(Value::Null),
    )
}

fn labels(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|h| h["label"].as_str().unwrap().to_string())
        .collect()
}

both_engines!(
    occupations_are_found_with_or_without_diacritics,
    |app: TestApp| async move {
        app.load_taxonomy().await;
        for q in ["underskoterska", "Undersköterska", "unders", "UNDERSKÖ"] {
            let (status, hits) = get(&app, &format!("/api/v1/taxonomy/occupations?q={q}")).await;
            assert_eq!(status, 200, "{q}");
            let hits = hits.as_array().unwrap().clone();
            assert!(!hits.is_empty(), "{q} finds nothing");
            // Every hit matches the query at the start of its label or a word.
            for h in &hits {
                let label = h["label"].as_str().unwrap().to_lowercase();
                assert!(
                    label.starts_with("undersk") || label.contains(" undersk"),
                    "{q}: {label}"
                );
                assert_eq!(h["ssyk_code"].as_str().unwrap().len(), 4);
            }
            let first = hits[0]["label"].as_str().unwrap();
            assert!(first.starts_with("Undersköterska"), "{q}: best hit {first}");
            // Undersköterskor are SSYK 532x.
            assert!(hits
                .iter()
                .any(|h| h["ssyk_code"].as_str().unwrap().starts_with("532")));
        }
        // A later word of a label matches too; the SSYK group is a hit of its own.
        let (_, hits) = get(&app, "/api/v1/taxonomy/occupations?q=aldreboende").await;
        assert!(labels(&hits)
            .contains(&"Undersköterska, hemtjänst, äldreboende och habilitering".to_string()));
        let (_, hits) = get(&app, "/api/v1/taxonomy/occupations?q=5321").await;
        assert!(hits
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["kind"] == "ssyk_group" && h["ssyk_code"] == "5321"));
        // The limit is honoured; nothing matches nonsense.
        let (_, hits) = get(&app, "/api/v1/taxonomy/occupations?q=a&limit=3").await;
        assert_eq!(hits.as_array().unwrap().len(), 3);
        let (status, hits) = get(&app, "/api/v1/taxonomy/occupations?q=qqxqq").await;
        assert_eq!((status, hits), (200, serde_json::json!([])));
        // LIKE wildcards in the query are not wildcards.
        let (_, hits) = get(&app, "/api/v1/taxonomy/occupations?q=%25").await;
        assert_eq!(hits, serde_json::json!([]));
        let (_, hits) = get(&app, "/api/v1/taxonomy/occupations?q=_nders").await;
        assert_eq!(hits, serde_json::json!([]));
    }
);

both_engines!(skills_languages_and_code_lists, |app: TestApp| async move {
    app.load_taxonomy().await;
    let (status, hits) = get(&app, "/api/v1/taxonomy/skills?q=kylteknik").await;
    assert_eq!(status, 200);
    assert_eq!(labels(&hits)[0], "Kylteknik");
    let (_, hits) = get(&app, "/api/v1/taxonomy/languages?q=ara").await;
    assert!(labels(&hits).contains(&"Arabiska".to_string()), "{hits}");
    let (_, hits) = get(&app, "/api/v1/taxonomy/languages?q=SVE").await;
    assert!(labels(&hits).contains(&"Svenska".to_string()), "{hits}");

    let (status, sni) = get(&app, "/api/v1/taxonomy/classifications/sni").await;
    assert_eq!(status, 200);
    let sni = sni.as_array().unwrap();
    assert_eq!(sni.iter().filter(|c| c["level"] == 1).count(), 21);
    assert!(sni.iter().any(|c| c["code"] == "86" && c["parent"] == "Q"));
    let (_, m) = get(&app, "/api/v1/taxonomy/classifications/municipality").await;
    let m = m.as_array().unwrap();
    assert_eq!(m.len(), 290);
    assert!(m
        .iter()
        .any(|c| c["code"] == "0180" && c["label"] == "Stockholm" && c["parent"] == "01"));
    let (_, sun) = get(&app, "/api/v1/taxonomy/classifications/sun_level").await;
    assert!(sun.as_array().unwrap().iter().any(|c| c["code"] == "52"));
    let (status, _) = get(&app, "/api/v1/taxonomy/classifications/nope").await;
    assert_eq!(status, 404);

    let (status, info) = get(&app, "/api/v1/taxonomy").await;
    assert_eq!(status, 200);
    assert_eq!(info["source"], "shipped");
    assert_eq!(info["occupation_groups"], 456);
    assert_eq!(info["occupation_names"], 2412);
});

both_engines!(
    bad_parameters_are_problems_naming_the_field,
    |app: TestApp| async move {
        let long = "a".repeat(101);
        for (path, field) in [
            (format!("/api/v1/taxonomy/skills?q={long}"), "q"),
            (
                "/api/v1/taxonomy/occupations?q=a&limit=0".to_string(),
                "limit",
            ),
            (
                "/api/v1/taxonomy/occupations?q=a&limit=51".to_string(),
                "limit",
            ),
        ] {
            let res = app.http.get(app.url(&path)).send().await.unwrap();
            assert_eq!(res.status().as_u16(), 422, "{path}");
            assert_eq!(
                res.headers()["content-type"].to_str().unwrap(),
                "application/problem+json"
            );
            let body: Value = res.json().await.unwrap();
            assert_eq!(body["errors"][0]["field"], field, "{path}");
        }
        // Before anything is loaded the info is a 404, and searches find nothing.
        let (status, _) = get(&app, "/api/v1/taxonomy").await;
        assert_eq!(status, 404);
        let (status, hits) = get(&app, "/api/v1/taxonomy/occupations?q=unders").await;
        assert_eq!((status, hits), (200, serde_json::json!([])));
    }
);

both_engines!(
    loading_again_changes_nothing_and_a_new_export_replaces_the_old,
    |app: TestApp| async move {
        use vagar_store::taxonomy::LoadOutcome;
        app.load_taxonomy().await;
        let before = app.store.taxonomy_info().await.unwrap().unwrap();
        let again = app.store.ensure_taxonomy(chrono::Utc::now()).await.unwrap();
        assert_eq!(
            again,
            LoadOutcome::AlreadyLoaded {
                version: before.version.clone()
            }
        );
        // A newer export (here: the shipped one with one skill renamed) replaces
        // the stored one whole.
        let mut newer = vagar_domain::taxonomy::shipped().unwrap();
        newer.version = "jobtech-newer".into();
        newer.skills[0].label = "Kylteknik och värmepumpar".into();
        let id = newer.skills[0].concept_id.clone();
        let out = app
            .store
            .load_taxonomy(&newer, "/exports/2027", chrono::Utc::now())
            .await
            .unwrap();
        assert!(matches!(out, LoadOutcome::Loaded { .. }));
        let info = app.store.taxonomy_info().await.unwrap().unwrap();
        assert_eq!(
            (info.version.as_str(), info.source.as_str()),
            ("jobtech-newer", "/exports/2027")
        );
        assert_eq!(info.skills, before.skills);
        let (_, hits) = get(&app, "/api/v1/taxonomy/skills?q=kylteknik%20och").await;
        assert_eq!(hits[0]["concept_id"], id.as_str());
        // Starting up again keeps the administrator's export.
        let kept = app.store.ensure_taxonomy(chrono::Utc::now()).await.unwrap();
        assert_eq!(
            kept,
            LoadOutcome::AlreadyLoaded {
                version: "jobtech-newer".into()
            }
        );
    }
);

both_engines!(
    typed_text_resolves_to_one_concept,
    |app: TestApp| async move {
        app.load_taxonomy().await;
        let s = &app.store;
        let by_label = s
            .resolve_occupation("undersköterska, HEMTJÄNST, äldreboende och habilitering")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(by_label.ssyk_code, "5321");
        assert_eq!(by_label.kind, "occupation_name");
        let by_id = s
            .resolve_occupation(&by_label.concept_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(by_id, by_label);
        let by_code = s.resolve_occupation("5321").await.unwrap().unwrap();
        assert_eq!(
            (by_code.kind.as_str(), by_code.ssyk_code.as_str()),
            ("ssyk_group", "5321")
        );
        assert!(
            s.resolve_occupation("unders").await.unwrap().is_none(),
            "a prefix is not a choice"
        );
        assert!(s.resolve_occupation("").await.unwrap().is_none());
        assert_eq!(
            s.resolve_skill("kylteknik").await.unwrap().unwrap().label,
            "Kylteknik"
        );
        assert!(s.resolve_skill("kyl").await.unwrap().is_none());
    }
);
