-- The joint assessment (kartläggning), versioned: every save is a new row,
-- never changed. The content is JSON (work experience, education, Swedish
-- level, childcare/housing/economy, own goals, free text); health is kept in
-- its own columns, returned only to a reader whose consent covers health.
-- Timestamps are microseconds since the Unix epoch (UTC).

CREATE TABLE assessments (
    id INTEGER PRIMARY KEY,
    participant_id INTEGER NOT NULL REFERENCES participants(id),
    version INTEGER NOT NULL,
    content TEXT NOT NULL,
    health_level TEXT,
    health_note TEXT,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    UNIQUE (participant_id, version)
);
