-- The account read's change counter (issue 14): each instance keeps the app's account view
-- in memory and, before serving it again, checks in one statement that the account's
-- revision has not moved. The database bumps it itself, whoever writes (any instance, the
-- `account-server` command line), on every change the view shows: the account, its
-- machines (link, unlink, new token, "last seen"), its ledger and its pending address.
-- `accounts.version` stays the edit's own check: a machine seen must not fail an edit.
-- Rows are never deleted, so a revision never goes back, even if an id came back.
CREATE TABLE account_read_revisions (
    account_id INTEGER PRIMARY KEY,
    revision INTEGER NOT NULL
);
INSERT INTO account_read_revisions (account_id, revision) SELECT id, 1 FROM accounts;

CREATE TRIGGER account_read_account_inserted AFTER INSERT ON accounts BEGIN
    INSERT INTO account_read_revisions (account_id, revision) VALUES (new.id, 1)
    ON CONFLICT (account_id) DO UPDATE SET revision = revision + 1;
END;
CREATE TRIGGER account_read_account_updated AFTER UPDATE ON accounts BEGIN
    INSERT INTO account_read_revisions (account_id, revision) VALUES (new.id, 1)
    ON CONFLICT (account_id) DO UPDATE SET revision = revision + 1;
END;
CREATE TRIGGER account_read_account_deleted AFTER DELETE ON accounts BEGIN
    INSERT INTO account_read_revisions (account_id, revision) VALUES (old.id, 1)
    ON CONFLICT (account_id) DO UPDATE SET revision = revision + 1;
END;

CREATE TRIGGER account_read_machine_inserted AFTER INSERT ON machines BEGIN
    INSERT INTO account_read_revisions (account_id, revision) VALUES (new.account_id, 1)
    ON CONFLICT (account_id) DO UPDATE SET revision = revision + 1;
END;
-- A machine moved to another account changes both views.
CREATE TRIGGER account_read_machine_updated AFTER UPDATE ON machines BEGIN
    INSERT INTO account_read_revisions (account_id, revision) VALUES (old.account_id, 1)
    ON CONFLICT (account_id) DO UPDATE SET revision = revision + 1;
    INSERT INTO account_read_revisions (account_id, revision) VALUES (new.account_id, 1)
    ON CONFLICT (account_id) DO UPDATE SET revision = revision + 1;
END;
CREATE TRIGGER account_read_machine_deleted AFTER DELETE ON machines BEGIN
    INSERT INTO account_read_revisions (account_id, revision) VALUES (old.account_id, 1)
    ON CONFLICT (account_id) DO UPDATE SET revision = revision + 1;
END;

-- Ledger entries are only ever added (see the support migration's triggers).
CREATE TRIGGER account_read_ledger_entry_inserted AFTER INSERT ON ledger_entries BEGIN
    INSERT INTO account_read_revisions (account_id, revision) VALUES (new.account_id, 1)
    ON CONFLICT (account_id) DO UPDATE SET revision = revision + 1;
END;

CREATE TRIGGER account_read_email_change_inserted AFTER INSERT ON email_changes BEGIN
    INSERT INTO account_read_revisions (account_id, revision) VALUES (new.account_id, 1)
    ON CONFLICT (account_id) DO UPDATE SET revision = revision + 1;
END;
CREATE TRIGGER account_read_email_change_updated AFTER UPDATE ON email_changes BEGIN
    INSERT INTO account_read_revisions (account_id, revision) VALUES (old.account_id, 1)
    ON CONFLICT (account_id) DO UPDATE SET revision = revision + 1;
    INSERT INTO account_read_revisions (account_id, revision) VALUES (new.account_id, 1)
    ON CONFLICT (account_id) DO UPDATE SET revision = revision + 1;
END;
CREATE TRIGGER account_read_email_change_deleted AFTER DELETE ON email_changes BEGIN
    INSERT INTO account_read_revisions (account_id, revision) VALUES (old.account_id, 1)
    ON CONFLICT (account_id) DO UPDATE SET revision = revision + 1;
END;
