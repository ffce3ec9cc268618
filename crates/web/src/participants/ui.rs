//! Participant pages: list and search, one participant, create and edit.

use crate::kernel::error::Problem;
use crate::kernel::forms::PageId;
use crate::kernel::forms::{errors_map, CsrfForm, Failed};
use crate::kernel::session::UiUser;
use crate::ui::{base_context, render, user_error_page};
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;
use vagar_domain::access::{decide, ParticipantAction, ParticipantFacts};
use vagar_domain::geo;
use vagar_domain::participants::{
    BirthRegion, EducationLevel, Gender, ParticipantInput, SwedishLevel, TargetGroup,
    LICENCE_CLASSES,
};
use vagar_domain::ValidationErrors;
use vagar_store::participants::{Participant, ParticipantQuery};
use vagar_store::StoreError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/deltagare", get(list_get).post(list_post))
        .route("/deltagare/ny", get(new_form).post(create))
        .route("/deltagare/{id}", get(show))
        .route("/deltagare/{id}/redigera", get(edit_form).post(update))
}

fn codes<T: Copy>(all: &[T], f: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|v| f(*v)).collect()
}

#[derive(Debug, Default, Deserialize, Serialize)]
struct SearchForm {
    q: Option<String>,
    district: Option<String>,
    target_group: Option<String>,
    page: Option<String>,
}

#[derive(Serialize)]
struct Row {
    id: i64,
    first_name: String,
    last_name: String,
    masked_identity: String,
    age: u32,
    district: Option<String>,
    target_groups: Vec<&'static str>,
}

async fn list_get(
    State(state): State<AppState>,
    user: UiUser,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    // GET carries no names or numbers: only the non-personal filters.
    let form = SearchForm {
        district: q.get("district").cloned(),
        target_group: q.get("target_group").cloned(),
        page: q.get("page").cloned(),
        ..Default::default()
    };
    list(state, user, form).await
}

async fn list_post(
    State(state): State<AppState>,
    user: UiUser,
    CsrfForm(form): CsrfForm<SearchForm>,
) -> Response {
    list(state, user, form).await
}

async fn list(state: AppState, user: UiUser, form: SearchForm) -> Response {
    let page: u32 = form
        .page
        .as_deref()
        .and_then(|p| p.parse().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1);
    let query = ParticipantQuery {
        q: form.q.clone().filter(|q| !q.trim().is_empty()),
        district: form.district.clone().filter(|d| !d.is_empty()),
        target_group: form.target_group.as_deref().and_then(TargetGroup::parse),
        page,
        per_page: 20,
    };
    let mut ctx = base_context(user.lang, Some(&user), "/deltagare", "participants");
    ctx.insert("districts".into(), json!(geo::STOCKHOLM_DISTRICTS));
    ctx.insert(
        "target_groups".into(),
        json!(codes(TargetGroup::ALL, TargetGroup::as_str)),
    );
    ctx.insert("query".into(), json!(form));
    let today = user.ctx.today();
    let mut status = StatusCode::OK;
    match state.store.search_participants(&user.ctx, &query).await {
        Ok(p) => {
            let rows: Vec<Row> = p
                .items
                .iter()
                .map(|x| Row {
                    id: x.id,
                    first_name: x.data.first_name.clone(),
                    last_name: x.data.last_name.clone(),
                    masked_identity: x.data.identity_number.masked(),
                    age: x.data.age_on(today),
                    district: x.data.district.clone(),
                    target_groups: x.data.target_groups.iter().map(|g| g.as_str()).collect(),
                })
                .collect();
            let has_next = (p.page as u64) * (p.per_page as u64) < p.total || p.total_is_capped;
            ctx.insert(
                "has_next".into(),
                json!(has_next && rows.len() as u32 == p.per_page),
            );
            ctx.insert("rows".into(), json!(rows));
            ctx.insert(
                "page".into(),
                json!({"page": p.page, "total": p.total, "total_is_capped": p.total_is_capped}),
            );
            ctx.insert("errors".into(), json!({}));
        }
        Err(StoreError::Validation(e)) => {
            status = StatusCode::UNPROCESSABLE_ENTITY;
            ctx.insert("errors".into(), errors_map(&e));
        }
        Err(e) => return user_error_page(&user, e.into()),
    }
    render(&state.templates, "participants/list.html", ctx, status)
}

