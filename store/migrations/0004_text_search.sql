-- +goose NO TRANSACTION
-- +goose Up
-- Text search (q=) at a million dossiers (see store/search.go): the search
-- text with its spaces turned into 'z', so that trigrams span words and a
-- name is found by a few rare ones; and the newest-first index carrying the
-- search text, so that a common phrase is found by reading the index alone.
-- The plain trigram index is dropped: a scan of it reads posting lists over
-- the whole table, and the planner, which cannot tell a common phrase from a
-- rare one, would take it for both.
-- Built concurrently: a read model of a million dossiers keeps taking
-- projections meanwhile.
CREATE INDEX CONCURRENTLY IF NOT EXISTS dossiers_search_joined_idx ON dossiers USING gin (translate(search, ' ', 'z') gin_trgm_ops);
CREATE INDEX CONCURRENTLY IF NOT EXISTS dossiers_created_search_idx ON dossiers (created_at DESC, id DESC) INCLUDE (search);
DROP INDEX CONCURRENTLY IF EXISTS dossiers_search_idx;
-- The covering index serves every newest-first list the old one did.
DROP INDEX CONCURRENTLY IF EXISTS dossiers_created_idx;
-- Every list reads a page, at most a few thousand index entries: starting
-- parallel workers for it (which the planner does for a long filtered scan)
-- costs more than it saves.
ALTER TABLE dossiers SET (parallel_workers = 0);

-- The view as text, as PostgreSQL writes the jsonb out, kept beside it by a
-- trigger: the API's lists serve it as it is (store.Stored), and writing out
-- 200 views of jsonb was half of what an inbox cost the database. Filled
-- in batches, each committed, so that projections never wait long on the
-- rows it locks; a row not yet filled is read from view. Rows up to 8 KB
-- (most views twice over) stay whole in the table, not compressed.
ALTER TABLE dossiers ADD COLUMN IF NOT EXISTS view_text text;
ALTER TABLE dossiers SET (toast_tuple_target = 8160);
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION dossiers_view_text() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.view_text := NEW.view::text;
  RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE OR REPLACE TRIGGER dossiers_view_text BEFORE INSERT OR UPDATE OF view ON dossiers
  FOR EACH ROW EXECUTE FUNCTION dossiers_view_text();
-- +goose StatementBegin
DO $$
DECLARE
  done text := '';
  upto text;
BEGIN
  LOOP
    SELECT max(id) INTO upto FROM (SELECT id FROM dossiers WHERE id > done ORDER BY id LIMIT 5000) b;
    EXIT WHEN upto IS NULL;
    UPDATE dossiers SET view_text = view::text WHERE id > done AND id <= upto AND view_text IS NULL;
    done := upto;
    COMMIT;
  END LOOP;
END $$;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER IF EXISTS dossiers_view_text ON dossiers;
DROP FUNCTION IF EXISTS dossiers_view_text();
ALTER TABLE dossiers RESET (toast_tuple_target);
ALTER TABLE dossiers DROP COLUMN IF EXISTS view_text;
ALTER TABLE dossiers RESET (parallel_workers);
CREATE INDEX CONCURRENTLY IF NOT EXISTS dossiers_created_idx ON dossiers (created_at DESC, id DESC);
CREATE INDEX CONCURRENTLY IF NOT EXISTS dossiers_search_idx ON dossiers USING gin (search gin_trgm_ops);
DROP INDEX CONCURRENTLY IF EXISTS dossiers_created_search_idx;
DROP INDEX CONCURRENTLY IF EXISTS dossiers_search_joined_idx;
