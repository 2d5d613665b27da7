//! Guide, section 3: "Mot de passe oublié ?", and the notices of section 4.

use crate::helpers::*;
use jiff::SignedDuration;

const NEW_PASSWORD: &str = "Grenadine-Menthe-2026";

/// Opens "Mot de passe oublié ?" and draws its captcha; returns the
/// challenge id.
async fn open_forgot(app: &TestApp, cookie: Option<&str>) -> String {
    app.open_captcha("/mot-de-passe-oublie", cookie).await
}

/// Step 1 with the right captcha: the question step.
async fn ask_question(app: &TestApp, email: &str) -> Response {
    ask_question_as(app, email, None).await
}

async fn ask_question_as(app: &TestApp, email: &str, cookie: Option<&str>) -> Response {
    app.ask_secret_question(email, cookie).await
}

/// Step 2: answers the question shown by `question_page`.
async fn answer(app: &TestApp, question_page: &Response, answer: &str) -> Response {
    app.answer_secret_question(question_page, answer).await
}

/// Fifty question steps for `email`, then all fifty answered at once with
/// `given`; each answer gets the same page.
async fn answer_fifty_at_once(app: &TestApp, email: &str, given: &str) {
    let mut questions = Vec::new();
    for _ in 0..50 {
        questions.push(ask_question(app, email).await);
    }
    let answers = questions.iter().map(|q| answer(app, q, given));
    for response in futures::future::join_all(answers).await {
        assert_eq!(response.status, 200);
    }
}

fn kinds_to(emails: &[StoredEmail], recipient: &str) -> Vec<String> {
    emails
        .iter()
        .filter(|m| m.recipient == recipient)
        .map(|m| m.kind.clone())
        .collect()
}

/// A page with the values that legitimately differ replaced, in every form
/// they take in the document (text, attribute, hydration data).
fn masked(body: &str, values: &[&str]) -> String {
    let mut body = without_nonces(body);
    for value in values {
        let escaped = value.replace('\'', "&#x27;");
        let json = value.replace('\'', "\\u0027");
        for form in [value.to_string(), escaped, json] {
            body = body.replace(&form, "‹masked›");
        }
    }
    body
}

#[tokio::test]
async fn the_home_page_leads_to_the_forgotten_password_page_with_its_captcha() {
    let app = spawn_app().await;
    let home = app.get("/").await;
    assert!(home.body.contains("href=\"/mot-de-passe-oublie\""));
    let page = app.get("/mot-de-passe-oublie").await;
    assert_eq!(page.status, 200);
    assert_eq!(page.text_of("h1").as_deref(), Some("Mot de passe oublié ?"));
    assert!(page.value_of("captcha_id").is_some());
    assert!(page.body.contains("name=\"login_email\""));
}

#[tokio::test]
async fn a_wrong_captcha_is_refused_next_to_its_field_and_the_address_is_kept() {
    let app = spawn_app().await;
    let challenge = open_forgot(&app, None).await;
    let response = app
        .post_form(
            "/mot-de-passe-oublie",
            &[
                ("login_email", "paul.dupont@menuiserie.fr"),
                ("captcha_id", &challenge),
                ("captcha_answer", "AAAAA"),
            ],
            None,
        )
        .await;
    assert_eq!(response.status, 422);
    let page = response.page();
    assert!(page
        .error_of("captcha_answer")
        .unwrap()
        .contains("ne correspondent pas"));
    assert_eq!(
        page.value_of("login_email").as_deref(),
        Some("paul.dupont@menuiserie.fr")
    );
    assert!(
        page.value_of("flow").is_none(),
        "the question step was reached"
    );
    assert_eq!(app.count("recovery_flows").await, 0);
}

#[tokio::test]
async fn a_malformed_address_is_refused_next_to_its_field() {
    let app = spawn_app().await;
    let challenge = open_forgot(&app, None).await;
    let response = app
        .post_form(
            "/mot-de-passe-oublie",
            &[
                ("login_email", "paul.dupont@"),
                ("captcha_id", &challenge),
                ("captcha_answer", CAPTCHA_ANSWER),
            ],
            None,
        )
        .await;
    assert_eq!(response.status, 422);
    assert!(response.page().error_of("login_email").is_some());
}

