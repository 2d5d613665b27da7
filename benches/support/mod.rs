//! What `make bench` and `make load` share: the release server started as a
//! child process, accounts seeded with the production hash, `oha` runs, and
//! the server's memory read from /proc.

#![allow(dead_code)] // Each program uses its own part.

use anyhow::{bail, Context};
use sesame::server::password::HashCost;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

pub const PASSWORD: &str = "Vanille-Fraise-2026";

/// The release server on `port`, logging to `work/server.log`.
pub struct Server {
    pub child: Child,
    pub port: u16,
    pub work: std::path::PathBuf,
    pub database_url: String,
    /// Where its browser files are (`LEPTOS_SITE_ROOT`).
    pub site_root: std::path::PathBuf,
}

/// A release build to start: the server binary (with cargo-leptos's
/// `hash.txt` beside it) and the site it serves.
pub struct Build {
    /// The server's executable; cargo-leptos's `hash.txt` is beside it.
    pub binary: std::path::PathBuf,
    /// The folder it serves the browser's files from (`LEPTOS_SITE_ROOT`).
    pub site_root: std::path::PathBuf,
}

impl Build {
    /// This checkout's: `SESAME_BIN` and `target/site`.
    pub fn current() -> anyhow::Result<Build> {
        let binary = std::env::var("SESAME_BIN").context("SESAME_BIN: the release server")?;
        Ok(Build {
            binary: binary.into(),
            site_root: "target/site".into(),
        })
    }

    /// An older commit's, as `make baseline` leaves it in `dir`: `dir/sesame`
    /// (with `dir/hash.txt`) and `dir/site`.
    pub fn baseline(dir: &std::path::Path) -> anyhow::Result<Build> {
        let build = Build {
            binary: dir.join("sesame"),
            site_root: dir.join("site"),
        };
        if !build.binary.exists() || !build.site_root.exists() {
            bail!(
                "{} holds no baseline build: run `make baseline` first",
                dir.display()
            );
        }
        Ok(build)
    }
}

impl Server {
    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Starts `SESAME_BIN` on SQLite in a new folder, or on a new PostgreSQL
    /// database `name` when `postgres`; `extra` adds settings.
    pub async fn start(
        name: &str,
        port: u16,
        postgres: bool,
        extra: &[(&str, &str)],
    ) -> anyhow::Result<Server> {
        Server::start_build(&Build::current()?, name, port, postgres, extra).await
    }

