-- Foundation: organisations, users, participants, access grants, audit, sessions, tokens.
-- Timestamps are microseconds since the Unix epoch (UTC); dates are 'YYYY-MM-DD' text.

CREATE TABLE organisations (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    org_number TEXT UNIQUE,
    created_at INTEGER NOT NULL
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL
);

CREATE TABLE participants (
    id INTEGER PRIMARY KEY,
    identity_number TEXT NOT NULL UNIQUE,
    birth_date TEXT NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    name_key_rev TEXT NOT NULL,
    gender TEXT NOT NULL,
    birth_region TEXT NOT NULL,
    education_level TEXT NOT NULL,
    disability INTEGER,
    target_mask INTEGER NOT NULL DEFAULT 0,
    municipality_code TEXT NOT NULL,
    district TEXT,
    swedish_level TEXT,
    languages TEXT NOT NULL DEFAULT '',
    driving_licences TEXT NOT NULL DEFAULT '',
    email TEXT,
    phone TEXT,
    registered_on TEXT NOT NULL,
    responsible_caseworker_id INTEGER REFERENCES users(id),
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX participants_name_key ON participants(name_key, id);
CREATE INDEX participants_name_key_rev ON participants(name_key_rev, id);
CREATE INDEX participants_birth_date ON participants(birth_date);
CREATE INDEX participants_district ON participants(district, name_key);
CREATE INDEX participants_caseworker ON participants(responsible_caseworker_id);
CREATE INDEX participants_organisation ON participants(organisation_id, name_key);

-- Time-limited access (e.g. 30 days' read access after a handover) is a row
-- with a validity period, never a role change.
CREATE TABLE access_grants (
    id INTEGER PRIMARY KEY,
    participant_id INTEGER NOT NULL REFERENCES participants(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    reason TEXT NOT NULL,
    valid_from INTEGER NOT NULL,
    valid_until INTEGER NOT NULL,
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX access_grants_user ON access_grants(user_id, participant_id);

-- Append-only audit trail; each row carries the hash of the previous one.
CREATE TABLE audit_events (
    seq INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    request_id TEXT NOT NULL,
    user_id INTEGER,
    username TEXT,
    organisation_id INTEGER,
    role TEXT,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    target_ids TEXT NOT NULL DEFAULT '',
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_events_user ON audit_events(user_id, seq);

-- One row per participant an event touched (a read, a write, each row of a list).
CREATE TABLE audit_event_participants (
    seq INTEGER NOT NULL REFERENCES audit_events(seq),
    participant_id INTEGER NOT NULL,
    PRIMARY KEY (participant_id, seq)
);

-- The chain head: claiming it serialises audited transactions, so the chain
-- order is the commit order on every engine.
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER audit_event_participants_no_update BEFORE UPDATE ON audit_event_participants
BEGIN SELECT RAISE(ABORT, 'audit_event_participants is append-only'); END;
CREATE TRIGGER audit_event_participants_no_delete BEFORE DELETE ON audit_event_participants
BEGIN SELECT RAISE(ABORT, 'audit_event_participants is append-only'); END;

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at INTEGER
);

-- Failed-login counters per username and per client address.
CREATE TABLE login_throttle (
    throttle_key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    window_start INTEGER NOT NULL,
    blocked_until INTEGER NOT NULL
);
