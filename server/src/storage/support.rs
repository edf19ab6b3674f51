//! SQL of the support side: agents, their console sessions, API tokens, ledger, notes, timers, search.

use super::{database::ACCOUNT_COLUMNS, Dialect, Tx};
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
        match self.dialect {
            Dialect::Sqlite => self.accounts_by_text_fts(words, limit).await,
            Dialect::Postgres => self.accounts_by_text_trigram(words, limit).await,
        }
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

    async fn accounts_by_text_fts(
        &mut self,
        words: &[String],
        limit: i64,
    ) -> Result<(Vec<AccountRow>, bool), StorageError> {
        // The matches up to one past the cap, in row order. Past the cap, the first
        // `limit` of them are the answer, unranked.
        let found = match self.matches_by_rare_trigrams(words).await? {
            Some(found) => found,
            // FTS5 on the words themselves: exact, but each word is a phrase of its
            // trigrams, and common trigrams ("rie", "ard") have doclists of hundreds
            // of thousands of rows: 15–25 ms for two words over a million accounts.
            None => {
                sqlx::query_scalar(
                    "SELECT rowid FROM accounts_search WHERE accounts_search MATCH $1 LIMIT $2",
                )
                .bind(Self::fts_query(words))
                .bind(RANKED_MATCHES_MAX + 1)
                .fetch_all(&mut *self.tx)
                .await?
            }
        };
        if found.len() as i64 > RANKED_MATCHES_MAX {
            let first = &found[..(limit.max(0) as usize).min(found.len())];
            return Ok((self.accounts_in_id_order(first).await?, true));
        }
        // Every match is here: ranked as PostgreSQL ranks them (trigram similarity of
        // the folded text with the words), closest first. FTS5's own rank (bm25) would
        // first count every row holding each word, a whole pass over the index per
        // word: 40–60 ms for two common words over a million accounts.
        let mut accounts = self.accounts_in_id_order(&found).await?;
        rank_by_similarity(&mut accounts, words);
        accounts.truncate(limit.max(0) as usize);
        Ok((accounts, false))
    }

    /// The same matches as FTS5 gives for `words` (up to one past the cap, in row
    /// order), found cheaply: the rows holding the rarest few trigrams of the words
    /// (FTS5 on single trigrams, no phrase), each checked here for every word. `None`
    /// when that could differ from FTS5 (a character whose folding is not certainly
    /// FTS5's) or would not be cheap (too many rows hold those trigrams).
    async fn matches_by_rare_trigrams(
        &mut self,
        words: &[String],
    ) -> Result<Option<Vec<AccountId>>, StorageError> {
        // One word: FTS5 stops at the cap early, or the word is rare; either is cheap.
        if words.len() < 2 || !words.iter().all(|w| w.chars().all(folds_like_fts5)) {
            return Ok(None);
        }
        let folded: Vec<String> = words.iter().map(|w| search_fold(w)).collect();
        let per_word: Vec<Vec<String>> = folded
            .iter()
            .map(|w| {
                let chars: Vec<char> = w.chars().collect();
                chars.windows(3).map(|t| t.iter().collect()).collect()
            })
            .collect();
        if per_word.iter().any(Vec::is_empty) {
            return Ok(None);
        }
        let mut distinct: Vec<&String> = per_word.iter().flatten().collect();
        distinct.sort();
        distinct.dedup();
        let rows_holding = self.rows_holding(&distinct).await?;
        // Each word's rarest trigram, then the rarest others: rows holding all of
        // them include every match.
        let mut chosen: Vec<&String> = Vec::new();
        for trigrams in &per_word {
            let rarest = trigrams.iter().min_by_key(|t| rows_holding[t]).unwrap();
            if !chosen.contains(&rarest) {
                chosen.push(rarest);
            }
        }
        distinct.sort_by_key(|t| rows_holding[t]);
        for trigram in distinct {
            if chosen.len() >= CHOSEN_TRIGRAMS {
                break;
            }
            if !chosen.contains(&trigram) {
                chosen.push(trigram);
            }
        }
        let candidates = Self::fts_query(&chosen.into_iter().cloned().collect::<Vec<_>>());
        let exact = Self::fts_query(words);

        let mut found = Vec::new();
        let mut checked = 0;
        let mut after = 0i64;
        loop {
            let page: Vec<(AccountId, String, String, String, String)> = sqlx::query_as(
                "SELECT a.id, a.company_name, a.contact_first_name, a.contact_last_name, a.email \
                 FROM accounts_search s JOIN accounts a ON a.id = s.rowid \
                 WHERE accounts_search MATCH $1 AND s.rowid > $2 ORDER BY s.rowid LIMIT $3",
            )
            .bind(&candidates)
            .bind(after)
            .bind(CANDIDATES_PAGE)
            .fetch_all(&mut *self.tx)
            .await?;
            let last_page = (page.len() as i64) < CANDIDATES_PAGE;
            for (id, company, first, last, email) in page {
                after = id.get();
                checked += 1;
                // The columns of `accounts_search`: a word matches within one of them.
                let columns = [company, format!("{first} {last}"), email];
                let matches = if columns.iter().all(|c| c.chars().all(folds_like_fts5)) {
                    let columns = columns.map(|c| search_fold(&c));
                    folded
                        .iter()
                        .all(|w| columns.iter().any(|c| c.contains(w.as_str())))
                } else {
                    // A character folded in a way not certainly FTS5's: FTS5 decides.
                    sqlx::query_scalar::<_, i64>(
                        "SELECT COUNT(*) FROM accounts_search \
                         WHERE accounts_search MATCH $1 AND rowid = $2",
                    )
                    .bind(&exact)
                    .bind(id)
                    .fetch_one(&mut *self.tx)
                    .await?
                        > 0
                };
                if matches {
                    found.push(id);
                    if found.len() as i64 > RANKED_MATCHES_MAX {
                        return Ok(Some(found));
                    }
                }
            }
            if last_page {
                return Ok(Some(found));
            }
            if checked >= CANDIDATES_CHECKED_MAX {
                return Ok(None);
            }
        }
    }

    /// How many rows hold each trigram among the first [`SAMPLED_ROWS`] (FTS5 reads
    /// only that part of each list), remembered for a while: the figures only steer
    /// which trigrams a search asks for, so a rough or stale one costs time, never a
    /// wrong answer.
    async fn rows_holding<'w>(
        &mut self,
        trigrams: &[&'w String],
    ) -> Result<std::collections::HashMap<&'w String, i64>, StorageError> {
        let now = std::time::Instant::now();
        let mut known = std::collections::HashMap::new();
        let mut unknown = Vec::new();
        {
            let cache = TRIGRAM_ROWS.lock().unwrap_or_else(|e| e.into_inner());
            for trigram in trigrams {
                match cache.get(trigram.as_str()) {
                    Some((count, at)) if now.duration_since(*at) < TRIGRAM_ROWS_KEPT => {
                        known.insert(*trigram, *count);
                    }
                    _ => unknown.push(*trigram),
                }
            }
        }
        if unknown.is_empty() {
            return Ok(known);
        }
        let sql = (1..=unknown.len())
            .map(|n| {
                format!(
                    "SELECT {n}, COUNT(*) FROM accounts_search \
                     WHERE accounts_search MATCH ${n} AND rowid <= {SAMPLED_ROWS}"
                )
            })
            .collect::<Vec<_>>()
            .join(" UNION ALL ");
        let mut query = sqlx::query_as::<_, (i64, i64)>(&sql);
        for trigram in &unknown {
            query = query.bind(Self::fts_query(std::slice::from_ref(*trigram)));
        }
        let counted = query.fetch_all(&mut *self.tx).await?;
        let mut cache = TRIGRAM_ROWS.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() > 100_000 {
            cache.clear();
        }
        for (n, count) in counted {
            let trigram = unknown[(n - 1) as usize];
            cache.insert(trigram.clone(), (count, now));
            known.insert(trigram, count);
        }
        Ok(known)
    }

    /// The accounts `ids`, by id.
    async fn accounts_in_id_order(
        &mut self,
        ids: &[AccountId],
    ) -> Result<Vec<AccountRow>, StorageError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let marks = (1..=ids.len())
            .map(|n| format!("${n}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql =
            format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id IN ({marks}) ORDER BY id");
        let mut query = sqlx::query_as(&sql);
        for id in ids {
            query = query.bind(id);
        }
        Ok(query.fetch_all(&mut *self.tx).await?)
    }

    // PostgreSQL: the generated column `search_text` (accents and case folded) and its
    // trigram index; each word is a LIKE pattern on it.

    /// A word as a LIKE pattern that matches only itself.
    fn like_literal(word: &str) -> String {
        word.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    }

    async fn accounts_by_text_trigram(
        &mut self,
        words: &[String],
        limit: i64,
    ) -> Result<(Vec<AccountRow>, bool), StorageError> {
        // One pass over the index: the matches up to one past the cap, each with its
        // trigram similarity to the words. Past the cap, the first `limit` are the
        // answer, unranked; otherwise every match is here, and the closest come first.
        // (Counting, then searching again to rank, built the same bitmap twice.)
        //
        // The index is asked for each word's two rarest trigrams, not all of them:
        // a bitmap built from every trigram of "quincaillerie" ("ill", "lle", "rie"
        // are in a row out of ten) takes 10 ms, from two 1.5 ms. Each word is then
        // checked whole with `strpos`, which no index serves. A word whose folding
        // here may not be PostgreSQL's keeps the LIKE on all its trigrams.
        let frequencies = self.trigram_frequencies().await?;
        let mut conditions = Vec::new();
        let mut binds: Vec<String> = Vec::new();
        for word in words {
            let pieces = rarest_pieces(word, &frequencies);
            binds.push(word.clone());
            let n = binds.len();
            if pieces.is_empty() {
                binds[n - 1] = Self::like_literal(word);
                conditions.push(format!(
                    "search_text LIKE '%' || account_search_fold(${n}) || '%'"
                ));
                continue;
            }
            conditions.push(format!(
                "strpos(search_text, account_search_fold(${n})) > 0"
            ));
            for piece in pieces {
                binds.push(format!("%{piece}%"));
                conditions.push(format!("search_text LIKE ${}", binds.len()));
            }
        }
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS}, similarity(search_text, account_search_fold(${})) AS score \
             FROM accounts WHERE {} LIMIT {}",
            binds.len() + 1,
            conditions.join(" AND "),
            RANKED_MATCHES_MAX + 1
        );
        // Not a named statement: PostgreSQL plans an unnamed one for the words given.
        // A named one soon gets a plan for any words, which builds the whole bitmap of
        // a word held by 100 000 rows (37 ms) where reading the table in order finds
        // the first 201 in 2 ms.
        let mut query = sqlx::query_as::<_, ScoredAccount>(&sql).persistent(false);
        for bind in binds {
            query = query.bind(bind);
        }
        let mut found = query.bind(words.join(" ")).fetch_all(&mut *self.tx).await?;
        let many = found.len() as i64 > RANKED_MATCHES_MAX;
        if !many {
            // As `ORDER BY similarity(…) DESC, id` would.
            found.sort_by(|a, b| {
                b.score
                    .total_cmp(&a.score)
                    .then(a.account.id.cmp(&b.account.id))
            });
        }
        found.truncate(limit.max(0) as usize);
        Ok((found.into_iter().map(|f| f.account).collect(), many))
    }

    /// How often each trigram of letters and digits occurs in the folded text of the
    /// first [`SAMPLED_ROWS`] accounts (PostgreSQL), counted here and kept for
    /// [`TRIGRAM_ROWS_KEPT`]: the figures only steer which trigrams the index is asked
    /// for, so a rough or stale one costs time, never a wrong answer.
    async fn trigram_frequencies(
        &mut self,
    ) -> Result<std::sync::Arc<TrigramFrequencies>, StorageError> {
        let now = std::time::Instant::now();
        if let Some((at, kept)) = PG_TRIGRAMS
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
        {
            if now.duration_since(*at) < TRIGRAM_ROWS_KEPT {
                return Ok(kept.clone());
            }
        }
        let texts: Vec<String> =
            sqlx::query_scalar("SELECT search_text FROM accounts ORDER BY id LIMIT $1")
                .bind(PG_SAMPLED_ROWS)
                .fetch_all(&mut *self.tx)
                .await?;
        let mut counts = TrigramFrequencies::new();
        for text in &texts {
            let mut seen = std::collections::HashSet::new();
            for piece in text.as_bytes().windows(3) {
                if piece.iter().all(u8::is_ascii_alphanumeric) && seen.insert(piece) {
                    *counts.entry([piece[0], piece[1], piece[2]]).or_default() += 1;
                }
            }
        }
        let counts = std::sync::Arc::new(counts);
        *PG_TRIGRAMS.lock().unwrap_or_else(|e| e.into_inner()) = Some((now, counts.clone()));
        Ok(counts)
    }
}

