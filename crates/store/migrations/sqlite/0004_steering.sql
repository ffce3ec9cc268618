-- Steering groups (styrgrupp): member organisations, meetings, cases referred
-- to the group and its decisions. Timestamps are microseconds since the Unix
-- epoch (UTC); dates are 'YYYY-MM-DD' text.
--
-- A decision's changes are kept in steering_decision_history (append-only);
-- plan_history rows written by a decision name it in decision_id.

CREATE TABLE steering_groups (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL
);

CREATE TABLE steering_group_members (
    group_id INTEGER NOT NULL REFERENCES steering_groups(id),
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    PRIMARY KEY (group_id, organisation_id)
);
CREATE INDEX steering_group_members_org ON steering_group_members(organisation_id, group_id);

CREATE TABLE steering_meetings (
    id INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL REFERENCES steering_groups(id),
    meeting_date TEXT NOT NULL,
    notes TEXT,
    recorded_by INTEGER NOT NULL REFERENCES users(id),
    recorded_at INTEGER NOT NULL
);
CREATE INDEX steering_meetings_group ON steering_meetings(group_id, meeting_date);

CREATE TABLE steering_cases (
    id INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL REFERENCES steering_groups(id),
    participant_id INTEGER NOT NULL REFERENCES participants(id),
    question TEXT NOT NULL,
    status TEXT NOT NULL,
    referred_by INTEGER NOT NULL REFERENCES users(id),
    referred_by_organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    referred_at INTEGER NOT NULL
);
CREATE INDEX steering_cases_group ON steering_cases(group_id, id);

CREATE TABLE steering_decisions (
    id INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL REFERENCES steering_groups(id),
    case_id INTEGER REFERENCES steering_cases(id),
    meeting_id INTEGER REFERENCES steering_meetings(id),
    text TEXT NOT NULL,
    follow_up_date TEXT,
    status TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    recorded_by INTEGER NOT NULL REFERENCES users(id),
    recorded_at INTEGER NOT NULL,
    updated_by INTEGER NOT NULL REFERENCES users(id),
    updated_at INTEGER NOT NULL
);
CREATE INDEX steering_decisions_group ON steering_decisions(group_id, id);

CREATE TABLE steering_decision_organisations (
    decision_id INTEGER NOT NULL REFERENCES steering_decisions(id),
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    PRIMARY KEY (decision_id, organisation_id)
);

CREATE TABLE steering_decision_participants (
    decision_id INTEGER NOT NULL REFERENCES steering_decisions(id),
    participant_id INTEGER NOT NULL REFERENCES participants(id),
    PRIMARY KEY (decision_id, participant_id)
);

-- The plan steps a decision created or changed.
CREATE TABLE steering_decision_steps (
    decision_id INTEGER NOT NULL REFERENCES steering_decisions(id),
    participant_id INTEGER NOT NULL REFERENCES participants(id),
    step_id INTEGER NOT NULL REFERENCES plan_steps(id),
    change TEXT NOT NULL,
    PRIMARY KEY (decision_id, step_id)
);

CREATE TABLE steering_decision_history (
    id INTEGER PRIMARY KEY,
    decision_id INTEGER NOT NULL REFERENCES steering_decisions(id),
    change TEXT NOT NULL,
    field TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT,
    user_id INTEGER NOT NULL REFERENCES users(id),
    at INTEGER NOT NULL
);
CREATE INDEX steering_decision_history_decision ON steering_decision_history(decision_id, id);

ALTER TABLE plan_history ADD COLUMN decision_id INTEGER REFERENCES steering_decisions(id);

CREATE TRIGGER steering_decisions_no_delete BEFORE DELETE ON steering_decisions
BEGIN SELECT RAISE(ABORT, 'steering decisions are kept as history'); END;
CREATE TRIGGER steering_decision_history_no_update BEFORE UPDATE ON steering_decision_history
BEGIN SELECT RAISE(ABORT, 'steering_decision_history is append-only'); END;
CREATE TRIGGER steering_decision_history_no_delete BEFORE DELETE ON steering_decision_history
BEGIN SELECT RAISE(ABORT, 'steering_decision_history is append-only'); END;
