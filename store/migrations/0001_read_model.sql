-- +goose Up
-- The read model of dossiers: what the API lists and shows. The dossier
-- workflow is the source of truth; these rows are its projection.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- The award catalogue, seeded from domain.Catalogue by every "migrate up".
CREATE TABLE awards (
    code          text PRIMARY KEY,
    name          text NOT NULL,
    gloss         text NOT NULL DEFAULT '',
    nominee_types text[] NOT NULL,
    authority     text NOT NULL,
    council       text NOT NULL,
    notice        boolean NOT NULL DEFAULT false
);

-- Yearly dossier ids HS-<year>-<NNNNNN>.
CREATE TABLE dossier_ids (
    year integer PRIMARY KEY,
    last bigint NOT NULL
);

-- Idempotency-Key of a submission, per unit.
CREATE TABLE idempotency_keys (
    unit         text NOT NULL,
    key          text NOT NULL,
    request_hash text NOT NULL,
    dossier_id   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (unit, key)
);

CREATE TABLE dossiers (
    id           text PRIMARY KEY,
    unit         text NOT NULL,
    award_code   text NOT NULL,
    authority    text NOT NULL,
    kind         text NOT NULL,
    procedure    text NOT NULL,
    campaign     text NOT NULL DEFAULT '',
    stage        text NOT NULL,
    status       text NOT NULL,
    version      bigint NOT NULL,
    due_at       timestamptz,
    overdue      boolean NOT NULL DEFAULT false,
    nominee_name text NOT NULL,
    -- search is Fold(nominee name + summary): lower case, no diacritics.
    search       text NOT NULL,
    -- view is the whole domain.View, allowed_actions left empty.
    view         jsonb NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);

-- Every list filter keeps the newest-first order (created_at desc, id desc)
-- so a page is an index range scan.
CREATE INDEX dossiers_created_idx  ON dossiers (created_at DESC, id DESC);
CREATE INDEX dossiers_unit_idx     ON dossiers (unit, created_at DESC, id DESC);
CREATE INDEX dossiers_stage_idx    ON dossiers (stage, created_at DESC, id DESC);
CREATE INDEX dossiers_status_idx   ON dossiers (status, created_at DESC, id DESC);
CREATE INDEX dossiers_award_idx    ON dossiers (award_code, created_at DESC, id DESC);
CREATE INDEX dossiers_campaign_idx ON dossiers (campaign, created_at DESC, id DESC);
CREATE INDEX dossiers_overdue_idx  ON dossiers (created_at DESC, id DESC) WHERE overdue;
CREATE INDEX dossiers_search_idx   ON dossiers USING gin (search gin_trgm_ops);
-- The inbox: per stage (and per unit for the unit's own), due date first.
CREATE INDEX dossiers_inbox_idx      ON dossiers (stage, due_at, created_at, id);
CREATE INDEX dossiers_unit_inbox_idx ON dossiers (unit, stage, due_at, created_at, id);

-- The append-only history, keyed by (dossier, seq) so a retried projection
-- never writes an entry twice.
CREATE TABLE dossier_history (
    dossier_id text NOT NULL,
    seq        bigint NOT NULL,
    at         timestamptz NOT NULL,
    actor_id   text NOT NULL DEFAULT '',
    actor_name text NOT NULL DEFAULT '',
    actor_role text NOT NULL DEFAULT '',
    action     text NOT NULL,
    from_stage text NOT NULL DEFAULT '',
    to_stage   text NOT NULL DEFAULT '',
    comment    text NOT NULL DEFAULT '',
    details    jsonb,
    PRIMARY KEY (dossier_id, seq)
);

-- Who voted on a dossier, never how: a secret ballot.
CREATE TABLE dossier_votes (
    dossier_id text NOT NULL,
    member_id  text NOT NULL,
    voted_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (dossier_id, member_id)
);

-- Decision (QĐ-UBND) and proposal (TTr-UBND) numbers, from 1 each year.
CREATE TABLE number_counters (
    kind text NOT NULL,
    year integer NOT NULL,
    last bigint NOT NULL,
    PRIMARY KEY (kind, year)
);

CREATE TABLE issued_numbers (
    dossier_id text NOT NULL,
    kind       text NOT NULL,
    year       integer NOT NULL,
    n          bigint NOT NULL,
    issued_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (dossier_id, kind),
    UNIQUE (kind, year, n)
);

-- Uploaded files; the bytes are in 1 MiB chunks.
CREATE TABLE documents (
    id           uuid PRIMARY KEY,
    dossier_id   text NOT NULL,
    kind         text NOT NULL,
    filename     text NOT NULL,
    size         bigint NOT NULL DEFAULT 0,
    sha256       text NOT NULL DEFAULT '',
    content_type text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX documents_dossier_idx ON documents (dossier_id);

CREATE TABLE document_chunks (
    document_id uuid NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    n           integer NOT NULL,
    data        bytea NOT NULL,
    PRIMARY KEY (document_id, n)
);
-- Uploads are mostly PDF and images, already compressed: do not try again.
ALTER TABLE document_chunks ALTER COLUMN data SET STORAGE EXTERNAL;

-- +goose Down
DROP TABLE document_chunks;
DROP TABLE documents;
DROP TABLE issued_numbers;
DROP TABLE number_counters;
DROP TABLE dossier_votes;
DROP TABLE dossier_history;
DROP TABLE dossiers;
DROP TABLE idempotency_keys;
DROP TABLE dossier_ids;
DROP TABLE awards;
