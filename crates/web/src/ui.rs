//! The server-rendered HTML interface, in Swedish with English switchable.
//! Works without JavaScript; every form carries a CSRF token.

use crate::kernel::error::Problem;
use crate::kernel::i18n::{t, Lang};
use crate::kernel::session::{UiUser, LANG_COOKIE};
use crate::AppState;
use axum::extract::{Path, Query};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use minijinja::value::Kwargs;
use minijinja::{Environment, State};
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// Every template, embedded in the binary: `(name, source)` from its path
/// under `crates/web/templates/` (a folder per feature, `kernel/` for the
/// layout and the form macros).
macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        [$(($name, include_str!(concat!("../templates/", $name)))),*]
    };
}

pub fn templates() -> Environment<'static> {
    let mut env = Environment::new();
    for (name, src) in templates![
        "kernel/base.html",
        "kernel/forms.html",
        "kernel/error.html",
        "auth/login.html",
        "participants/list.html",
        "participants/detail.html",
        "plans/plan.html",
        "assessments/assessment.html",
        "competence/profile.html",
        "competence/search.html",
        "intake/intake.html",
        "between_chairs/list.html",
        "steering/groups.html",
        "steering/group.html",
        "employers/list.html",
        "employers/detail.html",
        "needs/macros.html",
        "needs/public.html",
        "needs/public_thanks.html",
        "needs/list.html",
        "needs/detail.html",
        "needs/form.html",
        "matching/macros.html",
        "matching/runs.html",
        "matching/participant.html",
        "participants/form.html",
        "work/interventions/macros.html",
        "work/interventions/list.html",
        "work/interventions/detail.html",
        "work/placements/detail.html",
        "work/placements/mine.html",
        "work/displacement/reductions.html",
        "work/rental/index.html",
        "work/rental/overview.html",
        "work/rental/invoice.html",
        "work/rental/timesheet_form.html",
        "work/rental/host.html",
        "work/staffing/board.html",
        "work/staffing/pool.html",
        "work/staffing/stats.html",
        "work/learning/list.html",
        "work/learning/detail.html",
    ] {
        env.add_template(name, src)
            .expect("shipped templates parse");
    }
    env.add_function(
        "t",
        |state: &State, key: String, kwargs: Kwargs| -> String {
            let lang = state
                .lookup("lang")
                .and_then(|v| v.as_str().and_then(Lang::parse))
                .unwrap_or(Lang::Sv);
            let args: Vec<(&str, String)> = kwargs
                .args()
                .map(|k| {
                    (
                        k,
                        kwargs
                            .get::<minijinja::Value>(k)
                            .map(|v| v.to_string())
                            .unwrap_or_default(),
                    )
                })
                .collect();
            t(lang, &key, &args)
        },
    );
    // A field's error message: `err-FIELD-CODE` where a field needs its own
    // words (a future registration date is no future birth date), else `err-CODE`.
    env.add_function(
        "err",
        |state: &State, field: String, code: String| -> String {
            let lang = state
                .lookup("lang")
                .and_then(|v| v.as_str().and_then(Lang::parse))
                .unwrap_or(Lang::Sv);
            let specific = format!("err-{field}-{code}");
            let text = t(lang, &specific, &[]);
            if text != specific {
                text
            } else {
                t(lang, &format!("err-{code}"), &[])
            }
        },
    );
    env
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/",
            get(|user: UiUser| async move { Redirect::to(home(user.session.user.role)) }),
        )
        .route("/sprak/{lang}", get(switch_language))
        .route("/static/{*path}", get(static_file))
        // Browsers ask for it whatever the page links.
        .route(
            "/favicon.ico",
            get(|| async { Redirect::permanent("/static/favicon.svg") }),
        )
        .merge(crate::auth::ui::router())
        .merge(crate::participants::ui::router())
        .merge(crate::plans::ui::router())
        .merge(crate::assessments::ui::router())
        .merge(crate::competence::ui::router())
        .merge(crate::consent::ui::router())
        .merge(crate::intake::ui::router())
        .merge(crate::between_chairs::ui::router())
        .merge(crate::steering::ui::router())
        .merge(crate::employers::ui::router())
        .merge(crate::needs::public::router())
        .merge(crate::needs::ui::router())
        .merge(crate::matching::ui::router())
        .merge(crate::work::routes::ui_router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
}

/// A page, not an empty body, for e.g. a bookmarked `/logga-ut` (POST only).
async fn method_not_allowed(
    crate::kernel::session::PageLang(lang): crate::kernel::session::PageLang,
) -> Response {
    error_page(
        lang,
        Problem::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
            "Method not allowed",
            "",
        ),
    )
}