/// The participant form as submitted; every value kept as typed so a page
/// with errors shows exactly what the user entered.
#[derive(Debug, Default, Deserialize, Serialize, Clone)]
struct ParticipantForm {
    version: Option<String>,
    identity_number: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    gender: Option<String>,
    birth_region: Option<String>,
    education_level: Option<String>,
    disability: Option<String>,
    #[serde(default)]
    target_groups: Vec<String>,
    municipality_code: Option<String>,
    district: Option<String>,
    swedish_level: Option<String>,
    languages: Option<String>,
    #[serde(default)]
    driving_licences: Vec<String>,
    email: Option<String>,
    phone: Option<String>,
    registered_on: Option<String>,
    responsible_caseworker_id: Option<String>,
}

fn blank_to_none(v: &Option<String>) -> Option<String> {
    v.as_ref()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

impl ParticipantForm {
    fn from_participant(p: &Participant) -> ParticipantForm {
        let d = &p.data;
        ParticipantForm {
            version: Some(p.version.to_string()),
            identity_number: Some(d.identity_number.formatted()),
            first_name: Some(d.first_name.clone()),
            last_name: Some(d.last_name.clone()),
            gender: Some(d.gender.as_str().into()),
            birth_region: Some(d.birth_region.as_str().into()),
            education_level: Some(d.education_level.as_str().into()),
            disability: Some(match d.disability {
                None => String::new(),
                Some(b) => b.to_string(),
            }),
            target_groups: d.target_groups.iter().map(|g| g.as_str().into()).collect(),
            municipality_code: Some(d.municipality_code.clone()),
            district: d.district.clone(),
            swedish_level: d.swedish_level.map(|s| s.as_str().into()),
            languages: Some(d.languages.join(", ")),
            driving_licences: d.driving_licences.clone(),
            email: d.email.clone(),
            phone: d.phone.clone(),
            registered_on: Some(d.registered_on.to_string()),
            responsible_caseworker_id: d.responsible_caseworker_id.map(|v| v.to_string()),
        }
    }

    /// Every field is present in the form, so every field is set.
    fn to_input(&self) -> Result<ParticipantInput, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let disability = match self.disability.as_deref().unwrap_or("") {
            "" => None,
            "true" => Some(true),
            "false" => Some(false),
            _ => {
                e.add(
                    "disability",
                    "invalid_choice",
                    "disability must be true, false or empty",
                );
                None
            }
        };
        let caseworker = match blank_to_none(&self.responsible_caseworker_id) {
            None => None,
            Some(v) => match v.parse::<i64>() {
                Ok(id) => Some(id),
                Err(_) => {
                    e.add(
                        "responsible_caseworker_id",
                        "unknown_caseworker",
                        "choose a caseworker",
                    );
                    None
                }
            },
        };
        let input = ParticipantInput {
            identity_number: Some(self.identity_number.clone().unwrap_or_default()),
            first_name: Some(self.first_name.clone().unwrap_or_default()),
            last_name: Some(self.last_name.clone().unwrap_or_default()),
            gender: blank_to_none(&self.gender),
            birth_region: blank_to_none(&self.birth_region),
            education_level: blank_to_none(&self.education_level),
            disability: Some(disability),
            target_groups: Some(self.target_groups.clone()),
            municipality_code: blank_to_none(&self.municipality_code),
            district: Some(blank_to_none(&self.district)),
            swedish_level: Some(blank_to_none(&self.swedish_level)),
            languages: Some(
                self.languages
                    .as_deref()
                    .unwrap_or("")
                    .split(|c: char| c == ',' || c.is_whitespace())
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
            ),
            driving_licences: Some(self.driving_licences.clone()),
            email: Some(blank_to_none(&self.email)),
            phone: Some(blank_to_none(&self.phone)),
            registered_on: blank_to_none(&self.registered_on),
            responsible_caseworker_id: Some(caseworker),
        };
        e.into_result(input)
    }
}

