-- +goose Up

-- Council sessions (phiên họp Hội đồng): the read model of the
-- CouncilSession workflows, written by the API after Temporal has recorded
-- each change. It never holds how anyone voted: the view carries who cast
-- a ballot, and the tallies once the session closed.
CREATE TABLE council_sessions (
    id         text PRIMARY KEY,
    title      text NOT NULL,
    date       date NOT NULL,
    status     text NOT NULL,
    version    bigint NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    view       jsonb NOT NULL
);
CREATE INDEX council_sessions_created_idx ON council_sessions (created_at DESC, id DESC);

-- The agenda: a dossier is on at most one open session (the unique index
-- holds that even against two secretaries at once).
CREATE TABLE council_session_dossiers (
    session_id text NOT NULL REFERENCES council_sessions (id) ON DELETE CASCADE,
    dossier_id text NOT NULL,
    open       boolean NOT NULL,
    PRIMARY KEY (session_id, dossier_id)
);
CREATE UNIQUE INDEX council_session_dossiers_open_idx ON council_session_dossiers (dossier_id) WHERE open;
CREATE INDEX council_session_dossiers_dossier_idx ON council_session_dossiers (dossier_id);

-- Idempotency-Keys of creations other than submissions (a council session,
-- a batch): a repeated request gets what the first created.
CREATE TABLE creation_keys (
    kind         text NOT NULL,
    actor        text NOT NULL,
    key          text NOT NULL,
    request_hash text NOT NULL,
    id           text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, actor, key)
);

-- +goose Down
DROP TABLE creation_keys;
DROP TABLE council_session_dossiers;
DROP TABLE council_sessions;
-- +goose StatementBegin
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT c.relname FROM pg_class c WHERE c.relkind = 'S' AND c.relname ~ '^session_ids_[0-9]{4}$' LOOP
    EXECUTE format('DROP SEQUENCE %I', r.relname);
  END LOOP;
END $$;
-- +goose StatementEnd
