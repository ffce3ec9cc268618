-- Consent (samtycke), the common entry (intakes). Timestamps are microseconds
-- since the Unix epoch (UTC); dates are 'YYYY-MM-DD' text in Swedish time.
--
-- A consent's terms never change once recorded; revocation fills the
-- revoked_* columns once. Every change is also a row in consent_events, which
-- is append-only like the audit trail.

CREATE TABLE consents (
    id INTEGER PRIMARY KEY,
    participant_id INTEGER NOT NULL REFERENCES participants(id),
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    method TEXT NOT NULL,
    note TEXT,
    recorded_by INTEGER NOT NULL REFERENCES users(id),
    recorded_at INTEGER NOT NULL,
    revoked_at INTEGER,
    revoked_by INTEGER REFERENCES users(id),
    revoke_reason TEXT
);
CREATE INDEX consents_participant ON consents(participant_id);

CREATE TABLE consent_organisations (
    consent_id INTEGER NOT NULL REFERENCES consents(id),
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    PRIMARY KEY (consent_id, organisation_id)
);
CREATE INDEX consent_organisations_org ON consent_organisations(organisation_id, consent_id);

CREATE TABLE consent_categories (
    consent_id INTEGER NOT NULL REFERENCES consents(id),
    category TEXT NOT NULL,
    PRIMARY KEY (consent_id, category)
);

CREATE TABLE consent_events (
    id INTEGER PRIMARY KEY,
    consent_id INTEGER NOT NULL REFERENCES consents(id),
    participant_id INTEGER NOT NULL REFERENCES participants(id),
    kind TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id),
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    at INTEGER NOT NULL,
    reason TEXT
);
CREATE INDEX consent_events_participant ON consent_events(participant_id, id);

CREATE TRIGGER consents_terms_fixed BEFORE UPDATE ON consents
WHEN OLD.revoked_at IS NOT NULL
  OR NEW.participant_id IS NOT OLD.participant_id OR NEW.valid_from IS NOT OLD.valid_from
  OR NEW.valid_to IS NOT OLD.valid_to OR NEW.method IS NOT OLD.method OR NEW.note IS NOT OLD.note
  OR NEW.recorded_by IS NOT OLD.recorded_by OR NEW.recorded_at IS NOT OLD.recorded_at
BEGIN SELECT RAISE(ABORT, 'a consent''s terms are fixed and it is revoked once'); END;
CREATE TRIGGER consents_no_delete BEFORE DELETE ON consents
BEGIN SELECT RAISE(ABORT, 'consents are kept as history'); END;
CREATE TRIGGER consent_organisations_no_change BEFORE UPDATE ON consent_organisations
BEGIN SELECT RAISE(ABORT, 'consent_organisations is append-only'); END;
CREATE TRIGGER consent_organisations_no_delete BEFORE DELETE ON consent_organisations
BEGIN SELECT RAISE(ABORT, 'consent_organisations is append-only'); END;
CREATE TRIGGER consent_categories_no_change BEFORE UPDATE ON consent_categories
BEGIN SELECT RAISE(ABORT, 'consent_categories is append-only'); END;
CREATE TRIGGER consent_categories_no_delete BEFORE DELETE ON consent_categories
BEGIN SELECT RAISE(ABORT, 'consent_categories is append-only'); END;
CREATE TRIGGER consent_events_no_update BEFORE UPDATE ON consent_events
BEGIN SELECT RAISE(ABORT, 'consent_events is append-only'); END;
CREATE TRIGGER consent_events_no_delete BEFORE DELETE ON consent_events
BEGIN SELECT RAISE(ABORT, 'consent_events is append-only'); END;

-- The common entry: every referral of a person, attached to the one record.
CREATE TABLE intakes (
    id INTEGER PRIMARY KEY,
    participant_id INTEGER NOT NULL REFERENCES participants(id),
    referred_by_organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    note TEXT,
    created_new INTEGER NOT NULL,
    recorded_by INTEGER NOT NULL REFERENCES users(id),
    recorded_at INTEGER NOT NULL
);
CREATE INDEX intakes_participant ON intakes(participant_id, id);
