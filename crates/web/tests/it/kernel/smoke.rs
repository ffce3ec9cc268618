use crate::common;

both_engines!(health_answers, |app: common::TestApp| async move {
    let res = app
        .http
        .get(app.url("/api/v1/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["status"], "ok");
});

both_engines!(the_favicon_is_served, |app: common::TestApp| async move {
    let client = crate::common::form::browser();
    let res = crate::common::form::get(&client, &app, "/favicon.ico").await;
    assert_eq!(res.status().as_u16(), 308);
    assert_eq!(res.headers()["location"], "/static/favicon.svg");
    let res = crate::common::form::get(&client, &app, "/static/favicon.svg").await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.headers()["content-type"], "image/svg+xml");
    assert!(res.text().await.unwrap().starts_with("<svg"));
});