    /// Starts `build` as [`Server::start`] does.
    pub async fn start_build(
        build: &Build,
        name: &str,
        port: u16,
        postgres: bool,
        extra: &[(&str, &str)],
    ) -> anyhow::Result<Server> {
        let binary = &build.binary;
        let work = std::env::temp_dir().join(format!("sesame-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&work)?;
        let database_url = if postgres {
            let admin = std::env::var("BENCH_POSTGRES_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
            recreate_postgres(&admin, name).await?;
            let mut url = url::Url::parse(&admin)?;
            url.set_path(name);
            url.to_string()
        } else {
            format!("sqlite:{}", work.join(format!("{name}.db")).display())
        };
        let child = Command::new(binary)
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("LEPTOS_SITE_ROOT", &build.site_root)
            .env("LEPTOS_OUTPUT_NAME", "sesame")
            .env("SESAME_DATABASE_URL", &database_url)
            .env("SESAME_SECRET_KEY_FILE", work.join("secret.key"))
            // Every request comes from 127.0.0.1: the per-client guard
            // would (rightly) refuse most of them.
            .env("SESAME_CLIENT_MAX_ATTEMPTS", "100000000")
            .env("RUST_LOG", "warn")
            .envs(extra.iter().copied())
            .stdout(std::fs::File::create(work.join("server.log"))?)
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        Ok(Server {
            child,
            port,
            work,
            database_url,
            site_root: build.site_root.clone(),
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits for the first answer of the home page.
    pub async fn wait_until_up(&mut self, client: &reqwest::Client) -> anyhow::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(response) = client.get(self.base()).send().await {
                if response.status().is_success() {
                    return Ok(());
                }
            }
            if let Some(status) = self.child.try_wait()? {
                bail!("the server stopped: {status}");
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        bail!("the server did not answer within 30 s")
    }

    /// Waits until the server has written the compressed copies of the
    /// browser's files (it does so at start-up, on the CPU the figures
    /// need), so that no measure shares the machine with brotli.
    pub async fn wait_for_precompressed(&self) -> anyhow::Result<()> {
        let pkg = self.site_root.join("pkg");
        let deadline = Instant::now() + Duration::from_secs(120);
        let fresh = |path: &std::path::Path, suffix: &str| -> bool {
            let copy = std::path::PathBuf::from(format!("{}.{suffix}", path.display()));
            let modified = |p: &std::path::Path| std::fs::metadata(p).and_then(|m| m.modified());
            matches!((modified(path), modified(&copy)), (Ok(original), Ok(at)) if at >= original)
        };
        while Instant::now() < deadline {
            let done = std::fs::read_dir(&pkg)
                .with_context(|| format!("reading {}", pkg.display()))?
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|path| {
                    path.extension()
                        .and_then(|e| e.to_str())
                        .is_some_and(|e| matches!(e, "wasm" | "js" | "css"))
                })
                .all(|path| fresh(&path, "br") && fresh(&path, "gz"));
            if done {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("the server did not write the compressed files within 120 s")
    }

    /// Stops the server; returns the error lines it logged.
    pub fn stop(mut self) -> Vec<String> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let log = std::fs::read_to_string(self.work.join("server.log")).unwrap_or_default();
        let _ = std::fs::remove_dir_all(&self.work);
        log.lines()
            .filter(|l| l.contains("ERROR"))
            .map(|l| l.chars().take(300).collect())
            .collect()
    }

    /// The processor time the server has used since it started, user and
    /// system, all its threads (those that ended too), in seconds, from
    /// `/proc/<pid>/stat`, in clock ticks of `getconf CLK_TCK` (usually
    /// 10 ms). Errors: /proc or getconf cannot be read.
    pub fn cpu_seconds(&self) -> anyhow::Result<f64> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid()))?;
        // The fields after the command's name, which is in parentheses and
        // may hold spaces: state is the 3rd field, utime the 14th, stime the
        // 15th (proc(5)).
        let after_name = stat.rsplit_once(')').context("/proc stat")?.1;
        let fields: Vec<&str> = after_name.split_whitespace().collect();
        let ticks = |index: usize| -> anyhow::Result<f64> {
            Ok(fields
                .get(index - 3)
                .context("/proc stat")?
                .parse::<f64>()?)
        };
        Ok((ticks(14)? + ticks(15)?) / clock_ticks()?)
    }

    /// A kind of memory of the server from /proc (`VmRSS`, `VmHWM`), in KiB.
    pub fn memory_kib(&self, field: &str) -> anyhow::Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))?;
        status
            .lines()
            .find(|l| l.starts_with(field))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .with_context(|| format!("{field} of the server"))
    }
}

async fn recreate_postgres(admin: &str, name: &str) -> anyhow::Result<()> {
    use sqlx::{Connection, Executor};
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(admin).await?;
    conn.execute(format!("DROP DATABASE IF EXISTS {name}").as_str())
        .await?;
    conn.execute(format!("CREATE DATABASE {name}").as_str())
        .await?;
    Ok(())
}

/// Clock ticks a second, as `/proc/<pid>/stat` counts processor time.
fn clock_ticks() -> anyhow::Result<f64> {
    static TICKS: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    if let Some(ticks) = TICKS.get() {
        return Ok(*ticks);
    }
    let output = Command::new("getconf").arg("CLK_TCK").output()?;
    let ticks: f64 = String::from_utf8_lossy(&output.stdout).trim().parse()?;
    Ok(*TICKS.get_or_init(|| ticks))
}

pub fn cores() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

pub fn memory_total() -> String {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .next()
                .map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_owned())
        })
        .and_then(|kib| kib.parse::<u64>().ok())
        .map(|kib| format!("{:.0} GiB of memory", kib as f64 / 1024.0 / 1024.0))
        .unwrap_or_default()
}

