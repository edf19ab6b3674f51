-- The account read's change counter (issue 14): each instance keeps the app's account view
-- in memory and, before serving it again, checks in one statement that the account's
-- revision has not moved. The database bumps it itself, whoever writes (any instance, the
-- `account-server` command line), on every change the view shows: the account, its
-- machines (link, unlink, new token, "last seen"), its ledger and its pending address.
-- `accounts.version` stays the edit's own check: a machine seen must not fail an edit.
-- Rows are never deleted, so a revision never goes back. Not copied by `account-server
-- copy`: these triggers fill the target as rows arrive.
CREATE TABLE account_read_revisions (
    account_id BIGINT PRIMARY KEY,
    revision BIGINT NOT NULL
);
INSERT INTO account_read_revisions (account_id, revision) SELECT id, 1 FROM accounts;

CREATE FUNCTION account_read_changed(changed_account BIGINT) RETURNS void LANGUAGE sql AS $$
    INSERT INTO account_read_revisions AS r (account_id, revision) VALUES (changed_account, 1)
    ON CONFLICT (account_id) DO UPDATE SET revision = r.revision + 1
$$;

-- Tables whose rows carry the account in `account_id`: machines, ledger entries, pending
-- addresses. A row moved to another account changes both views.
CREATE FUNCTION account_read_row_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM account_read_changed(OLD.account_id);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.account_id <> OLD.account_id) THEN
        PERFORM account_read_changed(NEW.account_id);
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION account_read_account_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM account_read_changed(OLD.id);
    ELSE
        PERFORM account_read_changed(NEW.id);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER account_read_account_changed AFTER INSERT OR UPDATE OR DELETE ON accounts
    FOR EACH ROW EXECUTE FUNCTION account_read_account_changed();
CREATE TRIGGER account_read_machine_changed AFTER INSERT OR UPDATE OR DELETE ON machines
    FOR EACH ROW EXECUTE FUNCTION account_read_row_changed();
-- Ledger entries are only ever added (see ledger_entries_are_append_only).
CREATE TRIGGER account_read_ledger_entry_added AFTER INSERT ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION account_read_row_changed();
CREATE TRIGGER account_read_email_change_changed AFTER INSERT OR UPDATE OR DELETE ON email_changes
    FOR EACH ROW EXECUTE FUNCTION account_read_row_changed();