/// How many sampled accounts hold each trigram (ASCII letters and digits, folded).
type TrigramFrequencies = std::collections::HashMap<[u8; 3], u32>;

/// The trigram counts of the sampled accounts, and when they were counted (PostgreSQL).
static PG_TRIGRAMS: std::sync::Mutex<
    Option<(std::time::Instant, std::sync::Arc<TrigramFrequencies>)>,
> = std::sync::Mutex::new(None);
/// Accounts sampled for the trigram counts on PostgreSQL: 20 000 rows read and counted
/// in about 30 ms, once every [`TRIGRAM_ROWS_KEPT`].
const PG_SAMPLED_ROWS: i64 = 20_000;

/// A word of this many trigrams or fewer keeps its whole pattern (see `rarest_pieces`).
const SHORT_WORD_TRIGRAMS: usize = 3;

/// Up to two of the rarest three-letter pieces of `word`, folded, that PostgreSQL's
/// folding of the word certainly contains: runs of ASCII letters and digits, from a
/// word whose every character folds the same here and there. None otherwise.
fn rarest_pieces(word: &str, frequencies: &TrigramFrequencies) -> Vec<String> {
    if !word.chars().all(folds_like_fts5) {
        return Vec::new();
    }
    let folded = search_fold(word);
    let mut pieces: Vec<[u8; 3]> = folded
        .as_bytes()
        .windows(3)
        .filter(|p| p.iter().all(u8::is_ascii_alphanumeric))
        .map(|p| [p[0], p[1], p[2]])
        .collect();
    // A short word is its few trigrams anyway, and its whole pattern tells the planner
    // how common it is: "fils", in one row out of six, is found by reading the table in
    // order (2 ms), where its two pieces looked rare together and built a bitmap (26 ms).
    if pieces.len() <= SHORT_WORD_TRIGRAMS {
        return Vec::new();
    }
    pieces.sort_by_key(|p| (frequencies.get(p).copied().unwrap_or(0), *p));
    pieces.dedup();
    pieces
        .into_iter()
        .take(2)
        .map(|p| String::from_utf8_lossy(&p).into_owned())
        .collect()
}

