//! The organisations and demo users of the synthetic city.
//!
//! Public bodies carry their real names (they are who a Stockholm
//! caseworker works with); companies and schools are fictional and say so
//! ("Exempel…"), so demo data never looks like a statement about a real
//! business.

use vagar_domain::{OrgKind, Role};

/// Home unit of the demo caseworkers; first in [`organisations`].
pub const HOME_UNIT: &str = "Jobbtorg Stockholm";

static ORGANISATIONS: [(&str, OrgKind); 17] = [
    (HOME_UNIT, OrgKind::MunicipalUnit),
    ("Arbetsförmedlingen Stockholm", OrgKind::Arbetsformedlingen),
    ("Försäkringskassan", OrgKind::Forsakringskassan),
    ("Socialtjänsten Södermalm", OrgKind::SocialServices),
    ("Socialtjänsten Rinkeby-Kista", OrgKind::SocialServices),
    ("Socialtjänsten Skärholmen", OrgKind::SocialServices),
    ("Vuxenutbildning Stockholm", OrgKind::AdultEducation),
    ("Region Stockholm psykiatri", OrgKind::RegionPsychiatry),
    (
        "Arbetsmarknadsförvaltningen Stockholm",
        OrgKind::MunicipalUnit,
    ),
    ("Stockholms stad analys", OrgKind::MunicipalUnit),
    ("Stockholms stads bemanningspool", OrgKind::MunicipalUnit),
    ("Äldreförvaltningen Stockholm", OrgKind::MunicipalUnit),
    ("Exempelbolaget AB", OrgKind::Employer),
    ("Exempel Bygg & Fastighet AB", OrgKind::Employer),
    ("Exempel Restaurang & Café AB", OrgKind::Employer),
    ("Exempel Logistik Stockholm AB", OrgKind::Employer),
    ("Exempelgymnasiet Vård och omsorg", OrgKind::School),
];

/// The organisations of the synthetic city: name and kind, home unit first.
pub fn organisations() -> Vec<(&'static str, OrgKind)> {
    ORGANISATIONS.to_vec()
}

/// A demo login. The password is printed by `vagar demo` and in the README,
/// so it protects nothing: demo databases must never hold real data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoUser {
    pub username: &'static str,
    pub display_name: &'static str,
    pub role: Role,
    /// Name of an organisation from [`organisations`].
    pub organisation: &'static str,
    pub password: &'static str,
}

const fn user(
    username: &'static str,
    display_name: &'static str,
    role: Role,
    organisation: &'static str,
    password: &'static str,
) -> DemoUser {
    DemoUser {
        username,
        display_name,
        role,
        organisation,
        password,
    }
}

static DEMO_USERS: [DemoUser; 10] = [
    user(
        "handlaggare",
        "Hanna Lindqvist",
        Role::Caseworker,
        HOME_UNIT,
        "demo-handlaggare-2026",
    ),
    user(
        "partner",
        "Peter Sandberg",
        Role::Partner,
        "Arbetsförmedlingen Stockholm",
        "demo-partner-2026",
    ),
    user(
        "samordnare",
        "Samira Haddad",
        Role::EmployerCoordinator,
        "Arbetsmarknadsförvaltningen Stockholm",
        "demo-samordnare-2026",
    ),
    user(
        "analytiker",
        "Anders Öberg",
        Role::Analyst,
        "Stockholms stad analys",
        "demo-analytiker-2026",
    ),
    user(
        "admin",
        "Åsa Bergström",
        Role::Admin,
        "Arbetsmarknadsförvaltningen Stockholm",
        "demo-admin-2026",
    ),
    user(
        "arbetsgivare",
        "Erik Exempelsson",
        Role::Employer,
        "Exempelbolaget AB",
        "demo-arbetsgivare-2026",
    ),
    user(
        "handlaggare2",
        "Ahmed Yusuf",
        Role::Caseworker,
        HOME_UNIT,
        "demo-handlaggare2-2026",
    ),
    user(
        "handlaggare3",
        "Maria Nilsson",
        Role::Caseworker,
        HOME_UNIT,
        "demo-handlaggare3-2026",
    ),
    user(
        "handlaggare4",
        "Jelena Marković",
        Role::Caseworker,
        HOME_UNIT,
        "demo-handlaggare4-2026",
    ),
    user(
        "handlaggare5",
        "Johan Eriksson",
        Role::Caseworker,
        HOME_UNIT,
        "demo-handlaggare5-2026",
    ),
];

/// One demo user per role, each in a fitting organisation, plus four more
/// caseworkers at [`HOME_UNIT`] so the demo caseload can be spread.
pub fn demo_users() -> Vec<DemoUser> {
    DEMO_USERS.to_vec()
}