#[tokio::test]
async fn after_the_captcha_the_page_asks_the_secret_question_of_the_account() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let response = ask_question(&app, &email).await;
    assert_eq!(response.status, 200);
    let page = response.page();
    assert_eq!(
        page.text_of("#secret-question").as_deref(),
        Some("Nom de mon premier chien ?")
    );
    assert!(page.body.contains("name=\"secret_answer\""));
    assert_eq!(response_header_referrer(&app, &email).await, "no-referrer");
}

async fn response_header_referrer(app: &TestApp, email: &str) -> String {
    let challenge = open_forgot(app, None).await;
    let response = app
        .client
        .post(format!("{}/mot-de-passe-oublie", app.address))
        .form(&[
            ("login_email", email),
            ("captcha_id", &challenge),
            ("captcha_answer", CAPTCHA_ANSWER),
        ])
        .send()
        .await
        .unwrap();
    response.headers()["referrer-policy"]
        .to_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn for_an_existing_and_an_unknown_address_every_step_looks_the_same_but_the_question() {
    let app = spawn_app().await;
    let known = unique_email();
    app.create_active_account(&known).await;
    let unknown = unique_email();

    let known_question = ask_question(&app, &known).await;
    let unknown_question = ask_question(&app, &unknown).await;
    assert_eq!(known_question.status, unknown_question.status);
    assert_eq!(known_question.location, unknown_question.location);
    assert_eq!(known_question.set_cookie, unknown_question.set_cookie);
    let known_page = known_question.page();
    let unknown_page = unknown_question.page();
    let decoy = unknown_page.text_of("#secret-question").unwrap();
    assert_ne!(decoy, "");
    assert_eq!(
        masked(
            &known_question.body,
            &[
                &known_page.value_of("flow").unwrap(),
                &known,
                "Nom de mon premier chien ?"
            ]
        ),
        masked(
            &unknown_question.body,
            &[&unknown_page.value_of("flow").unwrap(), &unknown, &decoy]
        ),
    );

    // Wrong answers: the same message for both.
    let known_sent = answer(&app, &known_question, "rex").await;
    let unknown_sent = answer(&app, &unknown_question, "rex").await;
    assert_eq!(known_sent.status, unknown_sent.status);
    assert_eq!(known_sent.set_cookie, unknown_sent.set_cookie);
    assert_eq!(
        masked(&known_sent.body, &[&known]),
        masked(&unknown_sent.body, &[&unknown])
    );
    assert!(known_sent
        .body
        .contains("Un courriel de modification du mot de passe vous a été envoyé"));

    // And a right answer gives the very same page.
    let again = ask_question(&app, &known).await;
    let right = answer(&app, &again, "Médor").await;
    assert_eq!(
        masked(&right.body, &[&known]),
        masked(&known_sent.body, &[&known])
    );
}

#[tokio::test]
async fn the_decoy_question_of_an_unknown_address_stays_the_same_and_looks_real() {
    let app = spawn_app().await;
    let first = ask_question(&app, "nobody@menuiserie.fr").await.page();
    let second = ask_question(&app, "nobody@menuiserie.fr").await.page();
    let question = first.text_of("#secret-question").unwrap();
    assert_eq!(second.text_of("#secret-question").unwrap(), question);
    assert!(question.ends_with('?'), "{question}");
    // Addresses are spread over the list, not all given one question.
    let mut seen = std::collections::HashSet::new();
    for i in 0..8 {
        let page = ask_question(&app, &format!("nobody{i}@menuiserie.fr"))
            .await
            .page();
        seen.insert(page.text_of("#secret-question").unwrap());
    }
    assert!(seen.len() > 1, "{seen:?}");
    assert!(
        app.emails().await.is_empty(),
        "an email went to an unknown address"
    );
}

#[tokio::test]
async fn a_pending_account_gets_a_decoy_question_and_no_email() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_pending_account(&email).await;
    let question = ask_question(&app, &email).await;
    assert_eq!(question.status, 200);
    answer(&app, &question, "medor").await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(!kinds_to(&app.emails().await, &email).contains(&"password_reset".to_owned()));
}

