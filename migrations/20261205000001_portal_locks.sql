-- Named locks that serialize the changes one rule spans across rows
-- ("the portal keeps an active administrator"): a change takes its lock by
-- updating the lock's row first, in its own transaction.
CREATE TABLE portal_locks (
    name TEXT PRIMARY KEY,
    taken_at BIGINT NOT NULL DEFAULT 0
);
INSERT INTO portal_locks (name) VALUES ('administrators');
