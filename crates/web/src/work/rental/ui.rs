//! The rental model's pages: `/uthyrning` (the rental interventions),
//! `/uthyrning/{id}` (contracts, assignments, the weeks' status, invoices
//! with CSV/XLSX links, other costs and subsidies, the economic result as a
//! chart with its table, the legal checks), `/uthyrning/{id}/tidrapport`
//! (the supervisor enters a week) and `/tidrapporter` (the host approves or
//! rejects the weeks waiting for it: built for a phone, no JavaScript).
//! Everything goes through the same store calls as the API.

use crate::kernel::error::Problem;
use crate::kernel::forms::parse_id;
use crate::kernel::forms::PageId;
use crate::kernel::forms::{CsrfForm, NoFields};
use crate::kernel::i18n::{t, Lang};
use crate::kernel::session::UiUser;
use crate::ui::{base_context, render, user_error_page};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{Datelike, Duration, NaiveDate};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use vagar_domain::work::legal::LegalCheck;
use vagar_domain::work::rental::access::{rental_role_may, RentalAction};
use vagar_domain::work::rental::invoice::InvoiceKind;
use vagar_domain::work::rental::{check_ledger, ContractInput, EconomicResult, TimesheetStatus};
use vagar_domain::ValidationErrors;
use vagar_store::work::placements::PlacementFilter;
use vagar_store::work::rental::{Timesheet, TimesheetFilter, TimesheetInput};
use vagar_store::StoreError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/uthyrning", get(index))
        .route("/uthyrning/{id}", get(overview))
        .route(
            "/uthyrning/{id}/tidrapport",
            get(timesheet_form).post(timesheet_submit),
        )
        .route("/uthyrning/{id}/fakturor", post(invoice_create))
        .route("/uthyrning/fakturor/{id}", get(invoice_page))
        .route("/uthyrning/fakturor/{id}/kreditera", post(invoice_credit))
        .route("/uthyrning/{id}/kostnader", post(ledger_add))
        .route("/uthyrning/{id}/avtal", post(contract_create))
        .route("/uthyrning/{id}/uppdrag", post(assignment_create))
        .route("/tidrapporter", get(host_page))
        .route("/tidrapporter/{id}/godkann", post(host_approve))
        .route("/tidrapporter/{id}/avvisa", post(host_reject))
}

/// Money for people: `1 234,50 kr` in Swedish, `SEK 1,234.50` in English.
pub(crate) fn money(lang: Lang, ore: i64) -> String {
    let sign = if ore < 0 { "−" } else { "" };
    let kr = ore.abs() / 100;
    let ore_part = ore.abs() % 100;
    let digits = kr.to_string();
    let sep = if lang == Lang::Sv { '\u{a0}' } else { ',' };
    // Groups of three from the right.
    let bytes: Vec<char> = digits.chars().collect();
    let head = bytes.len() % 3;
    let mut grouped: String = bytes[..head].iter().collect();
    for chunk in bytes[head..].chunks(3) {
        if !grouped.is_empty() {
            grouped.push(sep);
        }
        grouped.extend(chunk);
    }
    match lang {
        Lang::Sv => format!("{sign}{grouped},{ore_part:02}\u{a0}kr"),
        Lang::En => format!("{sign}SEK\u{a0}{grouped}.{ore_part:02}"),
    }
}

pub(crate) fn hours(lang: Lang, minutes: i64) -> String {
    let h = (minutes * 100 + 30) / 60;
    let s = format!("{}.{:02}", h / 100, h % 100);
    let s = s.trim_end_matches('0').trim_end_matches('.').to_string();
    if lang == Lang::Sv {
        s.replace('.', ",")
    } else {
        s
    }
}

fn week_number(d: NaiveDate) -> u32 {
    d.iso_week().week()
}

fn timesheet_json(lang: Lang, t: &Timesheet) -> Value {
    json!({
        "id": t.id,
        "placement_id": t.placement_id,
        "employer_name": t.employer_name,
        "first_name": t.first_name,
        "last_name": t.last_name,
        "role_title": t.role_title,
        "week_start": t.week_start.to_string(),
        "week_number": week_number(t.week_start),
        "status": t.status.as_str(),
        "days": (0..7).map(|i| json!({
            "day": i,
            "date": (t.week_start + Duration::days(i as i64)).to_string(),
            "hours": hours(lang, t.minutes[i]),
            "minutes": t.minutes[i],
        })).collect::<Vec<_>>(),
        "total_hours": hours(lang, t.total_minutes),
        "note": t.note,
        "decision_note": t.decision_note,
        "version": t.version,
    })
}

