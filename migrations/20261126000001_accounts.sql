-- Accounts of the portal. Timestamps are Unix seconds (UTC), so the same SQL
-- runs on SQLite and PostgreSQL.
CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    login_email TEXT NOT NULL UNIQUE,
    contact_email TEXT,
    last_name TEXT NOT NULL,
    first_name TEXT NOT NULL,
    address TEXT NOT NULL,
    address_complement_1 TEXT,
    address_complement_2 TEXT,
    postal_code TEXT NOT NULL,
    city TEXT NOT NULL,
    country TEXT NOT NULL,
    phone TEXT,
    fax TEXT,
    language TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    duplicate_warning_at BIGINT
);
