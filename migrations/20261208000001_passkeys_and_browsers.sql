-- Passkeys and known browsers (part 13, second part).

-- 1 when the key was registered as a passkey with user verification
-- (WebAuthn Level 3, 6.2.3 "User Verification"): it may then log in from
-- the login box without the password. A key registered without user
-- verification stays a second factor only.
ALTER TABLE security_keys ADD COLUMN passwordless BIGINT NOT NULL DEFAULT 0;

-- A passkey login under way from the login box: no account is known yet
-- (the browser discovers the credential). The ceremony's id is given to
-- the browser, only its SHA-256 is kept; single use, 5 minutes.
CREATE TABLE passkey_logins (
    id_hash TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- When the portal started knowing the account's browsers (its first login
-- recorded, Unix seconds): until then a login is not told as new, so that
-- neither an account's first login nor, once, every account existing
-- before this migration sends a notice. Forgetting browsers keeps it.
ALTER TABLE accounts ADD COLUMN browsers_known_since BIGINT;

-- 1 after "Ce n'était pas moi": the password no longer opens the account
-- (whoever logged in knows it) until a new one is chosen; it stays stored
-- so that the new one cannot be the same.
ALTER TABLE accounts ADD COLUMN password_retired BIGINT NOT NULL DEFAULT 0;

-- The browsers an account has logged in from: the SHA-256 of the account's
-- id with the browser's random cookie, so the same browser is a different
-- row for each account and the cookie alone names nobody.
CREATE TABLE known_browsers (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    browser_hash TEXT NOT NULL,
    user_agent TEXT,
    first_seen_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    UNIQUE (account_id, browser_hash)
);
