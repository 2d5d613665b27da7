//! The database: SQLite by default, PostgreSQL by configuration, both through
//! sqlx's `Any` driver with portable SQL (`$1` placeholders, BIGINT Unix
//! seconds, TEXT ids).

use anyhow::Context;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Executor};
use std::str::FromStr;
use std::time::Duration;

pub type Db = AnyPool;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

/// Connects, creating the SQLite file and its folder if needed, then
/// applies the migrations.
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
    let is_sqlite = url.starts_with("sqlite:");
    let pool = AnyPoolOptions::new()
        .max_connections(if is_sqlite { 8 } else { 16 })
        .acquire_timeout(Duration::from_secs(5))
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                if is_sqlite {
                    conn.execute(
                        "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; \
                         PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
                    )
                    .await?;
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await
        .context("connecting to the database")?;
    MIGRATOR
        .run(&pool)
        .await
        .context("applying the migrations")?;
    Ok(pool)
}

/// Whether an error is a violated unique constraint (on either database).
pub fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.is_unique_violation())
}
