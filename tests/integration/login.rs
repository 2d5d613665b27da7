use crate::helpers::*;
use jiff::SignedDuration;

#[tokio::test]
async fn the_right_password_opens_a_session_and_leads_to_the_connected_home() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let login = app.log_in(&email, PASSWORD).await;
    assert_eq!(login.status, 303);
    assert_eq!(login.location.as_deref(), Some("/verification"));
    let pending = login.set_cookie.clone().unwrap();
    assert!(pending.starts_with("sesame_pending="), "{pending}");
    let response = app.through_second_step(&login, &email, None).await;
    assert_eq!(response.status, 303);
    assert_eq!(
        response.location.as_deref(),
        Some("/securite?suivant=/accueil&conseil=1")
    );
    let set_cookie = response.set_cookie.clone().unwrap();
    assert!(set_cookie.starts_with("sesame_session="));
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(pending.contains(flag), "{pending} lacks {flag}");
        assert!(set_cookie.contains(flag), "{set_cookie} lacks {flag}");
    }
    assert!(!set_cookie.contains("Secure"), "Secure on plain http");

    let home = app
        .get_as("/accueil", &response.session_cookie().unwrap())
        .await;
    assert_eq!(home.status, 200);
    let page = home.page();
    assert!(page.body.contains("Paul Dupont"));
    assert!(page.body.contains("Déconnexion"));
    assert!(page.body.contains("Accueil connecté") && page.body.contains("Mon compte"));
    assert!(page.body.contains("Fil d&#x27;événements") || page.body.contains("Fil d'événements"));
    assert!(page.body.contains("Actualités"));
    assert!(
        page.body
            .contains("Mise en place d&#x27;un support téléphonique")
            || page
                .body
                .contains("Mise en place d'un support téléphonique")
    );
    // Newest first: the login, then the activation, then the creation.
    let feed = page.text_of(".events").unwrap();
    let login_at = feed.find("Connexion").expect("no login event");
    let activated_at = feed.find("Compte activé").expect("no activation event");
    let created_at = feed.find("Compte créé").expect("no creation event");
    assert!(
        login_at < activated_at && activated_at < created_at,
        "{feed}"
    );
}

#[tokio::test]
async fn each_connected_page_carries_only_what_it_shows() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let cookie = app.logged_in(&email).await;
    app.create_structure("73282932000074", "Ébénisterie Vernier")
        .await;
    let asked = app
        .post_form(
            "/mon-compte/rattachement",
            &[("siret", "73282932000074")],
            Some(&cookie),
        )
        .await;
    assert_eq!(asked.status, 200, "{}", asked.body);
    // The page's state travels with it, serialised in a script: an event
    // line has a `what`, a session line a `handle`.
    let (event, session, news) = (r#"what\""#, r#"handle\""#, "support téléphonique");
    let structure = "Ébénisterie Vernier";

    let home = app.get_as("/accueil", &cookie).await.page();
    assert!(home.body.contains(event) && home.body.contains(news));
    assert!(
        !home.body.contains(session),
        "the sessions travel with the home page"
    );
    assert!(
        !home.body.contains(structure),
        "the structures travel with the home page"
    );

    let my_account = app.get_as("/mon-compte", &cookie).await.page();
    assert!(my_account.body.contains(session) && my_account.body.contains(structure));
    assert!(
        !my_account.body.contains(event),
        "the feed travels with Mon compte"
    );
    assert!(
        !my_account.body.contains(news),
        "the news travel with Mon compte"
    );
}

#[tokio::test]
async fn mon_compte_shows_the_accounts_data() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let cookie = app.logged_in(&email).await;
    let page = app.get_as("/mon-compte", &cookie).await.page();
    assert_eq!(page.text_of("h1").as_deref(), Some("Mon compte"));
    for shown in [
        email.as_str(),
        "Dupont",
        "Paul",
        "12 rue des Lilas",
        "Bâtiment B",
        "42000",
        "Saint-Étienne",
        "France",
        "04 77 12 34 56",
    ] {
        assert!(page.body.contains(shown), "{shown} missing");
    }
}

#[tokio::test]
async fn an_unknown_address_and_a_wrong_password_get_the_same_answer() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let wrong_password = app.log_in(&email, "Vanille-Fraise-2025").await;
    let unknown = app
        .log_in("nobody@menuiserie.fr", "Vanille-Fraise-2025")
        .await;
    assert_eq!(wrong_password.status, 401);
    assert_eq!(unknown.status, 401);
    assert_eq!(wrong_password.set_cookie, None);
    let message = "Adresse électronique ou mot de passe incorrect.";
    assert!(wrong_password.body.contains(message));
    assert_eq!(
        without_nonces(&wrong_password.body).replace(&email, "X"),
        without_nonces(&unknown.body).replace("nobody@menuiserie.fr", "X")
    );
    assert_eq!(
        wrong_password.page().value_of("email").as_deref(),
        Some(email.as_str()),
        "the address typed is lost"
    );
}

