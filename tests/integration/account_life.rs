//! Part 4: "Mon compte", structures and managers, deactivation and
//! reactivation, and the guide's table of notifications.

use crate::helpers::*;
use sesame::management::cli::{create_admin, parse, Created};

const SIRET_A: &str = "73282932000074";
const SIRET_B: &str = "44306184100047";

async fn state_of(app: &TestApp, email: &str) -> String {
    let (state,): (String,) = sqlx::query_as("SELECT state FROM accounts WHERE login_email = $1")
        .bind(email)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    state
}

/// A contact address its owner confirmed earlier (through the link sent to
/// it).
async fn set_contact(app: &TestApp, email: &str, contact: &str) {
    sqlx::query(
        "UPDATE accounts SET contact_email = $1, contact_confirmed = 1 WHERE login_email = $2",
    )
    .bind(contact)
    .bind(email)
    .execute(&app.state.db)
    .await
    .unwrap();
}

fn sent(emails: &[StoredEmail], recipient: &str, kind: &str) -> usize {
    emails
        .iter()
        .filter(|m| m.recipient == recipient && m.kind == kind)
        .count()
}

/// An administrator, logged in; returns the session cookie.
async fn administrator(app: &TestApp) -> (String, String) {
    let email = unique_email();
    app.create_active_account(&email).await;
    sqlx::query("UPDATE accounts SET role = 'admin' WHERE login_email = $1")
        .bind(&email)
        .execute(&app.state.db)
        .await
        .unwrap();
    let cookie = app.logged_in(&email).await;
    (email, cookie)
}

async fn manage(app: &TestApp, cookie: &str, form: &[(&str, &str)]) -> Response {
    app.post_form("/gestion", form, Some(cookie)).await
}

/// Structure A with a manager and a member, structure B with a member;
/// returns (admin cookie, manager email, manager cookie, member A, member B).
async fn two_structures(app: &TestApp) -> (String, String, String, String, String) {
    let (_, admin) = administrator(app).await;
    for (siret, name) in [
        (SIRET_A, "Menuiserie Dupont"),
        (SIRET_B, "Boulangerie Martin"),
    ] {
        let created = manage(
            app,
            &admin,
            &[
                ("intent", "create_structure"),
                ("siret", siret),
                ("name", name),
            ],
        )
        .await;
        assert_eq!(created.status, 200, "{}", created.body);
    }
    let manager = unique_email();
    app.create_active_account(&manager).await;
    let named = manage(
        app,
        &admin,
        &[
            ("intent", "name_manager"),
            ("email", &manager),
            ("structure_siret", SIRET_A),
            ("reason", "Responsable administratif"),
        ],
    )
    .await;
    assert_eq!(named.status, 200, "{}", named.body);
    let manager_cookie = app.logged_in(&manager).await;
    let mut members = Vec::new();
    for siret in [SIRET_A, SIRET_B] {
        let member = unique_email();
        app.create_active_account(&member).await;
        let cookie = app.logged_in(&member).await;
        let asked = app
            .post_form(
                "/mon-compte/rattachement",
                &[("siret", siret)],
                Some(&cookie),
            )
            .await;
        assert_eq!(asked.status, 200, "{}", asked.body);
        let member_id = account_id(app, &member).await;
        let (structure_id,): (String,) =
            sqlx::query_as("SELECT id FROM structures WHERE siret = $1")
                .bind(siret)
                .fetch_one(&app.state.db)
                .await
                .unwrap();
        let approved = manage(
            app,
            &admin,
            &[
                ("intent", "approve"),
                ("account_id", &member_id),
                ("structure_id", &structure_id),
                ("reason", "Salarié confirmé"),
            ],
        )
        .await;
        assert_eq!(approved.status, 200, "{}", approved.body);
        members.push(member);
    }
    let member_b = members.pop().unwrap();
    let member_a = members.pop().unwrap();
    (admin, manager, manager_cookie, member_a, member_b)
}

#[tokio::test]
async fn a_new_contact_address_is_used_only_once_confirmed_and_both_addresses_are_told() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let cookie = app.logged_in(&email).await;
    let new_contact = unique_email();
    let response = app
        .post_form(
            "/mon-compte/contact",
            &[("contact_email", &new_contact)],
            Some(&cookie),
        )
        .await;
    assert_eq!(response.status, 200);
    assert!(
        response
            .body
            .contains("Un lien de confirmation a été envoyé"),
        "{}",
        response.body
    );
    assert_eq!(
        contact_of(&app, &email).await,
        None,
        "changed before confirmation"
    );

    let link = link_in(
        &app,
        &new_contact,
        "contact_confirmation",
        "/adresse-de-contact/",
    )
    .await;
    let opened = app.get(&link).await;
    assert_eq!(opened.status, 200);
    assert!(opened.body.contains(&new_contact));
    assert_eq!(
        contact_of(&app, &email).await,
        None,
        "opening the link changed it"
    );
    let confirmed = app.post_form(&link, &[], None).await;
    assert_eq!(confirmed.status, 200);
    assert!(confirmed.body.contains("Adresse de contact modifiée"));
    assert_eq!(
        contact_of(&app, &email).await.as_deref(),
        Some(new_contact.as_str())
    );

    // The old contact address (here the login address) and the new one.
    let emails = app
        .wait_for_emails(|e| e.iter().any(|m| m.kind == "contact_changed_new"))
        .await;
    assert_eq!(sent(&emails, &email, "contact_changed_old"), 1);
    assert_eq!(sent(&emails, &new_contact, "contact_changed_new"), 1);
    assert!(app
        .event_kinds(&email)
        .await
        .contains(&"contact_changed".to_owned()));
    // The link is spent.
    assert_eq!(app.post_form(&link, &[], None).await.status, 404);
}

