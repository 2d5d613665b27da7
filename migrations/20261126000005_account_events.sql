-- What happened to an account ("Fil d'événements").
CREATE TABLE account_events (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    occurred_at BIGINT NOT NULL,
    detail TEXT
);
CREATE INDEX account_events_by_account ON account_events (account_id, occurred_at);
