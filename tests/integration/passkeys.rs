//! Part 13: passkeys. A passkey registered in "Sécurité" (a discoverable
//! credential that verifies its user) logs in from the login box with no
//! password and no second step; the same refusals as a password login
//! apply, and a key without user verification never replaces the
//! password.

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

fn json_of(response: &Response) -> Value {
    serde_json::from_str(&response.body).unwrap_or_else(|_| panic!("not JSON: {}", response.body))
}

/// Starts adding a key through "Sécurité": `intent` is `key_start` or
/// `passkey_start`. The ceremony's options.
async fn start(app: &TestApp, cookie: &str, intent: &str, name: &str) -> String {
    let started = app
        .post_form(
            "/api/securite",
            &[
                ("intent", intent),
                ("password", PASSWORD),
                ("key_name", name),
            ],
            Some(cookie),
        )
        .await;
    assert_eq!(started.status, 200, "{}", started.body);
    json_of(&started)["Page"]["adding_key"][1]
        .as_str()
        .unwrap_or_else(|| panic!("no options: {}", started.body))
        .to_owned()
}

/// Registers `key` through `intent`: the page's state after.
async fn register(app: &TestApp, cookie: &str, key: &mut SoftKey, intent: &str) -> Value {
    let options = start(app, cookie, intent, "Téléphone de Paul").await;
    let finished = app
        .post_form(
            "/api/securite",
            &[
                ("intent", "key_finish"),
                ("key", &key.register(&options, ORIGIN)),
            ],
            Some(cookie),
        )
        .await;
    assert_eq!(finished.status, 200, "{}", finished.body);
    json_of(&finished)["Page"].clone()
}

/// An active account with a passkey: the passkey.
async fn with_a_passkey(app: &TestApp, email: &str) -> SoftKey {
    app.create_active_account(email).await;
    let cookie = app.logged_in(email).await;
    let mut key = SoftKey::passkey();
    let page = register(app, &cookie, &mut key, "passkey_start").await;
    assert_eq!(page["keys"][0]["passkey"], true, "{page}");
    key
}

/// Opens a passkey login as the login box does: the ceremony and options.
async fn open(app: &TestApp) -> (String, String) {
    let opened = app
        .post_form("/api/connexion/cle-d-acces/ouverture", &[], None)
        .await;
    assert_eq!(opened.status, 200, "{}", opened.body);
    let offer = &json_of(&opened)["Offer"];
    (
        offer["ceremony"].as_str().expect("a ceremony").to_owned(),
        offer["options"].as_str().expect("options").to_owned(),
    )
}

/// Posts a passkey's answer to the login box's ceremony.
async fn answer(app: &TestApp, ceremony: &str, answer: &str) -> Response {
    app.post_form(
        "/api/connexion/cle-d-acces",
        &[
            ("ceremony", ceremony),
            ("answer", answer),
            ("next", "/mon-compte"),
        ],
        None,
    )
    .await
}

/// Logs in from the login box with `key`, as the browser's prompt
/// answers: a new ceremony, the key's answer for this portal.
async fn log_in_with(app: &TestApp, key: &mut SoftKey) -> Response {
    let (ceremony, options) = open(app).await;
    answer(app, &ceremony, &key.assert_passkey(&options, ORIGIN)).await
}

/// The refusal a login box answer shows.
fn refusal(response: &Response) -> Value {
    json_of(response)["Page"]["refusal"].clone()
}

#[tokio::test]
async fn a_passkey_logs_in_from_the_login_box_with_no_password_and_no_second_step() {
    let app = portal().await;
    let email = unique_email();
    let mut key = with_a_passkey(&app, &email).await;
    let codes_before = app
        .emails()
        .await
        .iter()
        .filter(|e| e.kind == "second_step_code")
        .count();
    let (ceremony, options) = open(&app).await;
    let public_key: Value = serde_json::from_str(&options).unwrap();
    assert_eq!(public_key["mediation"], "conditional", "{options}");
    assert!(
        public_key["publicKey"]["allowCredentials"]
            .as_array()
            .is_none_or(Vec::is_empty),
        "a login box names no credential: {options}"
    );
    assert_eq!(public_key["publicKey"]["userVerification"], "required");
    let logged_in = answer(&app, &ceremony, &key.assert_passkey(&options, ORIGIN)).await;
    assert_eq!(logged_in.status, 200, "{}", logged_in.body);
    assert_eq!(
        json_of(&logged_in)["PersonChanged"]["path"],
        "/mon-compte",
        "{}",
        logged_in.body
    );
    let session = logged_in.session_cookie().expect("a session");
    assert!(session.starts_with("sesame_session="), "{session}");
    let account = app.get_as("/mon-compte", &session).await;
    assert_eq!(account.status, 200);
    let codes_after = app
        .emails()
        .await
        .iter()
        .filter(|e| e.kind == "second_step_code")
        .count();
    assert_eq!(codes_before, codes_after, "no emailed code for a passkey");
    assert!(app
        .event_kinds(&email)
        .await
        .iter()
        .any(|kind| kind == "logged_in"));
    // A new browser, told with how it logged in.
    let emails = app
        .wait_for_emails(|e| {
            e.iter()
                .any(|m| m.kind == "new_browser" && m.recipient == email)
        })
        .await;
    let notice = emails.iter().find(|m| m.kind == "new_browser").unwrap();
    assert!(
        notice
            .text_body
            .contains("une clé d'accès (sans mot de passe)"),
        "{}",
        notice.text_body
    );
}

