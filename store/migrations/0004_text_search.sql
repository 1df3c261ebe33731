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

-- +goose Down
ALTER TABLE dossiers RESET (parallel_workers);
CREATE INDEX CONCURRENTLY IF NOT EXISTS dossiers_created_idx ON dossiers (created_at DESC, id DESC);
CREATE INDEX CONCURRENTLY IF NOT EXISTS dossiers_search_idx ON dossiers USING gin (search gin_trgm_ops);
DROP INDEX CONCURRENTLY IF EXISTS dossiers_created_search_idx;
DROP INDEX CONCURRENTLY IF EXISTS dossiers_search_joined_idx;
