-- +goose Up

-- The council's roster (danh sách thành viên Hội đồng): who the members
-- are, by the id they sign in with, their name and position, in the order
-- the minutes list them. The council's size stays the configuration's
-- (TDKT_COUNCIL_MEMBERS, by which every vote is counted); the roster names
-- the members, so that the minutes list the absent by name and the
-- secretary picks an absent member's written opinion from it.
CREATE TABLE council_members (
    id         text PRIMARY KEY,
    name       text NOT NULL,
    position   text NOT NULL DEFAULT '',
    ord        integer NOT NULL DEFAULT 0,
    updated_by text NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE council_members;
