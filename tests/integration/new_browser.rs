//! Part 13: "Nouvelle connexion à votre compte Sésame". A login from a
//! browser the account does not know is told to its owner once, with a
//! "Ce n'était pas moi" link whose page's button (never the link itself)
//! ends every session and sends a reset link; known browsers are listed
//! in "Mon compte" and can be forgotten.

use crate::helpers::*;

/// Logs in through both steps from the browser holding `browser` (its
/// cookie, `sesame_browser=…`, or none yet): the session's cookie and the
/// browser's.
async fn log_in_from(app: &TestApp, email: &str, browser: Option<&str>) -> (String, String) {
    let login = app.log_in(email, PASSWORD).await;
    let passed = app.through_second_step(&login, email, browser).await;
    assert_eq!(passed.status, 303, "{}", passed.body);
    (
        passed.session_cookie().expect("a session"),
        passed
            .cookie_named("sesame_browser")
            .expect("a browser cookie"),
    )
}

async fn notices_to(app: &TestApp, email: &str) -> Vec<StoredEmail> {
    app.emails()
        .await
        .into_iter()
        .filter(|e| e.kind == "new_browser" && e.recipient == email)
        .collect()
}

/// The path of the newest "Ce n'était pas moi" link sent to `email`.
async fn not_me_link(app: &TestApp, email: &str) -> String {
    link_in(app, email, "new_browser", "/ce-n-etait-pas-moi/").await
}

#[tokio::test]
async fn a_login_from_a_new_browser_is_told_once_and_a_known_browser_is_not() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    // The account's very first login: nothing to recognise yet.
    let (_, office) = log_in_from(&app, &email, None).await;
    assert!(notices_to(&app, &email).await.is_empty());
    // Another browser: told.
    let (_, laptop) = log_in_from(&app, &email, None).await;
    app.wait_for_emails(|e| {
        e.iter()
            .any(|m| m.kind == "new_browser" && m.recipient == email)
    })
    .await;
    assert_eq!(notices_to(&app, &email).await.len(), 1);
    // Both again: known, nothing more.
    log_in_from(&app, &email, Some(&laptop)).await;
    log_in_from(&app, &email, Some(&office)).await;
    assert_eq!(notices_to(&app, &email).await.len(), 1);
    let notice = &notices_to(&app, &email).await[0];
    assert_eq!(notice.subject, "Nouvelle connexion à votre compte Sésame");
    for words in [
        "votre mot de passe et un code reçu par courriel",
        "/ce-n-etait-pas-moi/",
        "ne vous demandera jamais de code",
    ] {
        assert!(
            notice.text_body.contains(words),
            "{words}: {}",
            notice.text_body
        );
    }
    assert!(
        notice.html_body.contains("tait pas moi</a>"),
        "{}",
        notice.html_body
    );
}

#[tokio::test]
async fn the_browser_cookie_is_http_only_long_lived_and_names_nobody_in_the_database() {
    let app = spawn_app().await;
    let paul = unique_email();
    let marie = unique_email();
    app.create_active_account(&paul).await;
    app.create_active_account(&marie).await;
    let login = app.log_in(&paul, PASSWORD).await;
    let passed = app.through_second_step(&login, &paul, None).await;
    let set = passed
        .set_cookies
        .iter()
        .find(|c| c.starts_with("sesame_browser="))
        .expect("a browser cookie")
        .clone();
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=34560000"] {
        assert!(set.contains(attribute), "{set} lacks {attribute}");
    }
    // The pending login ended: its cookie is cleared with it.
    assert!(
        passed
            .set_cookies
            .iter()
            .any(|c| c.starts_with("sesame_pending=;") && c.contains("Max-Age=0")),
        "{:?}",
        passed.set_cookies
    );
    let browser = passed.cookie_named("sesame_browser").unwrap();
    let value = browser.trim_start_matches("sesame_browser=");
    // The same browser for Marie.
    log_in_from(&app, &marie, Some(&browser)).await;
    let hashes: Vec<(String,)> = sqlx::query_as("SELECT browser_hash FROM known_browsers")
        .fetch_all(&app.state.db)
        .await
        .unwrap();
    let hashes: Vec<String> = hashes.into_iter().map(|(h,)| h).collect();
    assert_eq!(hashes.len(), 2);
    assert_ne!(hashes[0], hashes[1], "one row per account, unrelated");
    assert!(hashes.iter().all(|h| !h.contains(value)));
}

