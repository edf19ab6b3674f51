-- Enrollment keys (issue 13): an administrator links many machines with one key instead
-- of the account's password. Only the key's SHA-256 is kept; uses are counted down
-- atomically; each use is recorded (the account's history and the daily digest mail).
CREATE TABLE enrollment_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    key_hash TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,
    uses_allowed INTEGER NOT NULL CHECK (uses_allowed > 0),
    uses_left INTEGER NOT NULL CHECK (uses_left >= 0),
    expires_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX enrollment_keys_by_account ON enrollment_keys(account_id, id);

CREATE TABLE enrollment_key_uses (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key_id INTEGER NOT NULL REFERENCES enrollment_keys(id),
    machine_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    -- The day of the use in France (YYYY-MM-DD): the digest mail covers one key's day.
    day TEXT NOT NULL
);
CREATE INDEX enrollment_key_uses_by_key ON enrollment_key_uses(key_id, at);
CREATE INDEX enrollment_key_uses_by_day ON enrollment_key_uses(day);

-- The digest mails sent: one per key and day of use.
CREATE TABLE enrollment_key_digests (
    key_id INTEGER NOT NULL REFERENCES enrollment_keys(id),
    day TEXT NOT NULL,
    sent_at INTEGER NOT NULL,
    PRIMARY KEY (key_id, day)
);