/// Translate a store error's fields for a form: `minutes[i]` is the day field `d{i}`.
fn form_errors(lang: Lang, e: &ValidationErrors) -> (Map<String, Value>, Vec<Value>) {
    let mut m = Map::new();
    let mut list = vec![];
    for fe in &e.0 {
        let field = match fe
            .field
            .strip_prefix("minutes[")
            .and_then(|s| s.strip_suffix(']'))
        {
            Some(i) => format!("d{i}"),
            None if fe.field == "minutes" => "d0".into(),
            None => fe.field.clone(),
        };
        if m.contains_key(&field) {
            continue;
        }
        // The day's date, for messages that name it.
        let day = fe
            .message
            .split_whitespace()
            .find(|w| w.len() == 10 && NaiveDate::parse_from_str(w, "%Y-%m-%d").is_ok())
            .unwrap_or("")
            .to_string();
        let key = format!("rent-err-{}", fe.code);
        let mut text = t(lang, &key, &[("day", day)]);
        if text == key {
            text = fe.message.clone();
        }
        m.insert(field.clone(), json!(text));
        list.push(json!({"field": field, "message": text}));
    }
    (m, list)
}

async fn index(State(state): State<AppState>, user: UiUser) -> Response {
    let list = match state.store.list_rental_interventions(&user.ctx).await {
        Ok(l) => l,
        Err(e) => return user_error_page(&user, e.into()),
    };
    let mut ctx = base_context(user.lang, Some(&user), "/uthyrning", "rental");
    ctx.insert(
        "interventions".into(),
        json!(list
            .iter()
            .map(|i| json!({"id": i.id, "name": i.name, "operator_kind": i.operator_kind,
                "period_from": i.period_from.to_string(), "period_to": i.period_to.map(|d| d.to_string()),
                "status": i.status}))
            .collect::<Vec<_>>()),
    );
    render(
        &state.templates,
        "work/rental/index.html",
        ctx,
        StatusCode::OK,
    )
}

/// The chart's geometry: bars for the monthly result, a line for the
/// cumulative one, on one scale with a zero line.
fn chart(lang: Lang, r: &EconomicResult) -> Value {
    let (w, h, left, top, bottom) = (760.0f64, 280.0f64, 120.0f64, 20.0f64, 40.0f64);
    let n = r.months.len().max(1) as f64;
    let mut lo = 0i64;
    let mut hi = 0i64;
    for m in &r.months {
        lo = lo.min(m.result_ore).min(m.cumulative_ore);
        hi = hi.max(m.result_ore).max(m.cumulative_ore);
    }
    if hi == lo {
        hi = lo + 100;
    }
    let plot_h = h - top - bottom;
    let y = |v: i64| top + (hi - v) as f64 / (hi - lo) as f64 * plot_h;
    let step = (w - left - 10.0) / n;
    let zero = y(0);
    let mut bars = vec![];
    let mut points = vec![];
    for (i, m) in r.months.iter().enumerate() {
        let x = left + step * i as f64;
        let yv = y(m.result_ore);
        let (top_y, height) = if m.result_ore >= 0 {
            (yv, zero - yv)
        } else {
            (zero, yv - zero)
        };
        bars.push(json!({
            "x": format!("{:.1}", x + step * 0.15),
            "y": format!("{:.1}", top_y),
            "w": format!("{:.1}", step * 0.7),
            "h": format!("{:.1}", height.max(0.5)),
            "negative": m.result_ore < 0,
            "label": &m.month[2..],
            "label_x": format!("{:.1}", x + step * 0.5),
            "title": format!("{}: {}", m.month, money(lang, m.result_ore)),
        }));
        points.push(format!("{:.1},{:.1}", x + step * 0.5, y(m.cumulative_ore)));
    }
    json!({
        "width": w, "height": h, "left": left,
        "zero_y": format!("{:.1}", zero),
        "right": w - 10.0,
        "bars": bars,
        "points": points.join(" "),
        "max_label": money(lang, hi), "min_label": money(lang, lo),
        "max_y": format!("{:.1}", y(hi) + 4.0), "min_y": format!("{:.1}", y(lo)),
        "label_y": h - bottom + 16.0,
        "show_labels_every": ((n / 12.0).ceil() as usize).max(1),
    })
}

fn legal_json(lang: Lang, checks: &[LegalCheck]) -> Value {
    json!(checks
        .iter()
        .map(|c| json!({
            "kind": c.kind.as_str(),
            "status": c.status.as_str(),
            "reasons": c.reasons.iter().map(|r| {
                let key = format!("rent-legal-reason-{}", r.code);
                let args = [
                    ("year", r.year.map(|y| y.to_string()).unwrap_or_default()),
                    ("buyer", r.buyer.clone().unwrap_or_default()),
                    ("amount", r.amount_ore.map(|a| money(lang, a)).unwrap_or_default()),
                    ("compared", r.compared_ore.map(|a| money(lang, a)).unwrap_or_default()),
                    ("share", r.share_permille.map(|s| format!("{},{}", s / 10, s % 10)).unwrap_or_default()),
                ];
                let text = t(lang, &key, &args);
                if text == key { r.message.clone() } else { text }
            }).collect::<Vec<_>>(),
        }))
        .collect::<Vec<_>>())
}

#[derive(Debug, Default, Deserialize)]
struct OverviewQuery {
    klart: Option<String>,
}

async fn overview(
    State(state): State<AppState>,
    user: UiUser,
    PageId(id): PageId,
    Query(q): Query<OverviewQuery>,
) -> Response {
    overview_page(&state, &user, id, q.klart.as_deref(), None).await
}

