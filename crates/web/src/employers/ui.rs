//! The employer register (`/arbetsgivarregister`): a searchable list with a
//! form to register an employer, and an employer's page
//! (`/arbetsgivarregister/{id}`) with workplaces, contacts, the interaction
//! log and agreements (actual against target, procurement fulfilment) and
//! forms to add each — through the same store functions as the API, so
//! access and audit are the same. (`/arbetsgivare` is the public form's.)
//!
//! On an error the page is shown again with that form's values kept, an
//! error summary and inline messages; field ids carry the form's name.

use crate::kernel::error::Problem;
use crate::kernel::forms::parse_id;
use crate::kernel::forms::{self, put_failed, CsrfForm, Failed, PageId};
use crate::kernel::session::UiUser;
use crate::ui::{base_context, render, user_error_page};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use vagar_domain::access::{employer_role_may, EmployerAction};
use vagar_domain::employers::EmployerPatch;
use vagar_domain::employers::{
    month_text, AccessibilityFeature, ContactInput, EmployerInput, FulfilmentInput,
    InteractionInput, OutcomeInput, PartnershipInput, ProcurementInput, Requirement,
    WorkplaceInput,
};
use vagar_domain::geo::STOCKHOLM_DISTRICTS;
use vagar_domain::org::OrgKind;
use vagar_domain::{OrganisationNumber, ValidationErrors};
use vagar_store::employers::EmployerQuery;
use vagar_store::StoreError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/arbetsgivarregister", get(list).post(create))
        .route("/arbetsgivarregister/{id}", get(show))
        .route("/arbetsgivarregister/{id}/{form}", post(add))
}

/// Every form's fields, as posted (all text; the domain validates).
#[derive(Debug, Default, Deserialize, Serialize, Clone)]
struct AnyForm {
    #[serde(flatten)]
    fields: HashMap<String, String>,
    #[serde(default)]
    accessibility: Vec<String>,
}

impl AnyForm {
    fn get(&self, k: &str) -> Option<String> {
        self.fields
            .get(k)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    }
    fn int(&self, k: &str, e: &mut ValidationErrors) -> Option<i64> {
        let v = self.get(k)?;
        match v.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                e.add(k, "invalid", format!("{k} must be a whole number"));
                None
            }
        }
    }
    fn values(&self) -> Value {
        let mut m: Map<String, Value> = self
            .fields
            .iter()
            .map(|(k, v)| (k.clone(), json!(v)))
            .collect();
        m.insert("accessibility".into(), json!(self.accessibility));
        Value::Object(m)
    }
}

const SIZE_CLASSES: [&str; 5] = ["micro", "small", "medium", "large", "unknown"];

fn may(user: &UiUser, a: EmployerAction) -> bool {
    employer_role_may(user.session.user.role, a)
}

fn formatted(org: &str) -> String {
    OrganisationNumber::from_canonical(org)
        .map(|o| o.formatted())
        .unwrap_or_else(|_| org.to_string())
}

async fn sni_options(state: &AppState) -> Vec<Value> {
    state
        .store
        .classification("sni")
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|c| json!({"code": c.code, "label": c.label}))
        .collect()
}

async fn list_page(
    state: &AppState,
    user: &UiUser,
    q: &HashMap<String, String>,
    failed: Option<Failed>,
    status: StatusCode,
) -> Response {
    let page = q
        .get("sida")
        .and_then(|p| p.parse::<i64>().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1);
    let query = EmployerQuery {
        q: q.get("q").cloned(),
        sni: q.get("sni").cloned(),
        district: q.get("district").cloned(),
        page,
        per_page: 25,
    };
    let result = match state.store.list_employers(&user.ctx, &query).await {
        Ok(r) => r,
        Err(e) => return user_error_page(user, e.into()),
    };
    let mut ctx = base_context(user.lang, Some(user), "/arbetsgivarregister", "employers");
    ctx.insert(
        "employers".into(),
        json!(result
            .items
            .iter()
            .map(|e| json!({
                "id": e.id, "name": e.name, "org": formatted(&e.organisation_number),
                "sni": e.sni_label.clone().or(e.sni_code.clone()), "size_class": e.size_class.as_str(),
            }))
            .collect::<Vec<_>>()),
    );
    ctx.insert("total".into(), json!(result.total));
    ctx.insert("page".into(), json!(result.page));
    ctx.insert(
        "next_page".into(),
        json!((result.page * result.per_page < result.total).then_some(result.page + 1)),
    );
    ctx.insert(
        "prev_page".into(),
        json!((result.page > 1).then_some(result.page - 1)),
    );
    ctx.insert("query".into(), json!(q));
    ctx.insert("sni_options".into(), json!(sni_options(state).await));
    ctx.insert("districts".into(), json!(STOCKHOLM_DISTRICTS));
    ctx.insert("size_classes".into(), json!(SIZE_CLASSES));
    ctx.insert(
        "may_create".into(),
        json!(may(user, EmployerAction::Create)),
    );
    put_failed(&mut ctx, failed);
    render(&state.templates, "employers/list.html", ctx, status)
}

