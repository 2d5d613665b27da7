//! Part 14, item 1: pre-account hijacking (Sudhodanan and Paverd,
//! "Pre-hijacked accounts", USENIX Security 2022). Whoever creates the
//! account of an address they do not own chooses its contact address; that
//! address gets nothing, and no link that can change the account, until
//! the owner confirms it.

use crate::helpers::*;

/// The owner's account, created beforehand by someone else who typed
/// `attacker` as its contact address; activated by the owner from the link
/// sent to their login address. Returns the owner's session.
async fn pre_hijacked(app: &TestApp, owner: &str, attacker: &str) -> String {
    let page = app
        .sign_up(with(valid_form(owner), "contact_email", attacker))
        .await;
    assert_eq!(page.status, 200, "signup refused: {}", page.body);
    let emails = app
        .wait_for_emails(|e| {
            e.iter()
                .any(|m| m.recipient == owner && m.kind == "activation")
        })
        .await;
    let link = emails
        .iter()
        .find(|m| m.recipient == owner && m.kind == "activation")
        .map(|m| activation_link(&m.text_body))
        .unwrap();
    let token = link.rsplit('/').next().unwrap().to_owned();
    // The activation page shows what was typed, the contact address marked
    // as not confirmed.
    let shown = app.get(&format!("/activation/{token}")).await;
    assert!(shown.body.contains(attacker));
    assert!(shown.body.contains("non confirmée"), "{}", shown.body);
    let activated = app.activate(&token, PASSWORD, PASSWORD).await;
    assert_eq!(activated.status, 303, "{}", activated.body);
    app.logged_in(owner).await
}

fn sent_to(emails: &[StoredEmail], address: &str) -> Vec<String> {
    emails
        .iter()
        .filter(|e| e.recipient == address)
        .map(|e| e.kind.clone())
        .collect()
}

#[tokio::test]
async fn a_contact_address_typed_at_signup_gets_no_undo_link_when_the_owner_replaces_it() {
    let app = spawn_app().await;
    let (owner, attacker, chosen) = (unique_email(), unique_email(), unique_email());
    let cookie = pre_hijacked(&app, &owner, &attacker).await;
    let link = contact_confirmation_link(&app, &cookie, &chosen).await;
    let confirmed = app.post_form(&link, &[], None).await;
    assert!(confirmed.status < 400, "{}", confirmed.body);
    let emails = app.emails().await;
    assert_eq!(
        sent_to(&emails, &attacker),
        Vec::<String>::new(),
        "the attacker got mail"
    );
    // The undo link went to the login address, the one notices went to.
    assert!(sent_to(&emails, &owner).contains(&"contact_changed_old".to_owned()));
}

#[tokio::test]
async fn notices_go_to_the_login_address_until_the_contact_address_is_confirmed() {
    let app = spawn_app().await;
    let (owner, attacker) = (unique_email(), unique_email());
    let cookie = pre_hijacked(&app, &owner, &attacker).await;
    // The owner deactivates the account, then asks for it back: both
    // notices go to the login address.
    let deactivated = app
        .post_form(
            "/mon-compte/desactivation",
            &[("deactivate_password", PASSWORD)],
            Some(&cookie),
        )
        .await;
    assert!(deactivated.status < 400, "{}", deactivated.body);
    app.post_form("/reactivation", &[("login_email", &owner)], None)
        .await;
    let emails = app
        .wait_for_emails(|e| e.iter().any(|m| m.kind == "reactivation_requested"))
        .await;
    assert_eq!(
        sent_to(&emails, &attacker),
        Vec::<String>::new(),
        "the attacker got mail"
    );
    assert!(sent_to(&emails, &owner).contains(&"reactivation_requested".to_owned()));
}

#[tokio::test]
async fn the_owner_confirms_the_contact_address_typed_at_signup_and_it_then_gets_the_notices() {
    let app = spawn_app().await;
    let (owner, contact) = (unique_email(), unique_email());
    let cookie = pre_hijacked(&app, &owner, &contact).await;
    // Not refused as "already the contact address": it is not one yet.
    let link = contact_confirmation_link(&app, &cookie, &contact).await;
    app.post_form(&link, &[], None).await;
    let account = app.get_as("/mon-compte", &cookie).await;
    assert!(account.body.contains(&contact));
    assert!(!account.body.contains("non confirmée"));
}