#[tokio::test]
async fn only_a_right_answer_sends_the_email_with_the_reset_link() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let wrong = answer(&app, &ask_question(&app, &email).await, "Rex").await;
    assert_eq!(wrong.status, 200);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(!kinds_to(&app.emails().await, &email).contains(&"password_reset".to_owned()));

    // Case, accents and extra spaces do not matter.
    let right = answer(&app, &ask_question(&app, &email).await, "  MEDOR ").await;
    assert_eq!(right.status, 200);
    let emails = app
        .wait_for_emails(|e| e.iter().any(|m| m.kind == "password_reset"))
        .await;
    let email_sent = emails.iter().find(|m| m.kind == "password_reset").unwrap();
    assert_eq!(email_sent.recipient, email);
    assert_eq!(email_sent.subject, "Procédure de perte de mot de passe");
    assert!(email_sent.text_body.contains("/nouveau-mot-de-passe/"));
    // Valid one hour from 09:02 UTC, written in Paris time.
    assert!(
        email_sent.text_body.contains("02/03/2026 11:02:00 (CET)"),
        "{}",
        email_sent.text_body
    );
    assert!(email_sent
        .html_body
        .contains("href=\"http://127.0.0.1/nouveau-mot-de-passe/"));
    let events = app.event_kinds(&email).await;
    assert!(events.contains(&"secret_answer_failed".to_owned()));
    assert!(events.contains(&"reset_requested".to_owned()));
}

#[tokio::test]
async fn an_empty_answer_is_refused_next_to_its_field_and_the_question_stays() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let question = ask_question(&app, &email).await;
    let refused = answer(&app, &question, "").await;
    assert_eq!(refused.status, 422);
    let page = refused.page();
    assert_eq!(
        page.error_of("secret_answer").as_deref(),
        Some("Saisissez la réponse à la question secrète.")
    );
    assert_eq!(
        page.text_of("#secret-question").as_deref(),
        Some("Nom de mon premier chien ?")
    );
    // The same flow still takes the answer.
    let flow = page.value_of("flow").unwrap();
    let sent = app
        .post_form(
            "/mot-de-passe-oublie",
            &[
                ("intent", "answer"),
                ("flow", &flow),
                ("secret_answer", "medor"),
            ],
            None,
        )
        .await;
    assert_eq!(sent.status, 200);
    new_reset_token(&app, &email, &[]).await;
}

#[tokio::test]
async fn a_question_step_answers_once_and_expires() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let question = ask_question(&app, &email).await;
    answer(&app, &question, "rex").await;
    let again = answer(&app, &question, "medor").await;
    assert!(
        again
            .body
            .contains("Votre demande a expiré ou a déjà servi"),
        "{}",
        again.body
    );
    assert!(again.page().value_of("captcha_id").is_some());

    let late = ask_question(&app, &email).await;
    app.clock.advance(SignedDuration::from_mins(16));
    let expired = answer(&app, &late, "medor").await;
    assert!(expired
        .body
        .contains("Votre demande a expiré ou a déjà servi"));
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(!kinds_to(&app.emails().await, &email).contains(&"password_reset".to_owned()));
}

