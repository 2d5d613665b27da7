//! Part 5: each protection as a test that fails when the protection goes.

use crate::helpers::*;

/// Every route that changes something, with a form that would do it.
pub const STATE_CHANGING: &[&str] = &[
    "/inscription",
    "/connexion",
    "/deconnexion",
    "/mot-de-passe-oublie",
    "/activation-renvoyer",
    "/reactivation",
    "/mon-compte/contact",
    "/mon-compte/rattachement",
    "/mon-compte/desactivation",
    "/mon-compte/mot-de-passe",
    "/mon-compte/question-secrete",
    "/mon-compte/sessions",
    "/mon-compte/navigateurs",
    "/mon-compte/langue",
    "/mon-compte/coordonnees",
    "/mon-compte/identifiant",
    "/gestion",
    "/verification",
    "/securite",
    "/api/password_strength",
    // Every flow's server function, the door the pages use with JavaScript.
    "/api/inscription",
    "/api/connexion",
    "/api/connexion/cle-d-acces/ouverture",
    "/api/connexion/cle-d-acces",
    "/api/deconnexion",
    "/api/activation",
    "/api/activation-renvoyer",
    "/api/mot-de-passe-oublie",
    "/api/nouveau-mot-de-passe",
    "/api/reactivation",
    "/api/adresse-de-contact",
    "/api/espace-connecte",
    "/api/mon-compte/mot-de-passe",
    "/api/mon-compte/question-secrete",
    "/api/mon-compte/sessions",
    "/api/mon-compte/navigateurs",
    "/api/ce-n-etait-pas-moi",
    "/api/mon-compte/coordonnees",
    "/api/mon-compte/langue",
    "/api/mon-compte/contact",
    "/api/mon-compte/identifiant",
    "/api/mon-compte/rattachement",
    "/api/mon-compte/desactivation",
    "/api/gestion",
    "/api/gestion/page",
    "/api/verification",
    "/api/verification/page",
    "/api/securite",
    "/api/securite/page",
    // The emailed links' buttons (a token of the right shape: refused
    // before it is even looked up, else they would answer 404).
    "/activation/abababababababababababababababababababababababababababababababab",
    "/nouveau-mot-de-passe/abababababababababababababababababababababababababababababababab",
    "/adresse-de-contact/abababababababababababababababababababababababababababababababab",
];

/// A server function added later cannot escape the test below.
#[test]
fn every_server_function_is_in_the_cross_site_test() {
    let paths: Vec<_> = leptos::server_fn::axum::server_fn_paths().collect();
    assert!(
        paths.iter().any(|(path, _)| *path == "/api/inscription"),
        "the server functions are not registered: {paths:?}"
    );
    for (path, _) in paths {
        assert!(
            STATE_CHANGING.contains(&path),
            "{path} is missing from STATE_CHANGING"
        );
    }
}

#[tokio::test]
async fn every_state_changing_request_from_another_site_is_refused() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let cookie = app.logged_in(&email).await;
    let before = (
        app.count("accounts").await,
        app.count("outbox").await,
        app.count("sessions").await,
    );
    for path in STATE_CHANGING {
        for (name, value) in [
            ("sec-fetch-site", "cross-site"),
            ("sec-fetch-site", "same-site"),
            ("origin", "https://evil.example"),
            ("origin", "null"),
        ] {
            let response = app
                .client
                .post(format!("{}{path}", app.address))
                .header(name, value)
                .header("cookie", &cookie)
                .form(&valid_form(&unique_email()))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 403, "{path} accepted {name}: {value}");
        }
    }
    let after = (
        app.count("accounts").await,
        app.count("outbox").await,
        app.count("sessions").await,
    );
    assert_eq!(before, after, "a refused request changed something");
    // The same-origin form still works.
    let ok = app
        .client
        .post(format!("{}/connexion", app.address))
        .header("sec-fetch-site", "same-origin")
        .header("origin", app.address.as_str())
        .form(&[("email", email.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 303);
}

#[tokio::test]
async fn state_changing_routes_never_act_on_get() {
    let app = spawn_app().await;
    for path in STATE_CHANGING.iter().filter(|p| {
        p.starts_with("/mon-compte/")
            || p.starts_with("/api/")
            || **p == "/connexion"
            || **p == "/deconnexion"
    }) {
        let response = app
            .client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        // A form's address, visited, leads back to the page of the form
        // (where a plain post's answer left the browser); nothing else.
        let back_to = if path.starts_with("/mon-compte/") {
            Some("/mon-compte")
        } else if *path == "/connexion" {
            Some("/")
        } else {
            None
        };
        let location = response
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok());
        assert!(
            response.status() == 405
                || response.status() == 404
                || (response.status() == 303 && back_to.is_some() && location == back_to),
            "{path} answered GET with {} {location:?}",
            response.status()
        );
    }
}

