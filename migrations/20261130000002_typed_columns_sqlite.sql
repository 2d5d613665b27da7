-- SQLite only (the file name's last word; `server::db` picks by backend).
-- The closed sets of `accounts` (src/accounts/mod.rs), enforced by the
-- database. SQLite cannot add a CHECK to an existing table, and rebuilding
-- `accounts` would cascade-delete every row that refers to it, so each
-- constraint is a pair of triggers that abort a write outside the set.
CREATE TRIGGER accounts_state_insert BEFORE INSERT ON accounts
WHEN NEW.state NOT IN ('pending', 'active', 'deactivated')
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: accounts.state'); END;
CREATE TRIGGER accounts_state_update BEFORE UPDATE OF state ON accounts
WHEN NEW.state NOT IN ('pending', 'active', 'deactivated')
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: accounts.state'); END;

CREATE TRIGGER accounts_role_insert BEFORE INSERT ON accounts
WHEN NEW.role NOT IN ('user', 'admin')
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: accounts.role'); END;
CREATE TRIGGER accounts_role_update BEFORE UPDATE OF role ON accounts
WHEN NEW.role NOT IN ('user', 'admin')
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: accounts.role'); END;

CREATE TRIGGER memberships_status_insert BEFORE INSERT ON memberships
WHEN NEW.status NOT IN ('pending', 'approved', 'refused')
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: memberships.status'); END;
CREATE TRIGGER memberships_status_update BEFORE UPDATE OF status ON memberships
WHEN NEW.status NOT IN ('pending', 'approved', 'refused')
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: memberships.status'); END;

CREATE TRIGGER account_tokens_purpose_insert BEFORE INSERT ON account_tokens
WHEN NEW.purpose NOT IN ('activation', 'reset', 'contact_confirm', 'contact_revert', 'login_confirm')
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: account_tokens.purpose'); END;
CREATE TRIGGER account_tokens_purpose_update BEFORE UPDATE OF purpose ON account_tokens
WHEN NEW.purpose NOT IN ('activation', 'reset', 'contact_confirm', 'contact_revert', 'login_confirm')
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: account_tokens.purpose'); END;