#[tokio::test]
async fn the_old_address_can_undo_the_change_for_seven_days_which_ends_every_session() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let old_contact = unique_email();
    set_contact(&app, &email, &old_contact).await;
    let cookie = app.logged_in(&email).await;
    let new_contact = unique_email();
    let confirm = contact_confirmation_link(&app, &cookie, &new_contact).await;
    app.post_form(&confirm, &[], None).await;
    let revert = link_in(
        &app,
        &old_contact,
        "contact_changed_old",
        "/adresse-de-contact/",
    )
    .await;
    let emails = app.emails().await;
    let to_old = emails
        .iter()
        .find(|m| m.kind == "contact_changed_old")
        .unwrap();
    // Confirmed at 09:02 UTC on 2 March: valid until 9 March, 10:02 in Paris.
    assert!(
        to_old.text_body.contains("09/03/2026 10:02:00 (CET)"),
        "{}",
        to_old.text_body
    );

    app.clock.advance(jiff::SignedDuration::from_hours(6 * 24));
    let reverted = app.post_form(&revert, &[], None).await;
    assert_eq!(reverted.status, 200, "{}", reverted.body);
    assert_eq!(
        contact_of(&app, &email).await.as_deref(),
        Some(old_contact.as_str())
    );
    assert_eq!(
        app.get_as("/accueil", &cookie).await.status,
        303,
        "the session survived"
    );
    assert!(app
        .event_kinds(&email)
        .await
        .contains(&"contact_reverted".to_owned()));
}

#[tokio::test]
async fn an_undo_link_expires_after_seven_days() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let cookie = app.logged_in(&email).await;
    let new_contact = unique_email();
    let confirm = contact_confirmation_link(&app, &cookie, &new_contact).await;
    app.post_form(&confirm, &[], None).await;
    let revert = link_in(&app, &email, "contact_changed_old", "/adresse-de-contact/").await;
    app.clock
        .advance(jiff::SignedDuration::from_hours(7 * 24 + 1));
    assert_eq!(app.post_form(&revert, &[], None).await.status, 410);
    assert_eq!(
        contact_of(&app, &email).await.as_deref(),
        Some(new_contact.as_str())
    );
}

#[tokio::test]
async fn a_wrong_new_contact_address_is_refused_next_to_its_field_and_kept() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let cookie = app.logged_in(&email).await;
    let malformed = app
        .post_form(
            "/mon-compte/contact",
            &[("contact_email", "paul@")],
            Some(&cookie),
        )
        .await;
    assert_eq!(malformed.status, 422);
    let page = malformed.page();
    assert!(page.error_of("contact_email").is_some());
    assert_eq!(page.value_of("contact_email").as_deref(), Some("paul@"));
    let same = app
        .post_form(
            "/mon-compte/contact",
            &[("contact_email", &email)],
            Some(&cookie),
        )
        .await;
    assert_eq!(same.status, 422);
    assert_eq!(
        same.page().error_of("contact_email").as_deref(),
        Some("C'est déjà l'adresse de contact de votre compte.")
    );
}

#[tokio::test]
async fn deactivating_ones_own_account_needs_the_password_ends_sessions_and_tells_the_login_address(
) {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let cookie = app.logged_in(&email).await;
    let other_session = app.logged_in(&email).await;
    let wrong = app
        .post_form(
            "/mon-compte/desactivation",
            &[("deactivate_password", "Pas-Le-Bon-2026")],
            Some(&cookie),
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.page().error_of("deactivate_password").is_some());
    assert_eq!(state_of(&app, &email).await, "active");

    let done = app
        .post_form(
            "/mon-compte/desactivation",
            &[("deactivate_password", PASSWORD)],
            Some(&cookie),
        )
        .await;
    assert_eq!(done.status, 303);
    assert_eq!(done.location.as_deref(), Some("/?info=deactivated"));
    assert_eq!(state_of(&app, &email).await, "deactivated");
    assert_eq!(app.get_as("/accueil", &other_session).await.status, 303);
    let emails = app
        .wait_for_emails(|e| e.iter().any(|m| m.kind == "account_deactivated"))
        .await;
    assert_eq!(sent(&emails, &email, "account_deactivated"), 1);
    let notice = emails
        .iter()
        .find(|m| m.kind == "account_deactivated")
        .unwrap();
    assert!(
        notice.text_body.contains("à votre demande"),
        "{}",
        notice.text_body
    );

    // Login says so only after the right password, and offers the request.
    let right = app.log_in(&email, PASSWORD).await;
    assert_eq!(right.status, 401);
    assert!(right.body.contains("Votre compte est désactivé"));
    assert!(right.body.contains("Demander la réactivation"));
    let wrong = app.log_in(&email, "Pas-Le-Bon-2026").await;
    assert!(!wrong.body.contains("désactivé"));
}

