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
    let token = app.activation_token(owner).await;
    // The activation page shows what was typed, the contact address marked
    // as not confirmed.
    let shown = app.get(&format!("/activation/{token}")).await;
    assert!(shown.body.contains(attacker));
    assert!(shown.body.contains("n'est pas confirmée"), "{}", shown.body);
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

/// Signs up `form` and returns its activation token.
async fn signed_up(app: &TestApp, form: Vec<(String, String)>, owner: &str) -> String {
    let page = app.sign_up(form).await;
    assert_eq!(page.status, 200, "signup refused: {}", page.body);
    app.activation_token(owner).await
}

/// The activation form as the page posts it: the details as shown (or
/// corrected), and the owner's choices.
fn activation_form(details: &[(&str, &str)], extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut form: Vec<(String, String)> = [
        ("intent", "activate"),
        ("details", "1"),
        ("password", PASSWORD),
        ("password_confirmation", PASSWORD),
        ("secret_question", "Nom de mon premier chien ?"),
        ("secret_answer", "Médor"),
        ("last_name", "Dupont"),
        ("first_name", "Paul"),
        ("address", "12 rue des Lilas"),
        ("address_complement_1", "Bâtiment B"),
        ("address_complement_2", ""),
        ("postal_code", "42000"),
        ("city", "Saint-Étienne"),
        ("country", "FR"),
        ("phone", "04 77 12 34 56"),
        ("fax", ""),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    for (name, value) in details.iter().chain(extra) {
        match form.iter_mut().find(|(k, _)| k == name) {
            Some(field) => field.1 = (*value).to_owned(),
            None => form.push(((*name).to_owned(), (*value).to_owned())),
        }
    }
    form
}

async fn post_activation(app: &TestApp, token: &str, form: &[(String, String)]) -> Response {
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    app.post_form(&format!("/activation/{token}"), &form, None)
        .await
}

#[tokio::test]
async fn the_owner_corrects_at_activation_the_details_typed_at_signup() {
    let app = spawn_app().await;
    let owner = unique_email();
    let token = signed_up(
        &app,
        with(valid_form(&owner), "last_name", "Usurpateur"),
        &owner,
    )
    .await;
    // The page shows the details as typed, in fields to correct.
    let shown = app.get(&format!("/activation/{token}")).await;
    assert_eq!(shown.value_of("last_name").as_deref(), Some("Usurpateur"));
    // A wrong correction is refused beside its field, the rest kept.
    let refused = post_activation(
        &app,
        &token,
        &activation_form(&[("last_name", "Dupont"), ("postal_code", "4200")], &[]),
    )
    .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let page = refused.page();
    assert!(page.error_of("postal_code").is_some(), "{}", refused.body);
    assert_eq!(page.value_of("last_name").as_deref(), Some("Dupont"));
    assert_eq!(page.value_of("postal_code").as_deref(), Some("4200"));
    // Right: activated with the corrected details.
    let activated = post_activation(
        &app,
        &token,
        &activation_form(&[("last_name", "Dupont")], &[]),
    )
    .await;
    assert_eq!(activated.status, 303, "{}", activated.body);
    let (last_name,): (String,) =
        sqlx::query_as("SELECT last_name FROM accounts WHERE login_email = $1")
            .bind(&owner)
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(last_name, "Dupont");
}

#[tokio::test]
async fn a_contact_address_typed_at_signup_is_dropped_at_activation_and_never_written_to() {
    let app = spawn_app().await;
    let (owner, attacker) = (unique_email(), unique_email());
    let token = signed_up(
        &app,
        with(valid_form(&owner), "contact_email", &attacker),
        &owner,
    )
    .await;
    let activated = post_activation(
        &app,
        &token,
        &activation_form(&[], &[("drop_contact", "1")]),
    )
    .await;
    assert_eq!(activated.status, 303, "{}", activated.body);
    assert_eq!(contact_of(&app, &owner).await, None);
    let cookie = app.logged_in(&owner).await;
    let page = app.get_as("/mon-compte", &cookie).await;
    assert!(!page.body.contains(&attacker), "{}", page.body);
    assert!(sent_to(&app.emails().await, &attacker).is_empty());
}

#[tokio::test]
async fn a_structure_request_made_at_signup_is_shown_and_withdrawn_at_activation() {
    let app = spawn_app().await;
    app.create_structure("73282932000074", "Menuiserie Dupont")
        .await;
    let owner = unique_email();
    let mut form = valid_form(&owner);
    form.push(("siret".into(), "73282932000074".into()));
    let token = signed_up(&app, form, &owner).await;
    let shown = app.get(&format!("/activation/{token}")).await;
    assert!(
        shown
            .body
            .contains("Menuiserie Dupont (SIRET 732 829 320 00074)"),
        "{}",
        shown.body
    );
    let activated = post_activation(
        &app,
        &token,
        &activation_form(&[], &[("withdraw_requests", "1")]),
    )
    .await;
    assert_eq!(activated.status, 303, "{}", activated.body);
    assert_eq!(app.count("memberships").await, 0);
    assert!(app
        .event_kinds(&owner)
        .await
        .iter()
        .any(|kind| kind == "membership_withdrawn"));
}

#[tokio::test]
async fn a_structure_request_kept_at_activation_stays_for_the_managers_to_decide() {
    let app = spawn_app().await;
    app.create_structure("73282932000074", "Menuiserie Dupont")
        .await;
    let owner = unique_email();
    let mut form = valid_form(&owner);
    form.push(("siret".into(), "73282932000074".into()));
    let token = signed_up(&app, form, &owner).await;
    let activated = post_activation(&app, &token, &activation_form(&[], &[])).await;
    assert_eq!(activated.status, 303, "{}", activated.body);
    assert_eq!(app.count("memberships").await, 1);
}

#[tokio::test]
async fn nobody_can_log_in_to_a_pending_account_nor_redirect_its_activation() {
    let app = spawn_app().await;
    let (owner, attacker) = (unique_email(), unique_email());
    signed_up(
        &app,
        with(valid_form(&owner), "contact_email", &attacker),
        &owner,
    )
    .await;
    // No password exists before activation: no session, no pending login.
    for password in [PASSWORD, "", "Nimporte-Quoi-2026"] {
        let refused = app.log_in(&owner, password).await;
        assert_ne!(refused.status, 303, "{}", refused.body);
        assert!(refused.session_cookie().is_none());
    }
    // A second signup of the address, or "Vous n'avez pas reçu le courriel
    // d'activation ?", sends the link to the login address only.
    app.clock.advance(jiff::SignedDuration::from_mins(10));
    app.sign_up(with(valid_form(&owner), "contact_email", &attacker))
        .await;
    app.clock.advance(jiff::SignedDuration::from_mins(10));
    app.post_form("/activation-renvoyer", &[("login_email", &owner)], None)
        .await;
    app.wait_for_emails(|e| {
        e.iter()
            .filter(|m| m.recipient == owner && m.kind == "activation")
            .count()
            >= 2
    })
    .await;
    assert!(sent_to(&app.emails().await, &attacker).is_empty());
}

#[tokio::test]
async fn an_administrator_made_by_the_operator_activates_without_details_to_correct() {
    use sesame::management::cli::{create_admin, parse};
    let app = spawn_app().await;
    let email = unique_email();
    let args: Vec<String> = ["admin", "create", &email, "--last-name", "Durand"]
        .map(str::to_owned)
        .to_vec();
    create_admin(&app.state, &parse(&args).unwrap().unwrap())
        .await
        .unwrap();
    let token = app.activation_token(&email).await;
    // Nobody typed details at signup: none to correct, the names shown.
    let shown = app.get(&format!("/activation/{token}")).await;
    assert!(shown.value_of("last_name").is_none(), "{}", shown.body);
    assert!(shown.body.contains("Durand"));
    // Even a form that says it carries details changes none.
    let activated = post_activation(
        &app,
        &token,
        &activation_form(&[("last_name", ""), ("address", "")], &[]),
    )
    .await;
    assert_eq!(activated.status, 303, "{}", activated.body);
    let (last_name,): (String,) =
        sqlx::query_as("SELECT last_name FROM accounts WHERE login_email = $1")
            .bind(&email)
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(last_name, "Durand");
}
