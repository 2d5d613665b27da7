-- Failed logins, counted per login address (known or not, so that the
-- counter says nothing about who is registered) and per client address.
CREATE TABLE login_throttle (
    login_email TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    failures BIGINT NOT NULL,
    locked_until BIGINT
);
CREATE TABLE client_throttle (
    client TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    hits BIGINT NOT NULL
);