#[tokio::test]
async fn a_reactivation_request_answers_alike_and_emails_the_contact_address_of_a_deactivated_account(
) {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let contact = unique_email();
    set_contact(&app, &email, &contact).await;
    let cookie = app.logged_in(&email).await;
    app.post_form(
        "/mon-compte/desactivation",
        &[("deactivate_password", PASSWORD)],
        Some(&cookie),
    )
    .await;
    let active = unique_email();
    app.create_active_account(&active).await;

    let known = app
        .post_form("/reactivation", &[("login_email", &email)], None)
        .await;
    let unknown = app
        .post_form(
            "/reactivation",
            &[("login_email", "nobody@menuiserie.fr")],
            None,
        )
        .await;
    let still_active = app
        .post_form("/reactivation", &[("login_email", &active)], None)
        .await;
    assert_eq!(known.status, 200);
    assert_eq!(unknown.status, 200);
    assert_eq!(
        without_nonces(&known.body).replace(&email, "X"),
        without_nonces(&unknown.body).replace("nobody@menuiserie.fr", "X")
    );
    assert_eq!(
        without_nonces(&known.body).replace(&email, "X"),
        without_nonces(&still_active.body).replace(&active, "X")
    );
    let emails = app
        .wait_for_emails(|e| e.iter().any(|m| m.kind == "reactivation_requested"))
        .await;
    assert_eq!(sent(&emails, &contact, "reactivation_requested"), 1);
    assert_eq!(
        emails
            .iter()
            .filter(|m| m.kind == "reactivation_requested")
            .count(),
        1
    );
    // Asked again at once: recorded, but no second email within the hour.
    app.post_form("/reactivation", &[("login_email", &email)], None)
        .await;
    assert_eq!(
        sent(&app.emails().await, &contact, "reactivation_requested"),
        1
    );
    assert_eq!(app.count("reactivation_requests").await, 1);
}

#[tokio::test]
async fn the_first_administrator_comes_from_the_command_line_with_an_activation_link() {
    let app = spawn_app().await;
    let args: Vec<String> = ["admin", "create", "admin@portail.fr"]
        .map(str::to_owned)
        .to_vec();
    let command = parse(&args).unwrap().unwrap();
    assert!(matches!(
        create_admin(&app.state, &command).await.unwrap(),
        Created::New
    ));
    let (role, state, hash): (String, String, Option<String>) = sqlx::query_as(
        "SELECT role, state, password_hash FROM accounts WHERE login_email = 'admin@portail.fr'",
    )
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    assert_eq!((role.as_str(), state.as_str()), ("admin", "pending"));
    assert!(hash.is_none(), "a password exists before activation");
    let emails = app
        .wait_for_emails(|e| e.iter().any(|m| m.recipient == "admin@portail.fr"))
        .await;
    let activation = emails.iter().find(|m| m.kind == "activation").unwrap();
    let token = activation_link(&activation.text_body)
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(app.activate(&token, PASSWORD, PASSWORD).await.status, 303);
    let cookie = app.logged_in("admin@portail.fr").await;
    let page = app.get_as("/gestion", &cookie).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Créer une structure"));
}

#[tokio::test]
async fn a_structure_needs_a_valid_unused_siret() {
    let app = spawn_app().await;
    let (_, admin) = administrator(&app).await;
    let wrong = manage(
        &app,
        &admin,
        &[
            ("intent", "create_structure"),
            ("siret", "73282932000075"),
            ("name", "X SARL"),
        ],
    )
    .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong
        .page()
        .error_of("siret")
        .unwrap()
        .contains("clé de contrôle"));
    let ok = manage(
        &app,
        &admin,
        &[
            ("intent", "create_structure"),
            ("siret", "732 829 320 00074"),
            ("name", "X SARL"),
        ],
    )
    .await;
    assert_eq!(ok.status, 200);
    let again = manage(
        &app,
        &admin,
        &[
            ("intent", "create_structure"),
            ("siret", SIRET_A),
            ("name", "Y SARL"),
        ],
    )
    .await;
    assert_eq!(again.status, 422);
    assert_eq!(
        again.page().error_of("siret").as_deref(),
        Some("Une structure a déjà ce SIRET.")
    );
}

