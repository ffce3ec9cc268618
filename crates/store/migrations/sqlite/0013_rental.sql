-- The rental model (issue 6): the participant is employed by the
-- municipality or its company (a contract) and rented to host employers;
-- each assignment is a placement with an hourly rate. The supervisor enters
-- weekly timesheets, the host approves them, approved weeks are invoiced
-- monthly per host; other costs and subsidies complete the economic result.

CREATE TABLE rental_contracts (
    id INTEGER PRIMARY KEY,
    participant_id INTEGER NOT NULL REFERENCES participants(id),
    intervention_id INTEGER NOT NULL REFERENCES interventions(id),
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    hours_per_week_minutes INTEGER NOT NULL,
    -- The wage per hour worked, and the employer's fees on top (per mille,
    -- e.g. 314 = 31,4 % social fees incl. pension and insurance).
    hourly_wage_ore INTEGER NOT NULL,
    employer_fee_permille INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX rental_contracts_intervention ON rental_contracts (intervention_id);

-- An assignment at a host: the placement (host, dates, supervisor) and its price.
CREATE TABLE rental_assignments (
    placement_id INTEGER PRIMARY KEY REFERENCES placements(id),
    contract_id INTEGER NOT NULL REFERENCES rental_contracts(id),
    hourly_rate_ore INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX rental_assignments_contract ON rental_assignments (contract_id);

-- One week (Monday) of one assignment.
CREATE TABLE timesheets (
    id INTEGER PRIMARY KEY,
    placement_id INTEGER NOT NULL REFERENCES placements(id),
    week_start TEXT NOT NULL,
    -- submitted (by the supervisor), approved or rejected (by the host)
    status TEXT NOT NULL DEFAULT 'submitted',
    total_minutes INTEGER NOT NULL,
    note TEXT,
    entered_by INTEGER REFERENCES users(id),
    entered_at INTEGER NOT NULL,
    decided_by INTEGER REFERENCES users(id),
    decided_at INTEGER,
    decision_note TEXT,
    invoice_id INTEGER,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (placement_id, week_start)
);

CREATE TABLE timesheet_days (
    timesheet_id INTEGER NOT NULL REFERENCES timesheets(id),
    day TEXT NOT NULL,
    minutes INTEGER NOT NULL,
    PRIMARY KEY (timesheet_id, day)
);

-- A monthly invoice to one host for one intervention; lines are weeks.
CREATE TABLE invoices (
    id INTEGER PRIMARY KEY,
    intervention_id INTEGER NOT NULL REFERENCES interventions(id),
    employer_id INTEGER NOT NULL REFERENCES employers(id),
    month TEXT NOT NULL,
    number TEXT NOT NULL UNIQUE,
    total_minutes INTEGER NOT NULL,
    total_ore INTEGER NOT NULL,
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL,
    UNIQUE (intervention_id, employer_id, month)
);

CREATE TABLE invoice_lines (
    id INTEGER PRIMARY KEY,
    invoice_id INTEGER NOT NULL REFERENCES invoices(id),
    timesheet_id INTEGER NOT NULL REFERENCES timesheets(id),
    placement_id INTEGER NOT NULL REFERENCES placements(id),
    -- Only the days of the week that fall in the month.
    minutes INTEGER NOT NULL,
    rate_ore INTEGER NOT NULL,
    amount_ore INTEGER NOT NULL
);
CREATE INDEX invoice_lines_invoice ON invoice_lines (invoice_id);

-- Other costs and subsidies of an intervention, per month.
CREATE TABLE intervention_ledger (
    id INTEGER PRIMARY KEY,
    intervention_id INTEGER NOT NULL REFERENCES interventions(id),
    month TEXT NOT NULL,
    -- other_cost or subsidy
    kind TEXT NOT NULL,
    amount_ore INTEGER NOT NULL,
    note TEXT,
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX intervention_ledger_intervention ON intervention_ledger (intervention_id, month);

-- The host's queue (weeks by status) and the invoice's lines by week.
CREATE INDEX timesheets_status ON timesheets (status, week_start);
CREATE INDEX invoice_lines_timesheet ON invoice_lines (timesheet_id);
