-- SQLite only (the file name's last word; `server::db` picks by backend).
-- The "Ce n'était pas moi" link of a new-browser notice joins the link
-- purposes (src/domain/states.rs).
DROP TRIGGER account_tokens_purpose_insert;
DROP TRIGGER account_tokens_purpose_update;
CREATE TRIGGER account_tokens_purpose_insert BEFORE INSERT ON account_tokens
WHEN NEW.purpose NOT IN ('activation', 'reset', 'contact_confirm', 'contact_revert', 'login_confirm', 'not_me')
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: account_tokens.purpose'); END;
CREATE TRIGGER account_tokens_purpose_update BEFORE UPDATE OF purpose ON account_tokens
WHEN NEW.purpose NOT IN ('activation', 'reset', 'contact_confirm', 'contact_revert', 'login_confirm', 'not_me')
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: account_tokens.purpose'); END;
