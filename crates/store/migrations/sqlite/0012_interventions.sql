-- The work models (issue 6): interventions (insatser) with their planned
-- indicators and follow-up plan, placements (deltagande) of participants
-- at host employers or municipal units, the hosts' staff reductions that the
-- displacement check reads, and overrides of a blocked placement.
-- Money is öre (integer), time in minutes, dates 'YYYY-MM-DD', timestamps
-- microseconds since the Unix epoch (UTC).

CREATE TABLE interventions (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    -- Exactly one of model (rental, collaboration, staffing, employer) and
    -- programme_type (fixed_term_job, trainee_job, education_contract,
    -- extra_job, work_practice, tryout_studies, youth_employment) is set.
    model TEXT,
    programme_type TEXT,
    description TEXT,
    -- Comma-separated target groups (youth, long_term_unemployed, newcomer, …).
    target_groups TEXT NOT NULL DEFAULT '',
    capacity INTEGER NOT NULL,
    period_from TEXT NOT NULL,
    period_to TEXT,
    funding TEXT,
    -- Who employs and sells: municipality or municipal_company (legal checks).
    operator_kind TEXT NOT NULL DEFAULT 'municipality',
    -- The follow-up plan in words: who measures, how, when it is reported.
    follow_up_plan TEXT,
    -- draft, open (for enrolment), closed
    status TEXT NOT NULL DEFAULT 'draft',
    version INTEGER NOT NULL DEFAULT 1,
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- The organisations that run an intervention; `lead` is the responsible one.
CREATE TABLE intervention_organisations (
    intervention_id INTEGER NOT NULL REFERENCES interventions(id),
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    role TEXT NOT NULL DEFAULT 'partner',
    PRIMARY KEY (intervention_id, organisation_id)
);

-- Planned indicators: which outcome, measured how long after exit, and the
-- target level, set before the intervention opens.
CREATE TABLE intervention_indicators (
    id INTEGER PRIMARY KEY,
    intervention_id INTEGER NOT NULL REFERENCES interventions(id),
    -- An exit outcome (work_unsubsidised, studies, …) or a combined one
    -- (work_or_studies).
    outcome TEXT NOT NULL,
    measured_after_days INTEGER NOT NULL,
    target_percent INTEGER NOT NULL,
    description TEXT
);
CREATE INDEX intervention_indicators_intervention ON intervention_indicators (intervention_id);

CREATE TABLE placements (
    id INTEGER PRIMARY KEY,
    participant_id INTEGER NOT NULL REFERENCES participants(id),
    intervention_id INTEGER NOT NULL REFERENCES interventions(id),
    -- The host: an employer (and workplace), or a municipal unit.
    employer_id INTEGER REFERENCES employers(id),
    workplace_id INTEGER REFERENCES employer_workplaces(id),
    host_organisation_id INTEGER REFERENCES organisations(id),
    need_id INTEGER REFERENCES competence_needs(id),
    occupation_ssyk TEXT,
    role_title TEXT,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    -- municipality (employed by the municipality or its company), host, work_practice
    employment_form TEXT NOT NULL,
    hours_per_week_minutes INTEGER NOT NULL,
    planned_work_percent INTEGER NOT NULL DEFAULT 100,
    planned_study_percent INTEGER NOT NULL DEFAULT 0,
    monthly_wage_ore INTEGER,
    monthly_subsidy_ore INTEGER,
    subsidy_kind TEXT,
    supervisor_name TEXT,
    supervisor_phone TEXT,
    supervisor_email TEXT,
    -- The task is an extra, not the host's ordinary operations (displacement).
    extra_task INTEGER NOT NULL DEFAULT 0,
    -- low, medium, high, blocked; the factors as shown (JSON).
    risk_level TEXT NOT NULL,
    risk_explanation TEXT NOT NULL,
    override_reason TEXT,
    override_by INTEGER REFERENCES users(id),
    override_at INTEGER,
    -- planned, active, ended, cancelled
    status TEXT NOT NULL DEFAULT 'planned',
    exit_date TEXT,
    -- work_unsubsidised, work_subsidised, studies, other_programme,
    -- unemployed, sick_or_parental_leave, moved, unknown
    exit_outcome TEXT,
    plan_step_id INTEGER REFERENCES plan_steps(id),
    version INTEGER NOT NULL DEFAULT 1,
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX placements_participant ON placements (participant_id);
CREATE INDEX placements_intervention ON placements (intervention_id, status);
CREATE INDEX placements_employer ON placements (employer_id, status);
CREATE INDEX placements_need ON placements (need_id);

-- Notices and dismissals at a host (from the employer or Arbetsförmedlingen's
-- varsel): a placement in the same occupation within 12 months is blocked.
CREATE TABLE host_staff_reductions (
    id INTEGER PRIMARY KEY,
    employer_id INTEGER NOT NULL REFERENCES employers(id),
    workplace_id INTEGER REFERENCES employer_workplaces(id),
    occupation_ssyk TEXT NOT NULL,
    -- notice (varsel) or dismissal (uppsägning)
    kind TEXT NOT NULL,
    occurred_on TEXT NOT NULL,
    persons INTEGER NOT NULL,
    note TEXT,
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX host_staff_reductions_employer ON host_staff_reductions (employer_id, occupation_ssyk);

-- Head count at a workplace, for the share of subsidised and programme workers.
ALTER TABLE employer_workplaces ADD COLUMN staff_count INTEGER;
