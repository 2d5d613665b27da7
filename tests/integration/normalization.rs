//! Part 9, item 1: the same text typed two ways is the same text. Passwords,
//! secret answers and addresses are compared in NFKC (NIST SP 800-63B
//! 5.1.1.2), and a hash made before normalisation still works once.

use crate::helpers::*;

/// "Çà-Fôrêt-2026" typed with precomposed letters (NFC).
const COMPOSED: &str = "\u{C7}\u{E0}-F\u{F4}r\u{EA}t-2026";
/// The same, typed as base letters plus combining accents (NFD).
const DECOMPOSED: &str = "C\u{327}a\u{300}-Fo\u{302}re\u{302}t-2026";

#[tokio::test]
async fn a_password_set_with_composed_letters_logs_in_typed_decomposed() {
    let app = spawn_app().await;
    let email = unique_email();
    let token = app.create_pending_account(&email).await;
    let activated = app.activate(&token, COMPOSED, COMPOSED).await;
    assert_eq!(activated.status, 303, "{}", activated.body);
    assert_eq!(app.log_in(&email, DECOMPOSED).await.status, 303);
    assert_eq!(app.log_in(&email, COMPOSED).await.status, 303);
}

#[tokio::test]
async fn a_password_and_its_confirmation_typed_two_ways_match() {
    let app = spawn_app().await;
    let email = unique_email();
    let token = app.create_pending_account(&email).await;
    let activated = app.activate(&token, DECOMPOSED, COMPOSED).await;
    assert_eq!(activated.status, 303, "{}", activated.body);
    assert_eq!(app.log_in(&email, COMPOSED).await.status, 303);
}

#[tokio::test]
async fn a_login_address_typed_decomposed_finds_the_account() {
    let app = spawn_app().await;
    let composed = format!(
        "{}@caf\u{E9}-dupont.fr",
        unique_email().split('@').next().unwrap()
    );
    let decomposed = composed.replace('\u{E9}', "e\u{301}");
    app.create_active_account(&composed).await;
    assert_eq!(app.log_in(&decomposed, PASSWORD).await.status, 303);
    // Signing up again with the decomposed form is the same address.
    app.sign_up(valid_form(&decomposed)).await;
    assert_eq!(app.count("accounts").await, 1);
}

#[tokio::test]
async fn a_secret_answer_typed_with_compatibility_characters_is_the_same_answer() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    // "Médor" as set at activation, typed here with a full-width "Ｍ" and a
    // decomposed "é".
    let question = app.ask_secret_question(&email, None).await;
    let answered = app
        .answer_secret_question(&question, "\u{FF2D}e\u{301}dor")
        .await;
    assert_eq!(answered.status, 200);
    let emails = app
        .wait_for_emails(|e| e.iter().any(|m| m.kind == "password_reset"))
        .await;
    assert_eq!(
        emails.iter().filter(|m| m.kind == "password_reset").count(),
        1
    );
}

#[tokio::test]
async fn a_hash_made_from_decomposed_text_before_normalisation_is_accepted_and_rehashed() {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let salt = SaltString::from_b64("c2VzYW1lLXRlc3Qtc2FsdA").unwrap();
    let legacy = argon2::Argon2::default()
        .hash_password(DECOMPOSED.as_bytes(), &salt)
        .unwrap()
        .to_string();
    sqlx::query("UPDATE accounts SET password_hash = $1 WHERE login_email = $2")
        .bind(&legacy)
        .bind(&email)
        .execute(&app.state.db)
        .await
        .unwrap();

    assert_eq!(app.log_in(&email, DECOMPOSED).await.status, 303);
    let (rehashed,): (String,) =
        sqlx::query_as("SELECT password_hash FROM accounts WHERE login_email = $1")
            .bind(&email)
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_ne!(rehashed, legacy, "the legacy hash was kept");
    // From now on both forms log in, against the NFKC hash.
    assert_eq!(app.log_in(&email, COMPOSED).await.status, 303);
    assert_eq!(app.log_in(&email, DECOMPOSED).await.status, 303);
    assert_eq!(app.log_in(&email, "Ca-Foret-2026").await.status, 401);
}

/// Part 14, item 8 (UTS #39; mastodon/mastodon#3833): an address that
/// mixes scripts within one part is refused next to its field, whatever the
/// door, and nothing is created.
#[tokio::test]
async fn an_address_with_a_cyrillic_letter_in_a_latin_word_is_refused_next_to_its_field() {
    let app = spawn_app().await;
    let look_alike = format!(
        "{}@\u{0435}xample.fr",
        unique_email().split('@').next().unwrap()
    );
    let page = app.sign_up(valid_form(&look_alike)).await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(
        page.error_of("login_email")
            .is_some_and(|error| error.contains("mélange des alphabets")),
        "{}",
        page.body
    );
    let mut form = valid_form(&look_alike);
    form.push(("captcha_id".into(), app.open_signup().await));
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let answer = app.call("inscription", &fields, None).await;
    assert_eq!(
        answer.page()["Refused"]["errors"]["login_email"],
        "errors.email.mixed_scripts"
    );
    assert_eq!(app.count("accounts").await, 0);
}

/// Part 14, item 8: `café.fr` and `xn--caf-dma.fr` are one domain, so one
/// account, whichever spelling is typed.
#[tokio::test]
async fn an_internationalised_domain_and_its_xn_spelling_are_the_same_account() {
    let app = spawn_app().await;
    let local = unique_email().split('@').next().unwrap().to_owned();
    let unicode = format!("{local}@caf\u{E9}.fr");
    let ascii = format!("{local}@xn--caf-dma.fr");
    app.create_active_account(&unicode).await;
    assert_eq!(app.log_in(&ascii, PASSWORD).await.status, 303);
    // Signing up again with the other spelling is the recap every address
    // gets, and warns the owner of the one account.
    let again = app.sign_up(valid_form(&ascii)).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(app.count("accounts").await, 1);
}

/// An account saved before the portal kept one spelling, its domain in
/// ASCII, is found by either spelling once the portal has started again.
#[tokio::test]
async fn an_address_stored_with_its_xn_spelling_is_respelt_at_start_up() {
    let app = spawn_app().await;
    let local = unique_email().split('@').next().unwrap().to_owned();
    let unicode = format!("{local}@caf\u{E9}.fr");
    let ascii = format!("{local}@xn--caf-dma.fr");
    app.create_active_account(&unicode).await;
    sqlx::query("UPDATE accounts SET login_email = $1 WHERE login_email = $2")
        .bind(&ascii)
        .bind(&unicode)
        .execute(&app.state.db)
        .await
        .unwrap();
    let restarted = app.second_instance().await;
    let (stored,): (String,) = sqlx::query_as("SELECT login_email FROM accounts")
        .fetch_one(&restarted.state.db)
        .await
        .unwrap();
    assert_eq!(stored, unicode);
    assert_eq!(restarted.log_in(&unicode, PASSWORD).await.status, 303);
    assert_eq!(restarted.log_in(&ascii, PASSWORD).await.status, 303);
}
