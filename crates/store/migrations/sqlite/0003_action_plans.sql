-- Shared action plans (gemensam handlingsplan), their steps, the history of
-- every change, and contacts. Timestamps are microseconds since the Unix epoch
-- (UTC); dates are 'YYYY-MM-DD' text in Swedish time.
--
-- Plans and steps are changed in place but never deleted (a step is
-- cancelled, not removed); every change is also a row in plan_history, which
-- is append-only like the audit trail. Contacts are append-only.

CREATE TABLE action_plans (
    id INTEGER PRIMARY KEY,
    participant_id INTEGER NOT NULL REFERENCES participants(id),
    status TEXT NOT NULL DEFAULT 'active',
    goal_kind TEXT NOT NULL,
    ssyk_code TEXT,
    goal_title TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    updated_by INTEGER NOT NULL REFERENCES users(id),
    updated_at INTEGER NOT NULL
);
-- One active plan per participant.
CREATE UNIQUE INDEX action_plans_active ON action_plans(participant_id) WHERE status = 'active';

CREATE TABLE plan_steps (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES action_plans(id),
    participant_id INTEGER NOT NULL REFERENCES participants(id),
    activity_type TEXT NOT NULL,
    activity_text TEXT,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    responsible_user_id INTEGER REFERENCES users(id),
    start_date TEXT NOT NULL,
    due_date TEXT NOT NULL,
    status TEXT NOT NULL,
    result_note TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    updated_by INTEGER NOT NULL REFERENCES users(id),
    updated_at INTEGER NOT NULL
);
CREATE INDEX plan_steps_plan ON plan_steps(plan_id, id);
CREATE INDEX plan_steps_participant ON plan_steps(participant_id, status, due_date);
CREATE INDEX plan_steps_organisation ON plan_steps(organisation_id, status);

-- One row per changed field: who, when, what (old and new value as text).
CREATE TABLE plan_history (
    id INTEGER PRIMARY KEY,
    participant_id INTEGER NOT NULL REFERENCES participants(id),
    plan_id INTEGER NOT NULL REFERENCES action_plans(id),
    step_id INTEGER REFERENCES plan_steps(id),
    change TEXT NOT NULL,
    field TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT,
    user_id INTEGER NOT NULL REFERENCES users(id),
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    at INTEGER NOT NULL
);
CREATE INDEX plan_history_participant ON plan_history(participant_id, id);

CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    participant_id INTEGER NOT NULL REFERENCES participants(id),
    contact_date TEXT NOT NULL,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    kind TEXT NOT NULL,
    note TEXT,
    recorded_by INTEGER NOT NULL REFERENCES users(id),
    recorded_at INTEGER NOT NULL
);
CREATE INDEX contacts_participant ON contacts(participant_id, contact_date, id);

CREATE TRIGGER action_plans_no_delete BEFORE DELETE ON action_plans
BEGIN SELECT RAISE(ABORT, 'action plans are kept as history'); END;
CREATE TRIGGER plan_steps_no_delete BEFORE DELETE ON plan_steps
BEGIN SELECT RAISE(ABORT, 'plan steps are kept as history; cancel them instead'); END;
CREATE TRIGGER plan_history_no_update BEFORE UPDATE ON plan_history
BEGIN SELECT RAISE(ABORT, 'plan_history is append-only'); END;
CREATE TRIGGER plan_history_no_delete BEFORE DELETE ON plan_history
BEGIN SELECT RAISE(ABORT, 'plan_history is append-only'); END;
CREATE TRIGGER contacts_no_update BEFORE UPDATE ON contacts
BEGIN SELECT RAISE(ABORT, 'contacts is append-only'); END;
CREATE TRIGGER contacts_no_delete BEFORE DELETE ON contacts
BEGIN SELECT RAISE(ABORT, 'contacts is append-only'); END;
