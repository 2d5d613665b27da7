//! Part 7: a change retires every emailed link whose meaning it changes
//! (the table of `sesame::accounts::links`). For each change: the retired
//! link's page says so (410, "Lien remplacé", with the way to get a new
//! one), using it changes nothing, and the new link works.

use crate::helpers::*;
use jiff::SignedDuration;
use sesame::domain::Reason;

const NEW_PASSWORD: &str = "Grenadine-Menthe-2026";

/// Asserts that `path` is a retired link: 410 on opening, saying it was
/// replaced and showing `next`, the way to a new one.
async fn assert_retired(app: &TestApp, path: &str, next: &str) {
    let page = app.get(path).await;
    assert_eq!(page.status, 410, "{path}: {}", page.body);
    assert!(page.body.contains("Lien"), "{}", page.body);
    assert!(page.body.contains("remplacé"), "{}", page.body);
    assert!(page.body.contains(next), "{next} missing: {}", page.body);
}

fn reset_path(token: &str) -> String {
    format!("/nouveau-mot-de-passe/{token}")
}

/// Changes the password from "Mon compte"; returns the session's new
/// cookie (its id is renewed at the change).
async fn change_password_in_mon_compte(app: &TestApp, cookie: &str) -> String {
    let changed = app
        .post_form(
            "/mon-compte/mot-de-passe",
            &[
                ("current_password", PASSWORD),
                ("password", NEW_PASSWORD),
                ("password_confirmation", NEW_PASSWORD),
            ],
            Some(cookie),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    changed
        .session_cookie()
        .expect("the session was not renewed")
}

#[tokio::test]
async fn a_reset_link_dies_when_the_password_is_changed_in_mon_compte() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let token = reset_token(&app, &email).await;
    let cookie = app.logged_in(&email).await;
    change_password_in_mon_compte(&app, &cookie).await;

    assert_retired(&app, &reset_path(&token), "/mot-de-passe-oublie").await;
    let used = submit_reset(&app, &token, "Cerise-Abricot-2027", "Cerise-Abricot-2027").await;
    assert_eq!(used.status, 410);
    assert_eq!(app.log_in(&email, NEW_PASSWORD).await.status, 303);

    let fresh = reset_token(&app, &email).await;
    let reset = submit_reset(&app, &fresh, "Cerise-Abricot-2027", "Cerise-Abricot-2027").await;
    assert_eq!(reset.status, 303, "{}", reset.body);
}

#[tokio::test]
async fn a_reset_link_dies_when_a_newer_one_is_sent() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let first = reset_token(&app, &email).await;
    let second = reset_token(&app, &email).await;

    assert_retired(&app, &reset_path(&first), "/mot-de-passe-oublie").await;
    assert_eq!(
        submit_reset(&app, &first, NEW_PASSWORD, NEW_PASSWORD)
            .await
            .status,
        410
    );
    assert_eq!(
        submit_reset(&app, &second, NEW_PASSWORD, NEW_PASSWORD)
            .await
            .status,
        303
    );
}

#[tokio::test]
async fn a_mistyped_contact_address_request_dies_when_the_corrected_one_is_sent() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let cookie = app.logged_in(&email).await;
    let mistyped = unique_email();
    let right = unique_email();
    let first = contact_confirmation_link(&app, &cookie, &mistyped).await;
    let second = contact_confirmation_link(&app, &cookie, &right).await;

    assert_retired(&app, &first, "Mon compte").await;
    assert_eq!(app.post_form(&first, &[], None).await.status, 410);
    assert_eq!(contact_of(&app, &email).await, None);

    assert_eq!(app.post_form(&second, &[], None).await.status, 200);
    assert_eq!(
        contact_of(&app, &email).await.as_deref(),
        Some(right.as_str())
    );
}

#[tokio::test]
async fn a_first_login_address_request_dies_when_a_second_is_sent() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let cookie = app.logged_in(&email).await;
    let mistyped = unique_email();
    let right = unique_email();
    let first = login_confirmation_link(&app, &cookie, &mistyped).await;
    let second = login_confirmation_link(&app, &cookie, &right).await;

    assert_retired(&app, &first, "Mon compte").await;
    assert_eq!(app.post_form(&first, &[], None).await.status, 410);
    assert_eq!(app.log_in(&mistyped, PASSWORD).await.status, 401);

    assert_eq!(app.post_form(&second, &[], None).await.status, 200);
    assert_eq!(app.log_in(&right, PASSWORD).await.status, 303);
}

