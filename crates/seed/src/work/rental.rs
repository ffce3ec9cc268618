//! A year of the rental model: one intervention run by a municipal
//! company, employment contracts for some of the seeded participants,
//! assignments at public and private hosts, weekly timesheets (mostly
//! approved, a few waiting or rejected), monthly other costs and subsidies.
//! Invoices are made by the store from the approved weeks, by the same rules
//! as in the app. Pure and deterministic: `(seed, as_of)` gives the same plan.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use rand::Rng;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use vagar_domain::identity::luhn_check_digit;

pub const INTERVENTION_NAME: &str = "Unga i jobb – uthyrning (Exempel Kommunbolag)";

/// A host to find or register: public (organisation number starting with
/// 2) or private; `demo_employer_org` links it to the demo employer's
/// organisation so the demo `arbetsgivare` user approves its weeks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedHost {
    pub organisation_number: String,
    pub name: String,
    pub public: bool,
    pub demo_employer_org: Option<&'static str>,
    /// SNI division of what the host does, recorded on the employer; the
    /// roles rented to it fit it ([`crate::occupations::for_industry`]).
    pub sni: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedRentalContract {
    /// Index into the participants the store hands over.
    pub participant: usize,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub hours_per_week_minutes: i64,
    pub hourly_wage_ore: i64,
    pub employer_fee_permille: i64,
    /// The assignment: host index, role, hourly rate.
    pub host: usize,
    pub role_title: &'static str,
    pub occupation_ssyk: &'static str,
    pub hourly_rate_ore: i64,
    pub supervisor: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedWeek {
    pub contract: usize,
    pub monday: NaiveDate,
    pub minutes: [i64; 7],
    /// submitted, approved or rejected
    pub status: &'static str,
    pub reason: Option<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedLedger {
    pub month: String,
    pub kind: &'static str,
    pub amount_ore: i64,
    pub note: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RentalPlan {
    pub name: &'static str,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub hosts: Vec<SeedHost>,
    pub contracts: Vec<SeedRentalContract>,
    pub weeks: Vec<SeedWeek>,
    pub ledger: Vec<SeedLedger>,
}

fn public_org_number(i: u32) -> String {
    // 212000-xxxx-like numbers: a municipality's form (2), month digits ≥ 20.
    let nine = format!("21200{:04}", 1000 + i);
    let digits: Vec<u8> = nine.bytes().map(|b| b - b'0').collect();
    format!("{nine}{}", luhn_check_digit(&digits))
}

fn private_org_number(i: u32) -> String {
    let nine = format!("55688{:04}", 100 + i);
    let digits: Vec<u8> = nine.bytes().map(|b| b - b'0').collect();
    format!("{nine}{}", luhn_check_digit(&digits))
}

/// The roles (title, SSYK) rented to each host of [`rental_plan`], by host
/// index: care and kitchen at elder care, children and kitchen at
/// preschools, property care at the property office, shop and stock at the
/// demo employer (retail), warehouse at the logistics firm.
pub(crate) const ROLES: [&[(&str, &str)]; 5] = [
    &[("Vårdbiträde", "5330"), ("Köksbiträde", "9412")],
    &[("Barnskötare", "5311"), ("Köksbiträde", "9412")],
    &[("Fastighetsskötare", "5152"), ("Städare", "9111")],
    &[
        ("Butikssäljare, dagligvaror", "5222"),
        ("Lagerarbetare", "4322"),
    ],
    &[("Lagerarbetare", "4322"), ("Truckförare", "8344")],
];

const SUPERVISORS: &[&str] = &[
    "Karin Lind",
    "Omar Haddad",
    "Sofia Berg",
    "Jonas Ek",
    "Leila Karimi",
];

const REJECTIONS: &[&str] = &[
    "Onsdagen var en utbildningsdag hos oss, inte arbete.",
    "Fredagen stämmer inte med vår närvarolista.",
];

fn monday_on_or_after(d: NaiveDate) -> NaiveDate {
    let back = d.weekday().num_days_from_monday() as i64;
    if back == 0 {
        d
    } else {
        d + Duration::days(7 - back)
    }
}

/// The plan for `participants` seeded participants (10–20 are used).
pub fn rental_plan(seed: u64, as_of: NaiveDate, participants: usize) -> RentalPlan {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    key[8..32].copy_from_slice(b"vagar-seed/rental/v1\0\0\0\0");
    let mut rng = ChaCha8Rng::from_seed(key);
    // A year back from the first of as_of's month.
    let this_month = NaiveDate::from_ymd_opt(as_of.year(), as_of.month(), 1).unwrap_or(as_of);
    let period_from =
        NaiveDate::from_ymd_opt(this_month.year() - 1, this_month.month(), 1).unwrap_or(this_month);
    let period_to = NaiveDate::from_ymd_opt(period_from.year() + 2, 12, 31).unwrap_or(as_of);
    let hosts = vec![
        SeedHost {
            organisation_number: public_org_number(1),
            name: "Exempelstadens äldreförvaltning".into(),
            public: true,
            demo_employer_org: None,
            sni: "87",
        },
        SeedHost {
            organisation_number: public_org_number(2),
            name: "Exempelstadens förskoleförvaltning".into(),
            public: true,
            demo_employer_org: None,
            sni: "85",
        },
        SeedHost {
            organisation_number: public_org_number(3),
            name: "Exempelstadens fastighetskontor".into(),
            public: true,
            demo_employer_org: None,
            sni: "68",
        },
        SeedHost {
            organisation_number: private_org_number(1),
            name: "Exempelbolaget AB".into(),
            public: false,
            demo_employer_org: Some("Exempelbolaget AB"),
            sni: "47",
        },
        SeedHost {
            organisation_number: private_org_number(2),
            name: "Exempel Logistik Stockholm AB".into(),
            public: false,
            demo_employer_org: None,
            sni: "52",
        },
    ];
    let count = participants.clamp(0, 16);
    let mut contracts = vec![];
    for k in 0..count {
        // Mostly public hosts: the company lives on the in-house exemption.
        let host = match k % 8 {
            0..=4 => k % 3,
            5 | 6 => 3,
            _ => 4,
        };
        let from = period_from + Duration::days((k as i64 % 6) * 14);
        let to = (from + Duration::days(364)).min(period_to);
        let roles = ROLES[host];
        let (role, ssyk) = roles[(k / 3) % roles.len()];
        contracts.push(SeedRentalContract {
            participant: k,
            from,
            to,
            hours_per_week_minutes: if k % 4 == 3 { 1800 } else { 2400 },
            hourly_wage_ore: 14_000 + rng.gen_range(0..=25) * 100,
            employer_fee_permille: 314,
            host,
            role_title: role,
            occupation_ssyk: ssyk,
            // A price near self-cost: wage × 1.314 plus a share of overhead.
            hourly_rate_ore: 22_000 + rng.gen_range(0..=20) * 100,
            supervisor: SUPERVISORS[k % SUPERVISORS.len()],
        });
    }
    // Weeks up to the last full week before as_of.
    let last_monday = monday_on_or_after(as_of) - Duration::days(14);
    let mut weeks = vec![];
    for (c, contract) in contracts.iter().enumerate() {
        let daily = contract.hours_per_week_minutes / 5;
        let mut monday = monday_on_or_after(contract.from);
        while monday <= last_monday && monday + Duration::days(4) <= contract.to {
            let mut minutes = [0i64; 7];
            for (d, m) in minutes.iter_mut().enumerate().take(5) {
                let day = monday + Duration::days(d as i64);
                if day < contract.from || day > contract.to || day.weekday() == Weekday::Sat {
                    continue;
                }
                // Now and then a day off sick; otherwise around the contract's hours.
                *m = if rng.gen_range(0..40) == 0 {
                    0
                } else {
                    daily + rng.gen_range(-2..=2) * 15
                };
            }
            let recent = monday + Duration::days(14) > last_monday;
            // The demo host always has its latest week to approve.
            let demo_waiting =
                monday == last_monday && hosts[contract.host].demo_employer_org.is_some();
            let (status, reason) = if (recent && c % 3 == 0) || demo_waiting {
                ("submitted", None)
            } else if recent && c % 7 == 1 {
                ("rejected", Some(REJECTIONS[c % REJECTIONS.len()]))
            } else {
                ("approved", None)
            };
            if minutes.iter().any(|m| *m > 0) {
                weeks.push(SeedWeek {
                    contract: c,
                    monday,
                    minutes,
                    status,
                    reason,
                });
            }
            monday += Duration::days(7);
        }
    }
    let mut ledger = vec![];
    let mut m = period_from;
    let mut n = 0;
    while m < this_month {
        let month = format!("{:04}-{:02}", m.year(), m.month());
        // The first quarter carries the start: recruiting, introduction, equipment.
        if n < 3 {
            ledger.push(SeedLedger {
                month: month.clone(),
                kind: "other_cost",
                amount_ore: 18_000_000 + rng.gen_range(0..=10) * 500_000,
                note: "Uppstart: rekrytering, introduktion och arbetskläder",
            });
        }
        n += 1;
        ledger.push(SeedLedger {
            month: month.clone(),
            kind: "other_cost",
            amount_ore: 3_500_000 + rng.gen_range(0..=10) * 100_000,
            note: "Handledning, administration och lokaler",
        });
        ledger.push(SeedLedger {
            month,
            kind: "subsidy",
            amount_ore: 2_000_000 + rng.gen_range(0..=8) * 250_000,
            note: "Anställningsstöd från Arbetsförmedlingen",
        });
        m = NaiveDate::from_ymd_opt(
            if m.month() == 12 {
                m.year() + 1
            } else {
                m.year()
            },
            if m.month() == 12 { 1 } else { m.month() + 1 },
            1,
        )
        .unwrap_or(this_month);
    }
    RentalPlan {
        name: INTERVENTION_NAME,
        period_from,
        period_to,
        hosts,
        contracts,
        weeks,
        ledger,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vagar_domain::OrganisationNumber;

    #[test]
    fn the_plan_is_deterministic_and_plausible() {
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        let a = rental_plan(7, as_of, 30);
        assert_eq!(a, rental_plan(7, as_of, 30));
        assert_eq!(a.contracts.len(), 16);
        assert!(a.weeks.len() > 500, "{}", a.weeks.len());
        let approved = a.weeks.iter().filter(|w| w.status == "approved").count();
        assert!(approved * 10 > a.weeks.len() * 9);
        assert!(a.weeks.iter().any(|w| w.status == "submitted"));
        assert!(a.weeks.iter().any(|w| w.status == "rejected"));
        assert_eq!(a.ledger.len(), 27);
        for h in &a.hosts {
            let n = OrganisationNumber::from_canonical(&h.organisation_number).unwrap();
            assert_eq!(n.as_str().starts_with('2'), h.public);
        }
        for c in &a.contracts {
            let sni = a.hosts[c.host].sni;
            assert!(
                crate::occupations::fits(Some(sni), c.occupation_ssyk),
                "{} at SNI {sni}",
                c.occupation_ssyk
            );
            assert_eq!(
                crate::occupations::title(c.occupation_ssyk),
                Some(c.role_title)
            );
        }
        for w in &a.weeks {
            let c = &a.contracts[w.contract];
            for (i, m) in w.minutes.iter().enumerate() {
                let day = w.monday + Duration::days(i as i64);
                assert!(*m == 0 || (c.from <= day && day <= c.to));
                assert!((0..=1440).contains(m));
            }
        }
    }
}