#[tokio::test]
async fn the_not_me_link_changes_nothing_until_its_button_ends_every_session_and_sends_a_reset_link(
) {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let (office_session, office_browser) = log_in_from(&app, &email, None).await;
    let (thief_session, thief_browser) = log_in_from(&app, &email, None).await;
    let link = not_me_link(&app, &email).await;
    // Opened (by the person, or a mail scanner): a page, nothing changed.
    let page = app.get(&link).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Fermer toutes les sessions"),
        "{}",
        page.body
    );
    assert_eq!(app.get_as("/mon-compte", &office_session).await.status, 200);
    assert_eq!(app.get_as("/mon-compte", &thief_session).await.status, 200);
    // The button: every session ends, a reset link is sent.
    let secured = app.post_form(&link, &[], None).await;
    assert_eq!(secured.status, 200, "{}", secured.body);
    assert!(
        secured.body.contains("Votre compte est protégé"),
        "{}",
        secured.body
    );
    for session in [&office_session, &thief_session] {
        assert_eq!(app.get_as("/mon-compte", session).await.status, 303);
    }
    let reset = link_in(&app, &email, "not_me_reset", "/nouveau-mot-de-passe/").await;
    assert_eq!(app.get(&reset).await.status, 200);
    assert!(app
        .event_kinds(&email)
        .await
        .iter()
        .any(|kind| kind == "login_disowned"));
    // Once only.
    assert_eq!(app.post_form(&link, &[], None).await.status, 404);
    // The browser it was about is forgotten (its next login would be told
    // again); the owner's stays known.
    let id = account_id(&app, &email).await;
    let row_of = |browser: &str| {
        let value = browser.trim_start_matches("sesame_browser=");
        sesame::server::tokens::hash_token(&format!("{id}:{value}"))
    };
    let known: Vec<(String,)> = sqlx::query_as("SELECT browser_hash FROM known_browsers")
        .fetch_all(&app.state.db)
        .await
        .unwrap();
    let known: Vec<String> = known.into_iter().map(|(hash,)| hash).collect();
    assert_eq!(known, [row_of(&office_browser)]);
    assert!(!known.contains(&row_of(&thief_browser)));
}

#[tokio::test]
async fn known_browsers_are_listed_in_my_account_and_can_be_forgotten() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let (session, browser) = log_in_from(&app, &email, None).await;
    let cookies = format!("{session}; {browser}");
    let page = app.get_as("/mon-compte", &cookies).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Navigateurs connus"), "{}", page.body);
    assert!(page.body.contains("ce navigateur"), "{}", page.body);
    let forgotten = app
        .post_form(
            "/mon-compte/navigateurs",
            &[("browser", "all")],
            Some(&cookies),
        )
        .await;
    assert_eq!(forgotten.status, 200, "{}", forgotten.body);
    assert!(forgotten
        .body
        .contains("Les navigateurs demandés sont oubliés"));
    assert_eq!(app.count("known_browsers").await, 0);
    assert!(app
        .event_kinds(&email)
        .await
        .iter()
        .any(|kind| kind == "browser_forgotten"));
    // Forgotten, it is told at its next login.
    log_in_from(&app, &email, Some(&browser)).await;
    app.wait_for_emails(|e| {
        e.iter()
            .any(|m| m.kind == "new_browser" && m.recipient == email)
    })
    .await;
}