#[tokio::test]
async fn five_wrong_answers_pause_recovery_for_an_hour_and_the_owner_is_told_once() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    for _ in 0..6 {
        let question = ask_question(&app, &email).await;
        answer(&app, &question, "rex").await;
    }
    // Paused: even the right answer sends nothing.
    let question = ask_question(&app, &email).await;
    let sent = answer(&app, &question, "medor").await;
    assert_eq!(sent.status, 200);
    let emails = app
        .wait_for_emails(|e| e.iter().any(|m| m.kind == "recovery_paused"))
        .await;
    let kinds = kinds_to(&emails, &email);
    assert_eq!(
        kinds.iter().filter(|k| *k == "recovery_paused").count(),
        1,
        "{kinds:?}"
    );
    assert!(!kinds.contains(&"password_reset".to_owned()));
    let paused = emails.iter().find(|m| m.kind == "recovery_paused").unwrap();
    assert!(
        paused.text_body.contains("60 minutes"),
        "{}",
        paused.text_body
    );
    let events = app.event_kinds(&email).await;
    assert_eq!(
        events
            .iter()
            .filter(|k| *k == "secret_answer_failed")
            .count(),
        5
    );
    assert!(events.contains(&"recovery_paused".to_owned()));

    // An hour later the right answer works again.
    app.clock.advance(SignedDuration::from_mins(61));
    reset_token(&app, &email).await;
}

#[tokio::test]
async fn fifty_parallel_wrong_answers_get_at_most_five_checked() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    answer_fifty_at_once(&app, &email, "rex").await;
    let events = app.event_kinds(&email).await;
    assert_eq!(
        events
            .iter()
            .filter(|k| *k == "secret_answer_failed")
            .count(),
        5
    );
    let emails = app
        .wait_for_emails(|e| e.iter().any(|m| m.kind == "recovery_paused"))
        .await;
    assert_eq!(
        emails
            .iter()
            .filter(|m| m.kind == "recovery_paused")
            .count(),
        1
    );
}

#[tokio::test]
async fn at_most_three_reset_emails_are_sent_an_hour() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    for _ in 0..5 {
        let question = ask_question(&app, &email).await;
        let sent = answer(&app, &question, "medor").await;
        assert_eq!(sent.status, 200);
    }
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let resets =
        |emails: &[StoredEmail]| emails.iter().filter(|m| m.kind == "password_reset").count();
    assert_eq!(resets(&app.emails().await), 3);
    app.clock.advance(SignedDuration::from_mins(61));
    answer(&app, &ask_question(&app, &email).await, "medor").await;
    assert_eq!(resets(&app.emails().await), 4);
}

#[tokio::test]
async fn fifty_parallel_right_answers_send_no_more_than_three_reset_emails() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    answer_fifty_at_once(&app, &email, "medor").await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let resets = app
        .emails()
        .await
        .into_iter()
        .filter(|m| m.recipient == email && m.kind == "password_reset")
        .count();
    assert_eq!(resets, 3);
    let links: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM account_tokens t JOIN accounts a ON a.id = t.account_id \
         WHERE a.login_email = $1 AND t.purpose = 'reset'",
    )
    .bind(&email)
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    assert_eq!(links, 3, "a link was made without its email");
}

#[tokio::test]
async fn the_emails_of_the_flow_are_in_the_language_of_the_form() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let question = ask_question_as(&app, &email, Some("sesame_lang=en")).await;
    assert!(
        question.body.contains("Answer the secret question"),
        "{}",
        question.body
    );
    answer(&app, &question, "medor").await;
    let emails = app
        .wait_for_emails(|e| e.iter().any(|m| m.kind == "password_reset"))
        .await;
    let sent = emails.iter().find(|m| m.kind == "password_reset").unwrap();
    assert_eq!(sent.subject, "Forgotten password procedure");
    assert!(
        sent.text_body.contains("2 March 2026, 11:02:00 (CET)"),
        "{}",
        sent.text_body
    );
    assert!(sent.html_body.contains("lang=\"en\""));
}