#[tokio::test]
async fn a_reset_link_dies_when_the_login_address_changes() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let token = reset_token(&app, &email).await;
    let cookie = app.logged_in(&email).await;
    let new_login = unique_email();
    let confirm = login_confirmation_link(&app, &cookie, &new_login).await;
    assert_eq!(app.post_form(&confirm, &[], None).await.status, 200);

    assert_retired(&app, &reset_path(&token), "/mot-de-passe-oublie").await;
    assert_eq!(
        submit_reset(&app, &token, NEW_PASSWORD, NEW_PASSWORD)
            .await
            .status,
        410
    );
    let fresh = reset_token(&app, &new_login).await;
    assert_eq!(
        submit_reset(&app, &fresh, NEW_PASSWORD, NEW_PASSWORD)
            .await
            .status,
        303
    );
    assert_eq!(app.log_in(&new_login, NEW_PASSWORD).await.status, 303);
}

#[tokio::test]
async fn address_changes_asked_under_the_old_password_die_when_it_changes() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let cookie = app.logged_in(&email).await;
    let contact = contact_confirmation_link(&app, &cookie, &unique_email()).await;
    let login = login_confirmation_link(&app, &cookie, &unique_email()).await;
    let cookie = change_password_in_mon_compte(&app, &cookie).await;

    for link in [&contact, &login] {
        assert_retired(&app, link, "Mon compte").await;
        assert_eq!(app.post_form(link, &[], None).await.status, 410);
    }
    assert_eq!(contact_of(&app, &email).await, None);
    assert_eq!(app.log_in(&email, NEW_PASSWORD).await.status, 303);

    let new_contact = unique_email();
    let again = contact_confirmation_link(&app, &cookie, &new_contact).await;
    assert_eq!(app.post_form(&again, &[], None).await.status, 200);
    assert_eq!(
        contact_of(&app, &email).await.as_deref(),
        Some(new_contact.as_str())
    );
}

#[tokio::test]
async fn putting_the_old_contact_address_back_retires_every_address_change_in_flight() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let cookie = app.logged_in(&email).await;
    let confirm = contact_confirmation_link(&app, &cookie, &unique_email()).await;
    assert_eq!(app.post_form(&confirm, &[], None).await.status, 200);
    let revert = link_in(&app, &email, "contact_changed_old", "/adresse-de-contact/").await;
    let pending_contact = contact_confirmation_link(&app, &cookie, &unique_email()).await;
    let pending_login = login_confirmation_link(&app, &cookie, &unique_email()).await;

    assert_eq!(app.post_form(&revert, &[], None).await.status, 200);
    assert_eq!(contact_of(&app, &email).await, None);
    for link in [&pending_contact, &pending_login] {
        assert_retired(&app, link, "Mon compte").await;
    }
    let cookie = app.logged_in(&email).await;
    let new_login = unique_email();
    let again = login_confirmation_link(&app, &cookie, &new_login).await;
    assert_eq!(app.post_form(&again, &[], None).await.status, 200);
    assert_eq!(app.log_in(&new_login, PASSWORD).await.status, 303);
}

#[tokio::test]
async fn a_newer_contact_address_keeps_the_earlier_undo_link_alive() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let cookie = app.logged_in(&email).await;
    let second = unique_email();
    let confirm = contact_confirmation_link(&app, &cookie, &second).await;
    app.post_form(&confirm, &[], None).await;
    let undo_first = link_in(&app, &email, "contact_changed_old", "/adresse-de-contact/").await;
    let confirm = contact_confirmation_link(&app, &cookie, &unique_email()).await;
    app.post_form(&confirm, &[], None).await;

    assert_eq!(app.get(&undo_first).await.status, 200);
    assert_eq!(app.post_form(&undo_first, &[], None).await.status, 200);
    assert_eq!(contact_of(&app, &email).await, None);
}