#[tokio::test]
async fn a_person_asks_to_be_attached_and_is_told_the_managers_decision() {
    let app = spawn_app().await;
    let (_admin, _manager, manager_cookie, _member_a, _member_b) = two_structures(&app).await;
    let person = unique_email();
    app.create_active_account(&person).await;
    let cookie = app.logged_in(&person).await;
    let unknown = app
        .post_form(
            "/mon-compte/rattachement",
            &[("siret", "13002526500013")],
            Some(&cookie),
        )
        .await;
    assert_eq!(unknown.status, 422);
    assert_eq!(
        unknown.page().error_of("siret").as_deref(),
        Some("Aucune structure n'a ce SIRET sur le portail.")
    );
    let asked = app
        .post_form(
            "/mon-compte/rattachement",
            &[("siret", SIRET_A)],
            Some(&cookie),
        )
        .await;
    assert!(asked.body.contains("demande en attente"), "{}", asked.body);
    let list = app.get_as("/gestion", &manager_cookie).await;
    assert!(
        list.body.contains(&person),
        "the manager does not see the request"
    );

    let person_id = account_id(&app, &person).await;
    let (structure_id,): (String,) = sqlx::query_as("SELECT id FROM structures WHERE siret = $1")
        .bind(SIRET_A)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    let no_reason = manage(
        &app,
        &manager_cookie,
        &[
            ("intent", "refuse"),
            ("account_id", &person_id),
            ("structure_id", &structure_id),
            ("reason", ""),
        ],
    )
    .await;
    assert_eq!(no_reason.status, 422);
    assert!(no_reason.body.contains("Indiquez le motif."));
    let refused = manage(
        &app,
        &manager_cookie,
        &[
            ("intent", "refuse"),
            ("account_id", &person_id),
            ("structure_id", &structure_id),
            ("reason", "Inconnu du service"),
        ],
    )
    .await;
    assert_eq!(refused.status, 200);
    let emails = app
        .wait_for_emails(|e| e.iter().any(|m| m.kind == "membership_refused"))
        .await;
    let email = emails
        .iter()
        .find(|m| m.kind == "membership_refused")
        .unwrap();
    assert_eq!(email.recipient, person);
    assert!(email.text_body.contains("Inconnu du service"));
    let feed = app.get_as("/accueil", &cookie).await;
    assert!(
        feed.body.contains("motif : Inconnu du service"),
        "{}",
        feed.body
    );
}

#[tokio::test]
async fn a_manager_deactivates_and_reactivates_a_member_with_a_reason() {
    let app = spawn_app().await;
    let (_admin, manager, manager_cookie, member_a, _member_b) = two_structures(&app).await;
    let member_id = account_id(&app, &member_a).await;
    let member_session = app.logged_in(&member_a).await;
    let contact = unique_email();
    set_contact(&app, &member_a, &contact).await;
    let done = manage(
        &app,
        &manager_cookie,
        &[
            ("intent", "deactivate"),
            ("account_id", &member_id),
            ("reason", "A quitté l'entreprise"),
        ],
    )
    .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(state_of(&app, &member_a).await, "deactivated");
    assert_eq!(app.get_as("/accueil", &member_session).await.status, 303);
    let emails = app
        .wait_for_emails(|e| e.iter().any(|m| m.kind == "account_deactivated"))
        .await;
    let notice = emails
        .iter()
        .find(|m| m.kind == "account_deactivated")
        .unwrap();
    assert_eq!(notice.recipient, member_a, "not sent to the login address");
    assert!(notice.text_body.contains("gestionnaire de votre structure"));
    assert!(notice.text_body.contains("A quitté l'entreprise"));

    let back = manage(
        &app,
        &manager_cookie,
        &[
            ("intent", "reactivate"),
            ("account_id", &member_id),
            ("reason", "Retour de congé"),
        ],
    )
    .await;
    assert_eq!(back.status, 200);
    assert_eq!(state_of(&app, &member_a).await, "active");
    let emails = app
        .wait_for_emails(|e| e.iter().any(|m| m.kind == "account_reactivated"))
        .await;
    assert_eq!(sent(&emails, &contact, "account_reactivated"), 1);
    let (actor, reason): (Option<String>, Option<String>) = sqlx::query_as(
        "SELECT actor_id, reason FROM account_events WHERE account_id = $1 AND kind = 'deactivated'",
    )
    .bind(&member_id)
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    assert_eq!(actor, Some(account_id(&app, &manager).await));
    assert_eq!(reason.as_deref(), Some("A quitté l'entreprise"));
    let cookie = app.logged_in(&member_a).await;
    let feed = app.get_as("/accueil", &cookie).await;
    let feed = feed.body.replace("<!>", "");
    assert!(
        feed.contains("Compte désactivé — par Paul Dupont — motif : A quitté l'entreprise"),
        "{feed}"
    );
}

