-- +goose Up

-- Batches (quyết định, tờ trình kèm danh sách): the read model of the Batch
-- workflows, written by the API after Temporal has recorded each change.
CREATE TABLE batches (
    id         text PRIMARY KEY,
    kind       text NOT NULL,
    title      text NOT NULL,
    status     text NOT NULL,
    version    bigint NOT NULL,
    number     text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    view       jsonb NOT NULL
);
CREATE INDEX batches_created_idx ON batches (created_at DESC, id DESC);

-- Which batch holds which dossier: a dossier is in at most one draft.
CREATE TABLE batch_dossiers (
    batch_id   text NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
    dossier_id text NOT NULL,
    PRIMARY KEY (batch_id, dossier_id)
);
CREATE INDEX batch_dossiers_dossier_idx ON batch_dossiers (dossier_id);

-- +goose Down
DROP TABLE batch_dossiers;
DROP TABLE batches;
-- +goose StatementBegin
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT c.relname FROM pg_class c WHERE c.relkind = 'S' AND c.relname ~ '^batch_ids_[0-9]{4}$' LOOP
    EXECUTE format('DROP SEQUENCE %I', r.relname);
  END LOOP;
END $$;
-- +goose StatementEnd
