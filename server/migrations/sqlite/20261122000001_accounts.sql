-- Times are Unix seconds (UTC): portable between SQLite and PostgreSQL.

-- One customer account per company. The customer ID is derived from `id`
-- (see `CustomerId::from_sequence`), so it never needs to be stored twice.
CREATE TABLE accounts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE,
    company_name TEXT NOT NULL,
    contact_first_name TEXT NOT NULL,
    contact_last_name TEXT NOT NULL,
    phone TEXT NOT NULL,
    siret TEXT,
    address_street TEXT,
    address_postal_code TEXT,
    address_city TEXT,
    address_country TEXT,
    language TEXT NOT NULL,
    -- argon2id PHC strings; never a password in clear.
    password_hash TEXT NOT NULL,
    -- "E-mail my password" issues a pending password; the current one keeps working
    -- until the pending one is used, and an unused one expires.
    pending_password_hash TEXT,
    pending_expires_at INTEGER,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- A machine record outlives its links: unlinking clears the token, and a later link of
-- the same machine re-activates its record rather than adding one.
CREATE TABLE machines (
    id TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    fingerprint TEXT NOT NULL,
    name TEXT NOT NULL,
    os TEXT NOT NULL,
    app_version TEXT NOT NULL,
    -- SHA-256 of the machine token; NULL while the machine is not linked.
    token_hash TEXT UNIQUE,
    linked_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    unlinked_at INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX machines_by_account ON machines(account_id);
CREATE INDEX machines_by_fingerprint ON machines(fingerprint);

-- Who did what to an account, and when. Never updated, never deleted.
CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_events_by_account ON audit_events(account_id, at);

-- Transactional outbox: written in the same transaction as the change that causes the
-- mail. The body (which may hold a password) is erased once the mail is delivered.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT,
    created_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    locked_until INTEGER,
    sent_at INTEGER,
    failed_at INTEGER,
    last_error TEXT
);
CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;

-- Fixed-window counters for the attempt limits; shared by every service instance.
CREATE TABLE limit_counters (
    bucket TEXT NOT NULL,
    window_start INTEGER NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (bucket, window_start)
);