/// A real question is shown as its owner typed it, in every language of
/// the page: a decoy that followed the page would tell an unknown address
/// from a registered one with two requests.
#[tokio::test]
async fn the_decoy_question_of_an_address_is_the_same_in_either_language_of_the_page() {
    let app = spawn_app().await;
    let english_decoys: std::collections::HashSet<String> = sesame::recovery::DECOY_QUESTIONS
        .iter()
        .map(|key| sesame::i18n::Lang::En.t(key))
        .collect();
    let mut languages_of_decoys = std::collections::HashSet::new();
    // 24 addresses: all in one language by chance once in 2^23 runs.
    for i in 0..24 {
        let email = format!("nobody{i}@menuiserie.fr");
        let french = ask_question(&app, &email).await.page();
        let english = ask_question_as(&app, &email, Some("sesame_lang=en"))
            .await
            .page();
        let question = french.text_of("#secret-question").unwrap();
        assert_eq!(
            english.text_of("#secret-question").unwrap(),
            question,
            "{email}"
        );
        languages_of_decoys.insert(english_decoys.contains(&question));
    }
    // Decoys come in both languages, as real questions do.
    assert_eq!(languages_of_decoys.len(), 2, "{languages_of_decoys:?}");
    let known = unique_email();
    app.create_active_account(&known).await;
    let french = ask_question(&app, &known).await.page();
    let english = ask_question_as(&app, &known, Some("sesame_lang=en"))
        .await
        .page();
    assert_eq!(
        french.text_of("#secret-question"),
        english.text_of("#secret-question")
    );
}

