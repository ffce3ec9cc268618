-- The employer model (issue 6): a learning employment (lärande anställning,
-- like REVIT) is a placement employed by the host, with a school partner and
-- the municipality, planned week by week as work and study hours, followed by
-- the hours actually done, completion and whether the employer hired.

CREATE TABLE learning_employments (
    placement_id BIGINT PRIMARY KEY REFERENCES placements(id),
    school_organisation_id BIGINT REFERENCES organisations(id),
    school_name TEXT NOT NULL,
    programme TEXT,
    -- Planned split, e.g. 75 / 25.
    work_percent BIGINT NOT NULL,
    study_percent BIGINT NOT NULL,
    -- A deviation is flagged when the done study share of the last four
    -- recorded weeks is more than this many percentage points below plan.
    deviation_threshold_pp BIGINT NOT NULL DEFAULT 5,
    completed_on TEXT,
    -- completed or discontinued once ended
    completion TEXT,
    -- hired, not_hired (after completion); NULL: not known yet
    hired_after TEXT,
    hired_on TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- One week (Monday) of a placement: planned and done work and study minutes.
-- Used by learning employments; any placement may record its shares here.
CREATE TABLE placement_weeks (
    placement_id BIGINT NOT NULL REFERENCES placements(id),
    week_start TEXT NOT NULL,
    planned_work_minutes BIGINT NOT NULL,
    planned_study_minutes BIGINT NOT NULL,
    done_work_minutes BIGINT,
    done_study_minutes BIGINT,
    recorded_by BIGINT REFERENCES users(id),
    recorded_at BIGINT,
    PRIMARY KEY (placement_id, week_start)
);
