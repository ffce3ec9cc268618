//! Synthetic competence profiles (`vagar seed`, never a request), written
//! as one system event.

use super::*;

impl Store {
    /// Ids of these identity numbers' participants that have no profile
    /// yet (so seeding again adds none twice).
    pub async fn seed_competence_candidates(
        &self,
        identity_numbers: &[String],
    ) -> Result<HashMap<String, i64>> {
        let mut out = HashMap::new();
        for chunk in identity_numbers.chunks(500) {
            let mut sql = Sql::new(
                "SELECT p.id, p.identity_number FROM participants p WHERE p.identity_number IN (",
            );
            sql.bind_texts(chunk);
            sql.push(
                ") AND NOT EXISTS (SELECT 1 FROM competence_profiles cp WHERE cp.participant_id = p.id)",
            );
            for row in sql.query().fetch_all(&self.pool).await? {
                out.insert(get(&row, "identity_number")?, get(&row, "id")?);
            }
        }
        Ok(out)
    }

    /// Insert synthetic profiles (participant id, code, data) recorded by
    /// `user_id`, in one transaction, with one system audit event.
    pub async fn seed_competence(
        &self,
        rows: &[(i64, String, ProfileData)],
        user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let mut tx = self.begin_audited().await?;
        for (pid, code, data) in rows {
            write_profile(&mut tx, *pid, None, data, code, user_id, micros(now)).await?;
        }
        record_system(
            &mut tx,
            now,
            "seed.competence",
            SYSTEM,
            &format!("{} synthetic competence profiles", rows.len()),
        )
        .await?;
        tx.commit().await?;
        Ok(rows.len() as u64)
    }
}
