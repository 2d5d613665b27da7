-- A contact address is its owner's only once a link sent to it has been
-- followed (part 14, item 1: pre-account hijacking). One typed at signup,
-- by whoever filled the form, is not: until it is confirmed, notices go to
-- the login address, and no link that can change the account goes to it.
-- Addresses already confirmed through "Modifier l'adresse de contact" stay
-- confirmed.
ALTER TABLE accounts ADD COLUMN contact_confirmed BIGINT NOT NULL DEFAULT 0;
UPDATE accounts SET contact_confirmed = 1
WHERE contact_email IS NOT NULL AND EXISTS (
    SELECT 1 FROM account_events e
    WHERE e.account_id = accounts.id AND e.kind = 'contact_changed'
);
