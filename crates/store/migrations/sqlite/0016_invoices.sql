-- Invoices that are invoices (issue 11, build point 5): seller and buyer as
-- they were at issue, invoice and due dates, payment terms, VAT and totals
-- with and without VAT, credit notes, and numbers in one unbroken sequence
-- per seller and year. An issued invoice never changes: triggers refuse
-- UPDATE and DELETE on invoices and their lines; a credit note corrects one.
--
-- The table is rebuilt (SQLite cannot drop a constraint): a month may now
-- carry an invoice, its credit note and a new invoice, so the unique
-- (intervention, employer, month) goes; a number is unique per seller.
-- The lines keep pointing at the same ids: the foreign-key check is
-- deferred to commit, when every old id exists again.

CREATE TABLE invoices_0016 AS SELECT * FROM invoices;
PRAGMA defer_foreign_keys = ON;
DROP TABLE invoices;

CREATE TABLE invoices (
    id INTEGER PRIMARY KEY,
    intervention_id INTEGER NOT NULL REFERENCES interventions(id),
    employer_id INTEGER NOT NULL REFERENCES employers(id),
    month TEXT NOT NULL,
    -- invoice or credit_note; a credit note names the invoice it credits
    -- (at most one credit note per invoice).
    kind TEXT NOT NULL DEFAULT 'invoice',
    credits_invoice_id INTEGER UNIQUE REFERENCES invoices(id),
    number TEXT NOT NULL,
    invoice_date TEXT NOT NULL,
    due_date TEXT NOT NULL,
    payment_terms_days INTEGER NOT NULL,
    -- The VAT rate in per mille (250 = 25 %), net, VAT and gross in öre
    -- (negative on a credit note). total_ore is the net, kept for readers.
    vat_rate_permille INTEGER NOT NULL,
    net_ore INTEGER NOT NULL,
    vat_ore INTEGER NOT NULL,
    gross_ore INTEGER NOT NULL,
    total_minutes INTEGER NOT NULL,
    total_ore INTEGER NOT NULL,
    -- Snapshots at issue: later register edits do not change an invoice.
    seller_name TEXT NOT NULL,
    seller_organisation_number TEXT NOT NULL,
    seller_vat_number TEXT NOT NULL,
    buyer_name TEXT NOT NULL,
    buyer_organisation_number TEXT NOT NULL,
    buyer_address TEXT,
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL,
    UNIQUE (seller_organisation_number, number)
);
CREATE INDEX invoices_month ON invoices (intervention_id, employer_id, month);

-- Existing invoices: dated the day they were made, 30 days' terms, 25 %
-- VAT on the net total rounded half up (the totals are non-negative), the
-- buyer as registered now, the seller the lead organisation if recorded.
INSERT INTO invoices (id, intervention_id, employer_id, month, kind, credits_invoice_id, number,
    invoice_date, due_date, payment_terms_days, vat_rate_permille, net_ore, vat_ore, gross_ore,
    total_minutes, total_ore, seller_name, seller_organisation_number, seller_vat_number,
    buyer_name, buyer_organisation_number, buyer_address, created_by, created_at)
SELECT v.id, v.intervention_id, v.employer_id, v.month, 'invoice', NULL, v.number,
    date(v.created_at / 1000000, 'unixepoch'),
    date(v.created_at / 1000000, 'unixepoch', '+30 days'),
    30, 250, v.total_ore, (v.total_ore * 250 + 500) / 1000,
    v.total_ore + (v.total_ore * 250 + 500) / 1000,
    v.total_minutes, v.total_ore,
    COALESCE((SELECT o.name FROM intervention_organisations io JOIN organisations o ON o.id = io.organisation_id
              WHERE io.intervention_id = v.intervention_id AND io.role = 'lead' ORDER BY o.id LIMIT 1), ''),
    COALESCE((SELECT o.org_number FROM intervention_organisations io JOIN organisations o ON o.id = io.organisation_id
              WHERE io.intervention_id = v.intervention_id AND io.role = 'lead' ORDER BY o.id LIMIT 1), ''),
    COALESCE((SELECT 'SE' || replace(o.org_number, '-', '') || '01' FROM intervention_organisations io
              JOIN organisations o ON o.id = io.organisation_id
              WHERE io.intervention_id = v.intervention_id AND io.role = 'lead' ORDER BY o.id LIMIT 1), ''),
    e.name, e.organisation_number, NULL, v.created_by, v.created_at
FROM invoices_0016 v JOIN employers e ON e.id = v.employer_id;
DROP TABLE invoices_0016;

-- The last number used per seller and year; taken and raised inside the
-- transaction that issues the invoice, so the sequence has no gaps.
CREATE TABLE invoice_number_series (
    seller_organisation_number TEXT NOT NULL,
    year INTEGER NOT NULL,
    last_number INTEGER NOT NULL,
    PRIMARY KEY (seller_organisation_number, year)
);

CREATE TRIGGER invoices_no_update BEFORE UPDATE ON invoices
BEGIN SELECT RAISE(ABORT, 'an issued invoice never changes; credit it'); END;
CREATE TRIGGER invoices_no_delete BEFORE DELETE ON invoices
BEGIN SELECT RAISE(ABORT, 'an issued invoice never changes; credit it'); END;
CREATE TRIGGER invoice_lines_no_update BEFORE UPDATE ON invoice_lines
BEGIN SELECT RAISE(ABORT, 'an issued invoice never changes; credit it'); END;
CREATE TRIGGER invoice_lines_no_delete BEFORE DELETE ON invoice_lines
BEGIN SELECT RAISE(ABORT, 'an issued invoice never changes; credit it'); END;