/// The overview, optionally with a form's errors (`which`: invoice or ledger).
async fn overview_page(
    state: &AppState,
    user: &UiUser,
    id: i64,
    flash: Option<&str>,
    form: Option<(&str, ValidationErrors, Value)>,
) -> Response {
    let lang = user.lang;
    let s = &state.store;
    let ctx_ = &user.ctx;
    let loaded = async {
        let i = s.rental_intervention(ctx_, id).await?;
        let contracts = s.list_contracts(ctx_, id).await?;
        let assignments = s.list_assignments(ctx_, id).await?;
        let sheets = s
            .list_timesheets(
                ctx_,
                &TimesheetFilter {
                    intervention_id: Some(id),
                    limit: Some(60),
                    ..Default::default()
                },
            )
            .await?;
        let counts = s.timesheet_counts(ctx_, id).await?;
        let invoices = s.list_invoices(ctx_, id).await?;
        let ledger = s.list_ledger(ctx_, id).await?;
        let result = s.economic_result(ctx_, id, None, None).await?;
        let legal = s.legal_checks(ctx_, id).await?;
        Ok::<_, StoreError>((
            i,
            contracts,
            assignments,
            (sheets, counts),
            invoices,
            ledger,
            result,
            legal,
        ))
    }
    .await;
    let (i, contracts, assignments, (sheets, counts), invoices, ledger, result, legal) =
        match loaded {
            Ok(x) => x,
            Err(e) => return user_error_page(user, e.into()),
        };
    let here = format!("/uthyrning/{id}");
    let mut ctx = base_context(lang, Some(user), &here, "rental");
    if let Some(f) = flash {
        let key = match f {
            "faktura" => "rent-flash-invoiced",
            "kostnad" => "rent-flash-ledger",
            "vecka" => "rent-flash-week",
            "avtal" => "rent-flash-contract",
            "uppdrag" => "rent-flash-assignment",
            _ => "rent-flash-saved",
        };
        ctx.insert("flash".into(), json!(key));
    }
    ctx.insert(
        "intervention".into(),
        json!({"id": i.id, "name": i.name, "operator_kind": i.operator_kind,
            "period_from": i.period_from.to_string(), "period_to": i.period_to.map(|d| d.to_string())}),
    );
    ctx.insert(
        "contracts".into(),
        json!(contracts
            .iter()
            .map(|c| json!({
                "id": c.id, "participant_name": c.participant_name,
                "period_from": c.period.from.to_string(), "period_to": c.period.to.to_string(),
                "hours_per_week": hours(lang, c.hours_per_week_minutes),
                "wage": money(lang, c.hourly_wage_ore),
                "fee": format!("{},{}", c.employer_fee_permille / 10, c.employer_fee_permille % 10),
            }))
            .collect::<Vec<_>>()),
    );
    let mut hosts: Vec<(i64, String)> = assignments
        .iter()
        .map(|a| (a.employer_id, a.employer_name.clone()))
        .collect();
    hosts.sort_by(|a, b| a.1.cmp(&b.1));
    hosts.dedup();
    ctx.insert(
        "assignments".into(),
        json!(assignments
            .iter()
            .map(|a| json!({
                "placement_id": a.placement_id, "participant_name": a.participant_name,
                "employer_name": a.employer_name, "role_title": a.role_title,
                "period_from": a.period.from.to_string(), "period_to": a.period.to.to_string(),
                "rate": money(lang, a.hourly_rate_ore), "supervisor_name": a.supervisor_name,
            }))
            .collect::<Vec<_>>()),
    );
    ctx.insert(
        "hosts".into(),
        json!(hosts
            .iter()
            .map(|(id, name)| json!({"id": id, "name": name}))
            .collect::<Vec<_>>()),
    );
    ctx.insert(
        "week_counts".into(),
        json!({"submitted": counts[0], "approved": counts[1], "rejected": counts[2]}),
    );
    ctx.insert(
        "weeks".into(),
        json!(sheets
            .iter()
            .take(60)
            .map(|t| timesheet_json(lang, t))
            .collect::<Vec<_>>()),
    );
    ctx.insert(
        "invoices".into(),
        json!(invoices.iter().map(|v| json!({
            "id": v.id, "number": v.number, "employer_name": v.employer_name, "month": v.month,
            "hours": hours(lang, v.total_minutes), "total": money(lang, v.total_ore), "lines": v.lines.len(),
            "gross": money(lang, v.gross_ore), "kind": v.kind.as_str(), "credited": v.credited_by.is_some(),
        })).collect::<Vec<_>>()),
    );
    ctx.insert(
        "ledger".into(),
        json!(ledger.iter().map(|l| json!({
            "month": l.month, "kind": l.kind, "amount": money(lang, l.amount_ore), "note": l.note,
        })).collect::<Vec<_>>()),
    );
    ctx.insert(
        "result".into(),
        json!({
            "months": result.months.iter().map(|m| json!({
                "month": m.month,
                "hours": hours(lang, m.approved_minutes),
                "revenue": money(lang, m.revenue_ore),
                "has_uninvoiced": m.revenue_uninvoiced_ore != 0,
                "revenue_uninvoiced": money(lang, m.revenue_uninvoiced_ore),
                "wages": money(lang, m.wages_ore),
                "other_costs": money(lang, m.other_costs_ore),
                "subsidies": money(lang, m.subsidies_ore),
                "result": money(lang, m.result_ore),
                "cumulative": money(lang, m.cumulative_ore),
                "negative": m.cumulative_ore < 0,
            })).collect::<Vec<_>>(),
            "total": money(lang, result.total_ore),
            "break_even_month": result.break_even_month,
            "break_even_revenue": money(lang, result.break_even_monthly_revenue_ore),
        }),
    );
    ctx.insert("chart".into(), chart(lang, &result));
    ctx.insert("legal".into(), legal_json(lang, &legal));
    let may_manage = rental_role_may(user.session.user.role, RentalAction::Manage);
    ctx.insert("may_manage".into(), json!(may_manage));
    if may_manage {
        // The new forms' choices: the participants placed in this
        // intervention, and its placements not yet priced as assignments.
        let placements = match s
            .list_placements(
                ctx_,
                &PlacementFilter {
                    intervention_id: Some(id),
                    ..Default::default()
                },
            )
            .await
        {
            Ok(p) => p,
            Err(e) => return user_error_page(user, e.into()),
        };
        let mut people: Vec<(String, i64)> = placements
            .iter()
            .map(|p| {
                (
                    format!("{} {}", p.first_name, p.last_name),
                    p.participant_id,
                )
            })
            .collect();
        people.sort();
        people.dedup();
        ctx.insert(
            "contract_participants".into(),
            json!(people
                .iter()
                .map(|(name, pid)| json!({"id": pid.to_string(), "name": name}))
                .collect::<Vec<_>>()),
        );
        let open: Vec<Value> = placements
            .iter()
            .filter(|p| !assignments.iter().any(|a| a.placement_id == p.id))
            .map(|p| {
                json!({"id": p.id.to_string(), "label": format!("{} {} – {} ({} – {})",
                    p.first_name, p.last_name, p.employer_name.clone().unwrap_or_default(),
                    p.start_date, p.end_date)})
            })
            .collect();
        ctx.insert("open_placements".into(), json!(open));
        ctx.insert(
            "contract_options".into(),
            json!(contracts
                .iter()
                .map(
                    |c| json!({"id": c.id.to_string(), "label": format!("{} ({} – {})",
                    c.participant_name, c.period.from, c.period.to)})
                )
                .collect::<Vec<_>>()),
        );
    }
    let mut status = StatusCode::OK;
    ctx.insert("errors".into(), json!({}));
    ctx.insert("values".into(), json!({}));
    ctx.insert("form".into(), json!(""));
    if let Some((which, mut errors, values)) = form {
        if which == "contract" || which == "assignment" {
            // The forms' ids differ from the API's field names; a placement
            // outside the contract names both periods, not a day.
            for fe in &mut errors.0 {
                match fe.field.as_str() {
                    "hours_per_week_minutes" => fe.field = "hours_per_week".into(),
                    "hourly_wage_ore" => fe.field = "wage".into(),
                    "employer_fee_permille" => fe.field = "fee".into(),
                    "hourly_rate_ore" => fe.field = "rate".into(),
                    "intervention_id" => fe.field = "participant_id".into(),
                    _ => {}
                }
                if fe.code == "outside_contract" || fe.code == "unknown" {
                    fe.code = format!("{which}_{}", fe.code);
                }
            }
        }
        if which == "ledger" {
            // The ledger form's ids differ from the API's field names.
            for fe in &mut errors.0 {
                match fe.field.as_str() {
                    "month" => fe.field = "ledger_month".into(),
                    "amount_ore" => fe.field = "amount".into(),
                    _ => {}
                }
            }
        }
        let (m, list) = form_errors(lang, &errors);
        ctx.insert("form".into(), json!(which));
        ctx.insert("errors".into(), Value::Object(m));
        ctx.insert("error_list".into(), json!(list));
        ctx.insert("values".into(), values);
        status = StatusCode::UNPROCESSABLE_ENTITY;
    }
    render(&state.templates, "work/rental/overview.html", ctx, status)
}