#[tokio::test]
async fn the_registration_of_a_passkey_asks_for_a_discoverable_credential_that_verifies_its_user() {
    let app = portal().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let cookie = app.logged_in(&email).await;
    let options = start(&app, &cookie, "passkey_start", "Téléphone").await;
    let options: Value = serde_json::from_str(&options).unwrap();
    let selection = &options["publicKey"]["authenticatorSelection"];
    assert_eq!(selection["residentKey"], "required", "{options}");
    assert_eq!(selection["userVerification"], "required", "{options}");
}

#[tokio::test]
async fn a_key_without_user_verification_is_never_a_passkey() {
    let app = portal().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let cookie = app.logged_in(&email).await;
    // Registered as a passkey without verifying its user: refused.
    let mut unverified = SoftKey::new();
    let page = register(&app, &cookie, &mut unverified, "passkey_start").await;
    assert_eq!(page["errors"]["key"], "errors.key.not_verified", "{page}");
    assert_eq!(page["keys"].as_array().map(Vec::len), Some(0), "{page}");
    // Registered as a security key: a second factor only.
    let page = register(&app, &cookie, &mut unverified, "key_start").await;
    assert_eq!(page["keys"][0]["passkey"], false, "{page}");
    let (ceremony, options) = open(&app).await;
    let refused = answer(
        &app,
        &ceremony,
        &unverified.assert_passkey(&options, ORIGIN),
    )
    .await;
    assert_eq!(
        refusal(&refused),
        "PasskeyNotRecognised",
        "{}",
        refused.body
    );
    assert!(refused.session_cookie().is_none());
    // A security key that happens to verify its user is no passkey either.
    let mut verifying = SoftKey::passkey();
    register(&app, &cookie, &mut verifying, "key_start").await;
    let refused = log_in_with(&app, &mut verifying).await;
    assert_eq!(
        refusal(&refused),
        "PasskeyNotRecognised",
        "{}",
        refused.body
    );
}

#[tokio::test]
async fn a_passkey_that_does_not_verify_its_user_at_login_is_refused() {
    let app = portal().await;
    let email = unique_email();
    let mut key = with_a_passkey(&app, &email).await;
    key.user_verification = false;
    let refused = log_in_with(&app, &mut key).await;
    assert_eq!(refusal(&refused), "PasskeyNotVerified", "{}", refused.body);
    assert!(refused.session_cookie().is_none());
}

#[tokio::test]
async fn a_passkey_answer_for_another_site_a_replayed_or_a_late_one_is_refused() {
    let app = portal().await;
    let email = unique_email();
    let mut key = with_a_passkey(&app, &email).await;
    // Phished: the answer was made on another origin.
    let (ceremony, options) = open(&app).await;
    let phished = answer(
        &app,
        &ceremony,
        &key.assert_passkey(&options, "https://sesame.example.evil"),
    )
    .await;
    assert_eq!(
        refusal(&phished),
        "PasskeyNotRecognised",
        "{}",
        phished.body
    );
    // Replayed: a ceremony is answered once.
    let (ceremony, options) = open(&app).await;
    let genuine = key.assert_passkey(&options, ORIGIN);
    let first = answer(&app, &ceremony, &genuine).await;
    assert!(first.session_cookie().is_some(), "{}", first.body);
    let again = answer(&app, &ceremony, &genuine).await;
    assert_eq!(refusal(&again), "PasskeyExpired", "{}", again.body);
    // Late: 5 minutes at most.
    let (ceremony, options) = open(&app).await;
    app.clock.advance(SignedDuration::from_mins(6));
    let late = answer(&app, &ceremony, &key.assert_passkey(&options, ORIGIN)).await;
    assert_eq!(refusal(&late), "PasskeyExpired", "{}", late.body);
    // Made up: no such ceremony.
    let made_up = answer(
        &app,
        &"ab".repeat(32),
        &key.assert_passkey(&options, ORIGIN),
    )
    .await;
    assert_eq!(refusal(&made_up), "PasskeyExpired", "{}", made_up.body);
}

#[tokio::test]
async fn a_cloned_passkey_whose_counter_went_back_is_refused() {
    let app = portal().await;
    let email = unique_email();
    let mut key = with_a_passkey(&app, &email).await;
    let mut clone = key.clone();
    let (ceremony, options) = open(&app).await;
    assert!(
        answer(&app, &ceremony, &key.assert_passkey(&options, ORIGIN))
            .await
            .session_cookie()
            .is_some()
    );
    let cloned = log_in_with(&app, &mut clone).await;
    assert_eq!(refusal(&cloned), "PasskeyNotRecognised", "{}", cloned.body);
}