async fn headers_of(app: &TestApp, request: reqwest::RequestBuilder) -> reqwest::header::HeaderMap {
    app.send(request).await.headers().clone()
}

fn assert_protected(headers: &reqwest::header::HeaderMap, what: &str) {
    assert_eq!(headers["x-content-type-options"], "nosniff", "{what}");
    assert!(headers.contains_key("referrer-policy"), "{what}");
    let csp = headers
        .get("content-security-policy")
        .unwrap_or_else(|| panic!("{what} has no CSP"))
        .to_str()
        .unwrap();
    for directive in [
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(directive), "{what}: {csp} lacks {directive}");
    }
}

/// An app whose site folder holds one browser file, `pkg/{name}`.
async fn app_serving(name: &str, contents: &[u8]) -> TestApp {
    let site = site_with(&[(name, contents)]);
    spawn_app_with(|config| config.site_root = site).await
}

#[tokio::test]
async fn pages_server_functions_and_static_files_carry_the_security_headers() {
    let app = app_serving("sesame.css", b"body { color: black; }").await;
    let page = headers_of(&app, app.client.get(format!("{}/inscription", app.address))).await;
    assert_protected(&page, "a page");
    let server_fn = headers_of(
        &app,
        app.client
            .post(format!("{}/api/password_strength", app.address))
            .form(&[("password", "Vanille-Fraise-2026")]),
    )
    .await;
    assert_protected(&server_fn, "a server function");
    let file = app
        .client
        .get(format!("{}/pkg/sesame.css", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(file.status(), 200);
    assert_protected(file.headers(), "a static file");
    assert!(
        !page.contains_key("strict-transport-security"),
        "HSTS over plain http"
    );
}

/// A split build's first load fetches dozens of Wasm modules: each carries
/// what applies to it (its type, `nosniff`, caching), not the headers that
/// only govern documents.
#[tokio::test]
async fn a_wasm_module_carries_only_the_headers_that_apply_to_it() {
    let app = app_serving("chunk_7.abc.wasm", b"\0asm\x01\0\0\0").await;
    let module = app
        .send(
            app.client
                .get(format!("{}/pkg/chunk_7.abc.wasm", app.address)),
        )
        .await;
    assert_eq!(module.status(), 200);
    let headers = module.headers();
    assert_eq!(headers["content-type"], "application/wasm");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(headers["cache-control"]
        .to_str()
        .unwrap()
        .contains("immutable"));
    for document_only in [
        "content-security-policy",
        "x-frame-options",
        "permissions-policy",
        "referrer-policy",
    ] {
        assert!(
            !headers.contains_key(document_only),
            "a Wasm module carries {document_only}"
        );
    }
    let page = headers_of(&app, app.client.get(format!("{}/inscription", app.address))).await;
    assert_protected(&page, "the page beside it");
}

#[tokio::test]
async fn under_https_the_session_cookie_is_host_prefixed_and_hsts_is_sent() {
    let app = spawn_app_with(|config| config.public_url = "https://sesame.example".into()).await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let login = app.log_in(&email, PASSWORD).await;
    let pending = login.set_cookie.clone().unwrap();
    assert!(pending.starts_with("__Host-sesame_pending="), "{pending}");
    let response = app.through_second_step(&login, &email, None).await;
    let cookie = response.set_cookie.unwrap();
    assert!(cookie.starts_with("__Host-sesame_session="), "{cookie}");
    for cookie in [&pending, &cookie] {
        for flag in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
            assert!(cookie.contains(flag), "{cookie} lacks {flag}");
        }
        assert!(!cookie.contains("Domain="), "{cookie}");
    }
    let home = app
        .client
        .get(format!("{}/", app.address))
        .send()
        .await
        .unwrap();
    let hsts = home.headers()["strict-transport-security"]
        .to_str()
        .unwrap();
    assert!(hsts.contains("max-age=31536000"), "{hsts}");
}

#[tokio::test]
async fn production_hashes_are_argon2id_with_at_least_owasp_parameters_and_unique_salts() {
    use sesame::server::password::{HashCost, Hasher};
    const { assert!(HashCost::OWASP.memory_kib >= 19_456) };
    const { assert!(HashCost::OWASP.iterations >= 2) };
    const { assert!(HashCost::OWASP.parallelism == 1) };
    std::env::remove_var("SESAME_ARGON2_MEMORY_KIB");
    let config = sesame::server::Config::from_env().unwrap();
    assert!(
        config.hash_cost.at_least_owasp(),
        "the default cost is below OWASP"
    );
    let hasher = Hasher::new(HashCost::OWASP).unwrap();
    let a = hasher.hash("Vanille-Fraise-2026").await.unwrap();
    let b = hasher.hash("Vanille-Fraise-2026").await.unwrap();
    assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
    assert_ne!(a, b, "two hashes share a salt");
}

#[tokio::test]
async fn a_hash_with_older_parameters_is_upgraded_at_the_next_login() {
    use sesame::server::password::{HashCost, Hasher};
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let weak = Hasher::new(HashCost {
        memory_kib: 64,
        iterations: 1,
        parallelism: 1,
    })
    .unwrap()
    .hash(PASSWORD)
    .await
    .unwrap();
    sqlx::query("UPDATE accounts SET password_hash = $1 WHERE login_email = $2")
        .bind(&weak)
        .bind(&email)
        .execute(&app.state.db)
        .await
        .unwrap();
    assert_eq!(app.log_in(&email, PASSWORD).await.status, 303);
    let (now,): (String,) =
        sqlx::query_as("SELECT password_hash FROM accounts WHERE login_email = $1")
            .bind(&email)
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_ne!(now, weak);
    let cost = app.state.hasher.cost();
    assert!(
        now.contains(&format!("m={},t={}", cost.memory_kib, cost.iterations)),
        "{now}"
    );
}

/// Every text value of every table, as one string per row and column.
async fn every_stored_value(app: &TestApp) -> Vec<String> {
    let postgres = app.on_postgres();
    let columns: Vec<(String, String)> = if postgres {
        sqlx::query_as(
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name NOT LIKE '\\_sqlx%'",
        )
        .fetch_all(&app.state.db)
        .await
        .unwrap()
    } else {
        let tables: Vec<(String,)> =
            sqlx::query_as(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_sqlx%' ESCAPE '\\'",
            )
                .fetch_all(&app.state.db)
                .await
                .unwrap();
        let mut columns = Vec::new();
        for (table,) in tables {
            let names: Vec<(String,)> =
                sqlx::query_as(&format!("SELECT name FROM pragma_table_info('{table}')"))
                    .fetch_all(&app.state.db)
                    .await
                    .unwrap();
            columns.extend(names.into_iter().map(|(c,)| (table.clone(), c)));
        }
        columns
    };
    let mut values = Vec::new();
    for (table, column) in columns {
        let cast = format!("CAST(\"{column}\" AS TEXT)");
        let rows: Vec<(Option<String>,)> =
            sqlx::query_as(&format!("SELECT {cast} FROM \"{table}\""))
                .fetch_all(&app.state.db)
                .await
                .unwrap();
        values.extend(
            rows.into_iter()
                .filter_map(|(v,)| v)
                .map(|v| format!("{table}.{column}: {v}")),
        );
    }
    values
}

#[tokio::test]
async fn no_raw_token_taken_from_an_email_is_stored_in_any_column() {
    let app = spawn_app().await;
    let email = unique_email();
    let activation = app.create_pending_account(&email).await;
    let values = every_stored_value(&app).await;
    assert!(values.len() > 20, "the search found nothing to search");
    let leaks: Vec<&String> = values.iter().filter(|v| v.contains(&activation)).collect();
    assert!(
        leaks.is_empty(),
        "the activation token is stored in clear: {leaks:?}"
    );
}

#[tokio::test]
async fn fifty_concurrent_activations_of_one_link_succeed_exactly_once() {
    let app = spawn_app().await;
    let token = app.create_pending_account(&unique_email()).await;
    let attempts = (0..50).map(|_| app.activate(&token, PASSWORD, PASSWORD));
    let statuses: Vec<u16> = futures::future::join_all(attempts)
        .await
        .into_iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 303).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 303 || *s < 500),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn fifty_parallel_wrong_passwords_get_at_most_five_checked_and_other_accounts_are_unaffected()
{
    let app = spawn_app_with(|config| config.client_max_attempts = 1000).await;
    let email = unique_email();
    let neighbour = unique_email();
    app.create_active_account(&email).await;
    app.create_active_account(&neighbour).await;
    let attempts = (0..50).map(|i| {
        let password = format!("Mauvais-{i}-2026");
        let app = &app;
        let email = email.clone();
        async move { app.log_in(&email, &password).await.status }
    });
    let statuses = futures::future::join_all(attempts).await;
    assert!(
        statuses.iter().all(|s| *s == 401 || *s == 429),
        "{statuses:?}"
    );
    let failures = app
        .event_kinds(&email)
        .await
        .iter()
        .filter(|k| *k == "login_failed")
        .count();
    assert!(failures <= 5, "{failures} wrong passwords were checked");
    // Locked, even with the right password; the neighbour is not.
    assert_eq!(app.log_in(&email, PASSWORD).await.status, 429);
    assert_eq!(app.log_in(&neighbour, PASSWORD).await.status, 303);
    let emails = app
        .wait_for_emails(|e| e.iter().any(|m| m.kind == "login_locked"))
        .await;
    assert_eq!(
        emails.iter().filter(|m| m.kind == "login_locked").count(),
        1
    );
}