#[tokio::test]
async fn the_reset_link_opens_gestion_du_mot_de_passe_and_opening_it_does_not_use_it() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let token = reset_token(&app, &email).await;
    for _ in 0..2 {
        let response = app
            .client
            .get(format!("{}/nouveau-mot-de-passe/{token}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["referrer-policy"], "no-referrer");
        assert_eq!(response.headers()["cache-control"], "no-store");
        let page = Page {
            status: 200,
            body: response.text().await.unwrap(),
        };
        assert_eq!(
            page.text_of("h1").as_deref(),
            Some("Gestion du mot de passe")
        );
        assert!(page.body.contains("au moins 12 caractères"));
        assert!(page.body.contains("Complexité du mot de passe"));
        assert!(page.body.contains("Confirmer le nouveau mot de passe"));
        assert!(page.body.contains(">Annuler<"));
    }
    let response = submit_reset(&app, &token, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(response.status, 303, "{}", response.body);
}

#[tokio::test]
async fn an_unknown_or_expired_reset_link_says_so_and_offers_to_start_again() {
    let app = spawn_app().await;
    let unknown = app
        .get(&format!("/nouveau-mot-de-passe/{}", "ab".repeat(32)))
        .await;
    assert_eq!(unknown.status, 404);
    assert!(unknown.body.contains("href=\"/mot-de-passe-oublie\""));

    let email = unique_email();
    app.create_active_account(&email).await;
    let token = reset_token(&app, &email).await;
    app.clock.advance(SignedDuration::from_mins(61));
    let expired = app.get(&format!("/nouveau-mot-de-passe/{token}")).await;
    assert_eq!(expired.status, 410);
    assert_eq!(expired.text_of("h1").as_deref(), Some("Lien expiré"));
    assert!(expired.body.contains("href=\"/mot-de-passe-oublie\""));
    let refused = submit_reset(&app, &token, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(refused.status, 410);
    assert_eq!(app.log_in(&email, NEW_PASSWORD).await.status, 401);
}

#[tokio::test]
async fn passwords_of_11_characters_or_of_2_classes_are_refused_with_their_reason() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let token = reset_token(&app, &email).await;
    let short = submit_reset(&app, &token, "Vanille-Fr1", "Vanille-Fr1").await;
    assert_eq!(short.status, 422);
    assert_eq!(
        short.page().error_of("password").as_deref(),
        Some("Complexité insuffisante : le mot de passe doit comporter au moins 12 caractères.")
    );
    let two_classes =
        submit_reset(&app, &token, "vanillefraisementhe", "vanillefraisementhe").await;
    assert_eq!(two_classes.status, 422);
    assert!(two_classes
        .page()
        .error_of("password")
        .unwrap()
        .contains("au moins 3 types"));
    let guessable = submit_reset(&app, &token, "Password1234!", "Password1234!").await;
    assert_eq!(guessable.status, 422);
    assert!(guessable
        .page()
        .error_of("password")
        .unwrap()
        .contains("trop facile à deviner"));
    let differs = submit_reset(&app, &token, NEW_PASSWORD, "Grenadine-Menthe-2027").await;
    assert_eq!(differs.status, 422);
    assert!(differs.page().error_of("password_confirmation").is_some());
    assert!(
        !differs.body.contains(NEW_PASSWORD),
        "the password was sent back"
    );
    // Refusals do not use the link.
    assert_eq!(
        submit_reset(&app, &token, NEW_PASSWORD, NEW_PASSWORD)
            .await
            .status,
        303
    );
}

#[tokio::test]
async fn the_new_password_may_not_be_the_current_one() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let token = reset_token(&app, &email).await;
    let same = submit_reset(&app, &token, PASSWORD, PASSWORD).await;
    assert_eq!(same.status, 422);
    assert_eq!(
        same.page().error_of("password").as_deref(),
        Some("Le nouveau mot de passe doit être différent de l'actuel.")
    );
}

#[tokio::test]
async fn a_new_password_replaces_the_old_one_ends_every_session_and_tells_the_owner() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let session = app.logged_in(&email).await;
    for _ in 0..3 {
        assert_eq!(app.log_in(&email, "Mauvais-Mot-2026").await.status, 401);
    }
    let token = reset_token(&app, &email).await;
    let response = submit_reset(&app, &token, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(response.status, 303);
    assert_eq!(
        response.location.as_deref(),
        Some("/?info=password_changed")
    );
    let home = app.get("/?info=password_changed").await;
    assert!(home.body.contains("Votre mot de passe a été changé"));

    // The session opened before is over.
    let after = app.get_as("/accueil", &session).await;
    assert_eq!(after.status, 303);
    assert_eq!(app.count("sessions").await, 0);
    // The failed logins were forgotten.
    assert_eq!(app.count("login_throttle").await, 0);
    assert_eq!(app.log_in(&email, PASSWORD).await.status, 401);
    assert_eq!(app.log_in(&email, NEW_PASSWORD).await.status, 303);

    let emails = app
        .wait_for_emails(|e| e.iter().any(|m| m.kind == "password_changed"))
        .await;
    let notice = emails
        .iter()
        .find(|m| m.kind == "password_changed")
        .unwrap();
    assert_eq!(notice.recipient, email);
    assert!(
        notice.text_body.contains("02/03/2026 10:02:00 (CET)"),
        "{}",
        notice.text_body
    );
    assert!(notice.text_body.contains("Mot de passe oublié ?"));
    assert!(app
        .event_kinds(&email)
        .await
        .contains(&"password_reset".to_owned()));
    // The link is spent.
    assert_eq!(
        submit_reset(
            &app,
            &token,
            "Autre-Mot-De-Passe-99",
            "Autre-Mot-De-Passe-99"
        )
        .await
        .status,
        404
    );
}

#[tokio::test]
async fn a_reset_link_works_once_under_fifty_concurrent_submissions() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let token = reset_token(&app, &email).await;
    let attempts = (0..50).map(|_| submit_reset(&app, &token, NEW_PASSWORD, NEW_PASSWORD));
    let statuses: Vec<u16> = futures::future::join_all(attempts)
        .await
        .into_iter()
        .map(|r| r.status)
        .collect();
    exactly_one(&statuses, 303);
    assert_eq!(
        app.event_kinds(&email)
            .await
            .iter()
            .filter(|k| *k == "password_reset")
            .count(),
        1
    );
}

#[tokio::test]
async fn a_newer_password_retires_the_other_reset_links() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let first = reset_token(&app, &email).await;
    let second = reset_token(&app, &email).await;
    assert_ne!(first, second);
    assert_eq!(
        submit_reset(&app, &second, NEW_PASSWORD, NEW_PASSWORD)
            .await
            .status,
        303
    );
    let retired = app.get(&format!("/nouveau-mot-de-passe/{first}")).await;
    assert_eq!(retired.status, 410);
    assert!(retired.body.contains("Lien remplacé"), "{}", retired.body);
}
