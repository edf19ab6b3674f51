//! SQL of the support side: agents, their console sessions, API tokens, ledger, notes, timers, search.

use super::{
    database::{account_columns_of, ACCOUNT_COLUMNS},
    Dialect, Tx,
};
use crate::{
    ids::AccountId,
    storage::{
        AccountRow, AgentRow, ConsoleSessionRow, ExportRow, LedgerRow, MachineRow, NewLedgerEntry,
        NoteRow, StorageError,
    },
    support::LedgerKind,
};

const AGENT_COLUMNS: &str =
    "id, email, name, role, password_hash, language, disabled_at, created_at";
const LEDGER_COLUMNS: &str = "id, account_id, at, kind, minutes, worked_minutes, reference, \
    note, agent_id, agent_name, reverses";

impl Tx {
    // --- agents -------------------------------------------------------------------------

    pub async fn insert_agent(
        &mut self,
        email: &str,
        name: &str,
        role: &str,
        password_hash: &str,
        language: &str,
        now: i64,
    ) -> Result<i64, StorageError> {
        sqlx::query_scalar(
            "INSERT INTO agents (email, name, role, password_hash, language, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(email)
        .bind(name)
        .bind(role)
        .bind(password_hash)
        .bind(language)
        .bind(now)
        .fetch_one(&mut *self.tx)
        .await
        .map_err(|err| match &err {
            sqlx::Error::Database(db) if db.is_unique_violation() => StorageError::AgentExists,
            _ => err.into(),
        })
    }

    pub async fn agent_by_email(&mut self, email: &str) -> Result<Option<AgentRow>, StorageError> {
        let sql = format!("SELECT {AGENT_COLUMNS} FROM agents WHERE email = $1");
        Ok(sqlx::query_as(&sql)
            .bind(email)
            .fetch_optional(&mut *self.tx)
            .await?)
    }

    pub async fn agent_by_id(&mut self, id: i64) -> Result<Option<AgentRow>, StorageError> {
        let sql = format!("SELECT {AGENT_COLUMNS} FROM agents WHERE id = $1");
        Ok(sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?)
    }

    pub async fn agents(&mut self) -> Result<Vec<AgentRow>, StorageError> {
        let sql = format!("SELECT {AGENT_COLUMNS} FROM agents ORDER BY email");
        Ok(sqlx::query_as(&sql).fetch_all(&mut *self.tx).await?)
    }

    pub async fn set_agent_password(
        &mut self,
        id: i64,
        password_hash: &str,
    ) -> Result<(), StorageError> {
        sqlx::query("UPDATE agents SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Disables the agent and ends its log-ins and tokens at once.
    pub async fn disable_agent(&mut self, id: i64, now: i64) -> Result<(), StorageError> {
        sqlx::query("UPDATE agents SET disabled_at = $1 WHERE id = $2 AND disabled_at IS NULL")
            .bind(now)
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        sqlx::query("DELETE FROM agent_sessions WHERE agent_id = $1")
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        sqlx::query(
            "UPDATE agent_api_tokens SET revoked_at = $1 WHERE agent_id = $2 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    // --- console sessions and API tokens ------------------------------------------------

    pub async fn insert_agent_session(
        &mut self,
        token_hash: &str,
        agent_id: i64,
        csrf_token: &str,
        now: i64,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO agent_sessions (token_hash, agent_id, csrf_token, created_at, last_seen_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(agent_id)
        .bind(csrf_token)
        .bind(now)
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    pub async fn agent_session(
        &mut self,
        token_hash: &str,
    ) -> Result<Option<ConsoleSessionRow>, StorageError> {
        Ok(sqlx::query_as(
            "SELECT agent_id, csrf_token, created_at, last_seen_at FROM agent_sessions \
             WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&mut *self.tx)
        .await?)
    }

    pub async fn touch_agent_session(
        &mut self,
        token_hash: &str,
        now: i64,
    ) -> Result<(), StorageError> {
        sqlx::query("UPDATE agent_sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(now)
            .bind(token_hash)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    pub async fn delete_agent_session(&mut self, token_hash: &str) -> Result<(), StorageError> {
        sqlx::query("DELETE FROM agent_sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Ends every log-in of the agent but the one whose cookie hashes to `keep`.
    pub async fn end_other_agent_sessions(
        &mut self,
        agent_id: i64,
        keep: &str,
    ) -> Result<(), StorageError> {
        sqlx::query("DELETE FROM agent_sessions WHERE agent_id = $1 AND token_hash <> $2")
            .bind(agent_id)
            .bind(keep)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Forgets log-ins idle since `idle_before` or older than `created_before`.
    pub async fn prune_agent_sessions(
        &mut self,
        idle_before: i64,
        created_before: i64,
    ) -> Result<(), StorageError> {
        sqlx::query("DELETE FROM agent_sessions WHERE last_seen_at < $1 OR created_at < $2")
            .bind(idle_before)
            .bind(created_before)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    pub async fn insert_api_token(
        &mut self,
        token_hash: &str,
        agent_id: i64,
        label: &str,
        now: i64,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO agent_api_tokens (token_hash, agent_id, label, created_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(agent_id)
        .bind(label)
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// The enabled agent an unrevoked API token acts for.
    pub async fn agent_by_api_token(
        &mut self,
        token_hash: &str,
    ) -> Result<Option<AgentRow>, StorageError> {
        let sql = format!(
            "SELECT {} FROM agents a JOIN agent_api_tokens t ON t.agent_id = a.id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND a.disabled_at IS NULL",
            AGENT_COLUMNS
                .split(", ")
                .map(|c| format!("a.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        Ok(sqlx::query_as(&sql)
            .bind(token_hash)
            .fetch_optional(&mut *self.tx)
            .await?)
    }

    // --- ledger -------------------------------------------------------------------------

    pub async fn add_ledger_entry(
        &mut self,
        entry: &NewLedgerEntry<'_>,
        now: i64,
    ) -> Result<LedgerRow, StorageError> {
        let sql = format!(
            "INSERT INTO ledger_entries (account_id, at, kind, minutes, worked_minutes, reference, \
                note, agent_id, agent_name, reverses) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING {LEDGER_COLUMNS}"
        );
        sqlx::query_as(&sql)
            .bind(entry.account_id)
            .bind(now)
            .bind(entry.kind.as_str())
            .bind(entry.minutes)
            .bind(entry.worked_minutes)
            .bind(entry.reference)
            .bind(entry.note)
            .bind(entry.agent_id)
            .bind(entry.agent_name)
            .bind(entry.reverses)
            .fetch_one(&mut *self.tx)
            .await
            .map_err(|err| match &err {
                // A second correction of one entry: refused by the UNIQUE index, or by
                // the trigger that keeps entries from being replaced.
                sqlx::Error::Database(db)
                    if db.is_unique_violation() || db.message().contains("never replaced") =>
                {
                    StorageError::AlreadyReversed
                }
                _ => err.into(),
            })
    }

    /// The account's ledger, oldest first.
    pub async fn ledger(&mut self, account_id: AccountId) -> Result<Vec<LedgerRow>, StorageError> {
        let sql = format!(
            "SELECT {LEDGER_COLUMNS} FROM ledger_entries WHERE account_id = $1 ORDER BY id"
        );
        Ok(sqlx::query_as(&sql)
            .bind(account_id)
            .fetch_all(&mut *self.tx)
            .await?)
    }

    pub async fn ledger_entry(
        &mut self,
        account_id: AccountId,
        id: i64,
    ) -> Result<Option<LedgerRow>, StorageError> {
        let sql = format!(
            "SELECT {LEDGER_COLUMNS} FROM ledger_entries WHERE account_id = $1 AND id = $2"
        );
        Ok(sqlx::query_as(&sql)
            .bind(account_id)
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?)
    }

    /// Whether a correction already cancels entry `id`.
    pub async fn is_reversed(&mut self, id: i64) -> Result<bool, StorageError> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT id FROM ledger_entries WHERE reverses = $1")
                .bind(id)
                .fetch_optional(&mut *self.tx)
                .await?;
        Ok(found.is_some())
    }

    /// The balance: the sum of the ledger, in minutes.
    pub async fn balance(&mut self, account_id: AccountId) -> Result<i64, StorageError> {
        Ok(sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(minutes), 0) AS BIGINT) FROM ledger_entries WHERE account_id = $1",
        )
        .bind(account_id)
        .fetch_one(&mut *self.tx)
        .await?)
    }

    /// The balances of several accounts at once (a result list); absent: no entry yet.
    pub async fn balances(
        &mut self,
        account_ids: &[AccountId],
    ) -> Result<std::collections::HashMap<AccountId, i64>, StorageError> {
        if account_ids.is_empty() {
            return Ok(Default::default());
        }
        let marks = (1..=account_ids.len())
            .map(|n| format!("${n}"))
            .collect::<Vec<_>>()
            .join(", ");
        // SUM of BIGINT is NUMERIC on PostgreSQL: brought back to an integer.
        let sql = format!(
            "SELECT account_id, CAST(SUM(minutes) AS BIGINT) FROM ledger_entries \
             WHERE account_id IN ({marks}) GROUP BY account_id"
        );
        let mut query = sqlx::query_as::<_, (AccountId, i64)>(&sql);
        for id in account_ids {
            query = query.bind(id);
        }
        Ok(query.fetch_all(&mut *self.tx).await?.into_iter().collect())
    }

    /// The latest support calls that no correction cancelled, newest first.
    pub async fn recent_support_calls(
        &mut self,
        account_id: AccountId,
        limit: i64,
    ) -> Result<Vec<LedgerRow>, StorageError> {
        let sql = format!(
            "SELECT {LEDGER_COLUMNS} FROM ledger_entries e WHERE account_id = $1 AND kind = $2 \
               AND NOT EXISTS (SELECT 1 FROM ledger_entries c WHERE c.reverses = e.id) \
             ORDER BY id DESC LIMIT $3"
        );
        Ok(sqlx::query_as(&sql)
            .bind(account_id)
            .bind(LedgerKind::SupportCall.as_str())
            .bind(limit)
            .fetch_all(&mut *self.tx)
            .await?)
    }

    /// Entries between `from` (included) and `to` (excluded), of one account or all.
    pub async fn ledger_export(
        &mut self,
        from: i64,
        to: i64,
        account_id: Option<AccountId>,
    ) -> Result<Vec<ExportRow>, StorageError> {
        Ok(sqlx::query_as(
            "SELECT e.id, e.account_id, a.company_name, e.at, e.kind, e.minutes, e.worked_minutes, \
                e.reference, e.note, e.agent_name, e.reverses \
             FROM ledger_entries e JOIN accounts a ON a.id = e.account_id \
             WHERE e.at >= $1 AND e.at < $2 AND ($3 IS NULL OR e.account_id = $4) \
             ORDER BY e.id",
        )
        .bind(from)
        .bind(to)
        .bind(account_id)
        .bind(account_id)
        .fetch_all(&mut *self.tx)
        .await?)
    }

    // --- notes and timers ---------------------------------------------------------------

    pub async fn add_note(
        &mut self,
        account_id: AccountId,
        agent_name: &str,
        text: &str,
        now: i64,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO account_notes (account_id, at, agent_name, text) VALUES ($1, $2, $3, $4)",
        )
        .bind(account_id)
        .bind(now)
        .bind(agent_name)
        .bind(text)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    pub async fn notes(&mut self, account_id: AccountId) -> Result<Vec<NoteRow>, StorageError> {
        Ok(sqlx::query_as(
            "SELECT id, at, agent_name, text FROM account_notes WHERE account_id = $1 \
             ORDER BY id DESC",
        )
        .bind(account_id)
        .fetch_all(&mut *self.tx)
        .await?)
    }

    /// Starts the agent's timer on the account (a running one keeps its start).
    pub async fn start_timer(
        &mut self,
        agent_id: i64,
        account_id: AccountId,
        now: i64,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO support_timers (agent_id, account_id, started_at) VALUES ($1, $2, $3) \
             ON CONFLICT (agent_id, account_id) DO NOTHING",
        )
        .bind(agent_id)
        .bind(account_id)
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    pub async fn timer(
        &mut self,
        agent_id: i64,
        account_id: AccountId,
    ) -> Result<Option<i64>, StorageError> {
        Ok(sqlx::query_scalar(
            "SELECT started_at FROM support_timers WHERE agent_id = $1 AND account_id = $2",
        )
        .bind(agent_id)
        .bind(account_id)
        .fetch_optional(&mut *self.tx)
        .await?)
    }

    /// Stops the timer; its start, if one was running.
    pub async fn stop_timer(
        &mut self,
        agent_id: i64,
        account_id: AccountId,
    ) -> Result<Option<i64>, StorageError> {
        Ok(sqlx::query_scalar(
            "DELETE FROM support_timers WHERE agent_id = $1 AND account_id = $2 RETURNING started_at",
        )
        .bind(agent_id)
        .bind(account_id)
        .fetch_optional(&mut *self.tx)
        .await?)
    }

    // --- finding accounts ---------------------------------------------------------------

    /// Every machine record of the account, linked ones first.
    pub async fn machines_of_account(
        &mut self,
        account_id: AccountId,
    ) -> Result<Vec<MachineRow>, StorageError> {
        Ok(sqlx::query_as(
            "SELECT * FROM machines WHERE account_id = $1 \
             ORDER BY token_hash IS NULL, last_seen_at DESC",
        )
        .bind(account_id)
        .fetch_all(&mut *self.tx)
        .await?)
    }

    pub async fn accounts_by_ids(
        &mut self,
        ids: &[AccountId],
    ) -> Result<Vec<AccountRow>, StorageError> {
        let mut found = Vec::new();
        for id in ids {
            if let Some(account) = self.account_by_id(*id).await? {
                found.push(account);
            }
        }
        Ok(found)
    }

    /// Accounts whose phone or SIRET is exactly `value` (both stored normalised). A
    /// French number is stored as the customer typed it, national ("0612345678") or
    /// international ("+33612345678"): either form finds both.
    pub async fn accounts_by_phone_or_siret(
        &mut self,
        value: &str,
        limit: i64,
    ) -> Result<Vec<AccountRow>, StorageError> {
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE phone IN ($1, $3) \
             UNION SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE siret = $1 \
             ORDER BY id LIMIT $2"
        );
        Ok(sqlx::query_as(&sql)
            .bind(value)
            .bind(limit)
            .bind(other_french_form(value).unwrap_or_else(|| value.to_owned()))
            .fetch_all(&mut *self.tx)
            .await?)
    }

    /// Accounts whose address starts with `prefix` (addresses are stored lower-case).
    pub async fn accounts_by_email_prefix(
        &mut self,
        prefix: &str,
        limit: i64,
    ) -> Result<Vec<AccountRow>, StorageError> {
        // A range on the unique index: "ab" finds "ab…" up to, not including, "ab\u{10ffff}".
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE email >= $1 AND email < $2 \
             ORDER BY email LIMIT $3"
        );
        Ok(sqlx::query_as(&sql)
            .bind(prefix)
            .bind(format!("{prefix}\u{10ffff}"))
            .bind(limit)
            .fetch_all(&mut *self.tx)
            .await?)
    }

    /// Accounts whose company name, contact name or address contains every word of
    /// `words` (each at least three characters; case and accents ignored), best matches
    /// first — and whether more than [`RANKED_MATCHES_MAX`] match, in which case the
    /// first `limit` come unranked: ranking every one of 100 000 "Michel" takes close
    /// to a second, the first few take a millisecond, and the agent should add a word.
    pub async fn accounts_by_text(
        &mut self,
        words: &[String],
        limit: i64,
    ) -> Result<(Vec<AccountRow>, bool), StorageError> {
        if words.is_empty() {
            return Ok((Vec::new(), false));
        }
        let many = match self.dialect {
            Dialect::Sqlite => self.count_text_matches_fts(words).await?,
            Dialect::Postgres => self.count_text_matches_trigram(words).await?,
        } > RANKED_MATCHES_MAX;
        let accounts = match self.dialect {
            Dialect::Sqlite => self.accounts_by_text_fts(words, many, limit).await?,
            Dialect::Postgres => self.accounts_by_text_trigram(words, many, limit).await?,
        };
        Ok((accounts, many))
    }

    // SQLite: the FTS5 table `accounts_search` (trigram tokenizer, diacritics removed).

    /// Each word as an FTS5 string: quotes doubled, so no word is read as syntax.
    fn fts_query(words: &[String]) -> String {
        words
            .iter()
            .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
            .collect::<Vec<_>>()
            .join(" AND ")
    }

    /// How many accounts match, counted up to one past [`RANKED_MATCHES_MAX`]: FTS5
    /// stops early when results come in row order, so the cap makes it cheap.
    async fn count_text_matches_fts(&mut self, words: &[String]) -> Result<i64, StorageError> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM (SELECT rowid FROM accounts_search \
             WHERE accounts_search MATCH $1 LIMIT $2)",
        )
        .bind(Self::fts_query(words))
        .bind(RANKED_MATCHES_MAX + 1)
        .fetch_one(&mut *self.tx)
        .await?)
    }

    async fn accounts_by_text_fts(
        &mut self,
        words: &[String],
        many: bool,
        limit: i64,
    ) -> Result<Vec<AccountRow>, StorageError> {
        let order = if many { "" } else { "ORDER BY s.rank" };
        let sql = format!(
            "SELECT {} FROM accounts_search s JOIN accounts a ON a.id = s.rowid \
             WHERE accounts_search MATCH $1 {order} LIMIT $2",
            account_columns_of("a")
        );
        Ok(sqlx::query_as(&sql)
            .bind(Self::fts_query(words))
            .bind(limit)
            .fetch_all(&mut *self.tx)
            .await?)
    }

    // PostgreSQL: the generated column `search_text` (accents and case folded) and its
    // trigram index; each word is a LIKE pattern on it.

    /// `WHERE` for every word, `$1`…`$n`, folded by the same function as the column.
    fn trigram_condition(words: &[String]) -> String {
        (1..=words.len())
            .map(|n| format!("search_text LIKE '%' || account_search_fold(${n}) || '%'"))
            .collect::<Vec<_>>()
            .join(" AND ")
    }

    /// A word as a LIKE pattern that matches only itself.
    fn like_literal(word: &str) -> String {
        word.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    }

    async fn count_text_matches_trigram(&mut self, words: &[String]) -> Result<i64, StorageError> {
        let sql = format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM accounts WHERE {} LIMIT {}) AS found",
            Self::trigram_condition(words),
            RANKED_MATCHES_MAX + 1
        );
        let mut query = sqlx::query_scalar(&sql);
        for word in words {
            query = query.bind(Self::like_literal(word));
        }
        Ok(query.fetch_one(&mut *self.tx).await?)
    }

    async fn accounts_by_text_trigram(
        &mut self,
        words: &[String],
        many: bool,
        limit: i64,
    ) -> Result<Vec<AccountRow>, StorageError> {
        let n = words.len();
        // Ranked by trigram similarity with the words, the closest first.
        let order = if many {
            String::new()
        } else {
            format!(
                "ORDER BY similarity(search_text, account_search_fold(${})) DESC, id",
                n + 1
            )
        };
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE {} {order} LIMIT ${}",
            Self::trigram_condition(words),
            n + 2
        );
        let mut query = sqlx::query_as(&sql);
        for word in words {
            query = query.bind(Self::like_literal(word));
        }
        Ok(query
            .bind(words.join(" "))
            .bind(limit)
            .fetch_all(&mut *self.tx)
            .await?)
    }
}

/// Past this many matches, a name search is not ranked (see `accounts_by_text`).
pub const RANKED_MATCHES_MAX: i64 = 200;

/// "0612345678" for "+33612345678" and the other way round; `None` for other numbers.
fn other_french_form(phone: &str) -> Option<String> {
    let is_digits = |s: &str| s.len() == 9 && s.bytes().all(|b| b.is_ascii_digit());
    if let Some(rest) = phone.strip_prefix("+33") {
        return is_digits(rest).then(|| format!("0{rest}"));
    }
    match phone.strip_prefix('0') {
        Some(rest) if is_digits(rest) && !rest.starts_with('0') => Some(format!("+33{rest}")),
        _ => None,
    }
}