#[tokio::test]
async fn every_link_dies_when_the_account_is_deactivated() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let reset = reset_token(&app, &email).await;
    let cookie = app.logged_in(&email).await;
    let contact = contact_confirmation_link(&app, &cookie, &unique_email()).await;
    let login = login_confirmation_link(&app, &cookie, &unique_email()).await;
    let deactivated = app
        .post_form(
            "/mon-compte/desactivation",
            &[("deactivate_password", PASSWORD)],
            Some(&cookie),
        )
        .await;
    assert_eq!(deactivated.status, 303);

    for link in [&contact, &login] {
        assert_retired(&app, link, "Mon compte").await;
        assert_eq!(app.post_form(link, &[], None).await.status, 410);
    }
    // A deactivated account's reset link leads nowhere, as before.
    assert_eq!(app.get(&reset_path(&reset)).await.status, 404);

    let reason = Reason::parse("Retour de congé").unwrap();
    let id = account_id(&app, &email).await;
    let admin = unique_email();
    app.create_active_account(&admin).await;
    make_admin(&app, &admin).await;
    let admin = sesame::accounts::Actor::load(&app.state, &account_id(&app, &admin).await)
        .await
        .unwrap();
    let reactivated = sesame::lifecycle::service::reactivate(&app.state, &id, &admin, &reason)
        .await
        .unwrap();
    assert_eq!(reactivated, Ok(true));
    // Reactivated, the old reset link stays dead; a new one works.
    let page = app.get(&reset_path(&reset)).await;
    assert_eq!(page.status, 410);
    assert!(page.body.contains("remplacé"));
    let fresh = reset_token(&app, &email).await;
    assert_eq!(
        submit_reset(&app, &fresh, NEW_PASSWORD, NEW_PASSWORD)
            .await
            .status,
        303
    );
}

#[tokio::test]
async fn an_activation_link_dies_when_a_newer_one_is_sent() {
    let app = spawn_app().await;
    let email = unique_email();
    let first = app.create_pending_account(&email).await;
    app.clock.advance(SignedDuration::from_mins(6));
    let resent = app
        .post_form("/activation-renvoyer", &[("login_email", &email)], None)
        .await;
    assert_eq!(resent.status, 200);
    let emails = app
        .wait_for_emails(|e| e.iter().filter(|m| m.kind == "activation").count() == 2)
        .await;
    let second = activation_link(&emails.last().unwrap().text_body)
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    assert_ne!(first, second);

    let page = app.get(&format!("/activation/{first}")).await;
    assert_eq!(page.status, 410);
    assert!(
        page.body.contains("Lien d&#x27;activation remplacé")
            || page.body.contains("Lien d'activation remplacé")
    );
    assert!(page.body.contains("Réactiver"));
    assert_eq!(app.activate(&first, PASSWORD, PASSWORD).await.status, 410);
    assert_eq!(app.activate(&second, PASSWORD, PASSWORD).await.status, 303);
}

#[tokio::test]
async fn the_database_refuses_a_state_role_status_or_purpose_outside_its_set() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    for (sql, what) in [
        (
            "UPDATE accounts SET state = 'closed' WHERE login_email = $1",
            "state",
        ),
        (
            "UPDATE accounts SET role = 'root' WHERE login_email = $1",
            "role",
        ),
        (
            "UPDATE account_tokens SET purpose = 'anything' WHERE account_id = \
             (SELECT id FROM accounts WHERE login_email = $1)",
            "purpose",
        ),
    ] {
        let refused = sqlx::query(sql).bind(&email).execute(&app.state.db).await;
        assert!(refused.is_err(), "a {what} outside its set was stored");
    }
    let (state,): (String,) = sqlx::query_as("SELECT state FROM accounts WHERE login_email = $1")
        .bind(&email)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(state, "active");
}

#[tokio::test]
async fn an_undo_link_that_puts_back_the_login_address_dies_when_the_login_address_changes() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let cookie = app.logged_in(&email).await;
    let confirm = contact_confirmation_link(&app, &cookie, &unique_email()).await;
    assert_eq!(app.post_form(&confirm, &[], None).await.status, 200);
    // The contact address was the login address: the undo link says so.
    let undo = link_in(&app, &email, "contact_changed_old", "/adresse-de-contact/").await;
    let new_login = unique_email();
    let login = login_confirmation_link(&app, &cookie, &new_login).await;
    assert_eq!(app.post_form(&login, &[], None).await.status, 200);

    assert_retired(&app, &undo, "Mon compte").await;
}