/// The stylesheets and scripts are compiled into the binary, so `vagar` runs
/// from any folder with nothing beside it.
const STATIC_FILES: &[(&str, &str)] = &[
    ("app.css", include_str!("../static/app.css")),
    ("autocomplete.js", include_str!("../static/autocomplete.js")),
    ("favicon.svg", include_str!("../static/favicon.svg")),
    (
        "vendor/designsystemet/designsystemet.css",
        include_str!("../static/vendor/designsystemet/designsystemet.css"),
    ),
    (
        "vendor/designsystemet/theme.css",
        include_str!("../static/vendor/designsystemet/theme.css"),
    ),
];

async fn static_file(
    Path(path): Path<String>,
    crate::kernel::session::PageLang(lang): crate::kernel::session::PageLang,
) -> Response {
    match STATIC_FILES.iter().find(|(name, _)| *name == path) {
        Some((name, body)) => {
            let kind = if name.ends_with(".js") {
                "text/javascript; charset=utf-8"
            } else if name.ends_with(".svg") {
                "image/svg+xml"
            } else {
                "text/css; charset=utf-8"
            };
            ([(header::CONTENT_TYPE, kind)], *body).into_response()
        }
        None => error_page(lang, Problem::not_found()),
    }
}

async fn not_found(
    crate::kernel::session::PageLang(lang): crate::kernel::session::PageLang,
) -> Response {
    error_page(lang, Problem::not_found())
}

/// Where a user starts: the first page of the navigation their role may
/// open (an employer coordinator has no participant list, a host only its
/// own placed participants).
pub(crate) fn home(role: vagar_domain::Role) -> &'static str {
    use vagar_domain::access::{global_roles, GlobalAction};
    use vagar_domain::Role;
    if global_roles(GlobalAction::ListParticipants).contains(&role) {
        return "/deltagare";
    }
    match role {
        Role::Employer => "/mina-placeringar",
        Role::EmployerCoordinator => "/behov",
        _ => "/insatser",
    }
}

/// The context every page needs: language, user, CSRF token, navigation.
pub(crate) fn base_context(
    lang: Lang,
    user: Option<&UiUser>,
    here: &str,
    active: &str,
) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("lang".into(), json!(lang.code()));
    m.insert("other_lang".into(), json!(lang.other().code()));
    m.insert("here".into(), json!(here));
    m.insert("active".into(), json!(active));
    if let Some(u) = user {
        let s = &u.session.user;
        m.insert(
            "user".into(),
            json!({"display_name": s.display_name, "role": s.role.as_str(), "organisation_name": s.organisation_name}),
        );
        m.insert("csrf".into(), json!(u.session.csrf_token));
        m.insert(
            "can_alerts".into(),
            json!(vagar_domain::access::global_allowed(
                &u.ctx.actor,
                vagar_domain::access::GlobalAction::ListBetweenChairs
            )),
        );
        m.insert(
            "can_intake".into(),
            json!(vagar_domain::access::global_allowed(
                &u.ctx.actor,
                vagar_domain::access::GlobalAction::Intake
            )),
        );
        m.insert(
            "can_competence".into(),
            json!(vagar_domain::access::global_allowed(
                &u.ctx.actor,
                vagar_domain::access::GlobalAction::CompetenceSearch
            )),
        );
        m.insert(
            "can_steering".into(),
            json!(vagar_domain::access::steering_role_may(
                s.role,
                vagar_domain::access::SteeringAction::Read
            )),
        );
        m.insert(
            "can_employers".into(),
            json!(vagar_domain::access::employer_role_may(
                s.role,
                vagar_domain::access::EmployerAction::Read
            )),
        );
        m.insert(
            "can_needs".into(),
            json!(vagar_domain::access::need_role_may(
                s.role,
                vagar_domain::access::NeedAction::Read
            )),
        );
        m.insert(
            "can_matching".into(),
            json!(crate::matching::ui::may_run(s.role)),
        );
        m.insert(
            "can_interventions".into(),
            json!(vagar_domain::access::intervention_role_may(
                s.role,
                vagar_domain::access::InterventionAction::Read
            )),
        );
        m.insert(
            "can_my_placements".into(),
            json!(vagar_domain::access::placement_role_may(
                s.role,
                vagar_domain::access::PlacementAction::ReadMinimal
            )),
        );
        m.insert(
            "can_list".into(),
            json!(vagar_domain::access::global_allowed(
                &u.ctx.actor,
                vagar_domain::access::GlobalAction::ListParticipants
            )),
        );
        {
            use vagar_domain::work::learning::access::{learning_role_may, LearningAction};
            use vagar_domain::work::rental::access::{rental_role_may, RentalAction};
            use vagar_domain::work::staffing::access::{staffing_role_may, StaffingAction};
            // Analysts see only the statistics, not the board.
            let board = staffing_role_may(s.role, StaffingAction::Read)
                || staffing_role_may(s.role, StaffingAction::ReadOrders);
            let stats = staffing_role_may(s.role, StaffingAction::ReadStatistics);
            m.insert(
                "staffing_href".into(),
                json!(if board {
                    Some("/bemanning")
                } else if stats {
                    Some("/bemanning/statistik")
                } else {
                    None
                }),
            );
            m.insert(
                "can_rental".into(),
                json!(rental_role_may(s.role, RentalAction::Read)),
            );
            m.insert(
                "can_timesheets".into(),
                json!(rental_role_may(s.role, RentalAction::DecideTimesheet)),
            );
            m.insert(
                "can_learning".into(),
                json!(
                    learning_role_may(s.role, LearningAction::Read)
                        || learning_role_may(s.role, LearningAction::Summary)
                ),
            );
        }
        m.insert(
            "can_create".into(),
            json!(vagar_domain::access::global_allowed(
                &u.ctx.actor,
                vagar_domain::access::GlobalAction::CreateParticipant
            )),
        );
    }
    m
}

