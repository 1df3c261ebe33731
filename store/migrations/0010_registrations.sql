-- +goose Up

-- Emulation registrations (đăng ký thi đua): at the start of the year a
-- unit registers the titles its collectives and people aim for. One
-- registration per nominee (its key, as the registry matches people),
-- award and year; a title dossier looks for it.
CREATE TABLE registrations (
    id           bigserial PRIMARY KEY,
    year         integer NOT NULL,
    unit         text NOT NULL,
    nominee_type text NOT NULL,
    nominee_key  text NOT NULL,
    name         text NOT NULL,
    position     text NOT NULL DEFAULT '',
    award_code   text NOT NULL,
    created_by   text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (year, nominee_key, award_code)
);
CREATE INDEX registrations_unit_idx ON registrations (unit, year, id);
CREATE INDEX registrations_year_idx ON registrations (year, id);

-- The plan's registration deadline per year, when the officer set one; a
-- year without a row closes on the last day of February (the plan's
-- month for registering the year's emulation targets).
CREATE TABLE registration_deadlines (
    year       integer PRIMARY KEY,
    closes     date NOT NULL,
    set_by     text NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- A unit's e-mail address, for the reminders (optional).
ALTER TABLE units ADD COLUMN email text NOT NULL DEFAULT '';

-- The reminders' outbox: one row per event sent (its key: what, about
-- which campaign or dossier, to whom), written in the activity that sends
-- it; the unique key is what keeps a reminder from going out twice.
CREATE TABLE reminders_sent (
    key        text PRIMARY KEY,
    kind       text NOT NULL,
    subject    text NOT NULL,
    recipients text[] NOT NULL,
    webhooks   integer NOT NULL DEFAULT 0,
    sent_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reminders_sent_at_idx ON reminders_sent (sent_at DESC, key);

-- +goose Down
DROP TABLE reminders_sent;
ALTER TABLE units DROP COLUMN email;
DROP TABLE registration_deadlines;
DROP TABLE registrations;