#[tokio::test]
async fn a_refused_reason_is_shown_on_its_own_row_with_what_was_typed() {
    let app = spawn_app().await;
    // The administrator's list has every account: other rows are drawn too.
    let (admin_cookie, _manager, _, member_a, _member_b) = two_structures(&app).await;
    let member_id = account_id(&app, &member_a).await;
    let refused = manage(
        &app,
        &admin_cookie,
        &[
            ("intent", "deactivate"),
            ("account_id", &member_id),
            ("reason", "ok"),
        ],
    )
    .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(state_of(&app, &member_a).await, "active");
    let row_input = format!(r#"id="reason-{member_id}" name="reason""#);
    let at = refused.body.find(&row_input).expect("the member's row");
    let row = &refused.body[at..];
    let row = &row[..row.find("</li>").expect("the row's end")];
    assert!(row.contains(r#"value="ok""#), "{row}");
    assert!(row.contains(r#"aria-invalid="true""#), "{row}");
    assert!(
        row.contains("Le motif doit comporter au moins 3 caractères."),
        "{row}"
    );
    assert!(
        refused.body.matches(r#"name="reason""#).count() >= 4,
        "other rows are drawn"
    );
    assert_eq!(
        refused.body.matches(r#"value="ok""#).count(),
        1,
        "only the refused row gets the reason back"
    );
}

#[tokio::test]
async fn a_manager_cannot_act_on_another_structures_members() {
    let app = spawn_app().await;
    let (_admin, _manager, manager_cookie, _member_a, member_b) = two_structures(&app).await;
    let member_id = account_id(&app, &member_b).await;
    let list = app.get_as("/gestion", &manager_cookie).await;
    assert!(
        !list.body.contains(&member_b),
        "another structure's member is listed"
    );
    let refused = manage(
        &app,
        &manager_cookie,
        &[
            ("intent", "deactivate"),
            ("account_id", &member_id),
            ("reason", "Pour voir"),
        ],
    )
    .await;
    assert_eq!(refused.status, 403);
    assert_eq!(state_of(&app, &member_b).await, "active");
    let structure = manage(
        &app,
        &manager_cookie,
        &[
            ("intent", "create_structure"),
            ("siret", "13002526500013"),
            ("name", "Z"),
        ],
    )
    .await;
    assert_eq!(structure.status, 403, "a manager created a structure");
    assert_eq!(app.count("structures").await, 2);
}

#[tokio::test]
async fn a_user_reaches_no_management_page_nor_action() {
    let app = spawn_app().await;
    let (_admin, _manager, _manager_cookie, member_a, member_b) = two_structures(&app).await;
    let cookie = app.logged_in(&member_a).await;
    assert_eq!(app.get_as("/gestion", &cookie).await.status, 403);
    let target = account_id(&app, &member_b).await;
    let refused = manage(
        &app,
        &cookie,
        &[
            ("intent", "deactivate"),
            ("account_id", &target),
            ("reason", "Pour voir"),
        ],
    )
    .await;
    assert_eq!(refused.status, 403);
    assert_eq!(state_of(&app, &member_b).await, "active");
    let home = app.get_as("/accueil", &cookie).await;
    assert!(
        !home.body.contains("href=\"/gestion\""),
        "a user sees the Gestion tab"
    );
    // Without a session: the login box.
    assert_eq!(app.get("/gestion").await.status, 303);
}

/// The guide's table (section 4): each trigger sends its email to the
/// address the table names.
#[tokio::test]
async fn every_row_of_the_guides_notification_table_reaches_the_address_it_names() {
    let app = spawn_app().await;
    let (_admin, _manager, manager_cookie, member, _member_b) = two_structures(&app).await;
    let login = member.clone();
    let old_contact = unique_email();
    set_contact(&app, &login, &old_contact).await;
    let member_id = account_id(&app, &login).await;

    // 1. Création d'un compte utilisateur → the login address.
    let newcomer = unique_email();
    app.create_pending_account(&newcomer).await;
    assert_eq!(sent(&app.emails().await, &newcomer, "activation"), 1);

    // 2. Modification de l'adresse de contact → the old and the new contact.
    let cookie = app.logged_in(&login).await;
    let new_contact = unique_email();
    let confirm = contact_confirmation_link(&app, &cookie, &new_contact).await;
    app.post_form(&confirm, &[], None).await;
    let emails = app.emails().await;
    assert_eq!(sent(&emails, &old_contact, "contact_changed_old"), 1);
    assert_eq!(sent(&emails, &new_contact, "contact_changed_new"), 1);

    // 3. Procédure de perte de mot de passe → the person.
    let challenge = {
        let page = app.get("/mot-de-passe-oublie").await;
        let id = page.value_of("captcha_id").unwrap();
        app.client
            .get(format!("{}/captcha/{id}.png", app.address))
            .send()
            .await
            .unwrap();
        id
    };
    let question = app
        .post_form(
            "/mot-de-passe-oublie",
            &[
                ("login_email", &login),
                ("captcha_id", &challenge),
                ("captcha_answer", CAPTCHA_ANSWER),
            ],
            None,
        )
        .await;
    let flow = question.page().value_of("flow").unwrap();
    app.post_form(
        "/mot-de-passe-oublie",
        &[
            ("intent", "answer"),
            ("flow", &flow),
            ("secret_answer", "medor"),
        ],
        None,
    )
    .await;
    assert_eq!(sent(&app.emails().await, &login, "password_reset"), 1);

    // 4. Désactivation d'un compte → the login address.
    manage(
        &app,
        &manager_cookie,
        &[
            ("intent", "deactivate"),
            ("account_id", &member_id),
            ("reason", "Départ"),
        ],
    )
    .await;
    assert_eq!(sent(&app.emails().await, &login, "account_deactivated"), 1);

    // 5. Demande de réactivation du compte → the contact address.
    app.post_form("/reactivation", &[("login_email", &login)], None)
        .await;
    assert_eq!(
        sent(&app.emails().await, &new_contact, "reactivation_requested"),
        1
    );
    let list = app.get_as("/gestion", &manager_cookie).await;
    assert!(
        list.body.contains("réactivation demandée"),
        "not in the managers' list"
    );

    // 6. Réactivation d'un compte → the contact address.
    manage(
        &app,
        &manager_cookie,
        &[
            ("intent", "reactivate"),
            ("account_id", &member_id),
            ("reason", "Retour"),
        ],
    )
    .await;
    assert_eq!(
        sent(&app.emails().await, &new_contact, "account_reactivated"),
        1
    );
    assert_eq!(app.count("reactivation_requests").await, 0);
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_keeps_this_session_and_tells_the_owner() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let cookie = app.logged_in(&email).await;
    let elsewhere = app.logged_in(&email).await;
    let new_password = "Grenadine-Menthe-2026";
    let form = |current: &'static str, new: &'static str, confirmation: &'static str| {
        [
            ("current_password", current),
            ("password", new),
            ("password_confirmation", confirmation),
        ]
    };
    let wrong = app
        .post_form(
            "/mon-compte/mot-de-passe",
            &form("Pas-Le-Bon-2026", new_password, new_password),
            Some(&cookie),
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.page().error_of("current_password").is_some());
    let empty = app
        .post_form(
            "/mon-compte/mot-de-passe",
            &form("", new_password, new_password),
            Some(&cookie),
        )
        .await;
    assert_eq!(
        empty.page().error_of("current_password").as_deref(),
        Some("Saisissez votre mot de passe actuel.")
    );
    let short = app
        .post_form(
            "/mon-compte/mot-de-passe",
            &form(PASSWORD, "Court1!", "Court1!"),
            Some(&cookie),
        )
        .await;
    assert_eq!(short.status, 422);
    assert!(short
        .page()
        .error_of("password")
        .unwrap()
        .contains("au moins 8 caractères"));
    assert!(!short.body.contains("Court1!"), "a password was sent back");
    let same = app
        .post_form(
            "/mon-compte/mot-de-passe",
            &form(PASSWORD, PASSWORD, PASSWORD),
            Some(&cookie),
        )
        .await;
    assert_eq!(same.status, 422);

    let done = app
        .post_form(
            "/mon-compte/mot-de-passe",
            &form(PASSWORD, new_password, new_password),
            Some(&cookie),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("Votre mot de passe a été changé"));
    // This browser goes on, under a new session id.
    let renewed = done.session_cookie().expect("no renewed session cookie");
    assert_eq!(
        app.get_as("/accueil", &renewed).await.status,
        200,
        "this session ended"
    );
    assert_eq!(app.get_as("/accueil", &cookie).await.status, 303);
    assert_eq!(
        app.get_as("/accueil", &elsewhere).await.status,
        303,
        "the other session lives"
    );
    assert_eq!(app.log_in(&email, PASSWORD).await.status, 401);
    assert_eq!(app.log_in(&email, new_password).await.status, 303);
    let emails = app
        .wait_for_emails(|e| e.iter().any(|m| m.kind == "password_changed"))
        .await;
    assert_eq!(sent(&emails, &email, "password_changed"), 1);
}

#[tokio::test]
async fn changing_the_secret_question_needs_the_password_and_the_new_answer_works() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let cookie = app.logged_in(&email).await;
    let wrong = app
        .post_form(
            "/mon-compte/question-secrete",
            &[
                ("secret_question", "Ville de mes vacances ?"),
                ("secret_answer", "Biarritz"),
                ("secret_password", "Pas-Le-Bon-2026"),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.page().error_of("secret_password").is_some());
    assert_eq!(
        wrong.page().value_of("secret_question").as_deref(),
        Some("Ville de mes vacances ?")
    );
    let done = app
        .post_form(
            "/mon-compte/question-secrete",
            &[
                ("secret_question", "Ville de mes vacances ?"),
                ("secret_answer", "Biarritz"),
                ("secret_password", PASSWORD),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    let (question,): (String,) =
        sqlx::query_as("SELECT secret_question FROM accounts WHERE login_email = $1")
            .bind(&email)
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(question, "Ville de mes vacances ?");
    let emails = app
        .wait_for_emails(|e| e.iter().any(|m| m.kind == "secret_changed"))
        .await;
    assert_eq!(sent(&emails, &email, "secret_changed"), 1);
}

#[tokio::test]
async fn mon_compte_lists_the_open_sessions_and_ends_them() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let cookie = app.logged_in(&email).await;
    let other = app.logged_in(&email).await;
    let page = app.get_as("/mon-compte", &cookie).await;
    assert_eq!(
        page.body.matches("name=\"session\"").count(),
        3,
        "two sessions and 'others'"
    );
    assert!(page.body.contains("cette session"));
    let ended = app
        .post_form(
            "/mon-compte/sessions",
            &[("session", "others")],
            Some(&cookie),
        )
        .await;
    assert_eq!(ended.status, 200);
    assert!(ended
        .body
        .contains("Les sessions demandées ont été fermées."));
    assert_eq!(app.get_as("/accueil", &other).await.status, 303);
    assert_eq!(app.get_as("/accueil", &cookie).await.status, 200);
    // Another account's session cannot be named, and the page does not
    // pretend it was closed.
    let stranger = unique_email();
    app.create_active_account(&stranger).await;
    let stranger_cookie = app.logged_in(&stranger).await;
    let (hash,): (String,) = sqlx::query_as(
        "SELECT s.id_hash FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE a.login_email = $1",
    )
    .bind(&stranger)
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    let refused = app
        .post_form(
            "/mon-compte/sessions",
            &[("session", &hash[..16])],
            Some(&cookie),
        )
        .await;
    assert!(
        refused.body.contains("Aucune session n'était à fermer."),
        "{}",
        refused.body
    );
    assert_eq!(app.get_as("/accueil", &stranger_cookie).await.status, 200);
}

#[tokio::test]
async fn the_language_of_the_account_sets_the_emails_language() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let cookie = app.logged_in(&email).await;
    let response = app
        .post_form("/mon-compte/langue", &[("language", "en")], Some(&cookie))
        .await;
    assert_eq!(response.status, 303);
    assert_eq!(
        response.location.as_deref(),
        Some("/langue?lang=en&next=/mon-compte")
    );
    app.post_form(
        "/mon-compte/desactivation",
        &[("deactivate_password", PASSWORD)],
        Some(&cookie),
    )
    .await;
    let emails = app
        .wait_for_emails(|e| e.iter().any(|m| m.kind == "account_deactivated"))
        .await;
    let notice = emails
        .iter()
        .find(|m| m.kind == "account_deactivated")
        .unwrap();
    assert_eq!(notice.subject, "Your Sésame account has been deactivated");
}

#[tokio::test]
async fn the_details_are_edited_with_the_signup_rules_and_nothing_typed_is_lost() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let cookie = app.logged_in(&email).await;
    let page = app.get_as("/mon-compte", &cookie).await.page();
    assert_eq!(page.status, 200);
    assert_eq!(page.value_of("city").as_deref(), Some("Saint-Étienne"));
    let form = |postal_code: &'static str| {
        [
            ("last_name", "Dupont-Martin"),
            ("first_name", "Paul"),
            ("address", "3 place Bellecour"),
            ("address_complement_1", ""),
            ("address_complement_2", ""),
            ("postal_code", postal_code),
            ("city", "Lyon"),
            ("country", "FR"),
            ("phone", "04 72 00 00 00"),
            ("fax", ""),
        ]
    };
    let refused = app
        .post_form("/mon-compte/coordonnees", &form("6900"), Some(&cookie))
        .await;
    assert_eq!(refused.status, 422);
    let page = refused.page();
    assert!(page.error_of("postal_code").unwrap().contains("5 chiffres"));
    assert_eq!(
        page.value_of("city").as_deref(),
        Some("Lyon"),
        "the typed city was lost"
    );
    let done = app
        .post_form("/mon-compte/coordonnees", &form("69002"), Some(&cookie))
        .await;
    assert_eq!(done.status, 200);
    assert!(done.body.contains("Vos coordonnées ont été enregistrées."));
    let (city, last_name): (String, String) =
        sqlx::query_as("SELECT city, last_name FROM accounts WHERE login_email = $1")
            .bind(&email)
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(
        (city.as_str(), last_name.as_str()),
        ("Lyon", "Dupont-Martin")
    );
    assert!(app
        .event_kinds(&email)
        .await
        .contains(&"profile_updated".to_owned()));
}

#[tokio::test]
async fn the_login_address_changes_after_the_password_and_a_confirmation_and_the_old_one_is_told() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let cookie = app.logged_in(&email).await;
    let new_login = unique_email();
    let wrong = app
        .post_form(
            "/mon-compte/identifiant",
            &[
                ("new_login_email", &new_login),
                ("login_password", "Pas-Le-Bon-2026"),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.page().error_of("login_password").is_some());
    assert_eq!(
        wrong.page().value_of("new_login_email").as_deref(),
        Some(new_login.as_str())
    );
    let asked = app
        .post_form(
            "/mon-compte/identifiant",
            &[
                ("new_login_email", &new_login),
                ("login_password", PASSWORD),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(asked.status, 200, "{}", asked.body);
    // The request shows in the account's feed, as a contact change does.
    assert!(app
        .event_kinds(&email)
        .await
        .contains(&"login_change_requested".to_owned()));
    assert_eq!(
        app.log_in(&new_login, PASSWORD).await.status,
        401,
        "used before confirmation"
    );
    let link = link_in(
        &app,
        &new_login,
        "login_confirmation",
        "/adresse-de-contact/",
    )
    .await;
    assert_eq!(app.get(&link).await.status, 200);
    let confirmed = app.post_form(&link, &[], None).await;
    assert!(
        confirmed.body.contains("Adresse de connexion modifiée"),
        "{}",
        confirmed.body
    );
    assert_eq!(
        app.get_as("/accueil", &cookie).await.status,
        303,
        "the session survived"
    );
    assert_eq!(app.log_in(&email, PASSWORD).await.status, 401);
    assert_eq!(app.log_in(&new_login, PASSWORD).await.status, 303);
    // One request, one confirmation: the confirmation is not a request.
    let kinds = app.event_kinds(&new_login).await;
    assert_eq!(
        kinds
            .iter()
            .filter(|k| k.as_str() == "login_change_requested")
            .count(),
        1,
        "{kinds:?}"
    );
    assert!(kinds.contains(&"login_changed".to_owned()), "{kinds:?}");
    let emails = app
        .wait_for_emails(|e| e.iter().any(|m| m.kind == "login_changed"))
        .await;
    assert_eq!(sent(&emails, &email, "login_changed"), 1);
}

#[tokio::test]
async fn a_login_address_taken_in_the_meantime_is_refused_at_confirmation() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let cookie = app.logged_in(&email).await;
    let other = unique_email();
    let link = login_confirmation_link(&app, &cookie, &other).await;
    app.create_active_account(&other).await;
    let refused = app.post_form(&link, &[], None).await;
    assert!(
        refused.body.contains("Adresse déjà utilisée"),
        "{}",
        refused.body
    );
    assert_eq!(app.log_in(&email, PASSWORD).await.status, 303);
}

#[tokio::test]
async fn a_contact_confirmation_link_works_once_under_fifty_concurrent_submissions() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let new_contact = unique_email();
    let cookie = app.logged_in(&email).await;
    let link = contact_confirmation_link(&app, &cookie, &new_contact).await;

    exactly_one(&app.post_at_once(&link, 50).await, 200);
    assert_eq!(
        contact_of(&app, &email).await.as_deref(),
        Some(new_contact.as_str())
    );
    let changes = app.event_kinds(&email).await;
    assert_eq!(
        changes.iter().filter(|k| *k == "contact_changed").count(),
        1
    );
    let emails = app
        .wait_for_emails(|e| e.iter().any(|m| m.kind == "contact_changed_new"))
        .await;
    assert_eq!(sent(&emails, &email, "contact_changed_old"), 1);
    assert_eq!(sent(&emails, &new_contact, "contact_changed_new"), 1);
}

#[tokio::test]
async fn a_contact_confirmation_link_expires_after_a_day() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let cookie = app.logged_in(&email).await;
    let link = contact_confirmation_link(&app, &cookie, &unique_email()).await;
    app.clock.advance(jiff::SignedDuration::from_hours(25));
    assert_eq!(app.get(&link).await.status, 410);
    assert_eq!(app.post_form(&link, &[], None).await.status, 410);
    assert_eq!(contact_of(&app, &email).await, None);
}

#[tokio::test]
async fn an_undo_link_works_once_under_fifty_concurrent_submissions() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let old_contact = unique_email();
    set_contact(&app, &email, &old_contact).await;
    let cookie = app.logged_in(&email).await;
    let confirm = contact_confirmation_link(&app, &cookie, &unique_email()).await;
    app.post_form(&confirm, &[], None).await;
    let undo = link_in(
        &app,
        &old_contact,
        "contact_changed_old",
        "/adresse-de-contact/",
    )
    .await;

    exactly_one(&app.post_at_once(&undo, 50).await, 200);
    assert_eq!(
        contact_of(&app, &email).await.as_deref(),
        Some(old_contact.as_str())
    );
    let reverts = app.event_kinds(&email).await;
    assert_eq!(
        reverts.iter().filter(|k| *k == "contact_reverted").count(),
        1
    );
}

#[tokio::test]
async fn a_login_address_confirmation_works_once_under_fifty_concurrent_submissions() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let new_login = unique_email();
    let cookie = app.logged_in(&email).await;
    let link = login_confirmation_link(&app, &cookie, &new_login).await;

    exactly_one(&app.post_at_once(&link, 50).await, 200);
    assert_eq!(app.log_in(&new_login, PASSWORD).await.status, 303);
    let changes = app.event_kinds(&new_login).await;
    assert_eq!(changes.iter().filter(|k| *k == "login_changed").count(), 1);
    let emails = app
        .wait_for_emails(|e| e.iter().any(|m| m.kind == "login_changed"))
        .await;
    assert_eq!(sent(&emails, &email, "login_changed"), 1);
}

#[tokio::test]
async fn a_login_address_confirmation_expires_after_a_day() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let new_login = unique_email();
    let cookie = app.logged_in(&email).await;
    let link = login_confirmation_link(&app, &cookie, &new_login).await;
    app.clock.advance(jiff::SignedDuration::from_hours(25));
    assert_eq!(app.post_form(&link, &[], None).await.status, 410);
    assert_eq!(app.log_in(&email, PASSWORD).await.status, 303);
    assert_eq!(app.log_in(&new_login, PASSWORD).await.status, 401);
}

