//! `make bench`: starts the real release server (SQLite, or PostgreSQL with
//! `--postgres`), drives it with `oha`, and prints one table of figures:
//! what a browser downloads per page, the argon2 limit of this machine and
//! the login throughput against it, page rates and latencies, the home page
//! while 200 logins are in flight, memory, start-up time.
//!
//! Figures, not verdicts: BENCHMARKS.md records a run and compares it with
//! the targets of issue 7.

use anyhow::{bail, Context};
use argon2::{Algorithm, Argon2, Params, PasswordHasher, Version};
use sesame::server::password::HashCost;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

const PORT: u16 = 3300;
const PASSWORD: &str = "Vanille-Fraise-2026";
const PAGES: &[&str] = &[
    "/",
    "/inscription",
    "/mot-de-passe-oublie",
    "/activation-renvoyer",
];

fn base() -> String {
    format!("http://127.0.0.1:{PORT}")
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let postgres = std::env::args().any(|a| a == "--postgres");
    let binary = std::env::var("SESAME_BIN").context("SESAME_BIN: the release server")?;
    let work = std::env::temp_dir().join(format!("sesame-bench-{}", std::process::id()));
    std::fs::create_dir_all(&work)?;
    let database_url = if postgres {
        let admin = std::env::var("BENCH_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
        recreate_postgres(&admin, "sesame_bench").await?;
        let mut url = url::Url::parse(&admin)?;
        url.set_path("sesame_bench");
        url.to_string()
    } else {
        format!("sqlite:{}", work.join("bench.db").display())
    };

    // Start-up: from spawning the process to the first answered request.
    let started = Instant::now();
    let mut server = start_server(&binary, &database_url, &work)?;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    wait_until_up(&client, &mut server).await?;
    let startup = started.elapsed();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle_kib = memory_kib(server.id(), "VmRSS")?;

    let result = run(&client, &database_url, server.id(), startup, idle_kib).await;
    let _ = server.kill();
    let _ = server.wait();
    let log = std::fs::read_to_string(work.join("server.log")).unwrap_or_default();
    let errors: Vec<&str> = log.lines().filter(|l| l.contains("ERROR")).collect();
    println!("\nserver errors logged: {}", errors.len());
    for line in errors.iter().take(5) {
        println!("    {}", line.chars().take(300).collect::<String>());
    }
    let _ = std::fs::remove_dir_all(&work);
    result
}

async fn run(
    client: &reqwest::Client,
    database_url: &str,
    pid: u32,
    startup: Duration,
    idle_kib: u64,
) -> anyhow::Result<()> {
    println!(
        "\n# Sésame benchmark — {}",
        if database_url.starts_with("postgres") {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    println!("machine: {} cores, {}", cores(), memory_total());

    // 2. The argon2 limit of this machine, then logins against it.
    let limit = argon2_limit(Duration::from_secs(6));
    let pool = sesame::server::db::connect(database_url).await?;
    let accounts = seed_accounts(&pool, 20).await?;
    let login_body = format!("email={}&password={PASSWORD}", accounts[0]);
    let logins = oha(&[
        "-z",
        "12s",
        "-c",
        "16",
        "-m",
        "POST",
        "-T",
        "application/x-www-form-urlencoded",
        "-d",
        &login_body,
        &format!("{}/connexion", base()),
    ])?;
    println!("\n## Password hashing (argon2id, m=19456 KiB, t=2, p=1)\n");
    println!("| figure | value |");
    println!("|---|---:|");
    println!(
        "| argon2 limit, all {} cores in a tight loop | {:.1} hashes/s |",
        cores(),
        limit
    );
    println!(
        "| login throughput (16 connections, right password) | {:.1} logins/s |",
        logins.rps
    );
    println!("| ratio | {:.0} % |", 100.0 * logins.rps / limit);
    println!("| login answers | {} |", logins.statuses);

    // 3. Pages, with a session cookie present.
    let cookie = session_cookie(client, &accounts[1]).await?;
    println!("\n## Pages (16 connections, 10 s each, session cookie present)\n");
    println!("| page | requests/s | p50 | p99 | answers |");
    println!("|---|---:|---:|---:|---|");
    for page in ["/", "/inscription", "/mot-de-passe-oublie"] {
        let run = oha(&[
            "-z",
            "10s",
            "-c",
            "16",
            "-H",
            &format!("cookie: {cookie}"),
            &format!("{}{page}", base()),
        ])?;
        println!(
            "| `{page}` | {:.0} | {:.1} ms | {:.1} ms | {} |",
            run.rps,
            run.p50 * 1e3,
            run.p99 * 1e3,
            run.statuses
        );
    }

    // 4. The home page while 200 logins are in flight.
    let flood_body = format!("email={}&password={PASSWORD}", accounts[2]);
    let flood_url = format!("{}/connexion", base());
    let flood = std::thread::spawn(move || {
        oha(&[
            "-z",
            "14s",
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
    let home = oha(&["-z", "10s", "-c", "2", &format!("{}/", base())])?;
    let flood = flood
        .join()
        .map_err(|_| anyhow::anyhow!("the login flood panicked"))??;
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

    // What a browser downloads, once the server has written its
    // precompressed copies (it starts doing so at start-up).
    println!("\n## First load of each page (HTML + JavaScript + Wasm + CSS, bytes on the wire)\n");
    println!("| page | raw | gzip | brotli | of which Wasm (brotli) |");
    println!("|---|---:|---:|---:|---:|");
    for page in PAGES {
        let sizes = page_weight(client, page).await?;
        println!(
            "| `{page}` | {} | {} | {} | {} |",
            kb(sizes.raw),
            kb(sizes.gzip),
            kb(sizes.brotli),
            kb(sizes.wasm_brotli)
        );
    }

    println!("\n## Memory and start-up\n");
    println!("| figure | value |");
    println!("|---|---:|");
    println!(
        "| start-up to first answer (migrations included) | {} ms |",
        startup.as_millis()
    );
    println!("| idle memory (RSS) | {:.1} MB |", idle_kib as f64 / 1024.0);
    println!(
        "| peak memory (VmHWM) | {:.1} MB |",
        memory_kib(pid, "VmHWM")? as f64 / 1024.0
    );
    Ok(())
}

fn start_server(binary: &str, database_url: &str, work: &std::path::Path) -> anyhow::Result<Child> {
    Command::new(binary)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{PORT}"))
        .env("LEPTOS_SITE_ROOT", "target/site")
        .env("LEPTOS_OUTPUT_NAME", "sesame")
        .env("SESAME_DATABASE_URL", database_url)
        .env("SESAME_SECRET_KEY_FILE", work.join("secret.key"))
        // The same account logs in from many connections at once: the
        // per-client and per-address guards would (rightly) refuse most.
        .env("SESAME_CLIENT_MAX_ATTEMPTS", "100000000")
        .env("SESAME_LOGIN_MAX_FAILURES", "100000")
        .env("RUST_LOG", "warn")
        .stdout(std::fs::File::create(work.join("server.log"))?)
        .spawn()
        .with_context(|| format!("starting {binary}"))
}

async fn wait_until_up(client: &reqwest::Client, server: &mut Child) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(response) = client.get(base()).send().await {
            if response.status().is_success() {
                return Ok(());
            }
        }
        if let Some(status) = server.try_wait()? {
            bail!("the server stopped: {status}");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    bail!("the server did not answer within 30 s")
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

struct Weight {
    raw: usize,
    gzip: usize,
    brotli: usize,
    wasm_brotli: usize,
}

/// The page and every file it makes the browser fetch, as transferred.
async fn page_weight(client: &reqwest::Client, page: &str) -> anyhow::Result<Weight> {
    let html = client
        .get(format!("{}{page}", base()))
        .send()
        .await?
        .text()
        .await?;
    let mut urls = vec![page.to_owned()];
    for marker in ["href=\"/pkg/", "src=\"/pkg/"] {
        for piece in html.split(marker).skip(1) {
            if let Some(end) = piece.find('"') {
                urls.push(format!("/pkg/{}", &piece[..end]));
            }
        }
    }
    // The hydration script imports the JavaScript and Wasm by name.
    for piece in html.split("/pkg/").skip(1) {
        let name: String = piece
            .chars()
            .take_while(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'))
            .collect();
        if name.ends_with(".js") || name.ends_with(".wasm") {
            urls.push(format!("/pkg/{name}"));
        }
    }
    urls.sort();
    urls.dedup();
    let mut weight = Weight {
        raw: 0,
        gzip: 0,
        brotli: 0,
        wasm_brotli: 0,
    };
    for url in urls {
        let fetch = |encoding: &'static str| {
            let request = client
                .get(format!("{}{url}", base()))
                .header("accept-encoding", encoding);
            async move { anyhow::Ok(request.send().await?.bytes().await?.len()) }
        };
        weight.raw += fetch("identity").await?;
        weight.gzip += fetch("gzip").await?;
        let brotli = fetch("br").await?;
        weight.brotli += brotli;
        if url.ends_with(".wasm") {
            weight.wasm_brotli += brotli;
        }
    }
    Ok(weight)
}

fn kb(bytes: usize) -> String {
    format!("{:.1} KB", bytes as f64 / 1000.0)
}

/// Hashes per second with the production parameters on every core.
fn argon2_limit(duration: Duration) -> f64 {
    let cost = HashCost::OWASP;
    let threads = cores();
    let started = Instant::now();
    let total: usize = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|i| {
                scope.spawn(move || {
                    let params =
                        Params::new(cost.memory_kib, cost.iterations, cost.parallelism, None)
                            .expect("OWASP parameters");
                    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
                    let salt = argon2::password_hash::SaltString::encode_b64(&[i as u8; 16])
                        .expect("salt");
                    let mut count = 0;
                    while started.elapsed() < duration {
                        let _ = argon.hash_password(PASSWORD.as_bytes(), &salt);
                        count += 1;
                    }
                    count
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap_or(0)).sum()
    });
    total as f64 / started.elapsed().as_secs_f64()
}

fn cores() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

fn memory_total() -> String {
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

fn memory_kib(pid: u32, field: &str) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .with_context(|| format!("{field} of the server"))
}

/// Active accounts with `PASSWORD`, hashed with the production parameters.
async fn seed_accounts(pool: &sesame::server::db::Db, count: usize) -> anyhow::Result<Vec<String>> {
    let hasher = sesame::server::password::Hasher::new(HashCost::OWASP)?;
    let hash = hasher.hash(PASSWORD).await?;
    let mut emails = Vec::new();
    for i in 0..count {
        let email = format!("bench{i}@menuiserie.fr");
        sqlx::query(
            "INSERT INTO accounts (id, login_email, last_name, first_name, address, postal_code, city, \
             country, language, state, created_at, password_hash, secret_question, secret_answer_hash) \
             VALUES ($1, $2, 'Dupont', 'Paul', '12 rue des Lilas', '42000', 'Saint-Étienne', 'FR', 'fr', \
             'active', 0, $3, 'Nom de mon premier chien ?', $3)",
        )
        .bind(format!("bench-{i}"))
        .bind(&email)
        .bind(&hash)
        .execute(pool)
        .await?;
        emails.push(email);
    }
    Ok(emails)
}

async fn session_cookie(client: &reqwest::Client, email: &str) -> anyhow::Result<String> {
    let response = client
        .post(format!("{}/connexion", base()))
        .form(&[("email", email), ("password", PASSWORD)])
        .send()
        .await?;
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .context("no session cookie after login")?;
    Ok(cookie.to_owned())
}

struct Run {
    rps: f64,
    p50: f64,
    p95: f64,
    p99: f64,
    statuses: String,
}

/// Runs `oha` (from crates.io) and reads its JSON summary.
fn oha(args: &[&str]) -> anyhow::Result<Run> {
    let output = Command::new("oha")
        .args(["--no-tui", "--output-format", "json"])
        .args(args)
        .output()
        .context("running oha (make bench installs it)")?;
    if !output.status.success() {
        bail!("oha failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).context("oha's JSON")?;
    let percentile = |p: &str| json["latencyPercentiles"][p].as_f64().unwrap_or(f64::NAN);
    let statuses = json["statusCodeDistribution"]
        .as_object()
        .map(|codes| {
            codes
                .iter()
                .map(|(code, n)| format!("{n} × {code}"))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    let errors = json["errorDistribution"]
        .as_object()
        .map(|e| {
            e.iter()
                .map(|(k, n)| format!("{n} × {k}"))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .filter(|s| !s.is_empty())
        .map(|s| format!(", errors: {s}"))
        .unwrap_or_default();
    Ok(Run {
        rps: json["summary"]["requestsPerSec"]
            .as_f64()
            .unwrap_or(f64::NAN),
        p50: percentile("p50"),
        p95: percentile("p95"),
        p99: percentile("p99"),
        statuses: format!("{statuses}{errors}"),
    })
}