#[tokio::test]
async fn a_browser_of_another_account_cannot_be_forgotten_from_mine() {
    let app = spawn_app().await;
    let paul = unique_email();
    let marie = unique_email();
    app.create_active_account(&paul).await;
    app.create_active_account(&marie).await;
    let (paul_session, _) = log_in_from(&app, &paul, None).await;
    log_in_from(&app, &marie, None).await;
    let (marie_row,): (String,) = sqlx::query_as(
        "SELECT k.id FROM known_browsers k JOIN accounts a ON a.id = k.account_id \
         WHERE a.login_email = $1",
    )
    .bind(&marie)
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    let answer = app
        .post_form(
            "/mon-compte/navigateurs",
            &[("browser", &marie_row)],
            Some(&paul_session),
        )
        .await;
    assert!(
        answer.body.contains("Aucun navigateur n'a été oublié"),
        "{}",
        answer.body
    );
    assert_eq!(app.count("known_browsers").await, 2);
}

#[tokio::test]
async fn after_not_me_the_old_password_opens_nothing_until_a_new_one_is_chosen() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    log_in_from(&app, &email, None).await;
    log_in_from(&app, &email, None).await;
    let link = not_me_link(&app, &email).await;
    assert_eq!(app.post_form(&link, &[], None).await.status, 200);
    // Whoever logged in knows the password: it is refused, and says why.
    let refused = app.log_in(&email, PASSWORD).await;
    assert_eq!(refused.status, 401, "{}", refused.body);
    assert!(
        refused
            .body
            .contains("Ce mot de passe ne permet plus de se connecter"),
        "{}",
        refused.body
    );
    assert!(refused.session_cookie().is_none());
    // A wrong password still gets the usual refusal (nothing is told).
    let wrong = app.log_in(&email, "Pas-le-bon-2026").await;
    assert!(!wrong.body.contains("ne permet plus"), "{}", wrong.body);
    // The reset link: not the same password again, then a new one works.
    let reset = link_in(&app, &email, "not_me_reset", "/nouveau-mot-de-passe/").await;
    let token = reset.trim_start_matches("/nouveau-mot-de-passe/");
    let same = submit_reset(&app, token, PASSWORD, PASSWORD).await;
    assert_eq!(same.status, 422, "{}", same.body);
    let new_password = "Cerise-Abricot-2027";
    let changed = submit_reset(&app, token, new_password, new_password).await;
    assert_eq!(changed.status, 303, "{}", changed.body);
    app.logged_in_with(&email, new_password).await;
}

#[tokio::test]
async fn the_first_login_recorded_for_an_account_that_existed_before_sends_no_notice() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    log_in_from(&app, &email, None).await;
    // As before the browsers were known: logins in the feed, no browser.
    sqlx::query("UPDATE accounts SET browsers_known_since = NULL WHERE login_email = $1")
        .bind(&email)
        .execute(&app.state.db)
        .await
        .unwrap();
    sqlx::query("DELETE FROM known_browsers")
        .execute(&app.state.db)
        .await
        .unwrap();
    let (_, browser) = log_in_from(&app, &email, None).await;
    assert!(notices_to(&app, &email).await.is_empty());
    // Forgetting every browser does not start that again.
    let (session, _) = log_in_from(&app, &email, Some(&browser)).await;
    let cookies = format!("{session}; {browser}");
    app.post_form(
        "/mon-compte/navigateurs",
        &[("browser", "all")],
        Some(&cookies),
    )
    .await;
    log_in_from(&app, &email, Some(&browser)).await;
    app.wait_for_emails(|e| {
        e.iter()
            .any(|m| m.kind == "new_browser" && m.recipient == email)
    })
    .await;
}

#[tokio::test]
async fn an_account_keeps_its_fifty_latest_browsers() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let id = account_id(&app, &email).await;
    let mut conn = app.state.db.acquire().await.unwrap();
    for n in 0..=sesame::accounts::browsers::MAX_PER_ACCOUNT {
        app.clock.advance(jiff::SignedDuration::from_secs(1));
        let browser = format!("{n:064x}");
        sesame::accounts::browsers::seen(&mut conn, &app.state, &id, &browser, None)
            .await
            .unwrap();
    }
    assert_eq!(
        app.count("known_browsers").await,
        sesame::accounts::browsers::MAX_PER_ACCOUNT
    );
}
