use crate::helpers::*;
use jiff::SignedDuration;

#[tokio::test]
async fn the_emailed_link_opens_the_activation_page_with_the_account_data_read_only() {
    let app = spawn_app().await;
    let email = unique_email();
    let token = app.create_pending_account(&email).await;
    let page = app.get(&format!("/activation/{token}")).await;
    assert_eq!(page.status, 200);
    assert_eq!(page.text_of("h1").as_deref(), Some("Activer votre compte"));
    assert!(page.body.contains(&email));
    assert!(page.body.contains("Saint-Étienne"));
    for legend in ["Gestion du mot de passe", "Question secrète"] {
        assert!(
            page.body.contains(&format!("<legend>{legend}</legend>")),
            "{legend}"
        );
    }
    assert!(page.body.contains("autocomplete=\"new-password\""));
    assert!(
        page.value_of("login_email").is_none(),
        "the account data is editable"
    );
}

#[tokio::test]
async fn opening_the_link_sends_no_referrer_and_is_not_cached() {
    let app = spawn_app().await;
    let token = app.create_pending_account(&unique_email()).await;
    let response = app
        .client
        .get(format!("{}/activation/{token}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["referrer-policy"], "no-referrer");
    assert_eq!(response.headers()["cache-control"], "no-store");
}

#[tokio::test]
async fn a_valid_password_and_secret_question_activate_the_account_and_lead_to_the_login_box() {
    let app = spawn_app().await;
    let email = unique_email();
    let token = app.create_pending_account(&email).await;
    let response = app.activate(&token, PASSWORD, PASSWORD).await;
    assert_eq!(response.status, 303);
    assert_eq!(response.location.as_deref(), Some("/?info=activated"));
    let home = app.get("/?info=activated").await;
    assert!(home.body.contains("Votre compte est activé"));

    let (state, hash, question, answer_hash): (String, String, String, String) = sqlx::query_as(
        "SELECT state, password_hash, secret_question, secret_answer_hash FROM accounts WHERE login_email = $1",
    )
    .bind(&email)
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    assert_eq!(state, "active");
    assert!(hash.starts_with("$argon2id$"));
    assert!(!hash.contains(PASSWORD));
    assert_eq!(question, "Nom de mon premier chien ?");
    let verified = app
        .state
        .hasher
        .verify("medor", Some(&answer_hash))
        .await
        .unwrap();
    assert!(verified.matches(), "the answer is not stored normalised");
    assert!(app
        .event_kinds(&email)
        .await
        .contains(&"activated".to_owned()));
}

#[tokio::test]
async fn every_password_rule_is_enforced_at_its_boundary_with_complexite_insuffisante() {
    let app = spawn_app().await;
    let strong_128 = format!("Vanille-Fraise-{}", "q7Zx".repeat(28));
    assert_eq!(strong_128.chars().count(), 127);
    let strong_128 = format!("{strong_128}!");
    let too_long = format!("{strong_128}x");
    let cases: [(&str, &str); 5] = [
        ("Vq8!kw7", "au moins 8 caractères"),
        ("framboise-ananas", "au moins 3 types de caractères"),
        ("framboiseananas42", "au moins 3 types de caractères"),
        ("Password1!", "trop facile à deviner"),
        (&too_long, "ne doit pas dépasser 128 caractères"),
    ];
    for (password, message) in cases {
        let token = app.create_pending_account(&unique_email()).await;
        let response = app.activate(&token, password, password).await;
        assert_eq!(response.status, 422, "{password:?} was accepted");
        let shown = response.page().error_of("password").unwrap_or_default();
        assert!(shown.contains(message), "{password:?}: {shown:?}");
        if message != "ne doit pas dépasser 128 caractères" {
            assert!(shown.starts_with("Complexité insuffisante"), "{shown:?}");
        }
    }
    let token = app.create_pending_account(&unique_email()).await;
    assert_eq!(
        app.activate(&token, &strong_128, &strong_128).await.status,
        303,
        "128 characters refused"
    );
}

#[tokio::test]
async fn a_compliant_password_made_of_the_persons_own_names_is_refused() {
    let app = spawn_app().await;
    let token = app.create_pending_account(&unique_email()).await;
    let response = app.activate(&token, "Dupont2026!", "Dupont2026!").await;
    assert_eq!(response.status, 422);
}

#[tokio::test]
async fn a_confirmation_that_differs_is_refused_and_the_question_is_kept() {
    let app = spawn_app().await;
    let token = app.create_pending_account(&unique_email()).await;
    let response = app.activate(&token, PASSWORD, "Vanille-Fraise-2025").await;
    assert_eq!(response.status, 422);
    let page = response.page();
    assert!(page
        .error_of("password_confirmation")
        .unwrap()
        .contains("ne sont pas identiques"));
    assert_eq!(
        page.value_of("secret_question").as_deref(),
        Some("Nom de mon premier chien ?")
    );
    assert!(!page.body.contains(PASSWORD), "the password is sent back");
    assert!(!page.body.contains("Médor"), "the answer is sent back");
}

#[tokio::test]
async fn an_expired_link_says_so_and_reactiver_sends_a_new_one_at_most_every_five_minutes() {
    let app = spawn_app().await;
    let email = unique_email();
    let token = app.create_pending_account(&email).await;
    app.clock
        .advance(SignedDuration::from_hours(4) + SignedDuration::from_secs(1));
    let page = app.get(&format!("/activation/{token}")).await;
    assert_eq!(page.status, 410);
    assert!(
        page.body
            .contains("Ce message n&#x27;est plus valide pour activer votre compte")
            || page
                .body
                .contains("Ce message n'est plus valide pour activer votre compte")
    );
    assert!(page.body.contains("Réactiver"));
    assert_eq!(
        app.activate(&token, PASSWORD, PASSWORD).await.status,
        410,
        "an expired link activated"
    );

    let reactivate = [("intent", "reactivate")];
    let response = app
        .post_form(&format!("/activation/{token}"), &reactivate, None)
        .await;
    assert_eq!(response.status, 200);
    assert!(
        response
            .body
            .contains("Un nouveau courriel d&#x27;activation")
            || response.body.contains("Un nouveau courriel d'activation")
    );
    let emails = app
        .wait_for_emails(|e| e.iter().filter(|m| m.kind == "activation").count() == 2)
        .await;
    let new_token = activation_link(&emails.last().unwrap().text_body)
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    assert_ne!(new_token, token);

    // A second "Réactiver" right away sends nothing more.
    app.post_form(&format!("/activation/{token}"), &reactivate, None)
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(
        app.emails()
            .await
            .iter()
            .filter(|m| m.kind == "activation")
            .count(),
        2
    );

    assert_eq!(
        app.activate(&new_token, PASSWORD, PASSWORD).await.status,
        303
    );
}

#[tokio::test]
async fn a_used_link_says_the_account_is_active_and_an_unknown_one_is_invalid() {
    let app = spawn_app().await;
    let token = app.create_pending_account(&unique_email()).await;
    assert_eq!(app.activate(&token, PASSWORD, PASSWORD).await.status, 303);
    let page = app.get(&format!("/activation/{token}")).await;
    assert_eq!(page.text_of("h1").as_deref(), Some("Compte déjà activé"));
    assert_eq!(app.activate(&token, PASSWORD, PASSWORD).await.status, 200);
    let unknown = app.get(&format!("/activation/{}", "ab".repeat(32))).await;
    assert_eq!(unknown.status, 404);
    assert_eq!(
        unknown.text_of("h1").as_deref(),
        Some("Lien d'activation non valide")
    );
}

#[tokio::test]
async fn opening_the_link_does_not_consume_it() {
    let app = spawn_app().await;
    let token = app.create_pending_account(&unique_email()).await;
    for _ in 0..3 {
        assert_eq!(app.get(&format!("/activation/{token}")).await.status, 200);
    }
    assert_eq!(app.activate(&token, PASSWORD, PASSWORD).await.status, 303);
}

#[tokio::test]
async fn the_link_works_once_under_concurrent_submissions() {
    let app = spawn_app().await;
    let email = unique_email();
    let token = app.create_pending_account(&email).await;
    let attempts = (0..8).map(|_| app.activate(&token, PASSWORD, PASSWORD));
    let responses = futures::future::join_all(attempts).await;
    let activated = responses.iter().filter(|r| r.status == 303).count();
    assert_eq!(
        activated,
        1,
        "{:?}",
        responses.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert_eq!(
        app.event_kinds(&email)
            .await
            .iter()
            .filter(|k| *k == "activated")
            .count(),
        1
    );
}

#[tokio::test]
async fn an_account_not_activated_within_30_days_is_deleted_and_its_address_can_register_again() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_pending_account(&email).await;
    app.clock.advance(SignedDuration::from_hours(24 * 29));
    sesame::housekeeping::sweep(&app.state).await;
    assert_eq!(app.count("accounts").await, 1, "deleted before 30 days");
    app.clock.advance(SignedDuration::from_hours(24 * 2));
    sesame::housekeeping::sweep(&app.state).await;
    assert_eq!(app.count("accounts").await, 0);
    assert_eq!(app.count("account_tokens").await, 0);
    assert_eq!(app.count("account_events").await, 0);
    app.create_pending_account(&email).await;
    assert_eq!(app.count("accounts").await, 1);
}

#[tokio::test]
async fn the_resend_page_answers_the_same_whatever_the_address() {
    let app = spawn_app().await;
    let pending = unique_email();
    app.create_pending_account(&pending).await;
    app.clock.advance(SignedDuration::from_mins(6));
    let for_pending = app
        .post_form("/activation-renvoyer", &[("login_email", &pending)], None)
        .await;
    let stranger = unique_email();
    let for_stranger = app
        .post_form("/activation-renvoyer", &[("login_email", &stranger)], None)
        .await;
    assert_eq!(for_pending.status, for_stranger.status);
    assert_eq!(
        without_nonces(&for_pending.body).replace(&pending, "X"),
        without_nonces(&for_stranger.body).replace(&stranger, "X")
    );
    let emails = app
        .wait_for_emails(|e| e.iter().filter(|m| m.kind == "activation").count() == 2)
        .await;
    assert!(emails.iter().all(|m| m.recipient != stranger));
}

/// zxcvbn's verdict is one of the password's errors: every form that sets
/// a password shows it in the same answer as the form's other errors,
/// rather than after they are corrected (one more round trip, the
/// password typed twice again).
#[tokio::test]
async fn a_guessable_password_is_refused_in_the_same_answer_as_the_forms_other_errors() {
    let app = spawn_app().await;
    let guessable = "Password1234!";
    let token = app.create_pending_account(&unique_email()).await;
    let activation = app
        .post_form(
            &format!("/activation/{token}"),
            &[
                ("intent", "activate"),
                ("password", guessable),
                ("password_confirmation", "Password1234?"),
                ("secret_question", "Nom de mon premier chien ?"),
                ("secret_answer", ""),
            ],
            None,
        )
        .await
        .page();
    assert_eq!(activation.status, 422);
    for field in ["password", "password_confirmation", "secret_answer"] {
        assert!(activation.error_of(field).is_some(), "activation: {field}");
    }
    assert!(activation
        .error_of("password")
        .unwrap()
        .contains("trop facile à deviner"));

    let email = unique_email();
    app.create_active_account(&email).await;
    let reset = submit_reset(
        &app,
        &reset_token(&app, &email).await,
        guessable,
        "Password1234?",
    )
    .await
    .page();
    assert_eq!(reset.status, 422);
    assert!(reset
        .error_of("password")
        .unwrap()
        .contains("trop facile à deviner"));
    assert!(reset.error_of("password_confirmation").is_some());

    let cookie = app.logged_in(&email).await;
    let change = app
        .post_form(
            "/mon-compte/mot-de-passe",
            &[
                ("current_password", "Pas-Le-Bon-2026"),
                ("password", guessable),
                ("password_confirmation", guessable),
            ],
            Some(&cookie),
        )
        .await
        .page();
    assert_eq!(change.status, 422);
    assert!(change.error_of("current_password").is_some());
    assert!(change
        .error_of("password")
        .unwrap()
        .contains("trop facile à deviner"));
}

/// A password manager saves a new password under the account beside it:
/// the form names its login address in a hidden `username` field, which
/// the server ignores.
#[tokio::test]
async fn the_new_password_form_names_its_account_for_password_managers() {
    let app = spawn_app().await;
    let email = unique_email();
    let token = app.create_pending_account(&email).await;
    let page = app.get(&format!("/activation/{token}")).await;
    let username =
        scraper::Selector::parse("input[name=\"username\"][autocomplete=\"username\"]").unwrap();
    let html = page.html();
    let field = html.select(&username).next().expect("no username field");
    assert_eq!(field.value().attr("value"), Some(email.as_str()));
    assert!(field.value().attr("hidden").is_some());
    let activated = app
        .post_form(
            &format!("/activation/{token}"),
            &[
                ("intent", "activate"),
                ("username", "someone.else@example.org"),
                ("password", PASSWORD),
                ("password_confirmation", PASSWORD),
                ("secret_question", "Nom de mon premier chien ?"),
                ("secret_answer", "Médor"),
            ],
            None,
        )
        .await;
    assert_eq!(activated.status, 303, "{}", activated.body);
    assert_eq!(app.log_in(&email, PASSWORD).await.status, 303);
}
