-- The account's life (part 4): roles, deactivation, structures and their
-- managers, reactivation requests, and who did what.
ALTER TABLE accounts ADD COLUMN role TEXT NOT NULL DEFAULT 'user';
ALTER TABLE accounts ADD COLUMN deactivated_at BIGINT;

-- Links that carry a value (the new contact address to confirm, the old one
-- to restore).
ALTER TABLE account_tokens ADD COLUMN payload TEXT;

-- Actions taken on an account by someone else, and why.
ALTER TABLE account_events ADD COLUMN actor_id TEXT;
ALTER TABLE account_events ADD COLUMN reason TEXT;

CREATE TABLE structures (
    id TEXT PRIMARY KEY,
    siret TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- A person's attachment to a structure: requested, approved or refused;
-- an approved member may be one of its managers.
CREATE TABLE memberships (
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    structure_id TEXT NOT NULL REFERENCES structures (id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    is_manager BIGINT NOT NULL DEFAULT 0,
    requested_at BIGINT NOT NULL,
    decided_at BIGINT,
    decided_by TEXT,
    PRIMARY KEY (account_id, structure_id)
);
CREATE INDEX memberships_by_structure ON memberships (structure_id, status);

-- Open requests to reactivate a deactivated account.
CREATE TABLE reactivation_requests (
    account_id TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    requested_at BIGINT NOT NULL,
    email_sent_at BIGINT
);