#[derive(Debug, Default, Deserialize)]
struct InvoiceForm {
    employer_id: Option<String>,
    month: Option<String>,
}

async fn invoice_create(
    State(state): State<AppState>,
    user: UiUser,
    PageId(id): PageId,
    CsrfForm(form): CsrfForm<InvoiceForm>,
) -> Response {
    let employer = form.employer_id.as_deref().and_then(parse_id);
    let values = json!({"employer_id": form.employer_id, "month": form.month});
    match state
        .store
        .create_invoice(&user.ctx, id, employer, form.month.as_deref())
        .await
    {
        Ok(_) => Redirect::to(&format!("/uthyrning/{id}?klart=faktura#fakturor")).into_response(),
        Err(StoreError::Validation(e)) => {
            overview_page(&state, &user, id, None, Some(("invoice", e, values))).await
        }
        Err(StoreError::Conflict { field, .. }) if field == "seller" => {
            let mut e = ValidationErrors::new();
            e.add("month", "seller", t(user.lang, "rent-err-seller", &[]));
            overview_page(&state, &user, id, None, Some(("invoice", e, values))).await
        }
        Err(StoreError::Conflict { field, message }) => {
            // The refusal names the weeks; the sentence around them is translated.
            let mut weeks = message
                .split_once(": ")
                .map(|x| x.1)
                .unwrap_or("")
                .to_string();
            if user.lang == Lang::Sv {
                for (en, sv) in [
                    ("week of ", "veckan från "),
                    ("placement ", "placering "),
                    ("submitted", "inskickad"),
                    ("rejected", "avvisad"),
                ] {
                    weeks = weeks.replace(en, sv);
                }
            }
            let text = t(user.lang, "rent-err-unapproved_weeks", &[("weeks", weeks)]);
            let mut e = ValidationErrors::new();
            e.add(&field, "text", text);
            overview_page(&state, &user, id, None, Some(("invoice", e, values))).await
        }
        Err(e) => user_error_page(&user, e.into()),
    }
}