/// A name search's match on PostgreSQL, with its similarity to the words.
#[derive(sqlx::FromRow)]
struct ScoredAccount {
    #[sqlx(flatten)]
    account: AccountRow,
    score: f32,
}

/// Past this many matches, a name search is not ranked (see `accounts_by_text`).
pub const RANKED_MATCHES_MAX: i64 = 200;

/// How common a trigram is, is counted among the rows up to this id (see `rows_holding`).
const SAMPLED_ROWS: i64 = 50_000;
/// How many rows hold a trigram, as last counted (see `rows_holding`).
static TRIGRAM_ROWS: std::sync::LazyLock<
    std::sync::Mutex<std::collections::HashMap<String, (i64, std::time::Instant)>>,
> = std::sync::LazyLock::new(Default::default);
const TRIGRAM_ROWS_KEPT: std::time::Duration = std::time::Duration::from_secs(600);
/// Trigrams a name search asks FTS5 for: each word's rarest, then the rarest others.
const CHOSEN_TRIGRAMS: usize = 4;
/// Candidate rows read at a time, and at most before FTS5 is asked for the words.
const CANDIDATES_PAGE: i64 = 512;
const CANDIDATES_CHECKED_MAX: i64 = 4096;

/// Whether FTS5 (`remove_diacritics 1`) and [`search_fold`] certainly fold `c` alike:
/// ASCII, and the Latin-1 and Latin Extended-A letters made of a base letter and one
/// accent. Others (ligatures, Œ, Ø, Ł, several accents, other scripts) are left to FTS5.
fn folds_like_fts5(c: char) -> bool {
    c.is_ascii()
        || (matches!(c, '\u{C0}'..='\u{17F}')
            && !matches!(
                c,
                '\u{C6}'
                    | '\u{D0}'
                    | '\u{D7}'
                    | '\u{D8}'
                    | '\u{DE}'
                    | '\u{DF}'
                    | '\u{E6}'
                    | '\u{F0}'
                    | '\u{F7}'
                    | '\u{F8}'
                    | '\u{FE}'
                    | '\u{110}'
                    | '\u{111}'
                    | '\u{126}'
                    | '\u{127}'
                    | '\u{130}'..='\u{133}'
                    | '\u{138}'
                    | '\u{13F}'..='\u{142}'
                    | '\u{149}'..='\u{14B}'
                    | '\u{152}'
                    | '\u{153}'
                    | '\u{166}'
                    | '\u{167}'
                    | '\u{17F}'
            ))
}

