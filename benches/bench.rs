//! `make bench`: starts the real release server (SQLite, or PostgreSQL with
//! `--postgres`), drives it with `oha`, and prints one table of figures:
//! what a browser downloads per page, the argon2 limit of this machine and
//! the login throughput against it, page rates and latencies, the home page
//! while 200 logins are in flight, memory, start-up time.
//!
//! Figures, not verdicts: BENCHMARKS.md records a run and compares it with
//! the targets of issue 7.

mod support;

use argon2::{Algorithm, Argon2, Params, PasswordHasher, Version};
use sesame::server::db::Backend;
use sesame::server::password::HashCost;
use std::time::{Duration, Instant};
use support::{cores, home_during_login_flood, memory_total, oha, Build, Server, PASSWORD};

const PORT: u16 = 3300;
/// The older build's port, when one is compared (`BENCH_BASELINE`).
const BASELINE_PORT: u16 = 3301;
/// The pages whose rates are compared with the older build's: the public
/// ones and the two connected ones (a person's data read and drawn).
const COMPARED_PAGES: &[&str] = &[
    "/",
    "/inscription",
    "/mot-de-passe-oublie",
    "/accueil",
    "/mon-compte",
];
/// The pages a visitor opens without an account, but those of an emailed
/// link, which the bench adds with real links ([`emailed_link_pages`]).
const PUBLIC_PAGES: &[&str] = &[
    "/",
    "/inscription",
    "/mot-de-passe-oublie",
    "/activation-renvoyer",
    "/reactivation",
];

/// The pages a person sees only with a session.
const CONNECTED_PAGES: &[&str] = &["/accueil", "/mon-compte"];

fn base() -> String {
    format!("http://127.0.0.1:{PORT}")
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let postgres = std::env::args().any(|a| a == "--postgres");
    // Start-up: from spawning the process to the first answered request.
    let started = Instant::now();
    // The same account logs in from many connections at once: the
    // per-address lock would (rightly) refuse most.
    let mut server = Server::start(
        "sesame_bench",
        PORT,
        postgres,
        &[("SESAME_LOGIN_MAX_FAILURES", "100000")],
    )
    .await?;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    server.wait_until_up(&client).await?;
    let startup = started.elapsed();
    server.wait_for_precompressed().await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle_kib = server.memory_kib("VmRSS")?;

    let result = run(&client, &server, startup, idle_kib).await;
    let errors = server.stop();
    println!("\nserver errors logged: {}", errors.len());
    for line in errors.iter().take(5) {
        println!("    {line}");
    }
    result
}