#[derive(Serialize)]
struct Muni {
    code: &'static str,
    name: &'static str,
}

async fn form_page(
    state: &AppState,
    user: &UiUser,
    form: &ParticipantForm,
    errors: Option<&ValidationErrors>,
    edit: Option<(i64, &str)>,
    stale: bool,
    status: StatusCode,
) -> Response {
    let (here, active, heading, action, cancel) = match edit {
        None => (
            "/deltagare/ny".to_string(),
            "new",
            crate::kernel::i18n::t(user.lang, "participant-new-title", &[]),
            "/deltagare/ny".to_string(),
            "/deltagare".to_string(),
        ),
        Some((id, name)) => (
            format!("/deltagare/{id}/redigera"),
            "participants",
            crate::kernel::i18n::t(
                user.lang,
                "participant-edit-title",
                &[("name", name.to_string())],
            ),
            format!("/deltagare/{id}/redigera"),
            format!("/deltagare/{id}"),
        ),
    };
    let mut ctx = base_context(user.lang, Some(user), &here, active);
    let mut munis: Vec<Muni> = geo::municipalities()
        .map(|m| Muni {
            code: m.code,
            name: m.name,
        })
        .collect();
    munis.sort_by(|a, b| a.name.cmp(b.name));
    let caseworkers = state
        .store
        .list_caseworkers(user.ctx.actor.organisation_id)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|u| json!({"id": u.id, "display_name": u.display_name}))
        .collect::<Vec<_>>();
    ctx.insert("heading".into(), json!(heading));
    ctx.insert("action".into(), json!(action));
    ctx.insert("cancel".into(), json!(cancel));
    ctx.insert("stale".into(), json!(stale));
    ctx.insert("version".into(), json!(form.version));
    ctx.insert("f".into(), json!(form));
    ctx.insert("errors".into(), errors.map(errors_map).unwrap_or(json!({})));
    ctx.insert(
        "error_list".into(),
        json!(errors.map(|e| e.0.clone()).unwrap_or_default()),
    );
    ctx.insert("genders".into(), json!(codes(Gender::ALL, Gender::as_str)));
    ctx.insert(
        "birth_regions".into(),
        json!(codes(BirthRegion::ALL, BirthRegion::as_str)),
    );
    ctx.insert(
        "education_levels".into(),
        json!(codes(EducationLevel::ALL, EducationLevel::as_str)),
    );
    ctx.insert(
        "target_groups".into(),
        json!(codes(TargetGroup::ALL, TargetGroup::as_str)),
    );
    ctx.insert(
        "swedish_levels".into(),
        json!(codes(SwedishLevel::ALL, SwedishLevel::as_str)),
    );
    ctx.insert("licences".into(), json!(LICENCE_CLASSES));
    ctx.insert("districts".into(), json!(geo::STOCKHOLM_DISTRICTS));
    ctx.insert("municipalities".into(), json!(munis));
    ctx.insert("caseworkers".into(), json!(caseworkers));
    render(&state.templates, "participants/form.html", ctx, status)
}

fn store_errors(e: StoreError) -> Result<ValidationErrors, StoreError> {
    match e {
        StoreError::Validation(v) => Ok(v),
        StoreError::Conflict { field, message } => {
            let mut v = ValidationErrors::new();
            v.add(&field, "conflict", message);
            Ok(v)
        }
        other => Err(other),
    }
}