/// `count` accounts `{prefix}{i}@menuiserie.fr` in `state` with `PASSWORD`
/// (also their secret answer), hashed with the production parameters.
pub async fn seed_accounts(
    pool: &sesame::server::db::Db,
    prefix: &str,
    count: usize,
    state: &str,
) -> anyhow::Result<Vec<String>> {
    let hasher = sesame::server::password::Hasher::new(HashCost::OWASP)?;
    let hash = hasher.hash(PASSWORD).await?;
    let mut emails = Vec::new();
    for i in 0..count {
        let email = format!("{prefix}{i}@menuiserie.fr");
        sqlx::query(
            "INSERT INTO accounts (id, login_email, last_name, first_name, address, postal_code, city, \
             country, language, state, created_at, password_hash, secret_question, secret_answer_hash) \
             VALUES ($1, $2, 'Dupont', 'Paul', '12 rue des Lilas', '42000', 'Saint-Étienne', 'FR', 'fr', \
             $3, 0, $4, 'Nom de mon premier chien ?', $4)",
        )
        .bind(format!("{prefix}-{i}"))
        .bind(&email)
        .bind(state)
        .bind(&hash)
        .execute(pool)
        .await?;
        emails.push(email);
    }
    Ok(emails)
}

/// Logs in through both steps and returns the session cookie: the
/// password, then the code emailed to `email`, read from `server`'s outbox
/// ([`emailed_code`]). An older build (the baseline) answers the password
/// with the session itself.
pub async fn session_cookie(
    client: &reqwest::Client,
    server: &Server,
    email: &str,
) -> anyhow::Result<String> {
    let base = server.base();
    let cookie = password_step(client, &base, email).await?;
    if cookie.starts_with("sesame_session=") {
        return Ok(cookie);
    }
    let code = emailed_code(server, email).await?;
    second_step(client, &base, &cookie, &code).await
}

/// The password step: the pending login's cookie (`name=value`), or an
/// older build's session cookie.
pub async fn password_step(
    client: &reqwest::Client,
    base: &str,
    email: &str,
) -> anyhow::Result<String> {
    let response = client
        .post(format!("{base}/connexion"))
        .form(&[("email", email), ("password", PASSWORD)])
        .send()
        .await?;
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .context("no cookie after the password")?;
    Ok(cookie.to_owned())
}

/// The second step with an emailed `code`: the session cookie.
pub async fn second_step(
    client: &reqwest::Client,
    base: &str,
    pending: &str,
    code: &str,
) -> anyhow::Result<String> {
    let response = client
        .post(format!("{base}/verification"))
        .header("cookie", pending)
        .form(&[("method", "email"), ("code", code), ("intent", "verify")])
        .send()
        .await?;
    let status = response.status();
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .find(|v| v.starts_with("sesame_session="))
        .map(str::to_owned);
    cookie.with_context(|| format!("no session after the second step ({status})"))
}

