-- Employers (issue 4): the employer register kept by the employer
-- coordinators (EfAS), workplaces, contact persons, the interaction log,
-- partnership agreements and social-procurement contracts; and the
-- shortage-occupation rounds (Arbetsförmedlingen's Yrkesbarometer).
-- Timestamps are microseconds since the Unix epoch (UTC); dates 'YYYY-MM-DD'.

CREATE TABLE employers (
    id INTEGER PRIMARY KEY,
    -- Canonical 10 digits (OrganisationNumber); one employer, one record.
    organisation_number TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    -- SNI 2007 division (2 digits) or section (letter); NULL: not known yet.
    sni_code TEXT,
    -- micro (0–9), small (10–49), medium (50–249), large (250+), unknown
    size_class TEXT NOT NULL DEFAULT 'unknown',
    -- The organisation whose `employer` users act for this employer, if any.
    organisation_id INTEGER REFERENCES organisations(id),
    -- coordinator, public_form or job_ad: how the employer came in.
    source TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX employers_name ON employers (name_folded);

CREATE TABLE employer_workplaces (
    id INTEGER PRIMARY KEY,
    employer_id INTEGER NOT NULL REFERENCES employers(id),
    name TEXT NOT NULL,
    street_address TEXT,
    postal_code TEXT,
    city TEXT,
    municipality_code TEXT NOT NULL,
    district TEXT,
    -- Comma-separated features of the premises: step_free_entrance, lift,
    -- accessible_toilet, hearing_loop, quiet_room, adjustable_workstation.
    accessibility TEXT NOT NULL DEFAULT '',
    accessibility_note TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX employer_workplaces_employer ON employer_workplaces (employer_id);

CREATE TABLE employer_contacts (
    id INTEGER PRIMARY KEY,
    employer_id INTEGER NOT NULL REFERENCES employers(id),
    name TEXT NOT NULL,
    title TEXT,
    email TEXT,
    phone TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX employer_contacts_employer ON employer_contacts (employer_id);

-- The interaction log: calls, visits, meetings, e-mails, offers. Append-only.
CREATE TABLE employer_interactions (
    id INTEGER PRIMARY KEY,
    employer_id INTEGER NOT NULL REFERENCES employers(id),
    occurred_on TEXT NOT NULL,
    kind TEXT NOT NULL,
    note TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX employer_interactions_employer ON employer_interactions (employer_id, occurred_on);

-- Partnership agreements (branschpartnerskap) with yearly targets; actual
-- results are the recorded outcomes below (placements later also count).
CREATE TABLE partnership_agreements (
    id INTEGER PRIMARY KEY,
    employer_id INTEGER NOT NULL REFERENCES employers(id),
    name TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    target_placements_per_year INTEGER NOT NULL DEFAULT 0,
    target_hires_per_year INTEGER NOT NULL DEFAULT 0,
    note TEXT,
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX partnership_agreements_employer ON partnership_agreements (employer_id);

CREATE TABLE partnership_outcomes (
    id INTEGER PRIMARY KEY,
    agreement_id INTEGER NOT NULL REFERENCES partnership_agreements(id),
    occurred_on TEXT NOT NULL,
    -- placement or hire
    kind TEXT NOT NULL,
    note TEXT,
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX partnership_outcomes_agreement ON partnership_outcomes (agreement_id, occurred_on);

-- Social-procurement contracts (social hänsyn): the supplier must employ N
-- people from the target groups, or give them a share of the contract hours.
CREATE TABLE procurement_contracts (
    id INTEGER PRIMARY KEY,
    employer_id INTEGER NOT NULL REFERENCES employers(id),
    contract_name TEXT NOT NULL,
    contract_reference TEXT,
    procuring_unit TEXT NOT NULL,
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    -- placements or hours_share
    requirement_kind TEXT NOT NULL,
    required_placements INTEGER,
    -- Per mille of the contract's hours (e.g. 50 = 5 %).
    required_hours_share_permille INTEGER,
    note TEXT,
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX procurement_contracts_employer ON procurement_contracts (employer_id);

-- Fulfilment reported per month.
CREATE TABLE procurement_fulfilment (
    contract_id INTEGER NOT NULL REFERENCES procurement_contracts(id),
    month TEXT NOT NULL,
    placements INTEGER NOT NULL DEFAULT 0,
    contract_hours INTEGER NOT NULL DEFAULT 0,
    target_group_hours INTEGER NOT NULL DEFAULT 0,
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (contract_id, month)
);

-- Yrkesbarometer rows: one occupation in one county (or the whole country,
-- county_code '00') in one round. Reading the newest round per occupation
-- and county tells whether it is short of people there.
CREATE TABLE shortage_occupations (
    round TEXT NOT NULL,
    concept_id TEXT NOT NULL,
    ssyk_code TEXT NOT NULL,
    county_code TEXT NOT NULL,
    occupation_label TEXT NOT NULL,
    -- small, medium or large
    job_opportunities TEXT,
    -- shortage, balance or surplus
    recruitment_situation TEXT NOT NULL,
    -- the five-year outlook, as given
    outlook TEXT,
    imported_at INTEGER NOT NULL,
    PRIMARY KEY (round, concept_id, county_code)
);
CREATE INDEX shortage_occupations_ssyk ON shortage_occupations (ssyk_code, county_code);
