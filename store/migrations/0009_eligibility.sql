-- +goose Up

-- Discipline-review holds (đang xem xét kỷ luật, DOMAIN.md "Award registry
-- and eligibility"): the emulation office sets one on a nominee's registry
-- key (domain.PersonKey) with a reason and lifts it. While it stands the
-- nominee may not be proposed (a submission is refused) and a running
-- dossier of theirs may not be decided. A lifted hold is kept, with who
-- lifted it and when, for the record; at most one stands per key.
CREATE TABLE holds (
    id          bigserial PRIMARY KEY,
    person_key  text NOT NULL,
    reason      text NOT NULL,
    set_by      text NOT NULL,
    set_by_name text NOT NULL DEFAULT '',
    set_at      timestamptz NOT NULL DEFAULT now(),
    lifted_by   text,
    lifted_at   timestamptz,
    lift_reason text NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX holds_standing ON holds (person_key) WHERE lifted_at IS NULL;
CREATE INDEX holds_list_idx ON holds (set_at DESC, id DESC);

-- A nominee's award history (the registry rows of one key).
CREATE INDEX award_registry_nominee_idx ON award_registry (nominee_key, year DESC, id DESC);

-- +goose Down
DROP INDEX award_registry_nominee_idx;
DROP TABLE holds;
