//! The database: SQLite by default, PostgreSQL by configuration, both through
//! sqlx's `Any` driver with portable SQL (`$1` placeholders, BIGINT Unix
//! seconds, TEXT ids).

use anyhow::Context;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Connection, Executor};
use std::str::FromStr;
use std::time::Duration;

pub type Db = AnyPool;

/// Every migration of `migrations/`. Most are portable SQL; a file whose
/// name ends in `_sqlite` or `_postgres` runs on that backend only (see
/// [`migrations_for`]).
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

/// The two databases Sésame runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// From a `SESAME_DATABASE_URL` (`sqlite:…`, `postgres://…`).
    pub fn of_url(url: &str) -> Backend {
        if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        }
    }

    /// The last word of the migrations written for this backend only.
    fn other_suffix(self) -> &'static str {
        match self {
            Backend::Sqlite => " postgres",
            Backend::Postgres => " sqlite",
        }
    }
}

/// The migrations to run on `backend`: the portable ones and its own, in
/// version order. The one place where the two schemas may differ: what
/// SQLite cannot express as PostgreSQL does (adding a `CHECK` to an existing
/// table) is written once for each.
pub fn migrations_for(backend: Backend) -> Vec<sqlx::migrate::Migration> {
    MIGRATOR
        .iter()
        .filter(|m| !m.description.ends_with(backend.other_suffix()))
        .cloned()
        .collect()
}

/// A fixed list of migrations, as sqlx's migrator takes them.
#[derive(Debug)]
struct Migrations(Vec<sqlx::migrate::Migration>);

impl sqlx::migrate::MigrationSource<'static> for Migrations {
    fn resolve(
        self,
    ) -> std::pin::Pin<
        Box<
            dyn std::future::Future<
                    Output = Result<
                        Vec<sqlx::migrate::Migration>,
                        Box<dyn std::error::Error + Send + Sync>,
                    >,
                > + Send,
        >,
    > {
        Box::pin(async move { Ok(self.0) })
    }
}

/// Each SQLite connection's settings: write-ahead log, foreign keys, and a
/// writer waits up to 5 000 ms for another one instead of failing at once.
const SQLITE_SESSION: &str = "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; \
     PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;";

/// Each PostgreSQL connection's limits, so that a request cannot wait on
/// the database for ever: it fails with a reference instead (OWASP Denial
/// of Service Cheat Sheet, "set timeouts"). PostgreSQL waits for ever by
/// default.
/// - `lock_timeout`: any lock waited for more than 10 s (SQLite's
///   `busy_timeout` plays this part there).
/// - `idle_in_transaction_session_timeout`: a transaction left open and idle
///   for 60 s is ended by the server, which releases its locks. This bounds
///   the damage of a transaction leaked while the pool is quiet (sqlx
///   issue 4393, a request cancelled during `BEGIN`, fixed after 0.8.6); on
///   a busy pool the next statements would run inside it until then.
///
/// No `statement_timeout`: housekeeping's deletes may take long after an
/// outage, and a limit would roll them back on every pass. Migrations run
/// before the pool, on a connection without these limits, so that a second
/// instance waits for the first one's migrations however long they take.
const POSTGRES_SESSION: &str =
    "SET lock_timeout = '10s'; SET idle_in_transaction_session_timeout = '60s';";

/// Creates the SQLite file and its folder if needed, applies the
/// migrations ([`migrate`]), then opens the pool, each of whose
/// connections gets [`SQLITE_SESSION`] or [`POSTGRES_SESSION`].
pub async fn connect(database_url: &str) -> anyhow::Result<Db> {
    sqlx::any::install_default_drivers();
    let url = if let Some(path) = database_url.strip_prefix("sqlite:") {
        let file = path
            .trim_start_matches("//")
            .split('?')
            .next()
            .unwrap_or_default();
        if !file.is_empty() && !file.starts_with(':') {
            if let Some(parent) = std::path::Path::new(file).parent() {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("creating the folder of {file}"))?;
            }
        }
        if database_url.contains("mode=") {
            database_url.to_owned()
        } else if database_url.contains('?') {
            format!("{database_url}&mode=rwc")
        } else {
            format!("{database_url}?mode=rwc")
        }
    } else {
        database_url.to_owned()
    };
    let options = AnyConnectOptions::from_str(&url)
        .context("parsing SESAME_DATABASE_URL")?
        .log_statements(tracing::log::LevelFilter::Trace);
    let backend = Backend::of_url(&url);
    let is_sqlite = backend == Backend::Sqlite;
    migrate(&options, backend).await?;
    let pool = AnyPoolOptions::new()
        .max_connections(if is_sqlite { 8 } else { 16 })
        .acquire_timeout(Duration::from_secs(5))
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                conn.execute(if is_sqlite {
                    SQLITE_SESSION
                } else {
                    POSTGRES_SESSION
                })
                .await?;
                Ok(())
            })
        })
        .connect_with(options)
        .await
        .context("connecting to the database")?;
    Ok(pool)
}

/// Applies the migrations on a connection of their own, without the pool's
/// time limits ([`POSTGRES_SESSION`]); on SQLite with the same settings as
/// the pool's connections.
async fn migrate(options: &AnyConnectOptions, backend: Backend) -> anyhow::Result<()> {
    let mut conn = sqlx::AnyConnection::connect_with(options)
        .await
        .context("connecting to the database")?;
    if backend == Backend::Sqlite {
        conn.execute(SQLITE_SESSION)
            .await
            .context("setting up SQLite")?;
    }
    sqlx::migrate::Migrator::new(Migrations(migrations_for(backend)))
        .await
        .context("listing the migrations")?
        .run_direct(&mut conn)
        .await
        .context("applying the migrations")?;
    conn.close()
        .await
        .context("closing the migrations' connection")
}

/// Whether an error is a violated unique constraint (on either database).
pub fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// Takes the account's row lock until the caller's transaction ends: a
/// no-op write. Every change that spans an account's rows takes it first
/// (its links, its second factors, its sessions ended), so two such
/// changes of one account run one after the other. As a transaction's first statement it also makes SQLite
/// take its write lock at once, waiting its turn, instead of upgrading a
/// read later, which fails at once ("database is locked") when another
/// connection (the outbox worker, say) wrote in between.
pub async fn lock_account(conn: &mut sqlx::AnyConnection, account_id: &str) -> anyhow::Result<()> {
    sqlx::query("UPDATE accounts SET created_at = created_at WHERE id = $1")
        .bind(account_id)
        .execute(&mut *conn)
        .await
        .context("locking the account")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_backend_runs_the_portable_migrations_and_only_its_own() {
        let sqlite = migrations_for(Backend::Sqlite);
        let postgres = migrations_for(Backend::Postgres);
        let described = |list: &[sqlx::migrate::Migration], word: &str| {
            list.iter().any(|m| m.description.ends_with(word))
        };
        assert!(described(&sqlite, " sqlite") && !described(&sqlite, " postgres"));
        assert!(described(&postgres, " postgres") && !described(&postgres, " sqlite"));
        assert_eq!(sqlite.len(), postgres.len());
        assert!(sqlite.windows(2).all(|w| w[0].version < w[1].version));
    }
}
