//! Part 9, item 5: every accepted address can be delivered by the
//! configured relay. An internationalised domain goes as its ASCII form
//! through a relay without SMTPUTF8; a non-ASCII local part is refused next
//! to its field unless the relay offers SMTPUTF8 (`SESAME_SMTP_UTF8`).

use crate::helpers::*;
use crate::smtp::{free_port, FakeSmtp};

const LOCAL_NOT_ASCII: &str = "pr\u{F6}be@ex\u{E4}mple.test";

#[tokio::test]
async fn an_address_the_relay_cannot_deliver_is_refused_at_signup_next_to_its_field() {
    let app = spawn_app().await;
    let form = valid_form(LOCAL_NOT_ASCII);
    let page = app.sign_up(form).await;
    assert_eq!(page.status, 422, "{}", page.body);
    let error = page.error_of("login_email").unwrap_or_default();
    assert!(error.contains("avant le @"), "{error}");
    assert_eq!(page.value_of("last_name").as_deref(), Some("Dupont"));
    assert_eq!(app.count("accounts").await, 0);
    assert!(app.emails().await.is_empty());

    // The same for a contact address.
    let email = unique_email();
    let page = app
        .sign_up(with(valid_form(&email), "contact_email", LOCAL_NOT_ASCII))
        .await;
    assert_eq!(page.status, 422);
    assert!(page.error_of("contact_email").is_some());
}

#[tokio::test]
async fn an_address_the_relay_cannot_deliver_is_refused_in_mon_compte_and_kept_as_typed() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let cookie = app.logged_in(&email).await;
    let contact = app
        .post_form(
            "/mon-compte/contact",
            &[("contact_email", LOCAL_NOT_ASCII)],
            Some(&cookie),
        )
        .await;
    assert_eq!(contact.status, 422);
    let page = contact.page();
    assert!(page
        .error_of("contact_email")
        .unwrap_or_default()
        .contains("avant le @"));
    assert_eq!(
        page.value_of("contact_email").as_deref(),
        Some(LOCAL_NOT_ASCII)
    );

    let login = app
        .post_form(
            "/mon-compte/identifiant",
            &[
                ("new_login_email", LOCAL_NOT_ASCII),
                ("login_password", PASSWORD),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(login.status, 422);
    assert!(login.page().error_of("new_login_email").is_some());
    let kinds: Vec<String> = app.emails().await.into_iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        ["activation", "second_step_code"],
        "only the activation email and the login's code"
    );
}

#[tokio::test]
async fn an_internationalised_domain_is_delivered_in_ascii_by_a_relay_without_smtputf8() {
    let port = free_port();
    let smtp = FakeSmtp::start(port, false).await;
    let app =
        spawn_app_with(|config| config.smtp_url = Some(format!("smtp://127.0.0.1:{port}"))).await;
    let local = unique_email();
    let email = format!("{}@ex\u{E4}mple.test", local.split('@').next().unwrap());
    let page = app.sign_up(valid_form(&email)).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let delivered = app
        .wait_for_emails(|e| {
            e.len() == 1 && (e[0].sent_at.is_some() || e[0].abandoned_at.is_some())
        })
        .await;
    assert!(
        delivered[0].sent_at.is_some(),
        "not delivered: {:?}",
        delivered[0].last_error
    );
    let messages = smtp.messages();
    assert_eq!(messages.len(), 1);
    assert!(
        messages[0].contains("@xn--exmple-cua.test"),
        "{}",
        messages[0]
    );
}

#[tokio::test]
async fn a_relay_that_offers_smtputf8_lets_a_non_ascii_local_part_in() {
    let app = spawn_app_with(|config| config.smtp_utf8 = true).await;
    let form = valid_form(LOCAL_NOT_ASCII);
    assert_eq!(app.sign_up(form).await.status, 200);
    assert_eq!(app.count("accounts").await, 1);
}

#[tokio::test]
async fn a_domain_without_an_ascii_form_is_refused_next_to_its_field() {
    let app = spawn_app_with(|config| config.smtp_utf8 = true).await;
    // One script (Devanagari), but a label that starts with a combining
    // sign has no ASCII form (IDNA).
    let address = "paul@\u{903}\u{915}\u{916}.fr";
    let page = app.sign_up(valid_form(address)).await;
    assert_eq!(page.status, 422, "{}", page.body);
    let error = page.error_of("login_email").unwrap_or_default();
    assert!(error.contains("domaine"), "{error}");
    assert_eq!(app.count("accounts").await, 0);
}
