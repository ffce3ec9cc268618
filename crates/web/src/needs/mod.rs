//! Employers' competence needs (kompetensbehov), the public form included: the JSON API (`api`) and the pages (`ui`).

pub mod api;
pub(crate) mod public;
pub(crate) mod ui;

/// Where a typed occupation named several (`ambiguous_occupation`), the
/// occupations it may mean, in `values.occupation_choices`: the form offers
/// them to pick from, with no JavaScript needed.
pub(crate) async fn offer_choices(
    state: &crate::AppState,
    values: &mut serde_json::Value,
    errors: &vagar_domain::ValidationErrors,
) {
    let ambiguous = errors
        .0
        .iter()
        .any(|e| e.field == "occupation" && e.code == "ambiguous_occupation");
    let typed = values["occupation"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if !ambiguous || typed.is_empty() {
        return;
    }
    if let Ok(choices) = state.store.occupation_choices(&typed).await {
        values["occupation_choices"] = serde_json::json!(choices
            .iter()
            .map(|c| serde_json::json!({"id": c.concept_id, "label": c.label,
                                        "ssyk_code": c.ssyk_code, "ssyk_label": c.ssyk_label}))
            .collect::<Vec<_>>());
    }
}
