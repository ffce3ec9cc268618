//! What makes a rental invoice an invoice (issue 11, build point 5): VAT at
//! the rate in force for the line kind, totals with and without VAT, the due
//! date from the payment terms, the seller's VAT number and the number in
//! the seller's sequence. Pure rules; the store issues and keeps them.
//!
//! VAT: staff hire (uthyrning av personal) is taxed at the general rate,
//! 25 %, mervärdesskattelagen (2023:200) 9 kap. 1 §, in force from
//! 2023-07-01 (the rate is unchanged from the former law, 1994:200). The
//! rate is a property of the line kind ([`LineKind::vat_permille`]): a
//! change of rate, or a line kind at another rate, is made there and nowhere
//! else. The rate is stored on every invoice, so an issued invoice keeps the
//! rate it was issued at.
//!
//! Rounding: VAT is computed once, on the invoice's net total (the sum of
//! the lines in whole öre), and rounded to whole öre half away from zero,
//! so a credit note's VAT is exactly the negation of its invoice's VAT.
//! Gross = net + VAT.

use super::round_div;
use crate::OrganisationNumber;
use chrono::{Duration, NaiveDate};
use serde::Serialize;

/// Payment terms, in days from the invoice date, for every seller. One
/// named value on purpose: a municipality with other terms changes it here
/// (the terms are stored on each invoice, so issued invoices keep theirs).
pub const PAYMENT_TERMS_DAYS: i64 = 30;

/// The kind of an invoice line; it decides the VAT rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// Hours of hired staff (the only kind today).
    StaffHire,
}

impl LineKind {
    /// The VAT rate in per mille: 250 = 25 % (ML 2023:200 9 kap. 1 §).
    pub fn vat_permille(self) -> i64 {
        match self {
            LineKind::StaffHire => 250,
        }
    }
}

/// An invoice, or a credit note correcting one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceKind {
    Invoice,
    CreditNote,
}

impl InvoiceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceKind::Invoice => "invoice",
            InvoiceKind::CreditNote => "credit_note",
        }
    }

    pub fn parse(s: &str) -> Option<InvoiceKind> {
        match s {
            "invoice" => Some(InvoiceKind::Invoice),
            "credit_note" => Some(InvoiceKind::CreditNote),
            _ => None,
        }
    }
}

/// Net, VAT and gross of an invoice, in öre.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub net_ore: i64,
    pub vat_ore: i64,
    pub gross_ore: i64,
}

/// VAT on `net_ore` at `permille`, to whole öre, halves away from zero.
pub fn vat_ore(net_ore: i64, permille: i64) -> i64 {
    round_div(i128::from(net_ore) * i128::from(permille), 1000)
}

/// The totals of lines (amounts in öre) at one VAT rate.
pub fn totals(line_amounts_ore: &[i64], permille: i64) -> Totals {
    let net_ore: i64 = line_amounts_ore.iter().sum();
    let vat = vat_ore(net_ore, permille);
    Totals {
        net_ore,
        vat_ore: vat,
        gross_ore: net_ore + vat,
    }
}

/// The day payment is due: the invoice date plus the terms.
pub fn due_date(invoice_date: NaiveDate, terms_days: i64) -> NaiveDate {
    invoice_date + Duration::days(terms_days)
}

/// A Swedish VAT number: `SE`, the 10-digit organisation number, `01`.
pub fn vat_number(org: &OrganisationNumber) -> String {
    format!("SE{}01", org.as_str())
}

/// Whether `s` is a Swedish VAT number: `SE` + a valid organisation number
/// (checksum and legal-person rule) + `01`.
pub fn is_vat_number(s: &str) -> bool {
    s.len() == 14
        && s.starts_with("SE")
        && s.ends_with("01")
        && s.is_char_boundary(12)
        && OrganisationNumber::from_canonical(&s[2..12]).is_ok()
}

