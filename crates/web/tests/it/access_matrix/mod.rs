//! The access matrix over the JSON API, on SQLite and PostgreSQL: every role
//! × every participant-scoped endpoint (reads and writes, lists by presence)
//! × every consent situation of the participant, and the global endpoints by
//! role. The expected answers are a table written out by hand from ACCESS.md
//! and the README's "Decisions" — never computed from the policy code — so
//! the test fails when the running system and the written policy disagree.
//! All mismatches are collected and listed together.
//!
//! Each role works on a world of its own (one participant per situation),
//! so its writes cannot change what another role's cells see; within a role
//! the reads come first and the writes that change the world (revoking a
//! consent, handing over) come last. Every participant-scoped answer must
//! also have left an audit event by the caller naming the participant:
//! allowed for a success, denied for a refusal.
//!
//! The files: `participants` (the situations, the participant-scoped
//! endpoints and their table, and the test over every cell), `world` (the
//! participants the cells work on, and how each cell is tried), `globals`
//! (the global endpoints by role), `outside` (the operations outside the
//! matrix, and the test that every operation is in it or named outside it)
//! and `placements` (the placement endpoints by role and host). Here: the
//! answers' names and the helpers they all share.

/// Declares an enum (Debug, Clone, Copy, PartialEq, Eq) and a constant
/// slice of all its variants in the order they are written, from one list.
macro_rules! listed_enum {
    ($(#[$doc:meta])* $vis:vis enum $name:ident;
     $(#[$all_doc:meta])* $all_vis:vis const $all:ident = {
        $($(#[$variant_doc:meta])* $variant:ident,)*
    }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        $vis enum $name {
            $($(#[$variant_doc])* $variant,)*
        }

        $(#[$all_doc])*
        $all_vis const $all: &[$name] = &[$($name::$variant,)*];
    };
}

mod globals;
mod outside;
mod participants;
mod placements;
mod world;

use crate::common;

use common::{day, TestApp};
use reqwest::Method;
use serde_json::Value;

/// Answers that are not a bare status.
/// A list or search holds the participant.
const LISTED: u16 = 1;
/// A list or search answers 200 without the participant (or, for steering
/// cases, shows the case without their identity).
const ABSENT: u16 = 2;
/// 200 with e-mail and phone withheld (`contact_details_withheld`).
const WITHHELD: u16 = 3;
/// The common entry found the person but names neither id nor details.
const UNNAMED: u16 = 4;

fn answer_name(a: u16) -> String {
    match a {
        LISTED => "listed".into(),
        ABSENT => "absent".into(),
        WITHHELD => "200 (contact details withheld)".into(),
        UNNAMED => "200 (existing, unnamed)".into(),
        s => s.to_string(),
    }
}

/// `user` sends `body` to `path`; panics unless the status is `want`.
async fn must(
    app: &TestApp,
    user: &str,
    method: Method,
    path: &str,
    body: Value,
    want: u16,
) -> Value {
    let r = app.call(user, method.clone(), path, Some(&body)).await;
    assert_eq!(
        r.status, want,
        "setup {method} {path} as {user}: {}",
        r.text
    );
    r.json
}

/// The audit events `user` caused after `since` naming participant `id`:
/// (outcome) for each.
async fn audit_outcomes(app: &TestApp, user: &str, since: i64, id: i64) -> Vec<String> {
    let rows = vagar_store::sqlx::query(
        "SELECT e.outcome FROM audit_events e \
         JOIN audit_event_participants ep ON ep.seq = e.seq \
         WHERE e.seq > $1 AND e.user_id = $2 AND ep.participant_id = $3 ORDER BY e.seq",
    )
    .bind(since)
    .bind(app.user_ids[user])
    .bind(id)
    .fetch_all(app.store.pool())
    .await
    .expect("audit rows");
    rows.iter()
        .map(|r| vagar_store::sqlx::Row::get::<String, _>(r, "outcome"))
        .collect()
}

async fn audit_head(app: &TestApp) -> i64 {
    let row = vagar_store::sqlx::query("SELECT COALESCE(MAX(seq), 0) AS s FROM audit_events")
        .fetch_one(app.store.pool())
        .await
        .expect("audit head");
    vagar_store::sqlx::Row::get::<i64, _>(&row, "s")
}

/// The denied events `user` caused after `since`, whatever they touched.
async fn denials_since(app: &TestApp, user: &str, since: i64) -> i64 {
    let row = vagar_store::sqlx::query(
        "SELECT COUNT(*) AS n FROM audit_events WHERE seq > $1 AND user_id = $2 AND outcome = 'denied'",
    )
    .bind(since)
    .bind(app.user_ids[user])
    .fetch_one(app.store.pool())
    .await
    .expect("denials");
    vagar_store::sqlx::Row::get::<i64, _>(&row, "n")
}