async fn run(
    client: &reqwest::Client,
    server: &Server,
    startup: Duration,
    idle_kib: u64,
) -> anyhow::Result<()> {
    let database_url = &server.database_url;
    println!(
        "\n# Sésame benchmark — {}",
        if Backend::of_url(database_url) == Backend::Postgres {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    println!("machine: {} cores, {}", cores(), memory_total());

    // 2. The argon2 limit of this machine, then logins against it.
    let limit = argon2_limit(Duration::from_secs(6));
    let pool = sesame::server::db::connect(database_url).await?;
    let accounts = support::seed_accounts(&pool, "bench", 20, "active").await?;
    let login_body = format!("email={}&password={PASSWORD}", accounts[0]);
    // Every login answers no sooner than the steady floor (150 ms), so 16
    // connections could never pass 107 logins/s: 64 keep the hashing
    // threads busy on any machine whose argon2 limit is below 400 hashes/s.
    let logins = oha(&[
        "-z",
        "12s",
        "-w",
        "-c",
        "64",
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
        "| login throughput (64 connections, right password) | {:.1} logins/s |",
        logins.rps
    );
    println!("| ratio | {:.0} % |", 100.0 * logins.rps / limit);
    println!("| login answers | {} |", logins.statuses);
    // The whole login since part 12: the password (which emails a code),
    // the code read back from the outbox, the second step; 32 people at
    // once, each logging in once.
    let people = support::seed_accounts(&pool, "deuxetapes", 32, "active").await?;
    let started = Instant::now();
    futures::future::try_join_all(
        people
            .iter()
            .map(|email| support::session_cookie(client, server, email)),
    )
    .await?;
    let two_step = people.len() as f64 / started.elapsed().as_secs_f64();
    println!(
        "| two-step logins (password, emailed code, session; 32 people at once) | {two_step:.1} logins/s |"
    );
    println!(
        "| two-step rate / password-step rate | {:.0} % |",
        100.0 * two_step / logins.rps
    );

    // 3. Pages, with a session cookie present.
    let cookie = support::session_cookie(client, server, &accounts[1]).await?;
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

    // 3b. The same pages against an older build, in this run.
    if let Ok(dir) = std::env::var("BENCH_BASELINE") {
        let postgres = Backend::of_url(database_url) == Backend::Postgres;
        compare_with_baseline(
            client,
            server,
            &cookie,
            std::path::Path::new(&dir),
            postgres,
        )
        .await?;
    }

    // 4. The home page while 200 logins are in flight.
    let (home, flood) = home_during_login_flood(&base(), &accounts[2])?;
    support::print_flood(&home, &flood);

    // Every page a visitor opens (those of an emailed link with a real
    // link, as the email gives it), and the connected ones.
    let pages = audited_pages(&emailed_link_pages(&pool).await?);

    // What a browser downloads, once the server has written its
    // precompressed copies (it starts doing so at start-up): measured in
    // Chromium, each page in a fresh context, until it has hydrated and
    // the network is idle (`end2end/first-load.mjs`).
    println!("\n## First load of each page in Chromium (the budget: JavaScript + Wasm + CSS bodies in brotli, at most 200 KB; on the wire: with the HTML in gzip and every response's headers)\n");
    measure_in_chromium(
        "first-load.mjs",
        &cookie,
        pages
            .iter()
            .map(|page| page.trim_start_matches('+').to_owned()),
        "measuring the first loads",
    )?;

    // Lighthouse's mobile audits (issue 29): every page a visitor opens,
    // and the two connected ones with the session (`end2end/lighthouse.mjs`).
    println!(
        "\n## Lighthouse 12, mobile preset (simulated slow 4G, CPU 4× slower), one run a page\n"
    );
    measure_in_chromium(
        "lighthouse.mjs",
        &cookie,
        pages.iter().cloned(),
        "the Lighthouse audits",
    )?;

    // The same pages' long tasks with the CPU really four times slower,
    // median of five loads each (`end2end/long-tasks.mjs`): Lighthouse's
    // blocking time is a simulation that moves by tens of milliseconds
    // between runs.
    println!("\n## Long tasks of each first load, CPU 4× slower (median of 5 loads)\n");
    measure_in_chromium(
        "long-tasks.mjs",
        &cookie,
        pages.iter().cloned(),
        "measuring the long tasks",
    )?;

    // A click in the app on a slow phone (issue 29): from the click to the
    // next page's heading (`end2end/clicks.mjs`).
    println!(
        "\n## A click in the app, on Fast 3G with a CPU 4× slower, after the page went idle\n"
    );
    measure_in_chromium("clicks.mjs", &cookie, [], "measuring the clicks")?;

    println!("\n## Every file of the bundle, as sent\n");
    println!("| file | raw | brotli |");
    println!("|---|---:|---:|");
    for file in bundle_files(&server.site_root)? {
        let fetch = |encoding: &'static str| {
            let request = client
                .get(format!("{}/pkg/{file}", base()))
                .header("accept-encoding", encoding);
            async move { anyhow::Ok(request.send().await?.bytes().await?.len()) }
        };
        println!(
            "| `{file}` | {} | {} |",
            kb(fetch("identity").await?),
            kb(fetch("br").await?)
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
        server.memory_kib("VmHWM")? as f64 / 1024.0
    );
    Ok(())
}

/// Every page, as the Chromium scripts that audit pages take them
/// (`lighthouse.mjs`, `long-tasks.mjs`): a connected page written
/// `+/accueil`, opened with the session cookie.
fn audited_pages(emailed: &[String]) -> Vec<String> {
    PUBLIC_PAGES
        .iter()
        .map(|page| (*page).to_owned())
        .chain(emailed.iter().cloned())
        .chain(CONNECTED_PAGES.iter().map(|page| format!("+{page}")))
        .collect()
}

/// The pages of two emailed links as a visitor opens them: "Activer votre
/// compte" (`/activation/<link>`) for a pending account and "Nouveau mot de
/// passe" (`/nouveau-mot-de-passe/<link>`) for an active one, each link
/// issued as the flows issue theirs (`accounts::links::issue`), valid for a
/// day. Opening a link never uses it, so every tool may open it again.
/// Errors: the database or the OS random source failed.
async fn emailed_link_pages(pool: &sesame::server::db::Db) -> anyhow::Result<Vec<String>> {
    use sesame::accounts::{links, TokenPurpose};
    use sesame::paths::{ACTIVATION_PREFIX, RESET_PREFIX};
    let pending = support::seed_accounts(pool, "lien-activation", 1, "pending").await?;
    let active = support::seed_accounts(pool, "lien-reinitialisation", 1, "active").await?;
    let mut pages = Vec::new();
    for (accounts, purpose, prefix) in [
        (pending, TokenPurpose::Activation, ACTIVATION_PREFIX),
        (active, TokenPurpose::Reset, RESET_PREFIX),
    ] {
        let (account_id,): (String,) =
            sqlx::query_as("SELECT id FROM accounts WHERE login_email = $1")
                .bind(&accounts[0])
                .fetch_one(pool)
                .await?;
        // `issue` locks the account, retires and inserts in the caller's
        // transaction.
        let mut transaction = pool.begin().await?;
        let issued = links::issue(
            &mut transaction,
            &account_id,
            purpose,
            None,
            jiff::Timestamp::now(),
            jiff::SignedDuration::from_hours(24),
        )
        .await?;
        transaction.commit().await?;
        pages.push(issued.url("", prefix));
    }
    Ok(pages)
}

/// Runs `node end2end/{script} <base> --cookie <cookie> <args>…` and prints
/// what it printed (a Markdown table). Errors: `what` failed, with the
/// script's own error output.
fn measure_in_chromium(
    script: &str,
    cookie: &str,
    args: impl IntoIterator<Item = String>,
    what: &str,
) -> anyhow::Result<()> {
    let output = std::process::Command::new("node")
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/end2end"))
        .arg(script)
        .arg(base())
        .args(["--cookie", cookie])
        .args(args)
        .output()?;
    print!("{}", String::from_utf8_lossy(&output.stdout));
    if !output.status.success() {
        anyhow::bail!("{what} failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    Ok(())
}

/// Which build a turn of the comparison drives.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Turn {
    Baseline,
    ThisBuild,
}

/// The rates of [`COMPARED_PAGES`] on this build (`server`) and on the
/// older one in `dir` (`make baseline`), in one run: both servers are up at
/// once, on fresh databases of the same kind, and each page is driven in
/// the turns baseline, this, this, baseline, twice (5 s each, 16
/// connections, a session cookie), so that a drift of the machine weighs
/// on both alike. Prints each build's mean rate and p99, and this build's
/// rate as a ratio of the older one's (issue 13: no page may lose more than
/// 10 %); then the processor time each build's server spent a page (user
/// and system, µs), and the baseline's as a ratio of this build's (like
/// the rates' ratio, over 100 % when this build costs less), which the
/// other processes on the machine (oha, the other server) move far less
/// than they move a rate.
///
/// Errors: the older build is missing or does not start, /proc cannot be
/// read, or `oha` fails.
async fn compare_with_baseline(
    client: &reqwest::Client,
    server: &Server,
    cookie: &str,
    dir: &std::path::Path,
    postgres: bool,
) -> anyhow::Result<()> {
    let build = Build::baseline(dir)?;
    let mut baseline = Server::start_build(
        &build,
        "sesame_bench_baseline",
        BASELINE_PORT,
        postgres,
        &[("SESAME_LOGIN_MAX_FAILURES", "100000")],
    )
    .await?;
    let compared = async {
        baseline.wait_until_up(client).await?;
        baseline.wait_for_precompressed().await?;
        // A plain pool: this build's migrations must not touch the older
        // build's database.
        let pool = sqlx::AnyPool::connect(&baseline.database_url).await?;
        let accounts = support::seed_accounts(&pool, "baseline", 1, "active").await?;
        let baseline_cookie = support::session_cookie(client, &baseline, &accounts[0]).await?;
        println!(
            "\n## Pages against the baseline `{}` (same run; turns B, T, T, B, B, T, T, B of 5 s; processor time of each server a page, in µs)\n",
            dir.display()
        );
        println!(
            "| page | baseline req/s | this build req/s | ratio | baseline p99 | this build p99 | baseline CPU/page | this build CPU/page | CPU ratio (baseline ÷ this) |"
        );
        println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        for page in COMPARED_PAGES {
            let mut rates = [Vec::new(), Vec::new()];
            let mut p99s = [Vec::new(), Vec::new()];
            // Each build's processor time (s) and answers, over its turns.
            let mut spent = [(0.0, 0u64), (0.0, 0u64)];
            for turn in [Turn::Baseline, Turn::ThisBuild, Turn::ThisBuild, Turn::Baseline].repeat(2) {
                let (url, cookie, driven): (String, &str, &Server) = match turn {
                    Turn::Baseline => (
                        format!("{}{page}", baseline.base()),
                        &baseline_cookie,
                        &baseline,
                    ),
                    Turn::ThisBuild => (format!("{}{page}", base()), cookie, server),
                };
                let cpu_at_start = driven.cpu_seconds()?;
                let run = oha(&[
                    "-z",
                    "5s",
                    "-w",
                    "-c",
                    "16",
                    "-H",
                    &format!("cookie: {cookie}"),
                    &url,
                ])?;
                if run.failures > 0 {
                    anyhow::bail!("{url}: {}", run.statuses);
                }
                let at = usize::from(turn == Turn::ThisBuild);
                rates[at].push(run.rps);
                p99s[at].push(run.p99 * 1e3);
                spent[at].0 += driven.cpu_seconds()? - cpu_at_start;
                spent[at].1 += run.answers;
            }
            let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
            let (before, after) = (mean(&rates[0]), mean(&rates[1]));
            let per_page = |(seconds, answers): (f64, u64)| 1e6 * seconds / answers.max(1) as f64;
            let (cpu_baseline, cpu_this) = (per_page(spent[0]), per_page(spent[1]));
            println!(
                "| `{page}` | {before:.0} | {after:.0} | {:.0} % | {:.1} ms | {:.1} ms | {cpu_baseline:.0} µs | {cpu_this:.0} µs | {:.0} % |",
                100.0 * after / before,
                mean(&p99s[0]),
                mean(&p99s[1]),
                100.0 * cpu_baseline / cpu_this
            );
        }
        anyhow::Ok(())
    }
    .await;
    let errors = baseline.stop();
    if !errors.is_empty() {
        println!("\nbaseline server errors logged: {}", errors.len());
    }
    compared
}

/// The JavaScript, Wasm and CSS files cargo-leptos wrote, in `pkg` under the
/// site the server serves (`target/site` for this build).
fn bundle_files(site_root: &std::path::Path) -> anyhow::Result<Vec<String>> {
    let dir = site_root.join("pkg");
    let mut files: Vec<String> = std::fs::read_dir(dir)?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.ends_with(".js") || name.ends_with(".wasm") || name.ends_with(".css"))
        .collect();
    files.sort();
    Ok(files)
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