#[tokio::test]
async fn an_unknown_passkey_gets_the_login_refusal_and_one_of_another_account_logs_in_only_there() {
    let app = portal().await;
    let mut stranger = SoftKey::passkey();
    stranger.user_handle = Some("AAAAAAAAAAAAAAAAAAAAAA".into());
    let refused = log_in_with(&app, &mut stranger).await;
    assert_eq!(
        refusal(&refused),
        "PasskeyNotRecognised",
        "{}",
        refused.body
    );
    // Paul's passkey answering with Marie's user handle opens nothing.
    let paul = unique_email();
    let marie = unique_email();
    let mut paul_key = with_a_passkey(&app, &paul).await;
    let marie_key = with_a_passkey(&app, &marie).await;
    paul_key.user_handle = marie_key.user_handle.clone();
    let refused = log_in_with(&app, &mut paul_key).await;
    assert_eq!(
        refusal(&refused),
        "PasskeyNotRecognised",
        "{}",
        refused.body
    );
}

#[tokio::test]
async fn a_deactivated_accounts_passkey_is_refused_with_its_message() {
    let app = portal().await;
    let email = unique_email();
    let mut key = with_a_passkey(&app, &email).await;
    sqlx::query("UPDATE accounts SET state = 'deactivated' WHERE login_email = $1")
        .bind(&email)
        .execute(&app.state.db)
        .await
        .unwrap();
    let refused = log_in_with(&app, &mut key).await;
    assert_eq!(refusal(&refused), "Deactivated", "{}", refused.body);
    // The box offers to ask for the account back, for its address.
    assert_eq!(json_of(&refused)["Page"]["email"], email.as_str());
    assert!(refused.session_cookie().is_none());
}

#[tokio::test]
async fn passkey_logins_count_against_the_clients_throttle() {
    let app = spawn_app_with(|config| {
        config.public_url = ORIGIN.into();
        config.client_max_attempts = 3;
    })
    .await;
    let mut stranger = SoftKey::passkey();
    stranger.user_handle = Some("AAAAAAAAAAAAAAAAAAAAAA".into());
    let mut last = Value::Null;
    for _ in 0..4 {
        let (ceremony, options) = open(&app).await;
        last = refusal(&answer(&app, &ceremony, &stranger.assert_passkey(&options, ORIGIN)).await);
    }
    assert_eq!(last, "TooManyAttempts");
}

#[tokio::test]
async fn an_address_on_an_ip_offers_no_passkey() {
    let app = spawn_app_with(|config| config.public_url = "http://127.0.0.1:3000".into()).await;
    let opened = app
        .post_form("/api/connexion/cle-d-acces/ouverture", &[], None)
        .await;
    assert_eq!(json_of(&opened), "NoPasskeys", "{}", opened.body);
}

#[tokio::test]
async fn a_passkey_login_leaves_the_block_of_a_hundred_wrong_second_steps_in_place() {
    let app = portal().await;
    let email = unique_email();
    let mut key = with_a_passkey(&app, &email).await;
    sqlx::query("UPDATE accounts SET second_step_failures = 100 WHERE login_email = $1")
        .bind(&email)
        .execute(&app.state.db)
        .await
        .unwrap();
    let logged_in = log_in_with(&app, &mut key).await;
    assert!(logged_in.session_cookie().is_some(), "{}", logged_in.body);
    let (failures,): (i64,) =
        sqlx::query_as("SELECT second_step_failures FROM accounts WHERE login_email = $1")
            .bind(&email)
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(
        failures, 100,
        "the block says the password leaked: a reset lifts it"
    );
}

#[tokio::test]
async fn after_not_me_a_passkey_no_longer_logs_in_alone() {
    let app = portal().await;
    let email = unique_email();
    let mut key = with_a_passkey(&app, &email).await;
    // A second browser's login, then "Ce n'était pas moi".
    let login = app.log_in(&email, PASSWORD).await;
    let pending = login.session_cookie().unwrap();
    let options = {
        let page = app
            .post_form("/api/verification/page", &[], Some(&pending))
            .await;
        json_of(&page)["Page"]["Ask"]["key_options"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let passed = app
        .post_form(
            "/verification",
            &[
                ("method", "key"),
                ("key", &key.assert(&options, ORIGIN)),
                ("intent", "verify"),
            ],
            Some(&pending),
        )
        .await;
    assert_eq!(passed.status, 303, "{}", passed.body);
    let emails = app
        .wait_for_emails(|e| {
            e.iter()
                .any(|m| m.kind == "new_browser" && m.recipient == email)
        })
        .await;
    let notice = emails.iter().find(|m| m.kind == "new_browser").unwrap();
    let link = notice
        .text_body
        .split_whitespace()
        .find(|w| w.contains("/ce-n-etait-pas-moi/"))
        .unwrap()
        .trim_start_matches(ORIGIN)
        .to_owned();
    assert_eq!(app.post_form(&link, &[], None).await.status, 200);
    let refused = log_in_with(&app, &mut key).await;
    assert_eq!(
        refusal(&refused),
        "PasskeyNotRecognised",
        "{}",
        refused.body
    );
}
