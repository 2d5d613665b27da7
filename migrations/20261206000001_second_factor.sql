-- The second factor (part 12). Secrets are never stored readable: codes as
-- keyed hashes, the authenticator app's key sealed with the portal's key.

-- A login whose password was right and whose second step is awaited: the
-- cookie holds a random id, only its SHA-256 is stored.
CREATE TABLE pending_logins (
    id_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_path TEXT NOT NULL DEFAULT '',
    user_agent TEXT
);
CREATE INDEX pending_logins_by_account ON pending_logins (account_id);

-- Codes sent to the login address; one is live at a time.
CREATE TABLE emailed_codes (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    sent_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    retired_at BIGINT
);
CREATE INDEX emailed_codes_by_account ON emailed_codes (account_id, sent_at);

-- The authenticator app (RFC 6238): one per account, confirmed once a
-- right code was typed; `last_step` refuses a code already accepted.
CREATE TABLE authenticator_apps (
    account_id TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    sealed_secret TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    confirmed_at BIGINT,
    last_used_at BIGINT,
    last_step BIGINT NOT NULL DEFAULT 0
);

-- Single-use recovery codes, as keyed hashes.
CREATE TABLE recovery_codes (
    code_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX recovery_codes_by_account ON recovery_codes (account_id);

-- Wrong second steps counted per account (the key column keeps the shared
-- counter's name), as the login box counts wrong passwords.
CREATE TABLE second_step_throttle (
    login_email TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    failures BIGINT NOT NULL,
    locked_until BIGINT
);

-- 1 once the person switched emailed codes off (only with an app and
-- recovery codes); the last time the emailed code was used; when the
-- recommendation to add an app was last put off ("Plus tard").
ALTER TABLE accounts ADD COLUMN emailed_codes_off BIGINT NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN emailed_code_used_at BIGINT;
ALTER TABLE accounts ADD COLUMN app_prompt_postponed_at BIGINT;
-- Wrong second steps since the last right one: at 100 the second step is
-- blocked until a password reset or a manager's reset (NIST SP 800-63B
-- 5.2.2).
ALTER TABLE accounts ADD COLUMN second_step_failures BIGINT NOT NULL DEFAULT 0;