#[tokio::test]
async fn fifty_concurrent_signups_on_sqlite_are_all_stored_with_their_email() {
    let app = spawn_app().await;
    let mut forms = Vec::new();
    for i in 0..50 {
        let mut form = valid_form(&format!("burst{i}.{}", unique_email()));
        form.push(("captcha_id".into(), app.open_signup().await));
        forms.push(form);
    }
    let posts = forms.iter().map(|form| app.post_signup(form));
    let statuses: Vec<u16> = futures::future::join_all(posts)
        .await
        .into_iter()
        .map(|p| p.status)
        .collect();
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    assert_eq!(app.count("accounts").await, 50);
    assert_eq!(app.count("outbox").await, 50);
}

#[tokio::test]
async fn two_instances_share_sessions_counters_and_never_send_an_email_twice() {
    let port = crate::smtp::free_port();
    let smtp = crate::smtp::FakeSmtp::start(port, false).await;
    let first =
        spawn_app_with(|config| config.smtp_url = Some(format!("smtp://127.0.0.1:{port}"))).await;
    let second = first.second_instance().await;
    let email = unique_email();
    first.create_active_account(&email).await;
    let cookie = first.logged_in(&email).await;
    assert_eq!(
        second.get_as("/accueil", &cookie).await.status,
        200,
        "a session of one is unknown to the other"
    );
    let logout = second.post_form("/deconnexion", &[], Some(&cookie)).await;
    assert_eq!(logout.status, 303);
    assert_eq!(
        first.get_as("/accueil", &cookie).await.status,
        303,
        "logout on one did not end it on the other"
    );

    for i in 0..5 {
        let instance = if i % 2 == 0 { &first } else { &second };
        instance.log_in(&email, "Mauvais-Mot-2026").await;
    }
    assert_eq!(
        second.log_in(&email, PASSWORD).await.status,
        429,
        "the counters are not shared"
    );

    // Both workers run on one outbox: every email goes out once.
    let emails = first
        .wait_for_emails(|e| e.iter().all(|m| m.sent_at.is_some()))
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        smtp.messages().len(),
        emails.len(),
        "an email was sent twice"
    );
}

