//! The global endpoints (not scoped to one participant), by role.

use super::world::Orgs;
use super::*;

use common::pnr;
use serde_json::json;

/// The global endpoints by role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Global {
    ReadAuditTrail,
    IntakeNew,
    CreateParticipant,
    CreateSteeringGroup,
    ListSteeringGroups,
}

pub(super) const GLOBALS: [Global; 5] = [
    Global::ReadAuditTrail,
    Global::IntakeNew,
    Global::CreateParticipant,
    Global::CreateSteeringGroup,
    Global::ListSteeringGroups,
];

impl Global {
    pub(super) fn label(self) -> &'static str {
        match self {
            Global::ReadAuditTrail => "GET /audit",
            Global::IntakeNew => "POST /intake (a new person)",
            Global::CreateParticipant => "POST /participants",
            Global::CreateSteeringGroup => "POST /steering-groups",
            Global::ListSteeringGroups => "GET /steering-groups",
        }
    }
}

impl Global {
    pub(super) fn route(self) -> (&'static str, &'static str) {
        match self {
            Global::ReadAuditTrail => ("get", "/api/v1/audit"),
            Global::IntakeNew => ("post", "/api/v1/intake"),
            Global::CreateParticipant => ("post", "/api/v1/participants"),
            Global::CreateSteeringGroup => ("post", "/api/v1/steering-groups"),
            Global::ListSteeringGroups => ("get", "/api/v1/steering-groups"),
        }
    }
}

pub(super) fn expected_global(user: &str, g: Global) -> u16 {
    let caseworker = matches!(user, "cw_a" | "cw_a2" | "cw_b");
    match g {
        Global::ReadAuditTrail => {
            if user == "admin" {
                200
            } else {
                403
            }
        }
        Global::IntakeNew | Global::CreateParticipant => {
            if caseworker {
                201
            } else {
                403
            }
        }
        Global::CreateSteeringGroup => {
            if caseworker || user == "admin" {
                201
            } else {
                403
            }
        }
        Global::ListSteeringGroups => {
            if caseworker || matches!(user, "admin" | "partner") {
                200
            } else {
                403
            }
        }
    }
}

pub(super) async fn global_attempt(
    app: &TestApp,
    orgs: &Orgs,
    user: &str,
    g: Global,
    n: u32,
) -> (u16, String) {
    let (method, path, body) = match g {
        Global::ReadAuditTrail => (Method::GET, "/api/v1/audit?limit=5".to_string(), None),
        Global::IntakeNew => (
            Method::POST,
            "/api/v1/intake".into(),
            Some(
                json!({ "identity_number": pnr(800 + n), "first_name": "Ny", "last_name": "Inskriven",
                         "referred_by_organisation_id": orgs.af }),
            ),
        ),
        Global::CreateParticipant => (
            Method::POST,
            "/api/v1/participants".into(),
            Some(
                json!({ "identity_number": pnr(850 + n), "first_name": "Ny", "last_name": "Registrerad" }),
            ),
        ),
        Global::CreateSteeringGroup => (
            Method::POST,
            "/api/v1/steering-groups".into(),
            Some(json!({ "name": format!("Grupp {n}"), "organisation_ids": [app.org_a] })),
        ),
        Global::ListSteeringGroups => (Method::GET, "/api/v1/steering-groups".into(), None),
    };
    let r = app.call(user, method, &path, body.as_ref()).await;
    (r.status, r.text.chars().take(300).collect())
}