pub(crate) fn render(
    env: &Environment<'static>,
    name: &str,
    ctx: Map<String, Value>,
    status: StatusCode,
) -> Response {
    match env
        .get_template(name)
        .and_then(|t| t.render(Value::Object(ctx)))
    {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, template = name, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

/// An HTML error page for a problem (404 also covers "not yours to see").
pub fn error_page(lang: Lang, p: Problem) -> Response {
    error_page_for(lang, None, p)
}

/// An error page for a logged-in user, with the navigation and logout.
pub(crate) fn user_error_page(user: &UiUser, p: Problem) -> Response {
    error_page_for(user.lang, Some(user), p)
}

fn error_page_for(lang: Lang, user: Option<&UiUser>, p: Problem) -> Response {
    let status = StatusCode::from_u16(p.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    // Each answer says what happened and a way on (a title and a text key
    // per kind, `error-<kind>-title` and `error-<kind>`).
    let kind = match status {
        StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED => "not-found",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::UNAUTHORIZED => "session",
        StatusCode::CONFLICT => "stale",
        StatusCode::TOO_MANY_REQUESTS => "too-many",
        StatusCode::PAYLOAD_TOO_LARGE => "too-large",
        s if s.is_client_error() => "bad-request",
        _ => "internal",
    };
    let mut ctx = base_context(lang, user, "/", "");
    ctx.insert("kind".into(), json!(kind));
    ctx.insert("message".into(), json!(format!("error-{kind}")));
    render(&ERROR_ENV, "kernel/error.html", ctx, status)
}

pub(crate) static ERROR_ENV: std::sync::LazyLock<Environment<'static>> =
    std::sync::LazyLock::new(templates);

/// A path on this site, safe to redirect to. Browsers drop tabs and line
/// breaks from URLs and read a backslash as `/`, so `/<TAB>/evil.example` would be
/// `//evil.example`: only printable ASCII without backslashes is accepted.
fn is_local_path(p: &str) -> bool {
    p.starts_with('/')
        && !p.starts_with("//")
        && p.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
}

/// Choose the interface language and go back to the page the user was on.
async fn switch_language(
    Path(lang): Path<String>,
    crate::auth::ui::Secure(secure): crate::auth::ui::Secure,
    Query(q): Query<HashMap<String, String>>,
    jar: CookieJar,
) -> Response {
    let lang = Lang::parse(&lang).unwrap_or(Lang::Sv);
    // Only local paths: an open redirect would help phishing.
    let back = q
        .get("tillbaka")
        .filter(|p| is_local_path(p))
        .cloned()
        .unwrap_or_else(|| "/".into());
    let cookie = Cookie::build((LANG_COOKIE, lang.code()))
        .path("/")
        .same_site(SameSite::Lax)
        .secure(secure)
        .permanent()
        .build();
    (
        jar.add(cookie),
        [(header::LOCATION, back)],
        StatusCode::SEE_OTHER,
    )
        .into_response()
}