#[tokio::test]
async fn an_account_not_yet_activated_cannot_log_in() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_pending_account(&email).await;
    assert_eq!(app.log_in(&email, PASSWORD).await.status, 401);
}

#[tokio::test]
async fn the_password_is_compared_exactly() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    for variant in [
        "vanille-fraise-2026",
        "VANILLE-FRAISE-2026",
        "Vanille-Fraise-2026 ",
        " Vanille-Fraise-2026",
        "Vanille-Fraise-202",
    ] {
        assert_eq!(
            app.log_in(&email, variant).await.status,
            401,
            "{variant:?} accepted"
        );
    }
    // Long enough to be refused before hashing, short enough to be read
    // (a larger body gets 413: `bounds`).
    let huge = "A".repeat(200_000);
    assert_eq!(app.log_in(&email, &huge).await.status, 401);
    // Five failures locked the address; wait for the lock to end.
    app.clock.advance(SignedDuration::from_mins(16));
    assert_eq!(
        app.log_in(&email.to_uppercase(), PASSWORD).await.status,
        303,
        "the address is not compared without regard to case"
    );
}

#[tokio::test]
async fn five_failures_lock_the_address_for_fifteen_minutes_and_the_owner_is_told_once() {
    let app = spawn_app().await;
    let email = unique_email();
    let other = unique_email();
    app.create_active_account(&email).await;
    app.create_active_account(&other).await;
    for _ in 0..5 {
        assert_eq!(app.log_in(&email, "Mauvais-Mot-2026").await.status, 401);
    }
    let locked = app.log_in(&email, PASSWORD).await;
    assert_eq!(
        locked.status, 429,
        "a correct password got through the lock"
    );
    assert!(
        locked
            .body
            .contains("la connexion est bloquée pendant 15 minutes"),
        "{}",
        locked.body
    );
    assert_eq!(app.log_in(&email, "Mauvais-Mot-2026").await.status, 429);
    assert_eq!(
        app.log_in(&other, PASSWORD).await.status,
        303,
        "another account was affected"
    );

    let emails = app
        .wait_for_emails(|e| e.iter().any(|m| m.kind == "login_locked"))
        .await;
    assert_eq!(
        emails.iter().filter(|m| m.kind == "login_locked").count(),
        1
    );
    assert_eq!(
        emails
            .iter()
            .find(|m| m.kind == "login_locked")
            .unwrap()
            .recipient,
        email
    );

    app.clock.advance(SignedDuration::from_mins(16));
    assert_eq!(
        app.log_in(&email, PASSWORD).await.status,
        303,
        "the lock did not expire"
    );
}

#[tokio::test]
async fn an_unknown_address_is_locked_the_same_way() {
    let app = spawn_app().await;
    for _ in 0..5 {
        assert_eq!(
            app.log_in("nobody@menuiserie.fr", "Mauvais-Mot-2026")
                .await
                .status,
            401
        );
    }
    assert_eq!(
        app.log_in("nobody@menuiserie.fr", "Mauvais-Mot-2026")
            .await
            .status,
        429
    );
}

#[tokio::test]
async fn parallel_wrong_passwords_cannot_get_more_than_five_checked() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let attempts = (0..20).map(|_| app.log_in(&email, "Mauvais-Mot-2026"));
    let responses = futures::future::join_all(attempts).await;
    let evaluated = responses.iter().filter(|r| r.status == 401).count();
    assert!(evaluated <= 5, "{evaluated} passwords were checked");
    let failures = app
        .event_kinds(&email)
        .await
        .iter()
        .filter(|k| *k == "login_failed")
        .count();
    assert!(failures <= 5, "{failures} failures recorded");
}

#[tokio::test]
async fn a_flood_from_one_client_is_throttled() {
    let app = spawn_app_with(|config| config.client_max_attempts = 8).await;
    for i in 0..8 {
        let status = app
            .log_in(&format!("nobody{i}@menuiserie.fr"), "x")
            .await
            .status;
        assert_eq!(status, 401);
    }
    let response = app.log_in("nobody9@menuiserie.fr", "x").await;
    assert_eq!(response.status, 429);
    assert!(response
        .body
        .contains("Trop de tentatives de connexion depuis votre poste"));
}

#[tokio::test]
async fn the_session_id_changes_at_login_and_the_old_one_ends() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let first = app.logged_in(&email).await;
    let again = app
        .post_form(
            "/connexion",
            &[("email", &email), ("password", PASSWORD)],
            Some(&first),
        )
        .await;
    let again = app.through_second_step(&again, &email, Some(&first)).await;
    let second = again.session_cookie().unwrap();
    assert_ne!(first, second);
    assert_eq!(
        app.get_as("/accueil", &first).await.status,
        303,
        "the old session still works"
    );
    assert_eq!(app.get_as("/accueil", &second).await.status, 200);
    let stored: Vec<(String,)> = sqlx::query_as("SELECT id_hash FROM sessions")
        .fetch_all(&app.state.db)
        .await
        .unwrap();
    let raw = second.split('=').nth(1).unwrap();
    assert!(
        stored.iter().all(|(hash,)| hash != raw),
        "the raw session id is stored"
    );
}

