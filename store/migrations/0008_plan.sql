-- +goose Up

-- The yearly plan's campaigns (đợt xét khen thưởng): created by the officer,
-- the code is the key. The window is in Vietnam's days, both included.
CREATE TABLE campaigns (
    code       text PRIMARY KEY,
    name       text NOT NULL,
    year       integer NOT NULL,
    kind       text NOT NULL,
    opens      date NOT NULL,
    closes     date NOT NULL,
    awards     text[] NOT NULL,
    created_by text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (closes >= opens)
);
CREATE INDEX campaigns_year_idx ON campaigns (year, opens, code);

-- Reports (GET /api/v1/reports/summary) must answer a yearly summary of a
-- million dossiers in under a second, so they never read the wide dossiers
-- table nor the history. The projection keeps, in the same transaction as
-- the dossier's row:
--
-- report_dossiers: one narrow row per dossier with what a report groups and
-- counts by (the year it was submitted in Vietnam, campaign, unit, award,
-- its stage now, overdue now, returned at least once); a summary is one
-- index-only scan of a year's slice of report_dossiers_year_idx.
CREATE TABLE report_dossiers (
    dossier_id text PRIMARY KEY,
    year       integer NOT NULL,
    campaign   text NOT NULL,
    unit       text NOT NULL,
    award_code text NOT NULL,
    stage      text NOT NULL,
    overdue    boolean NOT NULL,
    returned   boolean NOT NULL,
    version    bigint NOT NULL
);
CREATE INDEX report_dossiers_year_idx ON report_dossiers (year, campaign, unit, award_code)
    INCLUDE (stage, overdue, returned);
CREATE INDEX report_dossiers_campaign_idx ON report_dossiers (campaign) INCLUDE (stage, overdue);

-- report_spells: each completed stay of a dossier in a stage (from the entry
-- that moved it in to the entry, seq, that moved it out), in working days of
-- the calendar; written once per (dossier, seq), so a repeated projection
-- or a `tdkt reproject` counts it once.
CREATE TABLE report_spells (
    dossier_id   text NOT NULL,
    seq          bigint NOT NULL,
    stage        text NOT NULL,
    working_days integer NOT NULL,
    PRIMARY KEY (dossier_id, seq)
);

-- report_stage_days: the histogram of report_spells per year, campaign,
-- unit, award and stage: how many stays took each number of working days.
-- Medians and 90th percentiles are read from it exactly (the days are
-- whole numbers), in a few thousand rows instead of millions.
CREATE TABLE report_stage_days (
    year         integer NOT NULL,
    campaign     text NOT NULL,
    unit         text NOT NULL,
    award_code   text NOT NULL,
    stage        text NOT NULL,
    working_days integer NOT NULL,
    n            bigint NOT NULL,
    PRIMARY KEY (year, campaign, unit, award_code, stage, working_days)
);

-- The dossiers there are already: their counts now. Their stays in stages
-- before this release are measured by `tdkt reproject`, which projects
-- every history entry again (each stay still counted once).
INSERT INTO report_dossiers (dossier_id, year, campaign, unit, award_code, stage, overdue, returned, version)
SELECT d.id, EXTRACT(year FROM d.created_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::int, d.campaign, d.unit, d.award_code,
  d.stage, d.overdue,
  EXISTS (SELECT 1 FROM dossier_history h WHERE h.dossier_id = d.id AND h.action = 'return'), d.version
FROM dossiers d;

-- +goose Down
DROP TABLE report_stage_days;
DROP TABLE report_spells;
DROP TABLE report_dossiers;
DROP TABLE campaigns;
