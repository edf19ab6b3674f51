-- Settings every instance must agree on, kept in the database they share: the check
-- value of the outbox key (never the key), so an instance with another key is noticed.
CREATE TABLE service_settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
