-- Runs of the daily between-chairs job (`vagar alerts between-chairs`):
-- aggregates only (counts per reason and per district), never identities,
-- so trends can be shown later. `run_at` is microseconds since the Unix epoch
-- (UTC), `run_date` the date in Sweden the rules were evaluated for.

CREATE TABLE between_chairs_runs (
    id INTEGER PRIMARY KEY,
    run_at INTEGER NOT NULL,
    run_date TEXT NOT NULL,
    days INTEGER NOT NULL,
    participants INTEGER NOT NULL,
    flagged INTEGER NOT NULL,
    counts TEXT NOT NULL
);
CREATE INDEX between_chairs_runs_date ON between_chairs_runs(run_date, id);
