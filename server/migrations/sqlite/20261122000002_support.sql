-- The support side: agents and their sessions, API tokens, the support-time ledger,
-- internal notes on accounts, and running timers. Times are Unix seconds (UTC).

CREATE TABLE agents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- Lower-case; the agent's login.
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('agent', 'admin')),
    -- argon2id PHC string.
    password_hash TEXT NOT NULL,
    language TEXT NOT NULL DEFAULT 'fr',
    disabled_at INTEGER,
    created_at INTEGER NOT NULL
);

-- Console log-ins. The cookie holds a random token; only its SHA-256 is kept here.
CREATE TABLE agent_sessions (
    token_hash TEXT PRIMARY KEY,
    agent_id INTEGER NOT NULL REFERENCES agents(id),
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
);
CREATE INDEX agent_sessions_by_agent ON agent_sessions(agent_id);

-- Tokens of integrations (telephony, helpdesk) acting for an agent; hashed like sessions.
CREATE TABLE agent_api_tokens (
    token_hash TEXT PRIMARY KEY,
    agent_id INTEGER NOT NULL REFERENCES agents(id),
    label TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);

-- Every change to an account's support time. The balance is the sum of `minutes`.
-- Entries are only ever added: a mistake is cancelled by a correction that reverses it.
CREATE TABLE ledger_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    at INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('credit', 'session', 'correction')),
    -- Signed: credit > 0, session < 0, a correction the opposite of what it reverses.
    minutes INTEGER NOT NULL,
    -- A session's time as worked, before the rounding rule.
    worked_minutes INTEGER,
    -- A credit's purchase reference (order, invoice).
    reference TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    agent_id INTEGER REFERENCES agents(id),
    -- Kept as written: the ledger must read the same after an agent is renamed.
    agent_name TEXT NOT NULL,
    -- A correction names the entry it cancels; an entry is cancelled at most once.
    reverses INTEGER UNIQUE REFERENCES ledger_entries(id)
);
CREATE INDEX ledger_by_account ON ledger_entries(account_id, id);
CREATE INDEX ledger_by_time ON ledger_entries(at);

CREATE TRIGGER ledger_entries_are_never_edited BEFORE UPDATE ON ledger_entries
BEGIN
    SELECT RAISE(ABORT, 'ledger entries are never edited: add a correction');
END;
CREATE TRIGGER ledger_entries_are_never_deleted BEFORE DELETE ON ledger_entries
BEGIN
    SELECT RAISE(ABORT, 'ledger entries are never deleted: add a correction');
END;
-- INSERT OR REPLACE deletes the clashing row without firing delete triggers.
CREATE TRIGGER ledger_entries_are_never_replaced BEFORE INSERT ON ledger_entries
WHEN EXISTS (SELECT 1 FROM ledger_entries WHERE id = new.id)
  OR EXISTS (SELECT 1 FROM ledger_entries WHERE reverses = new.reverses)
BEGIN
    SELECT RAISE(ABORT, 'ledger entries are never replaced: add a correction');
END;

-- Internal observations on an account, for agents only.
CREATE TABLE account_notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    at INTEGER NOT NULL,
    agent_name TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX account_notes_by_account ON account_notes(account_id, id);

-- A call being timed by an agent on an account's page.
CREATE TABLE support_timers (
    agent_id INTEGER NOT NULL REFERENCES agents(id),
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    started_at INTEGER NOT NULL,
    PRIMARY KEY (agent_id, account_id)
);

-- Finding an account: phone digits and SIRET exactly, names by any part of them (trigrams).
CREATE INDEX accounts_by_phone ON accounts(phone);
CREATE INDEX accounts_by_siret ON accounts(siret);
CREATE VIRTUAL TABLE accounts_search USING fts5(
    company_name, contact_name, email,
    content = 'accounts', content_rowid = 'id', tokenize = 'trigram remove_diacritics 1'
);
INSERT INTO accounts_search (rowid, company_name, contact_name, email)
    SELECT id, company_name, contact_first_name || ' ' || contact_last_name, email FROM accounts;
CREATE TRIGGER accounts_search_insert AFTER INSERT ON accounts BEGIN
    INSERT INTO accounts_search (rowid, company_name, contact_name, email)
    VALUES (new.id, new.company_name, new.contact_first_name || ' ' || new.contact_last_name, new.email);
END;
CREATE TRIGGER accounts_search_update AFTER UPDATE OF company_name, contact_first_name, contact_last_name, email ON accounts BEGIN
    INSERT INTO accounts_search (accounts_search, rowid, company_name, contact_name, email)
    VALUES ('delete', old.id, old.company_name, old.contact_first_name || ' ' || old.contact_last_name, old.email);
    INSERT INTO accounts_search (rowid, company_name, contact_name, email)
    VALUES (new.id, new.company_name, new.contact_first_name || ' ' || new.contact_last_name, new.email);
END;
