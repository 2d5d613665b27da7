-- PostgreSQL only (the file name's last word; `server::db` picks by backend).
-- The "Ce n'était pas moi" link of a new-browser notice joins the link
-- purposes (src/domain/states.rs).
ALTER TABLE account_tokens DROP CONSTRAINT account_tokens_purpose_check;
ALTER TABLE account_tokens ADD CONSTRAINT account_tokens_purpose_check
    CHECK (purpose IN ('activation', 'reset', 'contact_confirm', 'contact_revert', 'login_confirm', 'not_me'));
