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