async fn list(
    State(state): State<AppState>,
    user: UiUser,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    list_page(&state, &user, &q, None, StatusCode::OK).await
}

async fn create(
    State(state): State<AppState>,
    user: UiUser,
    CsrfForm(form): CsrfForm<AnyForm>,
) -> Response {
    if !may(&user, EmployerAction::Create) {
        return user_error_page(&user, Problem::forbidden());
    }
    let input = EmployerInput {
        organisation_number: form.get("organisation_number"),
        name: form.get("name"),
        sni_code: form.get("sni_code"),
        size_class: form.get("size_class"),
    };
    match state.store.create_employer(&user.ctx, &input).await {
        Ok(e) => Redirect::to(&format!(
            "/arbetsgivarregister/{}?sparad=arbetsgivare",
            e.id
        ))
        .into_response(),
        Err(e) => {
            let none = HashMap::new();
            let page = |f, s| list_page(&state, &user, &none, f, s);
            forms::again(&user, "employer", form.values(), e, page).await
        }
    }
}

async fn employer_page(
    state: &AppState,
    user: &UiUser,
    id: i64,
    failed: Option<Failed>,
    flash: Option<&str>,
    stale: bool,
    status: StatusCode,
) -> Response {
    let o = match state.store.employer_overview(&user.ctx, id).await {
        Ok(o) => o,
        Err(e) => return user_error_page(user, e.into()),
    };
    let e = &o.employer;
    let organisations = state.store.list_organisations().await.unwrap_or_default();
    let mut ctx = base_context(
        user.lang,
        Some(user),
        &format!("/arbetsgivarregister/{id}"),
        "employers",
    );
    ctx.insert(
        "e".into(),
        json!({"id": e.id, "name": e.name, "org": formatted(&e.organisation_number),
               "sni_code": e.sni_code, "sni_label": e.sni_label, "size_class": e.size_class.as_str(),
               "source": e.source, "version": e.version, "organisation_id": e.organisation_id,
               "organisation": organisations.iter().find(|o| Some(o.id) == e.organisation_id).map(|o| o.name.clone())}),
    );
    if may(user, EmployerAction::Manage) {
        ctx.insert("sni_options".into(), json!(sni_options(state).await));
        ctx.insert("size_classes".into(), json!(SIZE_CLASSES));
        // Only employer organisations can be linked: their `employer` users
        // then act for this employer.
        ctx.insert(
            "organisation_options".into(),
            json!(organisations
                .iter()
                .filter(|o| o.kind == OrgKind::Employer)
                .map(|o| json!({"value": o.id, "label": o.name}))
                .collect::<Vec<_>>()),
        );
    }
    ctx.insert(
        "workplaces".into(),
        json!(o.workplaces.iter().map(|w| json!({
            "name": w.name, "street_address": w.street_address, "postal_code": w.postal_code,
            "city": w.city, "municipality": vagar_domain::geo::municipality(&w.municipality_code).map(|m| m.name).unwrap_or(&w.municipality_code),
            "district": w.district, "accessibility": w.accessibility.iter().map(|a| a.as_str()).collect::<Vec<_>>(),
            "accessibility_note": w.accessibility_note,
        })).collect::<Vec<_>>()),
    );
    ctx.insert(
        "contacts".into(),
        json!(o
            .contacts
            .iter()
            .map(|c| json!({"name": c.name, "title": c.title, "email": c.email, "phone": c.phone}))
            .collect::<Vec<_>>()),
    );
    ctx.insert(
        "interactions".into(),
        json!(o.interactions.iter().map(|i| json!({"date": i.occurred_on.to_string(), "kind": i.kind.as_str(), "note": i.note})).collect::<Vec<_>>()),
    );
    ctx.insert(
        "partnerships".into(),
        json!(o.partnerships.iter().map(|p| json!({
            "id": p.id, "name": p.name, "valid_from": p.valid_from.to_string(),
            "valid_to": p.valid_to.map(|d| d.to_string()),
            "progress": p.progress.iter().map(|y| json!({
                "year": y.year, "target_placements": y.target_placements, "actual_placements": y.actual_placements,
                "placements_percent": y.placements_percent, "target_hires": y.target_hires,
                "actual_hires": y.actual_hires, "hires_percent": y.hires_percent,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>()),
    );
    ctx.insert(
        "contracts".into(),
        json!(o.procurement_contracts.iter().map(|c| {
            let (kind, required) = match c.requirement {
                Requirement::Placements(n) => ("placements", n),
                Requirement::HoursShare(n) => ("hours_share", n),
            };
            let f = &c.fulfilment;
            json!({
                "id": c.id, "name": c.contract_name, "reference": c.contract_reference,
                "unit": c.procuring_unit, "from": c.period_from.to_string(), "to": c.period_to.to_string(),
                "kind": kind, "required": required,
                "required_percent": format!("{},{}", required / 10, required % 10),
                "placements_so_far": f.placements_so_far, "expected": f.expected_placements_by_now,
                "share": f.hours_share_permille.map(|s| format!("{},{}", s / 10, s % 10)),
                "percent": f.percent_of_requirement, "behind": f.behind,
                "months": c.months.iter().map(|m| json!({"month": month_text(m.month), "placements": m.placements,
                    "contract_hours": m.contract_hours, "target_group_hours": m.target_group_hours})).collect::<Vec<_>>(),
            })
        }).collect::<Vec<_>>()),
    );
    ctx.insert("districts".into(), json!(STOCKHOLM_DISTRICTS));
    ctx.insert(
        "features".into(),
        json!(AccessibilityFeature::ALL
            .iter()
            .map(|a| a.as_str())
            .collect::<Vec<_>>()),
    );
    ctx.insert(
        "kinds".into(),
        json!(["call", "visit", "meeting", "email", "offer"]),
    );
    ctx.insert("today".into(), json!(user.ctx.today().to_string()));
    ctx.insert(
        "may_manage".into(),
        json!(may(user, EmployerAction::Manage)),
    );
    ctx.insert("flash".into(), json!(flash));
    put_failed(&mut ctx, failed);
    // After the failed form: a stale version is this page's own flag.
    ctx.insert("stale".into(), json!(stale));
    render(&state.templates, "employers/detail.html", ctx, status)
}

async fn show(
    State(state): State<AppState>,
    user: UiUser,
    PageId(id): PageId,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let flash = q.get("sparad").map(|_| "emp-saved");
    employer_page(&state, &user, id, None, flash, false, StatusCode::OK).await
}

fn chosen_id(form: &AnyForm, key: &str, e: &mut ValidationErrors) -> i64 {
    match form
        .get(key)
        .and_then(|v| v.parse::<i64>().ok())
        .filter(|v| *v > 0)
    {
        Some(v) => v,
        None => {
            e.add(key, "invalid_choice", format!("{key}: choose an option"));
            0
        }
    }
}

async fn add(
    State(state): State<AppState>,
    user: UiUser,
    Path((id, which)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<AnyForm>,
) -> Response {
    let Some(id) = parse_id(&id) else {
        return user_error_page(&user, Problem::not_found());
    };
    let store = &state.store;
    let ctx = &user.ctx;
    let mut pre = ValidationErrors::new();
    let result: Result<(), StoreError> = match which.as_str() {
        // The employer's own details: a blank SNI or organisation clears it.
        "uppgifter" => {
            let organisation_id = match form.get("organisation_id") {
                None => Some(None),
                Some(v) => match v.parse::<i64>() {
                    Ok(n) => Some(Some(n)),
                    Err(_) => {
                        pre.add(
                            "organisation_id",
                            "invalid_choice",
                            "organisation_id: choose an option",
                        );
                        None
                    }
                },
            };
            let version = form.int("version", &mut pre);
            let patch = EmployerPatch {
                name: Some(form.get("name").unwrap_or_default()),
                sni_code: Some(form.get("sni_code")),
                size_class: Some(form.get("size_class").unwrap_or_default()),
                organisation_id,
                version,
            };
            if pre.is_empty() {
                match store.update_employer(ctx, id, &patch).await {
                    Ok(_) => Ok(()),
                    Err(StoreError::StaleVersion) => {
                        return employer_page(
                            &state,
                            &user,
                            id,
                            None,
                            None,
                            true,
                            StatusCode::CONFLICT,
                        )
                        .await
                    }
                    Err(e) => Err(e),
                }
            } else {
                Err(StoreError::Validation(pre.clone()))
            }
        }
        "arbetsstallen" => store
            .add_employer_workplace(
                ctx,
                id,
                &WorkplaceInput {
                    name: form.get("name"),
                    street_address: form.get("street_address"),
                    postal_code: form.get("postal_code"),
                    city: form.get("city"),
                    municipality_code: form.get("municipality_code"),
                    district: form.get("district"),
                    accessibility: form.accessibility.clone(),
                    accessibility_note: form.get("accessibility_note"),
                },
            )
            .await
            .map(|_| ()),
        "kontakter" => store
            .add_employer_contact(
                ctx,
                id,
                &ContactInput {
                    name: form.get("name"),
                    title: form.get("title"),
                    email: form.get("email"),
                    phone: form.get("phone"),
                },
            )
            .await
            .map(|_| ()),
        "kontakthandelser" => store
            .add_employer_interaction(
                ctx,
                id,
                &InteractionInput {
                    occurred_on: form.get("occurred_on"),
                    kind: form.get("kind"),
                    note: form.get("note"),
                },
            )
            .await
            .map(|_| ()),
        "partnerskap" => {
            let input = PartnershipInput {
                name: form.get("name"),
                valid_from: form.get("valid_from"),
                valid_to: form.get("valid_to"),
                target_placements_per_year: form.int("target_placements_per_year", &mut pre),
                target_hires_per_year: form.int("target_hires_per_year", &mut pre),
                note: form.get("note"),
            };
            if pre.is_empty() {
                store.add_partnership(ctx, id, &input).await.map(|_| ())
            } else {
                Err(StoreError::Validation(pre.clone()))
            }
        }
        "utfall" => {
            let aid = chosen_id(&form, "agreement_id", &mut pre);
            if pre.is_empty() {
                store
                    .add_partnership_outcome(
                        ctx,
                        id,
                        aid,
                        &OutcomeInput {
                            occurred_on: form.get("occurred_on"),
                            kind: form.get("kind"),
                            note: form.get("note"),
                        },
                    )
                    .await
                    .map(|_| ())
            } else {
                Err(StoreError::Validation(pre.clone()))
            }
        }
        "upphandlingar" => {
            let input = ProcurementInput {
                contract_name: form.get("contract_name"),
                contract_reference: form.get("contract_reference"),
                procuring_unit: form.get("procuring_unit"),
                period_from: form.get("period_from"),
                period_to: form.get("period_to"),
                requirement_kind: form.get("requirement_kind"),
                required_placements: form.int("required_placements", &mut pre),
                required_hours_share_permille: form.int("required_hours_share_permille", &mut pre),
                note: form.get("note"),
            };
            if pre.is_empty() {
                store
                    .add_procurement_contract(ctx, id, &input)
                    .await
                    .map(|_| ())
            } else {
                Err(StoreError::Validation(pre.clone()))
            }
        }
        "uppfyllelse" => {
            let cid = chosen_id(&form, "contract_id", &mut pre);
            let input = FulfilmentInput {
                placements: form.int("placements", &mut pre),
                contract_hours: form.int("contract_hours", &mut pre),
                target_group_hours: form.int("target_group_hours", &mut pre),
            };
            if pre.is_empty() {
                store
                    .put_procurement_fulfilment(
                        ctx,
                        id,
                        cid,
                        &form.get("month").unwrap_or_default(),
                        &input,
                    )
                    .await
                    .map(|_| ())
            } else {
                Err(StoreError::Validation(pre.clone()))
            }
        }
        _ => return user_error_page(&user, Problem::not_found()),
    };
    match result {
        Ok(()) => Redirect::to(&format!("/arbetsgivarregister/{id}?sparad={which}#{which}"))
            .into_response(),
        // An unknown agreement or contract of this employer: name the choice.
        Err(StoreError::NotFound)
            if matches!(which.as_str(), "utfall" | "uppfyllelse")
                && may(&user, EmployerAction::Manage) =>
        {
            let key = if which == "utfall" {
                "agreement_id"
            } else {
                "contract_id"
            };
            let failed = Failed::one(&which, form.values(), key, "invalid_choice");
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            employer_page(&state, &user, id, Some(failed), None, false, status).await
        }
        Err(e) => {
            let page = |f, s| employer_page(&state, &user, id, f, None, false, s);
            forms::again(&user, &which, form.values(), e, page).await
        }
    }
}
