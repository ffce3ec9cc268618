//! Legal checks of an intervention that sells work (issue 6, point 7), shown
//! with their reasons. Pure: the store gathers the sales and costs per
//! calendar year and buyer, these functions judge them.
//!
//! - Self-cost principle (självkostnadsprincipen): rental and staffing may
//!   be priced at no more than cost. A surplus (revenue − wages − other
//!   costs) over a calendar year is flagged. Subsidies are not revenue from
//!   the buyers, so they do not count towards the surplus.
//! - LOU in-house (Teckal): a municipal company may sell to its owners
//!   without procurement only if more than 80 % of its turnover is with
//!   them. Flagged when the owners' share is 80 % or less. An owner buyer is
//!   a public legal person (organisation number starting with 2) or a
//!   municipal unit (the staffing model's buyers).
//! - Competition neutrality (konkurrensneutralitet): sales to private
//!   buyers on a competitive market are flagged, naming them.

use crate::org::code_enum;
use serde::Serialize;

/// Whether a buyer counts as one of the owners (a public legal person).
pub fn is_public_buyer(organisation_number: &str) -> bool {
    organisation_number.starts_with('2')
}

/// One buyer's purchases in one calendar year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sale {
    pub year: i32,
    pub buyer: String,
    /// A public legal person or a municipal unit.
    pub owner: bool,
    pub amount_ore: i64,
}

/// One calendar year's costs of the selling activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearCosts {
    pub year: i32,
    pub wages_ore: i64,
    pub other_costs_ore: i64,
}

code_enum!(CheckKind {
    SelfCost = "self_cost",
    InHouse = "in_house",
    CompetitionNeutrality = "competition_neutrality",
});

code_enum!(CheckStatus {
    Ok = "ok",
    Flagged = "flagged",
    NotApplicable = "not_applicable",
});

/// One reason: a stable code with its figures (translated by the UI), and
/// an English sentence for the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Reason {
    pub code: String,
    pub year: Option<i32>,
    pub buyer: Option<String>,
    pub amount_ore: Option<i64>,
    /// Revenue, costs or turnover the amount is compared with.
    pub compared_ore: Option<i64>,
    /// A share in per mille (owners' share of turnover).
    pub share_permille: Option<i64>,
    pub message: String,
}

