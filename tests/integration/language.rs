use crate::helpers::*;

#[tokio::test]
async fn the_portal_speaks_french_by_default() {
    let app = spawn_app().await;
    let page = app.get("/").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<html lang=\"fr\""));
    assert!(page.body.contains("Créer votre compte"));
}

#[tokio::test]
async fn french_comes_first_even_for_a_browser_set_to_english() {
    let app = spawn_app().await;
    let page = app
        .get_with("/", &[("accept-language", "en-GB,en;q=0.9")])
        .await;
    assert!(page.body.contains("<html lang=\"fr\""));
    assert!(page.body.contains("Créer votre compte"));
}

#[tokio::test]
async fn the_language_switch_remembers_the_choice_and_returns_to_the_page() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(format!("{}/langue?lang=en&next=/inscription", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/inscription");
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("sesame_lang=en;"), "{cookie}");
    assert!(cookie.contains("Max-Age=31536000"));
    let page = app
        .get_with("/inscription", &[("cookie", "sesame_lang=en")])
        .await;
    assert_eq!(page.text_of("h1").as_deref(), Some("Create your account"));
}

#[tokio::test]
async fn the_language_switch_never_sends_to_another_site() {
    let app = spawn_app().await;
    for next in [
        "//evil.example",
        "https://evil.example",
        "/\\evil.example",
        "javascript:alert(1)",
    ] {
        let response = app
            .client
            .get(format!("{}/langue", app.address))
            .query(&[("lang", "en"), ("next", next)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["location"], "/", "{next}");
    }
}

#[tokio::test]
async fn an_unknown_page_is_a_translated_404() {
    let app = spawn_app().await;
    let page = app.get("/nulle-part").await;
    assert_eq!(page.status, 404);
    assert_eq!(page.text_of("h1").as_deref(), Some("Page introuvable"));
}

#[tokio::test]
async fn pages_carry_the_security_headers() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(format!("{}/", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    assert_eq!(response.headers()["x-frame-options"], "DENY");
    assert!(response.headers().contains_key("referrer-policy"));
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let body = response.text().await.unwrap();
    let nonce = body
        .split("nonce=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    assert!(csp.contains(&format!("'nonce-{nonce}'")), "{csp}");
    for directive in [
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(directive), "{csp} lacks {directive}");
    }
}

/// Part 9, item 2: the language follows the person wherever the portal
/// knows who they are; the switch in a browser still wins there.
#[tokio::test]
async fn an_english_persons_emailed_link_opens_in_english_in_a_browser_that_never_chose() {
    let app = spawn_app().await;
    let email = unique_email();
    let token = app.create_pending_account(&email).await;
    app.set_language(&email, "en").await;
    let page = app.get(&format!("/activation/{token}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<html lang=\"en\""), "{}", page.body);
    assert_eq!(page.text_of("h1").as_deref(), Some("Activate your account"));

    // The switch in this browser still wins.
    let french = app
        .get_with(
            &format!("/activation/{token}"),
            &[("cookie", "sesame_lang=fr")],
        )
        .await;
    assert!(french.body.contains("<html lang=\"fr\""));
}

#[tokio::test]
async fn every_page_after_logging_in_is_in_the_accounts_language_unless_the_browser_chose() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    app.set_language(&email, "en").await;
    let cookie = app.logged_in(&email).await;
    for path in ["/accueil", "/mon-compte"] {
        let page = app.get_as(path, &cookie).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("<html lang=\"en\""), "{path}");
    }
    // A form's answer too: a refused contact address is told in English.
    let refused = app
        .post_form(
            "/mon-compte/contact",
            &[("contact_email", "paul@")],
            Some(&cookie),
        )
        .await;
    assert!(refused.body.contains("<html lang=\"en\""));

    let chosen = app
        .get_as("/mon-compte", &format!("{cookie}; sesame_lang=fr"))
        .await;
    assert!(chosen.body.contains("<html lang=\"fr\""));
    // Without a session, the browser that never chose gets French again.
    assert!(app.get("/").await.body.contains("<html lang=\"fr\""));
}

#[tokio::test]
async fn the_reset_email_is_in_the_persons_language_unless_the_form_chose_another() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    app.set_language(&email, "en").await;
    let question = app.ask_secret_question(&email, None).await;
    app.answer_secret_question(&question, "medor").await;
    let emails = app
        .wait_for_emails(|e| e.iter().any(|m| m.kind == "password_reset"))
        .await;
    let reset = emails.iter().find(|m| m.kind == "password_reset").unwrap();
    assert_eq!(reset.subject, "Forgotten password procedure");

    let before = reset_emails(&app, &email).await;
    let question = app
        .ask_secret_question(&email, Some("sesame_lang=fr"))
        .await;
    app.answer_secret_question(&question, "medor").await;
    let emails = app
        .wait_for_emails(|e| e.iter().filter(|m| m.kind == "password_reset").count() == 2)
        .await;
    let second = emails
        .iter()
        .find(|m| m.kind == "password_reset" && !before.contains(&m.id))
        .unwrap();
    assert_ne!(second.subject, "Forgotten password procedure");
}