/// Passwords, answers and tokens never appear in a log line, a `Location`
/// header, or any email but the one that carries the link.
#[tokio::test]
async fn no_password_answer_or_token_reaches_the_logs_a_location_or_another_email() {
    let app = spawn_app().await;
    let email = unique_email();
    let token = app.create_pending_account(&email).await;
    let password = "Zèbre-Violet-Logs-9931";
    let answer = "Rhododendron";
    let activated = app
        .post_form(
            &format!("/activation/{token}"),
            &[
                ("intent", "activate"),
                ("password", password),
                ("password_confirmation", password),
                ("secret_question", "Ma fleur préférée ?"),
                ("secret_answer", answer),
            ],
            None,
        )
        .await;
    assert_eq!(activated.status, 303);
    let mut locations = vec![activated.location.clone().unwrap_or_default()];
    let wrong = "Faux-Mot-Logs-4412";
    locations.push(app.log_in(&email, wrong).await.location.unwrap_or_default());
    locations.push(
        app.log_in(&email, password)
            .await
            .location
            .unwrap_or_default(),
    );
    // A failure with a reference id is logged too.
    app.post_form("/activation-renvoyer", &[("login_email", &email)], None)
        .await;
    let logs = logs();
    assert!(!logs.is_empty(), "nothing was captured");
    for secret in [password, answer, wrong, token.as_str()] {
        assert!(!logs.contains(secret), "{secret:?} is in the logs");
        for location in &locations {
            assert!(
                !location.contains(secret),
                "{secret:?} is in a Location header"
            );
        }
    }
    let emails = app.emails().await;
    for message in &emails {
        for secret in [password, answer, wrong] {
            assert!(!message.text_body.contains(secret) && !message.html_body.contains(secret));
        }
        if message.kind != "activation" {
            assert!(
                !message.text_body.contains(&token),
                "the token is in a {} email",
                message.kind
            );
        }
    }
}

