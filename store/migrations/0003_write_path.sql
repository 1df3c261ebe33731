-- +goose Up

-- A transition an API is writing into the read model: marked before the API
-- sends the start or the update to Temporal, cleared in the same transaction
-- that projects it. A mark left behind (an API killed between Temporal's
-- answer and its own) is found by the worker's reconciler, which projects
-- the dossier from its Temporal history (package reconcile).
CREATE TABLE projection_pending (
    dossier_id text NOT NULL,
    -- "start", or the id of the update.
    token text NOT NULL,
    since timestamptz NOT NULL DEFAULT now(),
    -- When a reconciler may look at it (next); how often one has.
    next_try timestamptz NOT NULL DEFAULT now() + interval '2 seconds',
    tries integer NOT NULL DEFAULT 0,
    PRIMARY KEY (dossier_id, token)
);
CREATE INDEX projection_pending_next_idx ON projection_pending (next_try);

-- Dossier ids come from one sequence per year (dossier_ids_<year>), created
-- when the year's first dossier is submitted: nextval takes no row lock, so
-- concurrent submissions no longer queue on one counter row. The counters
-- so far carry over; the old table is renamed, so that an API of the
-- previous release fails to submit instead of issuing an id twice.
-- +goose StatementBegin
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT year, last FROM dossier_ids LOOP
    EXECUTE format('CREATE SEQUENCE IF NOT EXISTS %I AS bigint START %s', 'dossier_ids_' || r.year, r.last + 1);
  END LOOP;
END $$;
-- +goose StatementEnd
ALTER TABLE dossier_ids RENAME TO dossier_ids_before_sequences;

-- +goose Down
ALTER TABLE dossier_ids_before_sequences RENAME TO dossier_ids;
-- +goose StatementBegin
DO $$
DECLARE r record; n bigint;
BEGIN
  FOR r IN SELECT c.relname FROM pg_class c WHERE c.relkind = 'S' AND c.relname ~ '^dossier_ids_[0-9]{4}$' LOOP
    EXECUTE format('SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM %I', r.relname) INTO n;
    INSERT INTO dossier_ids (year, last) VALUES (substr(r.relname, 13)::int, n)
    ON CONFLICT (year) DO UPDATE SET last = GREATEST(dossier_ids.last, EXCLUDED.last);
    EXECUTE format('DROP SEQUENCE %I', r.relname);
  END LOOP;
END $$;
-- +goose StatementEnd
DROP TABLE projection_pending;