/// The newest second-step code emailed to `email`, read from `server`'s
/// outbox, its body opened with the server's key; waits up to 10 s.
pub async fn emailed_code(server: &Server, email: &str) -> anyhow::Result<String> {
    let key = sesame::server::secret_key::SecretKey::from_file(&server.work.join("secret.key"))
        .map_err(|e| anyhow::anyhow!("the server's key: {e}"))?;
    let pool = sqlx::AnyPool::connect(&server.database_url).await?;
    for _ in 0..200 {
        let row: Option<(String, String)> = sqlx::query_as(
            "SELECT id, text_body FROM outbox WHERE recipient = $1 AND kind = 'second_step_code' \
             ORDER BY created_at DESC, id LIMIT 1",
        )
        .bind(email)
        .fetch_optional(&pool)
        .await?;
        if let Some((id, body)) = row {
            let text = sesame::server::sealed::open(&key, &id, &body)?;
            return code_in(&text).with_context(|| format!("no code in: {text}"));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!("no code reached {email}")
}

/// The first run of exactly six digits in an email's text.
fn code_in(text: &str) -> Option<String> {
    text.split(|c: char| !c.is_ascii_digit())
        .find(|run| run.len() == 6)
        .map(str::to_owned)
}

/// What `oha` measured.
pub struct Run {
    pub rps: f64,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub statuses: String,
    /// Answers other than 2xx and 3xx, and requests that got no answer.
    pub failures: u64,
    /// Every answer, whatever its status.
    pub answers: u64,
}

/// Runs `oha` (from crates.io) and reads its JSON summary.
pub fn oha(args: &[&str]) -> anyhow::Result<Run> {
    let output = Command::new("oha")
        .args(["--no-tui", "--output-format", "json"])
        .args(args)
        .output()
        .context("running oha (make bench and make load install it)")?;
    if !output.status.success() {
        bail!("oha failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).context("oha's JSON")?;
    let percentile = |p: &str| json["latencyPercentiles"][p].as_f64().unwrap_or(f64::NAN);
    let codes = json["statusCodeDistribution"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let errors = json["errorDistribution"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let count = |n: &serde_json::Value| n.as_u64().unwrap_or(0);
    let failures = codes
        .iter()
        .filter(|(code, _)| !(code.starts_with('2') || code.starts_with('3')))
        .map(|(_, n)| count(n))
        .sum::<u64>()
        + errors.values().map(count).sum::<u64>();
    let mut statuses: Vec<String> = codes
        .iter()
        .map(|(code, n)| format!("{} × {code}", count(n)))
        .collect();
    statuses.extend(
        errors
            .iter()
            .map(|(error, n)| format!("{} × error: {error}", count(n))),
    );
    Ok(Run {
        rps: json["summary"]["requestsPerSec"]
            .as_f64()
            .unwrap_or(f64::NAN),
        p50: percentile("p50"),
        p95: percentile("p95"),
        p99: percentile("p99"),
        statuses: statuses.join(", "),
        failures,
        answers: codes.values().map(count).sum(),
    })
}

/// The home page (2 connections, 10 s) while 200 connections post logins
/// of `email` with the right password; returns (home, logins). Requests in
/// flight at the end are waited for, not counted as failures.
pub fn home_during_login_flood(base: &str, email: &str) -> anyhow::Result<(Run, Run)> {
    let flood_body = format!("email={email}&password={PASSWORD}");
    let flood_url = format!("{base}/connexion");
    let flood = std::thread::spawn(move || {
        oha(&[
            "-z",
            "14s",
            "-w",
            "-c",
            "200",
            "-m",
            "POST",
            "-T",
            "application/x-www-form-urlencoded",
            "-d",
            &flood_body,
            &flood_url,
        ])
    });
    std::thread::sleep(Duration::from_secs(2));
    let home = oha(&["-z", "10s", "-w", "-c", "2", &format!("{base}/")])?;
    let flood = flood
        .join()
        .map_err(|_| anyhow::anyhow!("the login flood panicked"))??;
    Ok((home, flood))
}

/// Prints the table of a `home_during_login_flood` run; the caller may add
/// rows.
pub fn print_flood(home: &Run, flood: &Run) {
    println!("\n## The home page while 200 logins are in flight\n");
    println!("| figure | value |");
    println!("|---|---:|");
    println!(
        "| home page p50 / p95 / p99 | {:.1} / {:.1} / {:.1} ms |",
        home.p50 * 1e3,
        home.p95 * 1e3,
        home.p99 * 1e3
    );
    println!("| home page answers | {} |", home.statuses);
    println!(
        "| logins during the flood | {:.1}/s, {} |",
        flood.rps, flood.statuses
    );
}

/// Samples a process's resident memory every 20 ms; `peak` gives the
/// highest since the previous call, so each phase of a run has its own.
pub struct MemoryWatch {
    peak_kib: std::sync::Arc<std::sync::atomic::AtomicU64>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl MemoryWatch {
    pub fn start(pid: u32) -> MemoryWatch {
        use std::sync::atomic::Ordering;
        let peak_kib = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (peak, halt) = (peak_kib.clone(), stop.clone());
        std::thread::spawn(move || {
            let path = format!("/proc/{pid}/status");
            while !halt.load(Ordering::Relaxed) {
                let rss = std::fs::read_to_string(&path).ok().and_then(|status| {
                    status
                        .lines()
                        .find(|l| l.starts_with("VmRSS"))
                        .and_then(|l| l.split_whitespace().nth(1))
                        .and_then(|v| v.parse::<u64>().ok())
                });
                if let Some(rss) = rss {
                    peak.fetch_max(rss, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        });
        MemoryWatch { peak_kib, stop }
    }

    /// The highest resident memory seen since the last call, in MB.
    pub fn peak_mb(&self) -> f64 {
        self.peak_kib.swap(0, std::sync::atomic::Ordering::Relaxed) as f64 / 1024.0
    }
}

impl Drop for MemoryWatch {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}
