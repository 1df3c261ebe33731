-- +goose Up
-- The web console's server-side sessions (github.com/alexedwards/scs
-- postgresstore): the cookie holds only a random token; who is signed in,
-- the CSRF token and the pending OIDC login live here, shared by every API
-- process.
CREATE TABLE sessions (
    token  text PRIMARY KEY,
    data   bytea NOT NULL,
    expiry timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

-- +goose Down
DROP TABLE sessions;
