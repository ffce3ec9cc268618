//! A synthetic Yrkesbarometer round for the demo city, in the importer's
//! row form. Not Arbetsförmedlingen's figures: it follows the report's
//! picture (care, education and construction short of people in Stockholm)
//! so the demo's needs and profiles can be marked.

use vagar_domain::imports::{ShortageRow, WHOLE_COUNTRY};
use vagar_domain::taxonomy::OccupationGroup;

/// The round the demo rows carry.
pub const DEMO_ROUND: &str = "demo-2026-2";

/// (SSYK 4, Stockholm county, whole country, job opportunities in Stockholm)
pub(crate) const VERDICTS: &[(&str, &str, &str, &str)] = &[
    ("5321", "shortage", "shortage", "large"),
    ("5323", "shortage", "shortage", "large"),
    ("5330", "shortage", "balance", "large"),
    ("5342", "shortage", "balance", "large"),
    ("5343", "balance", "balance", "medium"),
    ("2221", "shortage", "shortage", "large"),
    ("2343", "shortage", "shortage", "large"),
    ("2341", "shortage", "shortage", "large"),
    ("2342", "shortage", "balance", "medium"),
    ("5311", "shortage", "balance", "large"),
    ("5312", "balance", "balance", "medium"),
    ("7111", "shortage", "shortage", "large"),
    ("7112", "shortage", "balance", "medium"),
    ("7113", "shortage", "shortage", "medium"),
    ("7125", "shortage", "shortage", "large"),
    ("7126", "shortage", "shortage", "large"),
    ("7131", "balance", "balance", "medium"),
    ("7411", "shortage", "shortage", "large"),
    ("8332", "shortage", "shortage", "large"),
    ("8331", "shortage", "shortage", "large"),
    ("5120", "balance", "balance", "medium"),
    ("9412", "surplus", "balance", "small"),
    ("9111", "balance", "balance", "medium"),
    ("4322", "surplus", "surplus", "small"),
    ("5222", "surplus", "surplus", "small"),
    ("9621", "surplus", "surplus", "small"),
    ("5152", "balance", "balance", "medium"),
];

/// Rows for Stockholm county ("01") and the whole country, for the SSYK
/// groups above that the taxonomy has.
pub fn demo_round(groups: &[OccupationGroup]) -> Vec<ShortageRow> {
    let mut rows = Vec::new();
    for (ssyk, county, country, jobs) in VERDICTS {
        let Some(g) = groups.iter().find(|g| g.level == 4 && g.code == *ssyk) else {
            continue;
        };
        for (code, situation) in [("01", county), (WHOLE_COUNTRY, country)] {
            rows.push(ShortageRow {
                round: DEMO_ROUND.into(),
                concept_id: g.concept_id.clone(),
                ssyk_code: g.code.clone(),
                county_code: code.into(),
                occupation_label: g.label.clone(),
                job_opportunities: Some((*jobs).into()),
                recruitment_situation: (*situation).into(),
                outlook: None,
            });
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_verdict_names_a_real_group() {
        let t = vagar_domain::taxonomy::shipped().unwrap();
        let rows = demo_round(&t.groups);
        assert_eq!(rows.len(), VERDICTS.len() * 2);
        assert!(rows.iter().any(|r| r.ssyk_code == "5321"
            && r.county_code == "01"
            && r.recruitment_situation == "shortage"));
    }
}