/// One person logging in from many places at once: every login works (the
/// counter of one success is never pulled from under another attempt).
#[tokio::test]
async fn parallel_right_passwords_all_log_in() {
    let app = spawn_app_with(|config| {
        config.client_max_attempts = 1000;
        config.login_max_failures = 1000;
    })
    .await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let attempts = (0..30).map(|_| app.log_in(&email, PASSWORD));
    let statuses: Vec<u16> = futures::future::join_all(attempts)
        .await
        .into_iter()
        .map(|r| r.status)
        .collect();
    assert!(statuses.iter().all(|s| *s == 303), "{statuses:?}");
}

#[tokio::test]
async fn a_panic_in_a_handler_gives_a_generic_page_with_a_reference_and_nothing_internal() {
    let app = spawn_app().await;
    let page = app.get("/dev/panic").await;
    assert_eq!(page.status, 500);
    assert!(page.body.contains("Service momentanément indisponible"));
    assert!(page.body.contains("référence"));
    assert!(
        !page.body.contains("SELECT") && !page.body.contains("panicked"),
        "{}",
        page.body
    );
    // The server goes on.
    assert_eq!(app.get("/").await.status, 200);
}

/// Fifty people logging in at once on SQLite: every password step works,
/// no "database is locked" (WAL, busy timeout, code transactions that
/// write first), one pending login and one emailed code each.
#[tokio::test]
async fn fifty_concurrent_logins_of_different_people_all_succeed() {
    let app = spawn_app_with(|config| config.client_max_attempts = 1000).await;
    let mut emails = Vec::new();
    for _ in 0..50 {
        let email = unique_email();
        app.create_active_account(&email).await;
        emails.push(email);
    }
    let logins = emails.iter().map(|email| app.log_in(email, PASSWORD));
    let statuses: Vec<u16> = futures::future::join_all(logins)
        .await
        .into_iter()
        .map(|r| r.status)
        .collect();
    assert!(statuses.iter().all(|s| *s == 303), "{statuses:?}");
    assert_eq!(app.count("pending_logins").await, 50);
    // Each code emailed (one transaction with its email), nothing lost.
    app.wait_for_emails(|e| e.iter().filter(|e| e.kind == "second_step_code").count() == 50)
        .await;
}