/// Sorts `accounts` closest to `words` first, ties by id: what PostgreSQL's
/// `ORDER BY similarity(search_text, account_search_fold(words)) DESC, id` does.
fn rank_by_similarity(accounts: &mut [AccountRow], words: &[String]) {
    let wanted = trigrams(&search_fold(&words.join(" ")));
    let mut scored: Vec<(f32, AccountId)> = accounts
        .iter()
        .map(|a| {
            let text = format!(
                "{} {} {} {}",
                a.company_name,
                a.contact_first_name,
                a.contact_last_name,
                a.email.as_str()
            );
            (similarity(&trigrams(&search_fold(&text)), &wanted), a.id)
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let order: std::collections::HashMap<AccountId, usize> = scored
        .iter()
        .enumerate()
        .map(|(i, (_, id))| (*id, i))
        .collect();
    accounts.sort_by_key(|a| order[&a.id]);
}

/// Lower case without accents, like PostgreSQL's `account_search_fold`.
fn search_fold(text: &str) -> String {
    use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};
    text.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// pg_trgm's trigrams: of each run of letters and digits, padded with two spaces
/// before and one after.
fn trigrams(text: &str) -> std::collections::HashSet<[char; 3]> {
    let mut found = std::collections::HashSet::new();
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let padded: Vec<char> = "  ".chars().chain(word.chars()).chain([' ']).collect();
        for t in padded.windows(3) {
            found.insert([t[0], t[1], t[2]]);
        }
    }
    found
}

/// pg_trgm's `similarity`: shared trigrams over all trigrams of both.
fn similarity(
    a: &std::collections::HashSet<[char; 3]>,
    b: &std::collections::HashSet<[char; 3]>,
) -> f32 {
    let shared = a.intersection(b).count();
    let all = a.len() + b.len() - shared;
    if all == 0 {
        0.0
    } else {
        shared as f32 / all as f32
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn similarity_is_pg_trgms() {
        // The figures of PostgreSQL's documentation and of `SELECT similarity(…)`.
        let sim =
            |a: &str, b: &str| similarity(&trigrams(&search_fold(a)), &trigrams(&search_fold(b)));
        assert!((sim("word", "two words") - 4.0 / 11.0).abs() < 1e-6);
        assert!((sim("word", "words") - 4.0 / 7.0).abs() < 1e-6);
        assert_eq!(sim("Hélène", "HELENE"), 1.0);
        assert_eq!(sim("abc", "xyz"), 0.0);
    }

    #[test]
    fn a_word_asks_the_index_for_its_two_rarest_pieces_that_postgresql_folds_alike() {
        let frequencies: TrigramFrequencies =
            [(*b"ill", 900), (*b"lle", 800), (*b"qui", 5), (*b"uin", 40)]
                .into_iter()
                .collect();
        // Unseen pieces are the rarest of all; ties go by the piece.
        assert_eq!(rarest_pieces("Quincaillerie", &frequencies), ["ail", "cai"]);
        // Accents fold to the same letter on both sides; a piece across a hyphen or
        // an apostrophe is not taken (pg_trgm splits words there).
        assert_eq!(rarest_pieces("Hélène-Ève", &frequencies), ["ele", "ene"]);
        assert_eq!(rarest_pieces("Vins d'Angers", &frequencies), ["ang", "ers"]);
        // A short word keeps its whole pattern.
        assert!(rarest_pieces("Fils", &frequencies).is_empty());
        assert!(rarest_pieces("Marie", &frequencies).is_empty());
        // Ligatures and letters without a plain base letter: the whole word instead.
        assert!(rarest_pieces("Œuvres", &frequencies).is_empty());
        assert!(rarest_pieces("Łukasz", &frequencies).is_empty());
    }

    #[test]
    fn folding_drops_case_and_accents() {
        assert_eq!(
            search_fold("Électricité Lefèvre-Ç"),
            "electricite lefevre-c"
        );
    }
}
