-- Competence needs (kompetensbehov): what an employer needs, from a
-- coordinator, the public form /arbetsgivare, or an imported job ad.
-- Needs from the public form wait in the coordinators' queue until one of
-- them takes it (triaged_at).

CREATE TABLE competence_needs (
    id INTEGER PRIMARY KEY,
    employer_id INTEGER NOT NULL REFERENCES employers(id),
    workplace_id INTEGER REFERENCES employer_workplaces(id),
    title TEXT NOT NULL,
    -- SSYK 2012 level-4 code, and the occupation name (concept) if chosen.
    ssyk_code TEXT NOT NULL,
    occupation_id TEXT,
    occupation_label TEXT NOT NULL,
    positions INTEGER NOT NULL,
    -- Slots already filled by placements.
    filled INTEGER NOT NULL DEFAULT 0,
    -- Minimum Swedish level (participant's SwedishLevel codes); NULL: none.
    swedish_level TEXT,
    -- Required driving licence classes, comma-separated (e.g. 'B'); '' none.
    driving_licences TEXT NOT NULL DEFAULT '',
    -- Minimum education level (participant's EducationLevel codes); NULL: none.
    education_level TEXT,
    start_date TEXT,
    duration_months INTEGER,
    -- full_time or part_time, with hours a week when known.
    working_time TEXT NOT NULL DEFAULT 'full_time',
    hours_per_week INTEGER,
    -- Features of the workplace a participant may need (as employer_workplaces.accessibility).
    accessibility TEXT NOT NULL DEFAULT '',
    -- Comma-separated: work_practice, fixed_term_job, learning_employment, rental, staffing.
    forms TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    -- open, filled or closed
    status TEXT NOT NULL DEFAULT 'open',
    -- coordinator, public_form or job_ad
    source TEXT NOT NULL,
    -- The JobTech ad id of an imported need: importing again updates it.
    job_ad_id TEXT UNIQUE,
    application_deadline TEXT,
    -- The person who stated the need on the public form.
    contact_name TEXT,
    contact_email TEXT,
    contact_phone TEXT,
    triaged_at INTEGER,
    triaged_by INTEGER REFERENCES users(id),
    version INTEGER NOT NULL DEFAULT 1,
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX competence_needs_employer ON competence_needs (employer_id);
CREATE INDEX competence_needs_status ON competence_needs (status, ssyk_code);
CREATE INDEX competence_needs_queue ON competence_needs (triaged_at, created_at);

-- Required and meritorious skills (taxonomy skill concepts, label kept).
CREATE TABLE competence_need_skills (
    need_id INTEGER NOT NULL REFERENCES competence_needs(id),
    skill_id TEXT NOT NULL,
    label TEXT NOT NULL,
    required INTEGER NOT NULL,
    PRIMARY KEY (need_id, skill_id)
);
