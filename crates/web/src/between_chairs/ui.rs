//! "Mellan stolarna" (`/mellan-stolarna`): participants the reader may see
//! whom no organisation is actively carrying, each with the reasons, through
//! the same store function as `GET /api/v1/alerts/between-chairs`. The
//! filters (reasons, organisation, district, days) are no personal data, so
//! the form uses GET and a filtered list can be bookmarked.

use crate::kernel::session::UiUser;
use crate::ui::{base_context, render, user_error_page};
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde_json::json;
use std::collections::HashMap;
use vagar_domain::between_chairs::{Reason, DEFAULT_DAYS, MAX_DAYS};
use vagar_domain::geo;
use vagar_store::between_chairs::BetweenChairsQuery;

pub fn router() -> Router<AppState> {
    Router::new().route("/mellan-stolarna", get(list))
}

async fn list(
    State(state): State<AppState>,
    user: UiUser,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    let one = |k: &str| {
        q.iter()
            .find(|(key, v)| key == k && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_string())
    };
    let reasons: Vec<Reason> = q
        .iter()
        .filter(|(k, _)| k == "reason")
        .filter_map(|(_, v)| Reason::parse(v))
        .collect();
    let mut errors = serde_json::Map::new();
    let days = match one("days") {
        None => DEFAULT_DAYS,
        Some(v) => match v.parse::<u32>() {
            Ok(d) if (1..=MAX_DAYS).contains(&d) => d,
            _ => {
                errors.insert("days".into(), json!("out_of_range_days"));
                DEFAULT_DAYS
            }
        },
    };
    let organisation_id = one("organisation").and_then(|v| v.parse::<i64>().ok());
    let district = one("district");
    let page: u32 = one("page")
        .and_then(|p| p.parse().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1);
    let query = BetweenChairsQuery {
        reasons: reasons.clone(),
        organisation_id,
        district: district.clone(),
        days,
        page,
        per_page: 50,
    };
    let result = match state.store.between_chairs(&user.ctx, &query).await {
        Ok(r) => r,
        Err(e) => return user_error_page(&user, e.into()),
    };
    let orgs = state.store.list_organisations().await.unwrap_or_default();
    let names: HashMap<i64, String> = orgs.iter().map(|o| (o.id, o.name.clone())).collect();
    let mut ctx = base_context(user.lang, Some(&user), "/mellan-stolarna", "alerts");
    ctx.insert(
        "all_reasons".into(),
        json!(Reason::ALL.iter().map(|r| r.as_str()).collect::<Vec<_>>()),
    );
    ctx.insert(
        "f".into(),
        json!({
            "reasons": reasons.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
            "organisation": organisation_id.map(|o| o.to_string()),
            "district": district,
            "days": one("days").unwrap_or_else(|| days.to_string()),
        }),
    );
    ctx.insert("errors".into(), json!(errors));
    ctx.insert(
        "orgs".into(),
        json!(orgs
            .iter()
            .map(|o| json!({"id": o.id.to_string(), "name": o.name}))
            .collect::<Vec<_>>()),
    );
    ctx.insert("districts".into(), json!(geo::STOCKHOLM_DISTRICTS));
    ctx.insert(
        "rows".into(),
        json!(result
            .items
            .iter()
            .map(|p| json!({
                "id": p.participant_id,
                "name": format!("{}, {}", p.last_name, p.first_name),
                "district": p.district,
                "organisation": names.get(&p.organisation_id).cloned().unwrap_or_default(),
                "reasons": p.reasons.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
                "overdue": p.overdue_due_date.map(|d| d.to_string()),
                "last_contact": p.last_contact_date.map(|d| d.to_string()),
            }))
            .collect::<Vec<_>>()),
    );
    ctx.insert(
        "counts".into(),
        json!(result
            .counts
            .iter()
            .map(|(r, n)| json!({"reason": r.as_str(), "n": n}))
            .collect::<Vec<_>>()),
    );
    ctx.insert("total".into(), json!(result.total));
    ctx.insert("days".into(), json!(result.days));
    ctx.insert("page".into(), json!(result.page));
    let has_next = u64::from(result.page) * u64::from(result.per_page) < result.total;
    // The same filters on the neighbouring pages.
    let mut base: Vec<(String, String)> = q.iter().filter(|(k, _)| k != "page").cloned().collect();
    let link = |p: u32, base: &mut Vec<(String, String)>| {
        base.push(("page".into(), p.to_string()));
        let s = base
            .iter()
            .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
            .collect::<Vec<_>>()
            .join("&");
        base.pop();
        format!("/mellan-stolarna?{s}")
    };
    ctx.insert(
        "next".into(),
        json!(has_next.then(|| link(result.page + 1, &mut base))),
    );
    ctx.insert(
        "prev".into(),
        json!((result.page > 1).then(|| link(result.page - 1, &mut base))),
    );
    let status = if errors_empty(&ctx) {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(&state.templates, "between_chairs/list.html", ctx, status)
}

fn errors_empty(ctx: &serde_json::Map<String, serde_json::Value>) -> bool {
    ctx.get("errors")
        .and_then(|e| e.as_object())
        .is_none_or(|e| e.is_empty())
}

fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
