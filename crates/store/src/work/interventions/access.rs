//! Decisions on interventions (`vagar_domain::access::work::interventions`),
//! by role, against the database, audited in the transaction that does the
//! work. Part of [`crate::access`] (included there by `#[path]`): only it
//! makes an `InterventionPermit`.

use crate::audit::Tx;
use crate::{get, Ctx, Result, Store, StoreError};
use vagar_domain::access::{intervention_role_may, InterventionAction};

/// Permission for an intervention action (decided by role).
#[derive(Debug)]
#[must_use = "a permit records its audit event when used"]
pub struct InterventionPermit {
    intervention_id: Option<i64>,
    action: InterventionAction,
}

impl InterventionPermit {
    pub fn intervention_id(&self) -> Option<i64> {
        self.intervention_id
    }
    pub fn action(&self) -> InterventionAction {
        self.action
    }
}

impl Store {
    /// Decide an intervention action by role and audit it as `event`. An
    /// intervention that does not exist is 404 (audited).
    pub async fn authorize_intervention(
        &self,
        ctx: &Ctx,
        action: InterventionAction,
        intervention_id: Option<i64>,
        event: &str,
    ) -> Result<(Tx, InterventionPermit)> {
        let detail = intervention_id
            .map(|i| format!("intervention {i}"))
            .unwrap_or_default();
        let may = intervention_role_may(ctx.actor.role, action);
        let mut d = self.begin_decision(ctx, event, detail, vec![], may).await?;
        if let Some(id) = intervention_id {
            let found = sqlx::query("SELECT COUNT(*) AS n FROM interventions WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *d.tx)
                .await?;
            if get::<i64>(&found, "n")? == 0 {
                return d.deny(StoreError::NotFound).await;
            }
        }
        let rule = format!("{}:role", ctx.actor.role.as_str());
        let permit = InterventionPermit {
            intervention_id,
            action,
        };
        d.conclude(Some((rule, permit))).await
    }
}