/// The number of the `seq`th invoice of a seller's `year`: `2026-000123`.
pub fn invoice_number(year: i32, seq: i64) -> String {
    format!("{year}-{seq:06}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn staff_hire_is_taxed_at_25_percent() {
        assert_eq!(LineKind::StaffHire.vat_permille(), 250);
        let t = totals(&[100_000, 50_001], 250);
        assert_eq!(t.net_ore, 150_001);
        // 37 500,25 öre rounds to 37 500.
        assert_eq!(t.vat_ore, 37_500);
        assert_eq!(t.gross_ore, 187_501);
    }

    #[test]
    fn halves_round_away_from_zero() {
        assert_eq!(vat_ore(2, 250), 1); // 0,5
        assert_eq!(vat_ore(-2, 250), -1);
        assert_eq!(vat_ore(6, 250), 2); // 1,5
        assert_eq!(vat_ore(1, 250), 0); // 0,25
        assert_eq!(vat_ore(3, 250), 1); // 0,75
    }

    #[test]
    fn due_date_is_the_invoice_date_plus_the_terms() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 15).unwrap();
        assert_eq!(
            due_date(d, PAYMENT_TERMS_DAYS),
            NaiveDate::from_ymd_opt(2027, 1, 14).unwrap()
        );
    }

    #[test]
    fn vat_numbers() {
        let org = OrganisationNumber::parse("212000-0142").unwrap();
        assert_eq!(vat_number(&org), "SE212000014201");
        assert!(is_vat_number("SE212000014201"));
        assert!(!is_vat_number("SE212000014301"), "checksum");
        assert!(!is_vat_number("SE212000014202"), "suffix");
        assert!(!is_vat_number("212000014201"), "prefix");
        assert!(!is_vat_number("SE2120000142010"));
        assert!(!is_vat_number("SE19001010123401"));
    }

    #[test]
    fn numbers() {
        assert_eq!(invoice_number(2026, 123), "2026-000123");
        assert_eq!(invoice_number(2026, 1_234_567), "2026-1234567");
        assert_eq!(
            InvoiceKind::parse("credit_note"),
            Some(InvoiceKind::CreditNote)
        );
        assert_eq!(
            InvoiceKind::parse(InvoiceKind::Invoice.as_str()),
            Some(InvoiceKind::Invoice)
        );
    }

    proptest! {
        /// Gross is net plus VAT; VAT is within half an öre of the exact
        /// quarter; a credit note (negated lines) has exactly the negated
        /// totals, so invoice + credit note balance to zero.
        #[test]
        fn totals_agree_and_credit_notes_balance(
            lines in proptest::collection::vec(0i64..100_000_000, 0..40)
        ) {
            let t = totals(&lines, 250);
            prop_assert_eq!(t.gross_ore, t.net_ore + t.vat_ore);
            let exact4 = t.net_ore * 250 * 4 / 1000; // 4 × exact VAT (net / 4 × 4)
            prop_assert!((4 * t.vat_ore - exact4).abs() <= 2);
            let negated: Vec<i64> = lines.iter().map(|a| -a).collect();
            let c = totals(&negated, 250);
            prop_assert_eq!(c.net_ore, -t.net_ore);
            prop_assert_eq!(c.vat_ore, -t.vat_ore);
            prop_assert_eq!(c.gross_ore + t.gross_ore, 0);
        }

        #[test]
        fn derived_vat_numbers_validate(n in 0u32..1_000_000_000) {
            // Build a legal person's number with the right check digit.
            let nine = format!("556{:06}", n % 1_000_000);
            let sum: u32 = nine.bytes().enumerate().map(|(i, b)| {
                let d = u32::from(b - b'0') * if i % 2 == 0 { 2 } else { 1 };
                d / 10 + d % 10
            }).sum();
            let check = (10 - sum % 10) % 10;
            let org = OrganisationNumber::from_canonical(&format!("{nine}{check}")).unwrap();
            prop_assert!(is_vat_number(&vat_number(&org)));
        }
    }
}
