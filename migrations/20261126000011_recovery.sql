-- "Mot de passe oublié ?": one row per started recovery (after the captcha),
-- for a registered address or not, so both paths do the same work. Only the
-- SHA-256 of the flow id (carried by the question form) is kept.
CREATE TABLE recovery_flows (
    flow_hash TEXT PRIMARY KEY,
    login_email TEXT NOT NULL,
    account_id TEXT REFERENCES accounts (id) ON DELETE CASCADE,
    question TEXT NOT NULL,
    language TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX recovery_flows_by_expiry ON recovery_flows (expires_at);

-- Wrong secret answers and reset emails, counted per login address (known or
-- not): 5 wrong answers in an hour pause recovery for an hour; at most 3
-- reset emails an hour.
CREATE TABLE recovery_throttle (
    login_email TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    failures BIGINT NOT NULL,
    paused_until BIGINT,
    resets_window_start BIGINT NOT NULL,
    resets_sent BIGINT NOT NULL
);

-- Keys the server generates once and every instance shares (the decoy
-- questions' HMAC key).
CREATE TABLE server_keys (
    name TEXT PRIMARY KEY,
    key_hex TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