/// The invoice (or credit note) as a printable page: seller, buyer,
/// numbers, dates, terms, lines, net, VAT and gross; a credit button for a
/// coordinator while the invoice is not credited.
async fn invoice_page(
    State(state): State<AppState>,
    user: UiUser,
    PageId(id): PageId,
    Query(q): Query<OverviewQuery>,
) -> Response {
    let lang = user.lang;
    let v = match state.store.read_invoice(&user.ctx, id).await {
        Ok(v) => v,
        Err(e) => return user_error_page(&user, e.into()),
    };
    let mut ctx = base_context(lang, Some(&user), "/uthyrning", "rental");
    let may_manage = rental_role_may(user.session.user.role, RentalAction::Manage);
    ctx.insert(
        "invoice".into(),
        json!({
            "id": v.id, "number": v.number, "kind": v.kind.as_str(),
            "is_credit_note": v.kind == InvoiceKind::CreditNote,
            "credits_invoice_id": v.credits_invoice_id, "credited_by": v.credited_by,
            "intervention_id": v.intervention_id, "intervention_name": v.intervention_name,
            "month": v.month, "invoice_date": v.invoice_date.to_string(), "due_date": v.due_date.to_string(),
            "payment_terms_days": v.payment_terms_days,
            "vat_percent": super::api::export::rate_percent(v.vat_rate_permille),
            "net": money(lang, v.net_ore), "vat": money(lang, v.vat_ore), "gross": money(lang, v.gross_ore),
            "hours": hours(lang, v.total_minutes),
            "seller_name": v.seller_name, "seller_organisation_number": org_formatted(&v.seller_organisation_number),
            "seller_vat_number": v.seller_vat_number,
            "buyer_name": v.buyer_name, "buyer_organisation_number": org_formatted(&v.buyer_organisation_number),
            "buyer_address": v.buyer_address,
            "lines": v.lines.iter().map(|l| json!({
                "participant": l.participant_name, "role": l.role_title,
                "period_from": l.period_from.to_string(), "period_to": l.period_to.to_string(),
                "hours": hours(lang, l.minutes), "rate": money(lang, l.rate_ore), "amount": money(lang, l.amount_ore),
            })).collect::<Vec<_>>(),
        }),
    );
    ctx.insert(
        "may_credit".into(),
        json!(may_manage && v.kind == InvoiceKind::Invoice && v.credited_by.is_none()),
    );
    if q.klart.as_deref() == Some("kredit") {
        ctx.insert("flash".into(), json!("rent-flash-credited"));
    }
    render(
        &state.templates,
        "work/rental/invoice.html",
        ctx,
        StatusCode::OK,
    )
}

/// `NNNNNN-NNNN` for 10 digits; anything else as stored.
fn org_formatted(n: &str) -> String {
    if n.len() == 10 && n.bytes().all(|b| b.is_ascii_digit()) {
        format!("{}-{}", &n[..6], &n[6..])
    } else {
        n.to_string()
    }
}

