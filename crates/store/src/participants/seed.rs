//! Seeding participants (`vagar seed`, never a request): the synthetic
//! city's people in bulk, and which of them have no collaboration data yet.

use super::{data_args, DATA_COLUMNS};
use crate::kernel::sql::{Arg, Sql};
use crate::{get, micros, Result, Store};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use vagar_domain::participants::ParticipantData;

impl Store {
    /// Bulk insert for the synthetic seed: no actor, one audit event per call.
    /// Rows whose identity number is already taken are skipped, so a seed can
    /// be re-run; returns how many were inserted.
    pub async fn seed_participants(
        &self,
        rows: &[(ParticipantData, i64)],
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let mut tx = self.pool.begin().await?;
        let mut inserted = 0;
        // 24 values a row. Binding costs SQLite a scan of the statement's
        // parameters per value (quadratic in their number), so 40 rows a
        // statement is ten times faster than 400 and still few round trips.
        for chunk in rows.chunks(40) {
            let mut sql = Sql::new("INSERT INTO participants (");
            sql.push(&DATA_COLUMNS.join(", "))
                .push(", organisation_id, version, created_at, updated_at) VALUES ");
            for (r, (data, org)) in chunk.iter().enumerate() {
                sql.push(if r == 0 { "(" } else { ", (" });
                for arg in data_args(data) {
                    sql.bind(arg).push(", ");
                }
                sql.bind(Arg::I64(*org))
                    .push(", 1, ")
                    .bind(Arg::I64(micros(now)))
                    .push(", ")
                    .bind(Arg::I64(micros(now)))
                    .push(")");
            }
            sql.push(" ON CONFLICT (identity_number) DO NOTHING");
            inserted += sql.query().execute(&mut *tx).await?.rows_affected();
        }
        tx.commit().await?;
        Ok(inserted)
    }

    pub async fn count_participants(&self) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM participants")
            .fetch_one(&self.pool)
            .await?;
        get(&row, "n")
    }

    /// The ids of these identity numbers' participants that have no consent,
    /// plan or contact yet (so seeding again adds nothing twice).
    pub async fn seed_fresh_participants(
        &self,
        identity_numbers: &[String],
    ) -> Result<HashMap<String, i64>> {
        let mut out = HashMap::new();
        for chunk in identity_numbers.chunks(200) {
            let mut sql = Sql::new(
                "SELECT p.id, p.identity_number FROM participants p WHERE p.identity_number IN (",
            );
            sql.bind_texts(chunk);
            sql.push(
                ") AND NOT EXISTS (SELECT 1 FROM consents c WHERE c.participant_id = p.id) \
                 AND NOT EXISTS (SELECT 1 FROM action_plans a WHERE a.participant_id = p.id AND a.status = 'active') \
                 AND NOT EXISTS (SELECT 1 FROM contacts k WHERE k.participant_id = p.id)",
            );
            for row in sql.query().fetch_all(&self.pool).await? {
                out.insert(get(&row, "identity_number")?, get(&row, "id")?);
            }
        }
        Ok(out)
    }
}
