//! Roles and organisation kinds.

macro_rules! code_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// Every code, in the list's order.
            pub const CODES: &'static [&'static str] = &[$($code),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($code => Some($name::$variant),)+ _ => None }
            }
        }

        impl $crate::validation::Code for $name {
            const CODES: &'static [&'static str] = &[$($code),+];
            fn from_code(code: &str) -> Option<Self> {
                $name::parse(code)
            }
        }
    };
}
pub(crate) use code_enum;

code_enum!(
    /// A user's role (SPEC.md, "Who uses it"). Ordered from least to most
    /// access to personal data in general; the policy never compares roles by
    /// order alone, it names them.
    Role {
        Employer = "employer",
        Analyst = "analyst",
        EmployerCoordinator = "employer_coordinator",
        Partner = "partner",
        Caseworker = "caseworker",
        Admin = "admin",
    }
);

code_enum!(
    /// What kind of organisation a unit or agency is.
    OrgKind {
        MunicipalUnit = "municipal_unit",
        Arbetsformedlingen = "arbetsformedlingen",
        Forsakringskassan = "forsakringskassan",
        SocialServices = "social_services",
        AdultEducation = "adult_education",
        RegionPsychiatry = "region_psychiatry",
        Employer = "employer",
        School = "school",
    }
);

impl Role {
    /// Swedish name for the UI.
    pub fn label_sv(self) -> &'static str {
        match self {
            Role::Caseworker => "Handläggare",
            Role::Partner => "Samverkanspart",
            Role::EmployerCoordinator => "Arbetsgivarsamordnare",
            Role::Analyst => "Analytiker",
            Role::Admin => "Systemförvaltare",
            Role::Employer => "Arbetsgivare",
        }
    }
}
