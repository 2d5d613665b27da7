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