/// Credit an invoice from its page; on to the credit note.
async fn invoice_credit(
    State(state): State<AppState>,
    user: UiUser,
    PageId(id): PageId,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Response {
    match state.store.credit_invoice(&user.ctx, id).await {
        Ok(note) => {
            Redirect::to(&format!("/uthyrning/fakturor/{}?klart=kredit", note.id)).into_response()
        }
        Err(e) => user_error_page(&user, e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
struct LedgerForm {
    #[serde(rename = "ledger_month")]
    month: Option<String>,
    kind: Option<String>,
    amount: Option<String>,
    note: Option<String>,
}

/// Kronor typed with a comma or a dot, to öre.
fn kronor(v: &str) -> Option<i64> {
    let v: String = v.trim().replace([' ', '\u{a0}'], "").replace(',', ".");
    let (whole, frac) = v.split_once('.').unwrap_or((&v, ""));
    if whole.is_empty()
        || frac.len() > 2
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let frac: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<2}").parse().ok()?
    };
    whole.checked_mul(100)?.checked_add(frac)
}

async fn ledger_add(
    State(state): State<AppState>,
    user: UiUser,
    PageId(id): PageId,
    CsrfForm(form): CsrfForm<LedgerForm>,
) -> Response {
    let amount = form.amount.as_deref().filter(|s| !s.trim().is_empty());
    let ore = amount.and_then(kronor);
    let mut data = check_ledger(
        form.month.as_deref(),
        form.kind.as_deref(),
        ore.or(amount.map(|_| 0)),
        form.note.as_deref(),
    );
    if amount.is_some() && ore.is_none() {
        let mut e = data.err().unwrap_or_default();
        e.0.retain(|f| f.field != "amount_ore");
        e.add("amount_ore", "not_a_number", "amount must be kronor");
        data = Err(e);
    }
    let values =
        json!({"month": form.month, "kind": form.kind, "amount": form.amount, "note": form.note});
    match state.store.add_ledger_entry(&user.ctx, id, data).await {
        Ok(_) => Redirect::to(&format!("/uthyrning/{id}?klart=kostnad#ekonomi")).into_response(),
        Err(StoreError::Validation(e)) => {
            overview_page(&state, &user, id, None, Some(("ledger", e, values))).await
        }
        Err(e) => user_error_page(&user, e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
struct ContractForm {
    participant_id: Option<String>,
    period_from: Option<String>,
    period_to: Option<String>,
    hours_per_week: Option<String>,
    wage: Option<String>,
    fee: Option<String>,
}

fn blank(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

async fn contract_create(
    State(state): State<AppState>,
    user: UiUser,
    PageId(id): PageId,
    CsrfForm(form): CsrfForm<ContractForm>,
) -> Response {
    let values = json!({"participant_id": form.participant_id, "period_from": form.period_from,
        "period_to": form.period_to, "hours_per_week": form.hours_per_week, "wage": form.wage,
        "fee": form.fee});
    // Typed values that are not numbers are refused here, before the store
    // sees a partial input; blanks go on and are named as required there.
    let mut e = ValidationErrors::new();
    let hours = match blank(&form.hours_per_week) {
        None => None,
        Some(v) => match typed_minutes(&Some(v.to_string())) {
            Ok(m) => Some(m),
            Err(()) => {
                e.add(
                    "hours_per_week_minutes",
                    "not_hours",
                    "hours must be a number",
                );
                None
            }
        },
    };
    let wage = match blank(&form.wage) {
        None => None,
        Some(v) => {
            let ore = kronor(v);
            if ore.is_none() {
                e.add("hourly_wage_ore", "not_a_number", "the wage must be kronor");
            }
            ore
        }
    };
    let fee = match blank(&form.fee) {
        None => None,
        Some(v) => {
            let n = v.parse::<i64>().ok();
            if n.is_none() {
                e.add(
                    "employer_fee_permille",
                    "not_permille",
                    "the fees must be a whole number of per mille",
                );
            }
            n
        }
    };
    if !e.is_empty() {
        return overview_page(&state, &user, id, None, Some(("contract", e, values))).await;
    }
    let input = ContractInput {
        participant_id: form.participant_id.as_deref().and_then(parse_id),
        intervention_id: Some(id),
        period_from: blank(&form.period_from).map(str::to_string),
        period_to: blank(&form.period_to).map(str::to_string),
        hours_per_week_minutes: hours,
        hourly_wage_ore: wage,
        employer_fee_permille: fee,
    };
    match state.store.create_contract(&user.ctx, &input).await {
        Ok(_) => Redirect::to(&format!("/uthyrning/{id}?klart=avtal#avtal")).into_response(),
        Err(StoreError::Validation(e)) => {
            overview_page(&state, &user, id, None, Some(("contract", e, values))).await
        }
        Err(e) => user_error_page(&user, e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
struct AssignmentForm {
    placement_id: Option<String>,
    contract_id: Option<String>,
    rate: Option<String>,
}

async fn assignment_create(
    State(state): State<AppState>,
    user: UiUser,
    PageId(id): PageId,
    CsrfForm(form): CsrfForm<AssignmentForm>,
) -> Response {
    let values = json!({"placement_id": form.placement_id, "contract_id": form.contract_id,
        "rate": form.rate});
    let rate = blank(&form.rate).map(kronor);
    if rate == Some(None) {
        let mut e = ValidationErrors::new();
        e.add("hourly_rate_ore", "not_a_number", "the rate must be kronor");
        return overview_page(&state, &user, id, None, Some(("assignment", e, values))).await;
    }
    let placement = form.placement_id.as_deref().and_then(parse_id);
    let contract = form.contract_id.as_deref().and_then(parse_id);
    // The store checks the placement and the contract against each other
    // (same participant and intervention), as for the API.
    match state
        .store
        .create_assignment(&user.ctx, placement, contract, rate.flatten())
        .await
    {
        Ok(_) => Redirect::to(&format!("/uthyrning/{id}?klart=uppdrag#uppdrag")).into_response(),
        Err(StoreError::Validation(e)) => {
            overview_page(&state, &user, id, None, Some(("assignment", e, values))).await
        }
        Err(StoreError::Conflict { field, .. }) => {
            let mut e = ValidationErrors::new();
            e.add(
                &field,
                "already_assigned",
                "the placement is already an assignment",
            );
            overview_page(&state, &user, id, None, Some(("assignment", e, values))).await
        }
        Err(e) => user_error_page(&user, e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
struct WeekQuery {
    placement: Option<String>,
    vecka: Option<String>,
}

/// The Monday of the week before today: the week a supervisor usually reports.
fn last_monday(today: NaiveDate) -> NaiveDate {
    let monday = today - Duration::days(today.weekday().num_days_from_monday() as i64);
    monday - Duration::days(7)
}

async fn timesheet_page(
    state: &AppState,
    user: &UiUser,
    id: i64,
    values: Value,
    errors: &ValidationErrors,
) -> Response {
    let i = match state.store.rental_intervention(&user.ctx, id).await {
        Ok(i) => i,
        Err(e) => return user_error_page(user, e.into()),
    };
    if !rental_role_may(user.session.user.role, RentalAction::EnterTimesheet) {
        return user_error_page(user, Problem::forbidden());
    }
    let assignments = match state.store.list_assignments(&user.ctx, id).await {
        Ok(a) => a,
        Err(e) => return user_error_page(user, e.into()),
    };
    let here = format!("/uthyrning/{id}/tidrapport");
    let mut ctx = base_context(user.lang, Some(user), &here, "rental");
    ctx.insert("intervention".into(), json!({"id": i.id, "name": i.name}));
    ctx.insert(
        "assignments".into(),
        json!(assignments.iter().map(|a| json!({
            "placement_id": a.placement_id.to_string(),
            "label": format!("{} – {} ({} – {})", a.participant_name, a.employer_name, a.period.from, a.period.to),
        })).collect::<Vec<_>>()),
    );
    let (m, list) = form_errors(user.lang, errors);
    let failed = !list.is_empty();
    ctx.insert("errors".into(), Value::Object(m));
    ctx.insert("error_list".into(), json!(list));
    ctx.insert("values".into(), values);
    let status = if failed {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(
        &state.templates,
        "work/rental/timesheet_form.html",
        ctx,
        status,
    )
}

async fn timesheet_form(
    State(state): State<AppState>,
    user: UiUser,
    PageId(id): PageId,
    Query(q): Query<WeekQuery>,
) -> Response {
    let week = q
        .vecka
        .clone()
        .unwrap_or_else(|| last_monday(user.ctx.today()).to_string());
    let values = json!({"placement_id": q.placement, "week_start": week,
        "d0": "", "d1": "", "d2": "", "d3": "", "d4": "", "d5": "", "d6": ""});
    timesheet_page(&state, &user, id, values, &ValidationErrors::new()).await
}

#[derive(Debug, Default, Deserialize)]
struct WeekForm {
    placement_id: Option<String>,
    week_start: Option<String>,
    d0: Option<String>,
    d1: Option<String>,
    d2: Option<String>,
    d3: Option<String>,
    d4: Option<String>,
    d5: Option<String>,
    d6: Option<String>,
    note: Option<String>,
}

/// Hours typed as `7,5`, `7.5` or `7:30`; blank is zero.
fn typed_minutes(v: &Option<String>) -> Result<i64, ()> {
    let v = v.as_deref().map(str::trim).unwrap_or("");
    if v.is_empty() {
        return Ok(0);
    }
    if let Some((h, m)) = v.split_once(':') {
        let h: i64 = h.trim().parse().map_err(|_| ())?;
        let m: i64 = m.trim().parse().map_err(|_| ())?;
        if !(0..60).contains(&m) {
            return Err(());
        }
        return Ok(h * 60 + if h < 0 { -m } else { m });
    }
    let f: f64 = v.replace(',', ".").parse().map_err(|_| ())?;
    if !f.is_finite() || f.abs() > 1000.0 {
        return Err(());
    }
    Ok((f * 60.0).round() as i64)
}

async fn timesheet_submit(
    State(state): State<AppState>,
    user: UiUser,
    PageId(id): PageId,
    CsrfForm(form): CsrfForm<WeekForm>,
) -> Response {
    let days = [
        &form.d0, &form.d1, &form.d2, &form.d3, &form.d4, &form.d5, &form.d6,
    ];
    let values = json!({"placement_id": form.placement_id, "week_start": form.week_start,
        "d0": form.d0, "d1": form.d1, "d2": form.d2, "d3": form.d3, "d4": form.d4, "d5": form.d5, "d6": form.d6,
        "note": form.note});
    let mut e = ValidationErrors::new();
    let mut minutes = [0i64; 7];
    for (i, d) in days.iter().enumerate() {
        match typed_minutes(d) {
            Ok(m) => minutes[i] = m,
            Err(()) => e.add(
                &format!("minutes[{i}]"),
                "not_hours",
                "hours must be a number such as 7,5",
            ),
        }
    }
    if !e.is_empty() {
        return timesheet_page(&state, &user, id, values, &e).await;
    }
    let input = TimesheetInput {
        placement_id: form.placement_id.as_deref().and_then(parse_id),
        week_start: form.week_start.clone(),
        minutes: Some(minutes),
        note: form.note.clone(),
    };
    match state.store.submit_timesheet(&user.ctx, &input).await {
        Ok(_) => Redirect::to(&format!("/uthyrning/{id}?klart=vecka#veckor")).into_response(),
        Err(StoreError::Validation(e)) => timesheet_page(&state, &user, id, values, &e).await,
        Err(StoreError::Conflict { field, message }) => {
            let mut e = ValidationErrors::new();
            let code = if message.contains("approved") {
                "already_approved"
            } else {
                "already_invoiced"
            };
            e.add(&field, code, message);
            timesheet_page(&state, &user, id, values, &e).await
        }
        Err(e) => user_error_page(&user, e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
struct HostQuery {
    klart: Option<String>,
}

async fn host_page(
    State(state): State<AppState>,
    user: UiUser,
    Query(q): Query<HostQuery>,
) -> Response {
    host_render(&state, &user, q.klart.as_deref(), None).await
}

/// The host's weeks: those waiting first, then the latest decided.
async fn host_render(
    state: &AppState,
    user: &UiUser,
    flash: Option<&str>,
    failed: Option<(i64, ValidationErrors, String)>,
) -> Response {
    let all = match state
        .store
        .list_timesheets(&user.ctx, &TimesheetFilter::default())
        .await
    {
        Ok(l) => l,
        Err(e) => return user_error_page(user, e.into()),
    };
    let lang = user.lang;
    let waiting: Vec<Value> = all
        .iter()
        .filter(|t| t.status == TimesheetStatus::Submitted)
        .map(|t| timesheet_json(lang, t))
        .collect();
    let decided: Vec<Value> = all
        .iter()
        .filter(|t| t.status != TimesheetStatus::Submitted)
        .take(20)
        .map(|t| timesheet_json(lang, t))
        .collect();
    let mut ctx = base_context(lang, Some(user), "/tidrapporter", "timesheets");
    if let Some(f) = flash {
        ctx.insert(
            "flash".into(),
            json!(if f == "avvisad" {
                "rent-flash-rejected"
            } else {
                "rent-flash-approved"
            }),
        );
    }
    ctx.insert("waiting".into(), json!(waiting));
    ctx.insert("decided".into(), json!(decided));
    ctx.insert(
        "may_decide".into(),
        json!(rental_role_may(
            user.session.user.role,
            RentalAction::DecideTimesheet
        )),
    );
    let mut status = StatusCode::OK;
    if let Some((id, errors, reason)) = failed {
        let (_, list) = form_errors(lang, &errors);
        let message = list
            .first()
            .and_then(|l| l["message"].as_str())
            .unwrap_or("")
            .to_string();
        ctx.insert(
            "failed".into(),
            json!({"id": id, "message": message, "reason": reason}),
        );
        ctx.insert(
            "error_list".into(),
            json!([{"field": format!("reason-{id}"), "message": message}]),
        );
        status = StatusCode::UNPROCESSABLE_ENTITY;
    }
    render(&state.templates, "work/rental/host.html", ctx, status)
}

#[derive(Debug, Default, Deserialize)]
struct DecisionForm {
    version: Option<String>,
    reason: Option<String>,
}

async fn host_decide(
    state: &AppState,
    user: &UiUser,
    id: &str,
    form: &DecisionForm,
    approve: bool,
) -> Response {
    let Some(id) = parse_id(id) else {
        return user_error_page(user, Problem::not_found());
    };
    let version = form.version.as_deref().and_then(|v| v.parse().ok());
    match state
        .store
        .decide_timesheet(&user.ctx, id, approve, form.reason.as_deref(), version)
        .await
    {
        Ok(_) => Redirect::to(if approve {
            "/tidrapporter?klart=godkand"
        } else {
            "/tidrapporter?klart=avvisad"
        })
        .into_response(),
        Err(StoreError::Validation(e)) => {
            host_render(
                state,
                user,
                None,
                Some((id, e, form.reason.clone().unwrap_or_default())),
            )
            .await
        }
        Err(StoreError::Conflict { .. }) | Err(StoreError::StaleVersion) => {
            let mut e = ValidationErrors::new();
            e.add(
                "reason",
                "already_decided",
                "the week has already been decided",
            );
            host_render(state, user, None, Some((id, e, String::new()))).await
        }
        Err(e) => user_error_page(user, e.into()),
    }
}

async fn host_approve(
    State(state): State<AppState>,
    user: UiUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> Response {
    host_decide(&state, &user, &id, &form, true).await
}

async fn host_reject(
    State(state): State<AppState>,
    user: UiUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> Response {
    host_decide(&state, &user, &id, &form, false).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_hours_and_typed_values() {
        assert_eq!(
            money(Lang::Sv, 123_456_789),
            "1\u{a0}234\u{a0}567,89\u{a0}kr"
        );
        assert_eq!(money(Lang::En, -5), "−SEK\u{a0}0.05");
        assert_eq!(hours(Lang::Sv, 450), "7,5");
        assert_eq!(hours(Lang::En, 480), "8");
        assert_eq!(typed_minutes(&Some("7,5".into())), Ok(450));
        assert_eq!(typed_minutes(&Some("7:45".into())), Ok(465));
        assert_eq!(typed_minutes(&Some("".into())), Ok(0));
        assert!(typed_minutes(&Some("sju".into())).is_err());
        assert_eq!(kronor("1 234,5"), Some(123_450));
        assert_eq!(kronor("12.345"), None);
    }
}