impl Reason {
    fn new(code: &str, message: String) -> Reason {
        Reason {
            code: code.into(),
            year: None,
            buyer: None,
            amount_ore: None,
            compared_ore: None,
            share_permille: None,
            message,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LegalCheck {
    pub kind: CheckKind,
    pub status: CheckStatus,
    pub reasons: Vec<Reason>,
}

impl LegalCheck {
    /// A check judged year by year: flagged when any year was, not
    /// applicable (with `no_sales` saying why) when there was no year.
    fn judged(
        kind: CheckKind,
        mut reasons: Vec<Reason>,
        flagged: bool,
        no_sales: &str,
    ) -> LegalCheck {
        let status = if reasons.is_empty() {
            reasons.push(Reason::new("no_sales", no_sales.into()));
            CheckStatus::NotApplicable
        } else if flagged {
            CheckStatus::Flagged
        } else {
            CheckStatus::Ok
        };
        LegalCheck {
            kind,
            status,
            reasons,
        }
    }
}

fn kr(ore: i64) -> String {
    format!("{:.2} kr", ore as f64 / 100.0)
}

fn years(sales: &[Sale], costs: &[YearCosts]) -> Vec<i32> {
    let mut y: Vec<i32> = sales
        .iter()
        .map(|s| s.year)
        .chain(costs.iter().map(|c| c.year))
        .collect();
    y.sort();
    y.dedup();
    y
}

/// Revenue over cost in any calendar year is flagged.
pub fn self_cost(sales: &[Sale], costs: &[YearCosts]) -> LegalCheck {
    let mut reasons = vec![];
    let mut flagged = false;
    for year in years(sales, costs) {
        let revenue: i64 = sales
            .iter()
            .filter(|s| s.year == year)
            .map(|s| s.amount_ore)
            .sum();
        let cost: i64 = costs
            .iter()
            .filter(|c| c.year == year)
            .map(|c| c.wages_ore + c.other_costs_ore)
            .sum();
        let surplus = revenue - cost;
        let (code, message) = if surplus > 0 {
            flagged = true;
            (
                "surplus",
                format!(
                    "{year}: revenue {} exceeds cost {} by {}: prices above self-cost",
                    kr(revenue),
                    kr(cost),
                    kr(surplus)
                ),
            )
        } else {
            (
                "within_cost",
                format!(
                    "{year}: revenue {} does not exceed cost {}",
                    kr(revenue),
                    kr(cost)
                ),
            )
        };
        let mut r = Reason::new(code, message);
        r.year = Some(year);
        r.amount_ore = Some(revenue);
        r.compared_ore = Some(cost);
        reasons.push(r);
    }
    LegalCheck::judged(
        CheckKind::SelfCost,
        reasons,
        flagged,
        "no sales or costs recorded",
    )
}

/// For a municipal company: the owners' share of turnover per calendar
/// year must be above 80 %.
pub fn in_house(operator_kind: &str, sales: &[Sale]) -> LegalCheck {
    let mut reasons = vec![];
    if operator_kind != "municipal_company" {
        reasons.push(Reason::new(
            "not_a_company",
            "run by the municipality itself, not by a municipal company: the in-house criterion does not apply"
                .into(),
        ));
        return LegalCheck {
            kind: CheckKind::InHouse,
            status: CheckStatus::NotApplicable,
            reasons,
        };
    }
    let mut flagged = false;
    for year in years(sales, &[]) {
        let total: i64 = sales
            .iter()
            .filter(|s| s.year == year)
            .map(|s| s.amount_ore)
            .sum();
        let owners: i64 = sales
            .iter()
            .filter(|s| s.year == year && s.owner)
            .map(|s| s.amount_ore)
            .sum();
        if total <= 0 {
            continue;
        }
        let share = (i128::from(owners) * 1000 / i128::from(total)) as i64;
        // More than 80 %: owners × 10 > total × 8, exactly, without rounding.
        let met = i128::from(owners) * 10 > i128::from(total) * 8;
        let (code, message) = if met {
            (
                "owners_share_met",
                format!(
                    "{year}: {:.1} % of the turnover {} is with the owners (more than 80 %)",
                    share as f64 / 10.0,
                    kr(total)
                ),
            )
        } else {
            flagged = true;
            (
                "owners_share_too_low",
                format!(
                    "{year}: only {:.1} % of the turnover {} is with the owners; the in-house exemption needs more than 80 %",
                    share as f64 / 10.0,
                    kr(total)
                ),
            )
        };
        let mut r = Reason::new(code, message);
        r.year = Some(year);
        r.amount_ore = Some(owners);
        r.compared_ore = Some(total);
        r.share_permille = Some(share);
        reasons.push(r);
    }
    LegalCheck::judged(CheckKind::InHouse, reasons, flagged, "no sales recorded")
}

/// Sales to private buyers are flagged, one reason per buyer and year.
pub fn competition_neutrality(sales: &[Sale]) -> LegalCheck {
    let mut reasons = vec![];
    let mut private: Vec<(i32, String, i64)> = vec![];
    for s in sales.iter().filter(|s| !s.owner && s.amount_ore > 0) {
        match private
            .iter_mut()
            .find(|(y, b, _)| *y == s.year && *b == s.buyer)
        {
            Some(p) => p.2 += s.amount_ore,
            None => private.push((s.year, s.buyer.clone(), s.amount_ore)),
        }
    }
    private.sort();
    for (year, buyer, amount) in &private {
        let mut r = Reason::new(
            "private_buyer",
            format!(
                "{year}: sold {} to the private buyer {buyer} on a competitive market",
                kr(*amount)
            ),
        );
        r.year = Some(*year);
        r.buyer = Some(buyer.clone());
        r.amount_ore = Some(*amount);
        reasons.push(r);
    }
    let status = if private.is_empty() {
        reasons.push(Reason::new(
            "public_buyers_only",
            "all sales are to public buyers".into(),
        ));
        CheckStatus::Ok
    } else {
        CheckStatus::Flagged
    };
    LegalCheck {
        kind: CheckKind::CompetitionNeutrality,
        status,
        reasons,
    }
}

/// All three checks.
pub fn legal_checks(operator_kind: &str, sales: &[Sale], costs: &[YearCosts]) -> Vec<LegalCheck> {
    vec![
        self_cost(sales, costs),
        in_house(operator_kind, sales),
        competition_neutrality(sales),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sale(year: i32, buyer: &str, owner: bool, amount: i64) -> Sale {
        Sale {
            year,
            buyer: buyer.into(),
            owner,
            amount_ore: amount,
        }
    }

    #[test]
    fn public_buyers_have_organisation_numbers_starting_with_2() {
        assert!(is_public_buyer("2120001355"));
        assert!(!is_public_buyer("5560000001"));
    }

    #[test]
    fn a_yearly_surplus_is_flagged() {
        let costs = [YearCosts {
            year: 2025,
            wages_ore: 900,
            other_costs_ore: 100,
        }];
        let c = self_cost(&[sale(2025, "Kommunen", true, 1000)], &costs);
        assert_eq!(c.status, CheckStatus::Ok);
        let c = self_cost(&[sale(2025, "Kommunen", true, 1001)], &costs);
        assert_eq!(c.status, CheckStatus::Flagged);
        assert_eq!(c.reasons[0].code, "surplus");
        assert_eq!(self_cost(&[], &[]).status, CheckStatus::NotApplicable);
    }

    #[test]
    fn in_house_needs_more_than_eighty_percent_with_owners() {
        let exactly = [sale(2025, "K", true, 800), sale(2025, "AB", false, 200)];
        let c = in_house("municipal_company", &exactly);
        assert_eq!(c.status, CheckStatus::Flagged, "80 % is not more than 80 %");
        assert_eq!(c.reasons[0].share_permille, Some(800));
        let above = [sale(2025, "K", true, 801), sale(2025, "AB", false, 199)];
        assert_eq!(
            in_house("municipal_company", &above).status,
            CheckStatus::Ok
        );
        assert_eq!(
            in_house("municipality", &exactly).status,
            CheckStatus::NotApplicable
        );
    }

    #[test]
    fn private_buyers_are_named() {
        let c = competition_neutrality(&[
            sale(2025, "Bygg AB", false, 500),
            sale(2025, "Bygg AB", false, 500),
            sale(2025, "Kommunen", true, 9000),
        ]);
        assert_eq!(c.status, CheckStatus::Flagged);
        assert_eq!(c.reasons.len(), 1);
        assert_eq!(c.reasons[0].buyer.as_deref(), Some("Bygg AB"));
        assert_eq!(c.reasons[0].amount_ore, Some(1000));
        assert_eq!(
            competition_neutrality(&[sale(2025, "K", true, 1)]).status,
            CheckStatus::Ok
        );
    }
}