#[tokio::test]
async fn a_session_ends_after_thirty_idle_minutes() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let cookie = app.logged_in(&email).await;
    app.clock.advance(SignedDuration::from_mins(29));
    assert_eq!(app.get_as("/accueil", &cookie).await.status, 200);
    app.clock.advance(SignedDuration::from_mins(31));
    let expired = app.get_as("/accueil", &cookie).await;
    assert_eq!(expired.status, 303);
    assert_eq!(expired.location.as_deref(), Some("/?suivant=/accueil"));
}

#[tokio::test]
async fn a_page_seen_within_a_minute_of_the_recorded_activity_writes_nothing() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let cookie = app.logged_in(&email).await;
    let last_seen = || async {
        let (at,): (i64,) = sqlx::query_as("SELECT last_seen_at FROM sessions")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
        at
    };
    let opened = last_seen().await;
    app.clock.advance(SignedDuration::from_secs(59));
    assert_eq!(app.get_as("/accueil", &cookie).await.status, 200);
    assert_eq!(
        last_seen().await,
        opened,
        "recorded again within the minute"
    );
    app.clock.advance(SignedDuration::from_secs(1));
    assert_eq!(app.get_as("/accueil", &cookie).await.status, 200);
    assert_eq!(last_seen().await, opened + 60);
}

#[tokio::test]
async fn a_session_ends_after_twelve_hours_even_when_used() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let cookie = app.logged_in(&email).await;
    for _ in 0..35 {
        app.clock.advance(SignedDuration::from_mins(20));
        assert_eq!(app.get_as("/accueil", &cookie).await.status, 200);
    }
    app.clock.advance(SignedDuration::from_mins(20));
    assert_eq!(app.get_as("/accueil", &cookie).await.status, 303);
}

#[tokio::test]
async fn logging_out_deletes_the_session() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let cookie = app.logged_in(&email).await;
    let response = app.post_form("/deconnexion", &[], Some(&cookie)).await;
    assert_eq!(response.status, 303);
    assert_eq!(response.location.as_deref(), Some("/?info=logged_out"));
    assert!(response.set_cookie.unwrap().contains("Max-Age=0"));
    assert_eq!(app.get_as("/accueil", &cookie).await.status, 303);
    assert_eq!(app.count("sessions").await, 0);
    assert!(app
        .event_kinds(&email)
        .await
        .contains(&"logged_out".to_owned()));
    assert!(app
        .get("/?info=logged_out")
        .await
        .body
        .contains("Vous êtes déconnecté."));
}

#[tokio::test]
async fn a_page_that_needs_a_session_sends_to_the_login_box_and_back() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let response = app
        .client
        .get(format!("{}/mon-compte", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/?suivant=/mon-compte");
    let home = app.get("/?suivant=/mon-compte").await;
    assert_eq!(home.value_of("next").as_deref(), Some("/mon-compte"));
    assert!(home
        .body
        .contains("Connectez-vous pour accéder à cette page."));
    let login = app
        .post_form(
            "/connexion",
            &[
                ("email", &email),
                ("password", PASSWORD),
                ("next", "/mon-compte"),
            ],
            None,
        )
        .await;
    let login = app.through_second_step(&login, &email, None).await;
    // No app yet: "Sécurité" recommends one, then "Plus tard" goes on.
    assert_eq!(
        login.location.as_deref(),
        Some("/securite?suivant=/mon-compte&conseil=1")
    );
}

#[tokio::test]
async fn after_login_a_hostile_target_ends_on_this_site() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    for next in [
        "//evil.example",
        "/\\evil.example",
        "https:evil.example",
        "https://evil.example/",
        "/%2F%2Fevil.example",
        "%2F%2Fevil.example",
        "javascript:alert(1)",
        "/\t/evil.example",
        "/%5Cevil.example",
    ] {
        // Five codes an hour are sent: one login every 15 minutes.
        app.clock.advance(SignedDuration::from_mins(15));
        let login = app
            .post_form(
                "/connexion",
                &[("email", &email), ("password", PASSWORD), ("next", next)],
                None,
            )
            .await;
        let login = app.through_second_step(&login, &email, None).await;
        let location = login.location.unwrap();
        let location = location
            .strip_prefix("/securite?suivant=")
            .and_then(|rest| rest.strip_suffix("&conseil=1"))
            .unwrap_or(&location)
            .to_owned();
        assert!(
            location.starts_with('/')
                && !location.starts_with("//")
                && !location.starts_with("/\\"),
            "{next} → {location}"
        );
        assert_eq!(location, "/accueil", "{next}");
    }
}
