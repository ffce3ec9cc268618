//! Bulk insert for the synthetic city's employer register: `vagar seed`
//! only, never a request (the seed is audited as one system event). An
//! employer whose organisation number is already registered is left alone,
//! so seeding again adds nothing twice. The rows are written by the same
//! inserts as the register's own.

use super::agreements::{insert_contract, insert_fulfilment, insert_outcome, insert_partnership};
use super::records::{insert_contact, insert_interaction, insert_workplace};
use super::register_employer;
use crate::{micros, Result, Store};
use chrono::{DateTime, Utc};
use vagar_domain::employers::{EmployerRecord, EmployerSource, OutcomeData};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EmployerSeedCounts {
    pub employers: u64,
    pub workplaces: u64,
    pub contacts: u64,
    pub interactions: u64,
    pub partnerships: u64,
    pub outcomes: u64,
    pub contracts: u64,
    pub fulfilment_months: u64,
}

impl Store {
    /// Insert the employers not yet registered, with everything recorded
    /// about them, in one transaction; `recorder` is named as their author.
    pub async fn seed_employers(
        &self,
        records: &[EmployerRecord],
        recorder: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<EmployerSeedCounts> {
        let mut c = EmployerSeedCounts::default();
        let mut tx = self.pool.begin().await?;
        let at = micros(now);
        let source = EmployerSource::Coordinator;
        for r in records {
            let (id, created) =
                register_employer(&mut tx, &r.employer, source, recorder, now).await?;
            if !created {
                continue;
            }
            c.employers += 1;
            for w in &r.workplaces {
                insert_workplace(&mut tx, id, w, at).await?;
                c.workplaces += 1;
            }
            for k in &r.contacts {
                insert_contact(&mut tx, id, k, at).await?;
                c.contacts += 1;
            }
            for i in &r.interactions {
                insert_interaction(&mut tx, id, i, recorder, at).await?;
                c.interactions += 1;
            }
            for (p, outcomes) in &r.partnerships {
                let aid = insert_partnership(&mut tx, id, p, recorder, at).await?;
                c.partnerships += 1;
                for (on, kind) in outcomes {
                    let o = OutcomeData {
                        occurred_on: *on,
                        kind: *kind,
                        note: None,
                    };
                    insert_outcome(&mut tx, aid, &o, recorder, at).await?;
                    c.outcomes += 1;
                }
            }
            for (k, months) in &r.contracts {
                let cid = insert_contract(&mut tx, id, k, recorder, at).await?;
                c.contracts += 1;
                for m in months {
                    insert_fulfilment(&mut tx, cid, m, recorder, at).await?;
                    c.fulfilment_months += 1;
                }
            }
        }
        tx.commit().await?;
        Ok(c)
    }
}
