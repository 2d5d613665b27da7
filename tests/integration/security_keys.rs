//! Part 13: security keys (WebAuthn) as the second factor. A key is
//! registered in "Sécurité" with a name, asked for first at the next
//! login, and refused when its answer was made for another site, answers
//! an old or expired challenge, belongs to another account, or shows a
//! counter that went back (a clone).

use crate::authenticator::SoftKey;
use crate::helpers::*;
use jiff::SignedDuration;
use serde_json::Value;

/// The public address of these portals: a domain (keys need one), which
/// is also the origin a genuine browser page writes in its answers.
const ORIGIN: &str = "http://localhost:8080";

async fn portal() -> TestApp {
    spawn_app_with(|config| config.public_url = ORIGIN.into()).await
}

/// What a server function answered, as JSON (its page under `Page`).
fn page_json(response: &Response) -> Value {
    let json: Value = serde_json::from_str(&response.body)
        .unwrap_or_else(|_| panic!("not JSON: {}", response.body));
    json["Page"].clone()
}

/// Starts adding a key named `name` through the server function the page
/// uses: the ceremony's options.
async fn start_key(app: &TestApp, cookie: &str, name: &str) -> String {
    let started = app
        .post_form(
            "/api/securite",
            &[
                ("intent", "key_start"),
                ("password", PASSWORD),
                ("key_name", name),
            ],
            Some(cookie),
        )
        .await;
    assert_eq!(started.status, 200, "{}", started.body);
    page_json(&started)["adding_key"][1]
        .as_str()
        .unwrap_or_else(|| panic!("no options: {}", started.body))
        .to_owned()
}

/// Posts the key's answer to its registration.
async fn finish_key(app: &TestApp, cookie: &str, answer: &str) -> Response {
    app.post_form(
        "/api/securite",
        &[("intent", "key_finish"), ("key", answer)],
        Some(cookie),
    )
    .await
}

/// Registers `key` to the connected account as `name`.
async fn register(app: &TestApp, cookie: &str, key: &mut SoftKey, name: &str) -> Value {
    let options = start_key(app, cookie, name).await;
    let finished = finish_key(app, cookie, &key.register(&options, ORIGIN)).await;
    assert_eq!(finished.status, 200, "{}", finished.body);
    page_json(&finished)
}

/// The second step's state for a pending login.
async fn step_state(app: &TestApp, pending: &str) -> Value {
    let page = app
        .post_form("/api/verification/page", &[], Some(pending))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    page_json(&page)["Ask"].clone()
}

/// The options of the key ceremony the second step's page just opened.
async fn key_options(app: &TestApp, pending: &str) -> String {
    let ask = step_state(app, pending).await;
    assert_eq!(ask["method"], "Key", "{ask}");
    ask["key_options"].as_str().expect("key options").to_owned()
}

async fn post_key(app: &TestApp, pending: &str, answer: &str) -> Response {
    app.post_form(
        "/verification",
        &[("method", "key"), ("key", answer), ("intent", "verify")],
        Some(pending),
    )
    .await
}

/// An account with a key registered: its session and the key.
async fn with_a_key(app: &TestApp, email: &str) -> (String, SoftKey) {
    app.create_active_account(email).await;
    let cookie = app.logged_in(email).await;
    let mut key = SoftKey::new();
    register(app, &cookie, &mut key, "Clé YubiKey bureau").await;
    (cookie, key)
}

/// Logs in with the password and `key`: the session cookie.
async fn logged_in_with_key(app: &TestApp, email: &str, key: &mut SoftKey) -> String {
    app.clock.advance(SignedDuration::from_mins(1));
    let pending = app.password_step(email, PASSWORD).await;
    let options = key_options(app, &pending).await;
    let passed = post_key(app, &pending, &key.assert(&options, ORIGIN)).await;
    assert_eq!(passed.status, 303, "{}", passed.body);
    passed.session_cookie().expect("a session")
}

fn second_step_codes_to(emails: &[StoredEmail], email: &str) -> usize {
    emails
        .iter()
        .filter(|e| e.kind == "second_step_code" && e.recipient == email)
        .count()
}

