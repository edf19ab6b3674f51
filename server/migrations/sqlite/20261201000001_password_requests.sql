-- Glossary (issue 11): an e-mailed new password, valid until used, is a "password
-- request". Only the names change; every row stays.
ALTER TABLE pending_passwords RENAME TO password_requests;
DROP INDEX pending_passwords_by_account;
CREATE INDEX password_requests_by_account ON password_requests(account_id, id);