/// Whoever holds a stolen session cannot guess the password through "Mon
/// compte" faster than at the login box: the same counter, the same lock,
/// the same notice to the owner.
#[tokio::test]
async fn the_current_password_asked_in_mon_compte_counts_against_the_login_lock() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let cookie = app.logged_in(&email).await;
    let forms: [(&str, &str); 4] = [
        ("/mon-compte/desactivation", "deactivate_password"),
        ("/mon-compte/mot-de-passe", "current_password"),
        ("/mon-compte/question-secrete", "secret_password"),
        ("/mon-compte/identifiant", "login_password"),
    ];
    for (i, (path, field)) in forms.iter().cycle().take(5).enumerate() {
        let guess = format!("Devinette-{i}-2026");
        let refused = app
            .post_form(path, &[(field, guess.as_str())], Some(&cookie))
            .await;
        assert_eq!(refused.status, 422, "{path}");
        assert!(refused.page().error_of(field).is_some(), "{path}");
    }
    // Locked now: the right password is refused here and at the login box.
    let locked = app
        .post_form(
            "/mon-compte/desactivation",
            &[("deactivate_password", PASSWORD)],
            Some(&cookie),
        )
        .await;
    assert_eq!(locked.status, 422);
    assert!(
        locked
            .page()
            .error_of("deactivate_password")
            .unwrap_or_default()
            .contains("Trop de mots de passe erronés"),
        "{}",
        locked.body
    );
    assert_eq!(state_of(&app, &email).await, "active");
    assert_eq!(app.log_in(&email, PASSWORD).await.status, 429);
    let emails = app
        .wait_for_emails(|e| e.iter().any(|m| m.kind == "login_locked"))
        .await;
    assert_eq!(sent(&emails, &email, "login_locked"), 1);
    // After the lock, the right password works again and clears the count.
    app.clock.advance(jiff::SignedDuration::from_mins(16));
    let done = app
        .post_form(
            "/mon-compte/desactivation",
            &[("deactivate_password", PASSWORD)],
            Some(&cookie),
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
}