#[tokio::test]
async fn a_key_registered_in_security_is_listed_told_and_gives_the_first_recovery_codes() {
    let app = portal().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let cookie = app.logged_in(&email).await;
    let mut key = SoftKey::new();
    let page = register(&app, &cookie, &mut key, "  Clé   YubiKey bureau ").await;
    assert_eq!(page["notice"], "security.key_added_with_codes", "{page}");
    assert_eq!(page["new_codes"].as_array().map(Vec::len), Some(10));
    assert_eq!(page["keys"][0]["name"], "Clé YubiKey bureau");
    assert!(page["keys"][0]["last_used"].is_null());
    let emails = app
        .wait_for_emails(|emails| emails.iter().any(|e| e.kind == "factor_key_added"))
        .await;
    let told = emails
        .iter()
        .find(|e| e.kind == "factor_key_added")
        .unwrap();
    assert_eq!(told.recipient, email);
    assert!(
        told.text_body.contains("« Clé YubiKey bureau »"),
        "{}",
        told.text_body
    );
    assert!(app
        .event_kinds(&email)
        .await
        .contains(&"key_added".to_owned()));
    // The plain page lists it too.
    let shown = app.get_as("/securite", &cookie).await;
    assert!(shown.body.contains("Clé YubiKey bureau"));
}

#[tokio::test]
async fn the_key_is_asked_for_first_at_the_next_login_and_opens_the_session() {
    let app = portal().await;
    let email = unique_email();
    let (_, mut key) = with_a_key(&app, &email).await;
    let codes_before = second_step_codes_to(&app.emails().await, &email);
    app.clock.advance(SignedDuration::from_mins(1));
    let pending = app.password_step(&email, PASSWORD).await;
    // Without JavaScript the page says so, and offers the other methods.
    let plain = app.get_as("/verification", &pending).await;
    assert!(plain.body.contains("JavaScript"), "{}", plain.body);
    assert!(plain.body.contains("value=\"use_email\""), "{}", plain.body);
    // Each page drawn opens a new ceremony, replacing the last.
    let ask = step_state(&app, &pending).await;
    assert_eq!(ask["method"], "Key");
    assert!(ask["others"]
        .as_array()
        .unwrap()
        .contains(&Value::from("Email")));
    // No code is emailed while a key is asked for.
    assert_eq!(
        second_step_codes_to(&app.emails().await, &email),
        codes_before
    );
    let options = ask["key_options"].as_str().unwrap().to_owned();
    let passed = post_key(&app, &pending, &key.assert(&options, ORIGIN)).await;
    assert_eq!(passed.status, 303, "{}", passed.body);
    let session = passed.session_cookie().expect("a session");
    let page = app.get_as("/securite", &session).await;
    assert_eq!(page.status, 200);
    let (used,): (Option<i64>,) = sqlx::query_as("SELECT last_used_at FROM security_keys")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert!(used.is_some());
}

#[tokio::test]
async fn an_answer_made_for_another_site_is_refused_and_counted() {
    let app = portal().await;
    let email = unique_email();
    let (_, mut key) = with_a_key(&app, &email).await;
    let pending = app.password_step(&email, PASSWORD).await;
    let options = key_options(&app, &pending).await;
    let phished = key.assert(&options, "http://localhost.evil.example:8080");
    let refused = post_key(&app, &pending, &phished).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains("La clé n&#x27;a pas été reconnue")
            || refused.body.contains("La clé n'a pas été reconnue"),
        "{}",
        refused.body
    );
    assert!(app
        .event_kinds(&email)
        .await
        .contains(&"second_step_failed".to_owned()));
}

#[tokio::test]
async fn an_answer_replayed_on_a_later_login_is_refused() {
    let app = portal().await;
    let email = unique_email();
    let (_, mut key) = with_a_key(&app, &email).await;
    let pending = app.password_step(&email, PASSWORD).await;
    let answer = key.assert(&key_options(&app, &pending).await, ORIGIN);
    assert_eq!(post_key(&app, &pending, &answer).await.status, 303);
    // The same answer, captured, against a new login: its challenge is
    // spent, and the new page's is another.
    app.clock.advance(SignedDuration::from_mins(1));
    let again = app.password_step(&email, PASSWORD).await;
    key_options(&app, &again).await;
    let replayed = post_key(&app, &again, &answer).await;
    assert_eq!(replayed.status, 422, "{}", replayed.body);
    assert!(replayed
        .session_cookie()
        .is_none_or(|c| !c.contains("sesame_session=")));
}

