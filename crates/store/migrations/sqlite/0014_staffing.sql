-- The staffing model (issue 6): a staffing pool fills municipal units'
-- shifts with its staff (participants training toward a shortage occupation
-- and regular staff), with conflict checks, fill rate, the units' share of
-- hours worked by hourly employees, and training progress.

CREATE TABLE staffing_pools (
    id INTEGER PRIMARY KEY,
    intervention_id INTEGER REFERENCES interventions(id),
    name TEXT NOT NULL,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    -- What a unit is charged per hour worked (self-cost pricing).
    hourly_price_ore INTEGER NOT NULL,
    -- The weekly cap on hourly staff's booked minutes (Arbetstidslagen's
    -- 48 h applies to everyone besides).
    hourly_week_cap_minutes INTEGER NOT NULL DEFAULT 2400,
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL
);

CREATE TABLE staffing_staff (
    id INTEGER PRIMARY KEY,
    pool_id INTEGER NOT NULL REFERENCES staffing_pools(id),
    -- A participant, or a regular employee named here.
    participant_id INTEGER REFERENCES participants(id),
    name TEXT,
    -- full_time or hourly
    employment_form TEXT NOT NULL,
    occupation_ssyk TEXT NOT NULL,
    hourly_wage_ore INTEGER NOT NULL,
    active_from TEXT NOT NULL,
    active_to TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL
);
CREATE INDEX staffing_staff_pool ON staffing_staff (pool_id);

CREATE TABLE staffing_requests (
    id INTEGER PRIMARY KEY,
    pool_id INTEGER NOT NULL REFERENCES staffing_pools(id),
    unit_organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    work_date TEXT NOT NULL,
    -- Minutes since midnight; end may pass midnight (end > 1440).
    start_minute INTEGER NOT NULL,
    end_minute INTEGER NOT NULL,
    occupation_ssyk TEXT NOT NULL,
    staff_count INTEGER NOT NULL,
    -- open, cancelled (filled is computed from assignments)
    status TEXT NOT NULL DEFAULT 'open',
    note TEXT,
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX staffing_requests_pool ON staffing_requests (pool_id, work_date);

CREATE TABLE staffing_assignments (
    id INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES staffing_requests(id),
    staff_id INTEGER NOT NULL REFERENCES staffing_staff(id),
    work_date TEXT NOT NULL,
    start_minute INTEGER NOT NULL,
    end_minute INTEGER NOT NULL,
    -- Minutes actually worked, once reported (NULL: as booked).
    worked_minutes INTEGER,
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL,
    UNIQUE (request_id, staff_id)
);
CREATE INDEX staffing_assignments_staff ON staffing_assignments (staff_id, work_date);

-- Hours worked at a unit per month by all its staff, as the unit reports
-- them; the hourly employees' share is the pool's and the unit's own hourly
-- hours over this total.
CREATE TABLE unit_monthly_hours (
    unit_organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    month TEXT NOT NULL,
    total_minutes INTEGER NOT NULL,
    hourly_minutes INTEGER NOT NULL,
    reported_by INTEGER REFERENCES users(id),
    reported_at INTEGER NOT NULL,
    PRIMARY KEY (unit_organisation_id, month)
);

CREATE TABLE training_progress (
    id INTEGER PRIMARY KEY,
    staff_id INTEGER NOT NULL REFERENCES staffing_staff(id),
    course TEXT NOT NULL,
    -- The shortage occupation it trains toward.
    occupation_ssyk TEXT,
    credits_total INTEGER NOT NULL,
    credits_done INTEGER NOT NULL DEFAULT 0,
    started_on TEXT NOT NULL,
    completed_on TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    updated_at INTEGER NOT NULL
);
CREATE INDEX training_progress_staff ON training_progress (staff_id);