/// Fifty people activating their accounts at once: every activation works
/// (no "database is locked" on SQLite), each account active with its own
/// password.
#[tokio::test]
async fn fifty_concurrent_activations_of_different_accounts_all_succeed() {
    let app = spawn_app().await;
    let mut tokens = Vec::new();
    for _ in 0..50 {
        tokens.push(app.create_pending_account(&unique_email()).await);
    }
    let activations = tokens
        .iter()
        .map(|token| app.activate(token, PASSWORD, PASSWORD));
    let statuses: Vec<u16> = futures::future::join_all(activations)
        .await
        .into_iter()
        .map(|r| r.status)
        .collect();
    assert!(statuses.iter().all(|s| *s == 303), "{statuses:?}");
    let active: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM accounts WHERE state = 'active' AND password_hash IS NOT NULL",
    )
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    assert_eq!(active, 50);
}

/// Moves the tables a captcha guards out of the way: any work on them after
/// this fails, and the page would say the service is unavailable.
async fn break_guarded_tables(app: &TestApp) {
    for table in [
        "accounts",
        "structures",
        "recovery_flows",
        "recovery_throttle",
        "outbox",
    ] {
        sqlx::query(&format!("ALTER TABLE {table} RENAME TO {table}_away"))
            .execute(&app.state.db)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn a_missing_wrong_expired_or_reused_captcha_is_refused_before_any_account_or_mail_work() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    // A challenge already used by a successful signup.
    let reused = app.open_signup().await;
    let mut first = valid_form(&unique_email());
    first.push(("captcha_id".into(), reused.clone()));
    assert_eq!(app.post_signup(&first).await.status, 200);
    // A challenge drawn eleven minutes ago.
    let expired = app.open_signup().await;
    app.clock.advance(jiff::SignedDuration::from_mins(11));
    let wrong = app.open_signup().await;
    let missing = app.open_signup().await;
    let recovery_wrong = app.open_captcha("/mot-de-passe-oublie", None).await;
    break_guarded_tables(&app).await;

    // Signup, with an address that has an account and a SIRET to look up.
    let signup = |challenge: &str, answer: &str| {
        let mut form = with(valid_form(&email), "captcha_answer", answer);
        form.push(("siret".into(), "73282932000074".into()));
        form.push(("screen".into(), "configure".into()));
        form.push(("captcha_id".into(), challenge.to_owned()));
        form
    };
    for (case, form) in [
        ("reused", signup(&reused, CAPTCHA_ANSWER)),
        ("expired", signup(&expired, CAPTCHA_ANSWER)),
        ("wrong", signup(&wrong, "ZZZZZ")),
        ("missing", signup(&missing, "")),
    ] {
        let page = app.post_signup(&form).await;
        assert_eq!(page.status, 422, "{case} captcha: {}", page.body);
        assert!(page.error_of("captcha_answer").is_some(), "{case} captcha");
    }
    // "Mot de passe oublié ?"
    let refused = app
        .post_form(
            "/mot-de-passe-oublie",
            &[
                ("intent", "request"),
                ("login_email", &email),
                ("captcha_id", &recovery_wrong),
                ("captcha_answer", "ZZZZZ"),
            ],
            None,
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.page().error_of("captcha_answer").is_some());

    // Control: past a solved captcha, the broken tables are reached.
    let solved = app.open_signup().await;
    let page = app.post_signup(&signup(&solved, CAPTCHA_ANSWER)).await;
    assert_eq!(page.status, 503, "the tables were not needed after all");
}

/// Signup, login, both steps of "Mot de passe oublié ?", the reactivation
/// request and the activation resend answer no sooner than the steady
/// floor, whether the address has an account (active or pending) or not
/// (`make load` measures that their median times then match).
#[tokio::test]
async fn answers_that_could_tell_whether_an_address_has_an_account_take_the_steady_time() {
    let floor = std::time::Duration::from_millis(300);
    let app = spawn_app_with(|config| config.steady_answer_ms = 300).await;
    let registered = unique_email();
    app.create_active_account(&registered).await;
    let pending = unique_email();
    app.create_pending_account(&pending).await;
    // Past the wait between two links: the resend writes an email.
    app.clock.advance(jiff::SignedDuration::from_mins(10));
    for address in [&registered, &pending, &unique_email()] {
        let started = std::time::Instant::now();
        let resent = app
            .post_form("/activation-renvoyer", &[("login_email", address)], None)
            .await;
        assert_eq!(resent.status, 200, "{}", resent.body);
        assert!(started.elapsed() >= floor, "activation resend of {address}");
    }
    // The pending account got its new link.
    app.wait_for_emails(|emails| {
        emails
            .iter()
            .filter(|m| m.recipient == pending && m.kind == "activation")
            .count()
            == 2
    })
    .await;
    for address in [registered, unique_email()] {
        let timed = |step: &'static str, started: std::time::Instant| {
            assert!(started.elapsed() >= floor, "{step} of {address}");
        };
        let mut form = valid_form(&address);
        form.push(("captcha_id".into(), app.open_signup().await));
        let started = std::time::Instant::now();
        assert_eq!(app.post_signup(&form).await.status, 200);
        timed("signup", started);

        let started = std::time::Instant::now();
        assert_eq!(app.log_in(&address, "Pas-Le-Bon-2026").await.status, 401);
        timed("login", started);

        let challenge = app.open_captcha("/mot-de-passe-oublie", None).await;
        let started = std::time::Instant::now();
        let question = app
            .post_form(
                "/mot-de-passe-oublie",
                &[
                    ("intent", "request"),
                    ("login_email", &address),
                    ("captcha_id", &challenge),
                    ("captcha_answer", CAPTCHA_ANSWER),
                ],
                None,
            )
            .await;
        assert_eq!(question.status, 200);
        timed("forgotten password", started);
        let started = std::time::Instant::now();
        assert_eq!(
            app.answer_secret_question(&question, "Rex").await.status,
            200
        );
        timed("secret answer", started);

        let started = std::time::Instant::now();
        let request = app
            .post_form("/reactivation", &[("login_email", &address)], None)
            .await;
        assert_eq!(request.status, 200);
        timed("reactivation request", started);
    }
}