async fn new_form(State(state): State<AppState>, user: UiUser) -> Response {
    if !vagar_domain::access::global_allowed(
        &user.ctx.actor,
        vagar_domain::access::GlobalAction::CreateParticipant,
    ) {
        return user_error_page(&user, Problem::forbidden());
    }
    // Choices nobody has made yet start as "unknown", never as the first
    // option: an untouched select must not record a woman with primary school.
    let form = ParticipantForm {
        gender: Some(Gender::Unknown.as_str().into()),
        birth_region: Some(BirthRegion::Unknown.as_str().into()),
        education_level: Some(EducationLevel::Unknown.as_str().into()),
        municipality_code: Some(geo::STOCKHOLM.into()),
        registered_on: Some(user.ctx.today().to_string()),
        responsible_caseworker_id: Some(user.ctx.actor.user_id.to_string()),
        disability: Some(String::new()),
        ..Default::default()
    };
    form_page(&state, &user, &form, None, None, false, StatusCode::OK).await
}

async fn create(
    State(state): State<AppState>,
    user: UiUser,
    CsrfForm(form): CsrfForm<ParticipantForm>,
) -> Response {
    let input = match form.to_input() {
        Ok(i) => i,
        Err(e) => {
            return form_page(
                &state,
                &user,
                &form,
                Some(&e),
                None,
                false,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    };
    match state.store.create_participant(&user.ctx, &input).await {
        Ok(p) => Redirect::to(&format!("/deltagare/{}?skapad=1", p.id)).into_response(),
        Err(e) => match store_errors(e) {
            Ok(v) => {
                form_page(
                    &state,
                    &user,
                    &form,
                    Some(&v),
                    None,
                    false,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            Err(e) => user_error_page(&user, e.into()),
        },
    }
}

pub(crate) fn may_update(user: &UiUser, p: &Participant) -> bool {
    let facts = ParticipantFacts {
        organisation_id: p.organisation_id,
        responsible_caseworker_id: p.data.responsible_caseworker_id,
        actor_has_grant: false,
    };
    decide(&user.ctx.actor, ParticipantAction::Update, &facts).is_some()
}

pub(crate) fn parse_id(raw: &str) -> Option<i64> {
    raw.parse::<i64>().ok().filter(|v| *v > 0)
}

async fn show(
    State(state): State<AppState>,
    user: UiUser,
    PageId(id): PageId,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let flash = if q.contains_key("skapad") {
        Some("participant-created")
    } else if let Some(i) = q.get("inskriven") {
        Some(if i == "befintlig" {
            "intake-attached"
        } else {
            "intake-created"
        })
    } else {
        match q.get("sparad").map(String::as_str) {
            Some("samtycke") => Some("consent-recorded"),
            Some("aterkallat") => Some("consent-revoked"),
            Some("overlamnad") => Some("handover-done"),
            Some(_) => Some("participant-updated"),
            None => None,
        }
    };
    participant_page(&state, &user, id, flash, None, StatusCode::OK).await
}

pub(crate) async fn participant_page(
    state: &AppState,
    user: &UiUser,
    id: i64,
    flash: Option<&str>,
    failed: Option<Failed>,
    status: StatusCode,
) -> Response {
    let p = match state.store.read_participant(&user.ctx, id).await {
        Ok(p) => p,
        Err(e) => return user_error_page(user, e.into()),
    };
    let d = &p.data;
    let today = user.ctx.today();
    let caseworker_name = match d.responsible_caseworker_id {
        Some(cid) => {
            let mut found = None;
            for o in state.store.list_organisations().await.unwrap_or_default() {
                if let Some(u) = state
                    .store
                    .list_caseworkers(o.id)
                    .await
                    .unwrap_or_default()
                    .into_iter()
                    .find(|u| u.id == cid)
                {
                    found = Some(u.display_name);
                    break;
                }
            }
            found
        }
        None => None,
    };
    let mut ctx = base_context(
        user.lang,
        Some(user),
        &format!("/deltagare/{id}"),
        "participants",
    );
    ctx.insert(
        "p".into(),
        json!({
            "id": p.id,
            "identity_formatted": d.identity_number.formatted(),
            "first_name": d.first_name, "last_name": d.last_name,
            "birth_date": d.birth_date().to_string(), "age": d.age_on(today),
            "gender": d.gender.as_str(), "birth_region": d.birth_region.as_str(),
            "education_level": d.education_level.as_str(), "disability": d.disability,
            "target_groups": d.target_groups.iter().map(|g| g.as_str()).collect::<Vec<_>>(),
            "municipality_code": d.municipality_code,
            "municipality_name": geo::municipality(&d.municipality_code).map(|m| m.name).unwrap_or(""),
            "district": d.district, "swedish_level": d.swedish_level.map(|s| s.as_str()),
            "languages": d.languages, "driving_licences": d.driving_licences,
            "email": d.email, "phone": d.phone, "registered_on": d.registered_on.to_string(),
            "caseworker_name": caseworker_name,
        }),
    );
    ctx.insert("can_edit".into(), json!(may_update(user, &p)));
    ctx.insert("flash".into(), json!(flash));
    ctx.insert(
        "errors".into(),
        failed
            .as_ref()
            .map(|f| errors_map(&f.errors))
            .unwrap_or(json!({})),
    );
    ctx.insert(
        "error_list".into(),
        json!(failed
            .as_ref()
            .map(|f| f.errors.0.clone())
            .unwrap_or_default()),
    );
    if let Err(e) = crate::consent::ui::section(state, user, &p, failed.as_ref(), &mut ctx).await {
        return user_error_page(user, e.into());
    }
    render(&state.templates, "participants/detail.html", ctx, status)
}

async fn edit_form(State(state): State<AppState>, user: UiUser, PageId(id): PageId) -> Response {
    let p = match state.store.read_participant(&user.ctx, id).await {
        Ok(p) => p,
        Err(e) => return user_error_page(&user, e.into()),
    };
    if !may_update(&user, &p) {
        return user_error_page(&user, Problem::forbidden());
    }
    let name = format!("{} {}", p.data.first_name, p.data.last_name);
    form_page(
        &state,
        &user,
        &ParticipantForm::from_participant(&p),
        None,
        Some((id, &name)),
        false,
        StatusCode::OK,
    )
    .await
}

async fn update(
    State(state): State<AppState>,
    user: UiUser,
    PageId(id): PageId,
    CsrfForm(form): CsrfForm<ParticipantForm>,
) -> Response {
    let name = format!(
        "{} {}",
        form.first_name.clone().unwrap_or_default(),
        form.last_name.clone().unwrap_or_default()
    );
    let input = match form.to_input() {
        Ok(i) => i,
        Err(e) => {
            return form_page(
                &state,
                &user,
                &form,
                Some(&e),
                Some((id, &name)),
                false,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    };
    let version = form.version.as_deref().and_then(|v| v.parse().ok());
    match state
        .store
        .update_participant(&user.ctx, id, &input, version)
        .await
    {
        Ok(_) => Redirect::to(&format!("/deltagare/{id}?sparad=1")).into_response(),
        Err(StoreError::StaleVersion) => match state.store.read_participant(&user.ctx, id).await {
            Ok(p) => {
                // The heading names the record as it is now, like the form.
                let name = format!("{} {}", p.data.first_name, p.data.last_name);
                let fresh = ParticipantForm::from_participant(&p);
                form_page(
                    &state,
                    &user,
                    &fresh,
                    None,
                    Some((id, &name)),
                    true,
                    StatusCode::CONFLICT,
                )
                .await
            }
            Err(e) => user_error_page(&user, e.into()),
        },
        Err(e) => match store_errors(e) {
            Ok(v) => {
                form_page(
                    &state,
                    &user,
                    &form,
                    Some(&v),
                    Some((id, &name)),
                    false,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            Err(e) => user_error_page(&user, e.into()),
        },
    }
}
