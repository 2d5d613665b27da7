-- PostgreSQL only (the file name's last word; `server::db` picks by backend).
-- The closed sets of `accounts` (src/accounts/mod.rs), enforced by the
-- database.
ALTER TABLE accounts ADD CONSTRAINT accounts_state_check
    CHECK (state IN ('pending', 'active', 'deactivated'));
ALTER TABLE accounts ADD CONSTRAINT accounts_role_check
    CHECK (role IN ('user', 'admin'));
ALTER TABLE memberships ADD CONSTRAINT memberships_status_check
    CHECK (status IN ('pending', 'approved', 'refused'));
ALTER TABLE account_tokens ADD CONSTRAINT account_tokens_purpose_check
    CHECK (purpose IN ('activation', 'reset', 'contact_confirm', 'contact_revert', 'login_confirm'));
