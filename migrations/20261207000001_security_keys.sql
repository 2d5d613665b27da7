-- Security keys (WebAuthn Level 2/3, part 13). A key is kept as the
-- credential the relying party library returns (public key, signature
-- counter, flags), as JSON; its id is unique across accounts, so a key
-- registered to one account cannot be registered to another.
CREATE TABLE security_keys (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    credential_id TEXT NOT NULL UNIQUE,
    credential TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT
);
CREATE INDEX security_keys_by_account ON security_keys (account_id);

-- A WebAuthn ceremony under way: its challenge and state, single use,
-- bound to what asked for it (the hash of a session's or a pending
-- login's id) and ending after 5 minutes.
CREATE TABLE key_ceremonies (
    binding TEXT NOT NULL,
    purpose TEXT NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    key_name TEXT NOT NULL DEFAULT '',
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (binding, purpose)
);

-- The account's WebAuthn user handle (a random UUID, never the account's
-- id nor its address: WebAuthn Level 3, 14.6.1 "User Handle Contents").
ALTER TABLE accounts ADD COLUMN webauthn_handle TEXT;
