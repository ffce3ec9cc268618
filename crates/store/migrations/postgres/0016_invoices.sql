-- Invoices that are invoices (issue 11, build point 5): seller and buyer as
-- they were at issue, invoice and due dates, payment terms, VAT and totals
-- with and without VAT, credit notes, and numbers in one unbroken sequence
-- per seller and year. An issued invoice never changes: triggers refuse
-- UPDATE, DELETE and TRUNCATE on invoices and their lines; a credit note
-- corrects one. The twin of the SQLite migration, same meaning.

-- A month may now carry an invoice, its credit note and a new invoice; a
-- number is unique per seller.
ALTER TABLE invoices DROP CONSTRAINT invoices_intervention_id_employer_id_month_key;
ALTER TABLE invoices DROP CONSTRAINT invoices_number_key;

ALTER TABLE invoices
    ADD COLUMN kind TEXT NOT NULL DEFAULT 'invoice',
    ADD COLUMN credits_invoice_id BIGINT UNIQUE REFERENCES invoices(id),
    ADD COLUMN invoice_date TEXT,
    ADD COLUMN due_date TEXT,
    ADD COLUMN payment_terms_days BIGINT,
    ADD COLUMN vat_rate_permille BIGINT,
    ADD COLUMN net_ore BIGINT,
    ADD COLUMN vat_ore BIGINT,
    ADD COLUMN gross_ore BIGINT,
    ADD COLUMN seller_name TEXT,
    ADD COLUMN seller_organisation_number TEXT,
    ADD COLUMN seller_vat_number TEXT,
    ADD COLUMN buyer_name TEXT,
    ADD COLUMN buyer_organisation_number TEXT,
    ADD COLUMN buyer_address TEXT;

-- Existing invoices: dated the day they were made, 30 days' terms, 25 %
-- VAT on the net total rounded half up (the totals are non-negative), the
-- buyer as registered now, the seller the lead organisation if recorded.
UPDATE invoices v SET
    invoice_date = to_char(to_timestamp(v.created_at / 1000000) AT TIME ZONE 'UTC', 'YYYY-MM-DD'),
    due_date = to_char((to_timestamp(v.created_at / 1000000) AT TIME ZONE 'UTC') + interval '30 days', 'YYYY-MM-DD'),
    payment_terms_days = 30,
    vat_rate_permille = 250,
    net_ore = v.total_ore,
    vat_ore = (v.total_ore * 250 + 500) / 1000,
    gross_ore = v.total_ore + (v.total_ore * 250 + 500) / 1000,
    seller_name = COALESCE((SELECT o.name FROM intervention_organisations io JOIN organisations o ON o.id = io.organisation_id
        WHERE io.intervention_id = v.intervention_id AND io.role = 'lead' ORDER BY o.id LIMIT 1), ''),
    seller_organisation_number = COALESCE((SELECT o.org_number FROM intervention_organisations io
        JOIN organisations o ON o.id = io.organisation_id
        WHERE io.intervention_id = v.intervention_id AND io.role = 'lead' ORDER BY o.id LIMIT 1), ''),
    seller_vat_number = COALESCE((SELECT 'SE' || replace(o.org_number, '-', '') || '01' FROM intervention_organisations io
        JOIN organisations o ON o.id = io.organisation_id
        WHERE io.intervention_id = v.intervention_id AND io.role = 'lead' ORDER BY o.id LIMIT 1), ''),
    buyer_name = (SELECT e.name FROM employers e WHERE e.id = v.employer_id),
    buyer_organisation_number = (SELECT e.organisation_number FROM employers e WHERE e.id = v.employer_id);

ALTER TABLE invoices
    ALTER COLUMN invoice_date SET NOT NULL,
    ALTER COLUMN due_date SET NOT NULL,
    ALTER COLUMN payment_terms_days SET NOT NULL,
    ALTER COLUMN vat_rate_permille SET NOT NULL,
    ALTER COLUMN net_ore SET NOT NULL,
    ALTER COLUMN vat_ore SET NOT NULL,
    ALTER COLUMN gross_ore SET NOT NULL,
    ALTER COLUMN seller_name SET NOT NULL,
    ALTER COLUMN seller_organisation_number SET NOT NULL,
    ALTER COLUMN seller_vat_number SET NOT NULL,
    ALTER COLUMN buyer_name SET NOT NULL,
    ALTER COLUMN buyer_organisation_number SET NOT NULL,
    ADD CONSTRAINT invoices_seller_number_key UNIQUE (seller_organisation_number, number);
CREATE INDEX invoices_month ON invoices (intervention_id, employer_id, month);

-- The last number used per seller and year; taken and raised inside the
-- transaction that issues the invoice, so the sequence has no gaps.
CREATE TABLE invoice_number_series (
    seller_organisation_number TEXT NOT NULL,
    year BIGINT NOT NULL,
    last_number BIGINT NOT NULL,
    PRIMARY KEY (seller_organisation_number, year)
);

CREATE FUNCTION invoice_issued_never_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'an issued invoice never changes; credit it (%)', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER invoices_issued BEFORE UPDATE OR DELETE ON invoices
    FOR EACH ROW EXECUTE FUNCTION invoice_issued_never_changes();
CREATE TRIGGER invoice_lines_issued BEFORE UPDATE OR DELETE ON invoice_lines
    FOR EACH ROW EXECUTE FUNCTION invoice_issued_never_changes();
CREATE TRIGGER invoices_no_truncate BEFORE TRUNCATE ON invoices
    FOR EACH STATEMENT EXECUTE FUNCTION invoice_issued_never_changes();
CREATE TRIGGER invoice_lines_no_truncate BEFORE TRUNCATE ON invoice_lines
    FOR EACH STATEMENT EXECUTE FUNCTION invoice_issued_never_changes();