#[tokio::test]
async fn an_address_with_a_trailing_slash_goes_to_the_page_without_it() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let cookie = app.logged_in(&email).await;
    for (asked, page) in [
        ("/mon-compte/", "/mon-compte"),
        ("/accueil/?suivant=1", "/accueil?suivant=1"),
        ("/inscription//", "/inscription"),
    ] {
        let response = app.get_as(asked, &cookie).await;
        assert_eq!(response.status, 308, "{asked}");
        assert_eq!(response.location.as_deref(), Some(page), "{asked}");
    }
    // Never to another host.
    let response = app.get_as("//example.org/", &cookie).await;
    assert_ne!(response.status, 308);
    assert!(response.location.is_none());
    assert_eq!(app.get_as("/", &cookie).await.status, 200);
}

/// Fifty deactivated accounts asking for reactivation at once: every
/// request is recorded and its email queued (no "database is locked" on
/// SQLite: the transaction takes the account's row before it reads).
#[tokio::test]
async fn fifty_concurrent_reactivation_requests_of_different_accounts_all_succeed() {
    let app = spawn_app_with(|config| config.client_max_attempts = 1000).await;
    let mut emails = Vec::new();
    for _ in 0..50 {
        let email = unique_email();
        app.create_active_account(&email).await;
        emails.push(email);
    }
    sqlx::query("UPDATE accounts SET state = 'deactivated'")
        .execute(&app.state.db)
        .await
        .unwrap();
    let forms: Vec<[(&str, &str); 1]> = emails
        .iter()
        .map(|email| [("login_email", email.as_str())])
        .collect();
    let requests = forms
        .iter()
        .map(|form| app.post_form("/reactivation", form, None));
    let statuses: Vec<u16> = futures::future::join_all(requests)
        .await
        .into_iter()
        .map(|r| r.status)
        .collect();
    assert!(statuses.iter().all(|s| *s < 400), "{statuses:?}");
    assert_eq!(app.count("reactivation_requests").await, 50);
    app.wait_for_emails(|e| {
        e.iter()
            .filter(|e| e.kind == "reactivation_requested")
            .count()
            == 50
    })
    .await;
}
