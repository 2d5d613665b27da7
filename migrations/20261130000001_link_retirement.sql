-- An emailed link whose meaning a later change undid (a new password, a new
-- address, a newer request of the same kind, a deactivation) is retired:
-- its page says so, as an expired one does. `used_at` stays for links that
-- did their work. See `accounts::links`.
ALTER TABLE account_tokens ADD COLUMN retired_at BIGINT;
