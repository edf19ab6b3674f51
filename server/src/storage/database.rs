//! The database: which kind a URL names, the pool, migrations, and transactions. The SQL
//! of each area (accounts, machines, audit, outbox, attempts, support) is written once for
//! SQLite and PostgreSQL (`$1` placeholders, portable SQL) in its own module; where the
//! two differ, it asks the [`Dialect`].

use std::{str::FromStr, sync::Arc, time::Duration};

use sqlx::{
    any::{AnyConnectOptions, AnyPoolOptions},
    Any, AnyPool, Executor as _, Transaction,
};

use super::StorageError;
use crate::secrets::OutboxKey;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Which database a URL names; the few statements that differ between them ask it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// One file, one writer at a time: the embedded default.
    Sqlite,
    /// A database server shared by several service instances.
    Postgres,
}

impl Dialect {
    pub fn of_url(url: &str) -> Result<Self, StorageError> {
        match url.split(':').next().unwrap_or_default() {
            "sqlite" => Ok(Dialect::Sqlite),
            "postgres" | "postgresql" => Ok(Dialect::Postgres),
            _ => Err(StorageError::Unexpected(anyhow::anyhow!(
                "the database URL must start with sqlite:// or postgres://"
            ))),
        }
    }

    fn migrations(self) -> &'static sqlx::migrate::Migrator {
        match self {
            Dialect::Sqlite => &SQLITE_MIGRATIONS,
            Dialect::Postgres => &POSTGRES_MIGRATIONS,
        }
    }
}

/// How long a statement waits for a lock (SQLite's busy timeout, PostgreSQL's lock
/// timeout) before the request is answered "service unavailable, try again".
const LOCK_WAIT: Duration = Duration::from_secs(5);

/// The key of the PostgreSQL advisory lock that write transactions take: one writer at a
/// time across every instance, as SQLite has it, so a check and the write it allows
/// cannot interleave with another instance's.
const WRITE_LOCK: i64 = 0x0061_6363_6f75_6e74; // "account"

#[derive(Clone)]
pub struct Storage {
    pub(super) pool: AnyPool,
    pub(super) dialect: Dialect,
    /// Seals mail bodies on their way into the outbox; without it no mail is written.
    pub(super) outbox_key: Option<Arc<OutboxKey>>,
}

/// One transaction. Dropped without `commit`, it rolls back: nothing half-written.
pub struct Tx {
    pub(super) tx: Transaction<'static, Any>,
    pub(super) dialect: Dialect,
    pub(super) outbox_key: Option<Arc<OutboxKey>>,
}

pub(super) const ACCOUNT_COLUMNS: &str =
    "id, email, company_name, contact_first_name, contact_last_name, \
    phone, siret, address_street, address_postal_code, address_city, address_country, language, \
    password_hash, version, created_at, updated_at";

impl Storage {
    /// Opens the database (creating an SQLite file if needed) and brings its schema up
    /// to date.
    pub async fn connect(url: &str) -> Result<Self, StorageError> {
        let storage = Self::open(url).await?;
        storage.migrate().await?;
        Ok(storage)
    }

    /// Opens the database as it is, without touching its schema.
    pub async fn open(url: &str) -> Result<Self, StorageError> {
        sqlx::any::install_default_drivers();
        let dialect = Dialect::of_url(url)?;
        let url = match dialect {
            // Created if missing, as the embedded default promises.
            Dialect::Sqlite if !url.contains("mode=") => {
                let join = if url.contains('?') { '&' } else { '?' };
                format!("{url}{join}mode=rwc")
            }
            _ => url.to_owned(),
        };
        let options = AnyConnectOptions::from_str(&url).map_err(|err| {
            StorageError::Unexpected(anyhow::anyhow!("invalid database URL: {err}"))
        })?;
        let pool = AnyPoolOptions::new()
            .max_connections(match dialect {
                Dialect::Sqlite => 8,
                Dialect::Postgres => 16,
            })
            .acquire_timeout(LOCK_WAIT)
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    let setup = match dialect {
                        // WAL + NORMAL: durable across an application crash, fast (one
                        // fsync per checkpoint). Foreign keys and the busy timeout are on
                        // by default.
                        Dialect::Sqlite => "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL",
                        Dialect::Postgres => "SET lock_timeout = '5s'",
                    };
                    conn.execute(setup).await?;
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        Ok(Self {
            pool,
            dialect,
            outbox_key: None,
        })
    }

    /// Applies the migrations this database lacks (`account-server migrate`, or at start).
    pub async fn migrate(&self) -> Result<(), StorageError> {
        self.dialect.migrations().run(&self.pool).await?;
        Ok(())
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Mail written through this storage is sealed with `key`.
    pub fn with_outbox_key(mut self, key: Arc<OutboxKey>) -> Self {
        self.outbox_key = Some(key);
        self
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub async fn ping(&self) -> Result<(), StorageError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// A transaction for reading (and the odd write that may lose a race harmlessly).
    pub async fn read(&self) -> Result<Tx, StorageError> {
        Ok(Tx {
            tx: self.pool.begin().await?,
            dialect: self.dialect,
            outbox_key: self.outbox_key.clone(),
        })
    }

    /// A transaction that writes: takes the write lock at once, so it waits its turn
    /// instead of failing half-way when another writer got there first.
    pub async fn write(&self) -> Result<Tx, StorageError> {
        let tx = match self.dialect {
            Dialect::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Dialect::Postgres => {
                let mut tx = self.pool.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(WRITE_LOCK)
                    .execute(&mut *tx)
                    .await?;
                tx
            }
        };
        Ok(Tx {
            tx,
            dialect: self.dialect,
            outbox_key: self.outbox_key.clone(),
        })
    }
}

impl Tx {
    pub async fn commit(self) -> Result<(), StorageError> {
        self.tx.commit().await?;
        Ok(())
    }

    pub async fn rollback(self) -> Result<(), StorageError> {
        self.tx.rollback().await?;
        Ok(())
    }
}
