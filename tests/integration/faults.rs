//! Part 5, faults: PostgreSQL restarted while people sign up and log in;
//! and no request waits on the database for ever.
//!
//! The test runs a PostgreSQL server of its own (the machine's server
//! binaries, a data folder in the temporary directory, a free port), so that
//! stopping it disturbs no other test. It belongs to the PostgreSQL suite
//! (`TEST_DATABASE=postgres`, `make integration-postgres`).

use crate::helpers::*;
use crate::smtp::free_port;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A PostgreSQL server owned by one test, stopped and deleted on drop.
struct OwnPostgres {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
}

impl OwnPostgres {
    fn start() -> OwnPostgres {
        let bin = server_binaries();
        let dir = std::env::temp_dir().join(format!(
            "sesame-pg-{}",
            sesame::server::tokens::new_id().unwrap()
        ));
        let server = OwnPostgres {
            bin,
            dir,
            port: free_port(),
        };
        server.run(
            "initdb",
            &[
                "-D",
                &server.dir.display().to_string(),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--no-sync",
            ],
        );
        server.ctl("start");
        server
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// `pg_ctl start` or `pg_ctl stop -m fast` (every connection is ended,
    /// transactions in flight are rolled back), waiting until done.
    fn ctl(&self, action: &str) {
        let dir = self.dir.display().to_string();
        let log = self.dir.join("server.log").display().to_string();
        let options = format!("-p {} -k {dir} -c listen_addresses=127.0.0.1", self.port);
        let mut args = vec!["-D", &dir, "-l", &log, "-w", "-o", &options];
        if action == "stop" {
            args.extend(["-m", "fast"]);
        }
        args.push(action);
        self.run("pg_ctl", &args);
    }

    fn run(&self, program: &str, args: &[&str]) {
        let output = as_server_owner(&self.bin.join(program))
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("running {program}: {e}"));
        assert!(
            output.status.success(),
            "{program} {args:?} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        let _ = as_server_owner(&self.bin.join("pg_ctl"))
            .args(["-D", &self.dir.display().to_string(), "-m", "immediate"])
            .arg("stop")
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The newest PostgreSQL server binaries of the machine (Debian keeps them
/// in /usr/lib/postgresql/<version>/bin).
fn server_binaries() -> PathBuf {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("pg_ctl").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin).expect(
        "no PostgreSQL server binaries in /usr/lib/postgresql/*/bin (Debian's postgresql package)",
    )
}

/// PostgreSQL refuses to run as root: as root, run it as `postgres`.
fn as_server_owner(program: &Path) -> Command {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.trim_ascii() == b"0")
        .unwrap_or(false);
    if root {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

/// One request of the traffic and how it ended.
#[derive(Debug)]
struct Outcome {
    kind: &'static str,
    email: String,
    started: Instant,
    finished: Instant,
    status: u16,
    body: String,
    cookie: Option<String>,
}

impl Outcome {
    fn accepted(&self) -> bool {
        matches!((self.kind, self.status), ("signup", 200) | ("login", 303))
    }
}

async fn post(
    client: &reqwest::Client,
    url: String,
    form: &[(String, String)],
    kind: &'static str,
    email: String,
) -> Outcome {
    let started = Instant::now();
    let response = client
        .post(url)
        .form(form)
        .send()
        .await
        .expect("the portal did not answer");
    let status = response.status().as_u16();
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::to_owned);
    let body = response.text().await.unwrap_or_default();
    Outcome {
        kind,
        email,
        started,
        finished: Instant::now(),
        status,
        body,
        cookie,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgresql_restarted_during_traffic_fails_requests_clearly_recovers_alone_and_loses_nothing(
) {
    if std::env::var("TEST_DATABASE").as_deref() != Ok("postgres") {
        return; // The PostgreSQL suite runs it.
    }
    let postgres = OwnPostgres::start();
    let app = spawn_app_on(postgres.url(), |config| {
        config.client_max_attempts = 1_000_000
    })
    .await;
    let member = unique_email();
    app.create_active_account(&member).await;
    // Captcha challenges drawn beforehand: the traffic is the posts.
    let mut challenges = Vec::new();
    for _ in 0..250 {
        challenges.push(app.open_signup().await);
    }
    let challenges = Arc::new(std::sync::Mutex::new(challenges));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let stop = Arc::new(AtomicBool::new(false));

    let mut workers = Vec::new();
    for _ in 0..2 {
        let (client, stop, challenges) = (client.clone(), stop.clone(), challenges.clone());
        let url = format!("{}/inscription", app.address);
        workers.push(tokio::spawn(async move {
            let mut outcomes = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let Some(challenge) = challenges.lock().unwrap().pop() else {
                    break;
                };
                let email = unique_email();
                let mut form = valid_form(&email);
                form.push(("captcha_id".into(), challenge));
                outcomes.push(post(&client, url.clone(), &form, "signup", email).await);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            outcomes
        }));
    }
    for _ in 0..2 {
        let (client, stop, member) = (client.clone(), stop.clone(), member.clone());
        let url = format!("{}/connexion", app.address);
        workers.push(tokio::spawn(async move {
            let form = [
                ("email".to_owned(), member.clone()),
                ("password".to_owned(), PASSWORD.to_owned()),
            ];
            let mut outcomes = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                outcomes.push(post(&client, url.clone(), &form, "login", member.clone()).await);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            outcomes
        }));
    }

    // Longer down than the pool waits for a connection (5 s): requests
    // arriving then must give up with a message, not hang.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let stopped = Instant::now();
    tokio::task::block_in_place(|| postgres.ctl("stop"));
    tokio::time::sleep(Duration::from_secs(7)).await;
    tokio::task::block_in_place(|| postgres.ctl("start"));
    let restarted = Instant::now();
    tokio::time::sleep(Duration::from_secs(3)).await;
    stop.store(true, Ordering::Relaxed);
    let mut outcomes = Vec::new();
    for worker in workers {
        outcomes.extend(worker.await.unwrap());
    }

    // Every request was either accepted or refused with the translated
    // message and a reference; none hung longer than the pool's wait.
    for outcome in &outcomes {
        assert!(
            outcome.accepted()
                || (outcome.status == 503 && outcome.body.contains("Référence de l")),
            "{} answered {}: {}",
            outcome.kind,
            outcome.status,
            outcome.body
        );
        assert!(
            outcome.finished - outcome.started < Duration::from_secs(10),
            "a {} waited {:?}",
            outcome.kind,
            outcome.finished - outcome.started
        );
    }
    let refused = outcomes.iter().filter(|o| !o.accepted()).count();
    assert!(refused > 0, "no request met the stopped server");
    let before: fn(&Outcome, Instant) -> bool = |o, t| o.finished < t;
    let after: fn(&Outcome, Instant) -> bool = |o, t| o.started > t;
    for (kind, moment, when) in [("before", stopped, before), ("after", restarted, after)] {
        for traffic in ["signup", "login"] {
            assert!(
                outcomes
                    .iter()
                    .any(|o| o.kind == traffic && o.accepted() && when(o, moment)),
                "no {traffic} was accepted {kind} the restart: the portal did not recover by itself"
            );
        }
    }

    // Nothing accepted is lost: each signup has its account and activation
    // email, each login's pending login still opens its second step.
    for outcome in outcomes.iter().filter(|o| o.accepted()) {
        if outcome.kind == "signup" {
            let (accounts, emails): (i64, i64) = sqlx::query_as(
                "SELECT (SELECT COUNT(*) FROM accounts WHERE login_email = $1), \
                 (SELECT COUNT(*) FROM outbox WHERE recipient = $1 AND kind = 'activation')",
            )
            .bind(&outcome.email)
            .fetch_one(&app.state.db)
            .await
            .unwrap();
            assert_eq!((accounts, emails), (1, 1), "{} was lost", outcome.email);
        } else {
            // A password step accepted left its pending login, which opens
            // the second step.
            let cookie = outcome
                .cookie
                .as_deref()
                .expect("a login without a pending login");
            assert_eq!(app.get_as("/verification", cookie).await.status, 200);
        }
    }
    // And nothing refused was half stored.
    let orphans: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM accounts a WHERE NOT EXISTS \
         (SELECT 1 FROM outbox o WHERE o.recipient = a.login_email AND o.kind = 'activation')",
    )
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    assert_eq!(
        orphans, 0,
        "an account was stored without its activation email"
    );
    println!(
        "PostgreSQL down {:?}: {} requests, {} accepted, {refused} refused with a message",
        restarted - stopped,
        outcomes.len(),
        outcomes.len() - refused
    );
}

/// A request never waits on a lock for ever: the pool's PostgreSQL
/// connections give up after 10 s and end a transaction left idle for 60 s
/// (`server::db`); SQLite's connections wait 5 000 ms for a writer. A wait
/// that long fails with a reference instead of hanging.
#[tokio::test]
async fn the_pools_connections_give_up_on_a_lock_instead_of_waiting_for_ever() {
    let app = spawn_app().await;
    if app.on_postgres() {
        let (lock, idle): (String, String) = sqlx::query_as(
            "SELECT current_setting('lock_timeout'), \
             current_setting('idle_in_transaction_session_timeout')",
        )
        .fetch_one(&app.state.db)
        .await
        .unwrap();
        assert_eq!((lock.as_str(), idle.as_str()), ("10s", "1min"));
    } else {
        let (busy,): (i64,) = sqlx::query_as("PRAGMA busy_timeout")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
        assert_eq!(busy, 5000);
    }
}