#[tokio::test]
async fn an_expired_challenge_is_refused_and_counts_no_try() {
    let app = portal().await;
    let email = unique_email();
    let (_, mut key) = with_a_key(&app, &email).await;
    let pending = app.password_step(&email, PASSWORD).await;
    let options = key_options(&app, &pending).await;
    app.clock.advance(SignedDuration::from_mins(6));
    let late = post_key(&app, &pending, &key.assert(&options, ORIGIN)).await;
    assert_eq!(late.status, 422, "{}", late.body);
    assert!(late.body.contains("La demande a expiré"), "{}", late.body);
    assert!(!app
        .event_kinds(&email)
        .await
        .contains(&"second_step_failed".to_owned()));
    // A new page, a new challenge: the key works.
    let fresh = key_options(&app, &pending).await;
    assert_eq!(
        post_key(&app, &pending, &key.assert(&fresh, ORIGIN))
            .await
            .status,
        303
    );
}

#[tokio::test]
async fn a_key_registered_to_one_account_can_neither_be_registered_to_nor_open_another() {
    let app = portal().await;
    let owner = unique_email();
    let (_, mut key) = with_a_key(&app, &owner).await;
    let other = unique_email();
    let (other_cookie, _) = with_a_key(&app, &other).await;
    // Registered again, to the other account.
    let options = start_key(&app, &other_cookie, "Clé empruntée").await;
    let mut copy = key.clone();
    let refused = finish_key(&app, &other_cookie, &copy.register(&options, ORIGIN)).await;
    assert_eq!(
        page_json(&refused)["errors"]["key"],
        "errors.key.already_registered"
    );
    // Used at the other account's second step.
    let pending = app.password_step(&other, PASSWORD).await;
    let options = key_options(&app, &pending).await;
    let used = post_key(&app, &pending, &key.assert(&options, ORIGIN)).await;
    assert_eq!(used.status, 422, "{}", used.body);
}

#[tokio::test]
async fn a_counter_that_goes_back_refuses_the_key() {
    let app = portal().await;
    let email = unique_email();
    let (_, mut key) = with_a_key(&app, &email).await;
    let mut clone = key.clone();
    let pending = app.password_step(&email, PASSWORD).await;
    let options = key_options(&app, &pending).await;
    key.counter = 41;
    assert_eq!(
        post_key(&app, &pending, &key.assert(&options, ORIGIN))
            .await
            .status,
        303
    );
    // The clone still counts from 0: its 1 is below the 42 seen.
    app.clock.advance(SignedDuration::from_mins(1));
    let pending = app.password_step(&email, PASSWORD).await;
    let options = key_options(&app, &pending).await;
    let cloned = post_key(&app, &pending, &clone.assert(&options, ORIGIN)).await;
    assert_eq!(cloned.status, 422, "{}", cloned.body);
}

