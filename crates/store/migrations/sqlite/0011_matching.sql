-- Batch matching (issue 5): a coordinator's run over chosen participants and
-- needs, the solver's proposal, and the pairs she confirmed, which become
-- proposed placements. Suggestions are computed, never stored.

CREATE TABLE match_runs (
    id INTEGER PRIMARY KEY,
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL,
    -- What was chosen (JSON: filters, counts) and what came out.
    selection TEXT NOT NULL,
    participants INTEGER NOT NULL,
    needs INTEGER NOT NULL,
    edges INTEGER NOT NULL,
    matched INTEGER NOT NULL,
    cost INTEGER NOT NULL,
    seconds_solving INTEGER NOT NULL
);

CREATE TABLE match_run_pairs (
    run_id INTEGER NOT NULL REFERENCES match_runs(id),
    participant_id INTEGER NOT NULL REFERENCES participants(id),
    need_id INTEGER NOT NULL REFERENCES competence_needs(id),
    cost INTEGER NOT NULL,
    -- The explanation as shown (JSON factors), so a review later sees what was proposed.
    explanation TEXT NOT NULL,
    PRIMARY KEY (run_id, participant_id)
);

-- A confirmed pair: the participant is proposed for the need. The work
-- models turn these into placements.
CREATE TABLE proposed_placements (
    id INTEGER PRIMARY KEY,
    participant_id INTEGER NOT NULL REFERENCES participants(id),
    need_id INTEGER NOT NULL REFERENCES competence_needs(id),
    run_id INTEGER REFERENCES match_runs(id),
    cost INTEGER NOT NULL,
    -- proposed, accepted, declined, withdrawn
    status TEXT NOT NULL DEFAULT 'proposed',
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX proposed_placements_open ON proposed_placements (participant_id) WHERE status = 'proposed';
CREATE INDEX proposed_placements_need ON proposed_placements (need_id, status);
