-- Attempt limits count each attempt in a sliding window, reserved before the check;
-- pending passwords are several (each mailed one works until used or expired);
-- a new e-mail address waits for its confirmation code; mail claims belong to a
-- running service instance instead of a fixed lease.

-- One row per attempt. A limit counts the rows of its bucket in the last window; an
-- attempt is inserted (reserved) before the password is checked, and deleted again when
-- the password was right.
DROP TABLE limit_counters;
CREATE TABLE limit_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    bucket TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX limit_attempts_by_bucket ON limit_attempts(bucket, at);

-- "E-mail my password": each request adds one (at most 3 kept, newest first). Every
-- one works until it expires or one of them is used; then it becomes the password and
-- the others go. Hashed with the salt of the account's password, so one argon2 run
-- checks a typed password against all of them.
CREATE TABLE pending_passwords (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    password_hash TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX pending_passwords_by_account ON pending_passwords(account_id, id);
-- Pending passwords of the old scheme had their own salt: they are not carried over
-- (they expire within 24 h; the current passwords are untouched).
ALTER TABLE accounts DROP COLUMN pending_password_hash;
ALTER TABLE accounts DROP COLUMN pending_expires_at;

-- The company's own networks: where a link succeeded or a linked machine was seen.
-- Wrong passwords from elsewhere cannot lock the account out of these.
CREATE TABLE account_networks (
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    network TEXT NOT NULL,
    last_seen_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, network)
);

-- A new e-mail address asked for in an edit, until the code mailed to it is entered.
-- `code_hash` is NULL when the address already belongs to another account: the answer
-- is the same, but no code exists that could confirm it.
CREATE TABLE email_changes (
    account_id INTEGER PRIMARY KEY REFERENCES accounts(id),
    new_email TEXT NOT NULL,
    code_hash TEXT,
    wrong_codes INTEGER NOT NULL DEFAULT 0,
    expires_at INTEGER NOT NULL,
    requested_by TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

-- Running service instances, each beating every few seconds. A mail claimed by an
-- instance stays its own while it beats; a killed instance's mail is taken over at once.
CREATE TABLE service_instances (
    id TEXT PRIMARY KEY,
    started_at INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL
);
ALTER TABLE outbox DROP COLUMN locked_until;
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
-- Bodies are now sealed (encrypted) with the outbox key, so a password waiting in a
-- mail is never on disk in clear. A body written before this version is sent as it is.