#[tokio::test]
async fn a_key_is_renamed_and_removing_the_last_one_brings_back_the_emailed_code() {
    let app = portal().await;
    let email = unique_email();
    let (cookie, mut key) = with_a_key(&app, &email).await;
    let other_session = logged_in_with_key(&app, &email, &mut key).await;
    let id: (String,) = sqlx::query_as("SELECT id FROM security_keys")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    let renamed = app
        .post_form(
            "/api/securite",
            &[
                ("intent", "key_rename"),
                ("key_id", &id.0),
                ("key_name", "Clé maison"),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(
        page_json(&renamed)["keys"][0]["name"],
        "Clé maison",
        "{}",
        renamed.body
    );
    // Removal asks for the password.
    let remove = format!("key_remove:{}", id.0);
    let refused = app
        .post_form(
            "/securite",
            &[("intent", &remove), ("password", "pas le bon")],
            Some(&cookie),
        )
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(app.count("security_keys").await, 1);
    let removed = app
        .post_form(
            "/securite",
            &[("intent", &remove), ("password", PASSWORD)],
            Some(&cookie),
        )
        .await;
    assert_eq!(removed.status, 200, "{}", removed.body);
    assert_eq!(app.count("security_keys").await, 0);
    let emails = app
        .wait_for_emails(|emails| emails.iter().any(|e| e.kind == "factor_key_removed"))
        .await;
    assert!(emails
        .iter()
        .any(|e| e.kind == "factor_key_removed" && e.text_body.contains("« Clé maison »")));
    // The other session ended; this one goes on.
    assert_eq!(app.get_as("/securite", &other_session).await.status, 303);
    assert_eq!(app.get_as("/securite", &cookie).await.status, 200);
    // The next login is by emailed code again.
    app.clock.advance(SignedDuration::from_mins(1));
    let pending = app.password_step(&email, PASSWORD).await;
    assert_eq!(step_state(&app, &pending).await["method"], "Email");
    let code = app.emailed_code(&email).await;
    assert_eq!(app.second_step(&pending, "email", &code).await.status, 303);
}

#[tokio::test]
async fn a_key_name_is_checked_with_the_password_and_kept_as_typed() {
    let app = portal().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let cookie = app.logged_in(&email).await;
    let refused = app
        .post_form(
            "/securite",
            &[
                ("intent", "key_start"),
                ("password", "pas le bon"),
                ("key_name", ""),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(refused.status, 422);
    let page = refused.page();
    assert!(page.error_of("key_name").is_some(), "{}", refused.body);
    assert!(page.error_of("password").is_some(), "{}", refused.body);
    let long = "x".repeat(70);
    let refused = app
        .post_form(
            "/securite",
            &[
                ("intent", "key_start"),
                ("password", PASSWORD),
                ("key_name", &long),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(
        refused.page().value_of("key_name").as_deref(),
        Some(long.as_str())
    );
}

#[tokio::test]
async fn on_an_address_without_a_domain_keys_are_not_offered() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let cookie = app.logged_in(&email).await;
    let page = app
        .post_form(
            "/api/securite/page",
            &[("recommend", "false"), ("next", "")],
            Some(&cookie),
        )
        .await;
    assert_eq!(page_json(&page)["keys_work"], false, "{}", page.body);
    let plain = app.get_as("/securite", &cookie).await;
    assert!(!plain.body.contains("value=\"key_start\""));
}

/// Twenty people with a key reaching the second step at once: each page
/// opens its ceremony (no "database is locked" on SQLite: the transaction
/// takes the account's row before it reads the keys).
#[tokio::test]
async fn twenty_second_steps_by_key_opened_at_once_all_get_their_ceremony() {
    let app = spawn_app_with(|config| {
        config.public_url = ORIGIN.into();
        config.client_max_attempts = 1000;
    })
    .await;
    let mut emails = Vec::new();
    for _ in 0..20 {
        let email = unique_email();
        with_a_key(&app, &email).await;
        emails.push(email);
    }
    // The password steps within the pending logins' 10 minutes.
    let mut pendings = Vec::new();
    for email in &emails {
        pendings.push(app.password_step(email, PASSWORD).await);
    }
    let pages = pendings
        .iter()
        .map(|pending| app.post_form("/api/verification/page", &[], Some(pending)));
    let answers = futures::future::join_all(pages).await;
    for answer in &answers {
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert!(
            page_json(answer)["Ask"]["key_options"].is_string(),
            "{}",
            answer.body
        );
    }
    assert_eq!(app.count("key_ceremonies").await, 20);
}

#[tokio::test]
async fn a_cancelled_registration_cannot_be_finished_afterwards() {
    let app = portal().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let cookie = app.logged_in(&email).await;
    let mut key = SoftKey::new();
    let options = start_key(&app, &cookie, "Clé annulée").await;
    let cancelled = app
        .post_form("/api/securite", &[("intent", "key_cancel")], Some(&cookie))
        .await;
    assert_eq!(page_json(&cancelled)["notice"], "security.key_cancelled");
    let late = finish_key(&app, &cookie, &key.register(&options, ORIGIN)).await;
    let page = page_json(&late);
    assert_eq!(page["errors"]["key"], "errors.key.expired", "{page}");
    assert_eq!(page["keys"].as_array().map(Vec::len), Some(0));
}
