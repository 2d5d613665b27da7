//! Part 8: the second door. Every flow answers through its server function
//! (`/api/…`, what the pages call with JavaScript) exactly as through its
//! plain form post: the same refusals next to the same fields, the same
//! emails, the same throttles, steady times and no-enumeration rules, and
//! an ended session or a page out of reach as typed errors.

use crate::helpers::*;

fn fields(form: &[(String, String)]) -> Vec<(&str, &str)> {
    form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

#[tokio::test]
async fn a_signup_refused_through_the_server_function_keeps_what_was_typed_and_says_why() {
    let app = spawn_app().await;
    let mut form = with(valid_form("paul@menuiserie.example"), "postal_code", "7500");
    form.push(("captcha_id".into(), app.open_signup().await));
    let answer = app.call("inscription", &fields(&form), None).await;
    let refused = &answer.page()["Refused"];
    assert_eq!(
        refused["errors"]["postal_code"], "errors.postal_code.not_five_digits",
        "{refused}"
    );
    assert_eq!(refused["form"]["postal_code"], "7500");
    assert_eq!(refused["form"]["last_name"], "Dupont");
    assert_eq!(
        refused["form"]["captcha_answer"], "",
        "the captcha must be answered again"
    );
    assert_eq!(app.count("accounts").await, 0);
}

#[tokio::test]
async fn a_signup_through_the_server_function_shows_the_recap_and_sends_the_activation_email() {
    let app = spawn_app().await;
    let email = unique_email();
    let mut form = valid_form(&email);
    form.push(("captcha_id".into(), app.open_signup().await));
    let answer = app.call("inscription", &fields(&form), None).await;
    let recap = &answer.page()["Created"];
    assert_eq!(recap["login_email"], email.as_str());
    app.wait_for_emails(|e| {
        e.iter()
            .any(|m| m.recipient == email && m.kind == "activation")
    })
    .await;
}

#[tokio::test]
async fn logging_in_through_the_server_function_opens_a_session_and_says_where_to_go() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let answer = app
        .call(
            "connexion",
            &[
                ("email", &email),
                ("password", PASSWORD),
                ("next", "/mon-compte"),
            ],
            None,
        )
        .await;
    assert_eq!(answer.go_to(), "/verification");
    let pending = answer.session_cookie().expect("no pending login cookie");
    assert_eq!(app.get_as("/accueil", &pending).await.status, 303);
    let code = app.emailed_code(&email).await;
    let answer = app
        .call(
            "verification",
            &[("method", "email"), ("code", &code), ("intent", "verify")],
            Some(&pending),
        )
        .await;
    assert_eq!(answer.go_to(), "/securite?suivant=/mon-compte&conseil=1");
    let cookie = answer.session_cookie().expect("no session cookie");
    let home = app.get_as("/accueil", &cookie).await;
    assert_eq!(home.status, 200);

    // A hostile `next` is not followed on this door either.
    let answer = app
        .call(
            "connexion",
            &[
                ("email", &email),
                ("password", PASSWORD),
                ("next", "//evil.example"),
            ],
            None,
        )
        .await;
    assert_eq!(answer.go_to(), "/verification");
    let pending = answer.session_cookie().unwrap();
    let code = app.emailed_code(&email).await;
    let answer = app
        .call(
            "verification",
            &[("method", "email"), ("code", &code), ("intent", "verify")],
            Some(&pending),
        )
        .await;
    assert_eq!(answer.go_to(), "/securite?suivant=/accueil&conseil=1");
}

#[tokio::test]
async fn the_server_function_refuses_an_unknown_address_and_a_wrong_password_with_the_same_words() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let wrong = app
        .call(
            "connexion",
            &[("email", &email), ("password", "Pas-Le-Bon-2026")],
            None,
        )
        .await;
    let unknown = app
        .call(
            "connexion",
            &[("email", &unique_email()), ("password", "Pas-Le-Bon-2026")],
            None,
        )
        .await;
    assert_eq!(wrong.page()["refusal"], "InvalidCredentials");
    assert_eq!(unknown.page()["refusal"], "InvalidCredentials");
    assert_eq!(wrong.page()["email"], email.as_str(), "the address is kept");
    assert!(wrong.set_cookie.is_none() && unknown.set_cookie.is_none());
}

#[tokio::test]
async fn failures_count_alike_on_both_doors_and_lock_the_address() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    for attempt in 0..5 {
        if attempt % 2 == 0 {
            app.log_in(&email, "Pas-Le-Bon-2026").await;
        } else {
            app.call(
                "connexion",
                &[("email", &email), ("password", "Pas-Le-Bon-2026")],
                None,
            )
            .await;
        }
    }
    let locked = app
        .call(
            "connexion",
            &[("email", &email), ("password", PASSWORD)],
            None,
        )
        .await;
    assert!(
        locked.page()["refusal"].get("Locked").is_some(),
        "{}",
        locked.json
    );
    assert_eq!(app.log_in(&email, PASSWORD).await.status, 429);
}

#[tokio::test]
async fn the_server_functions_that_could_tell_an_address_apart_take_the_steady_time() {
    let floor = std::time::Duration::from_millis(300);
    let app = spawn_app_with(|config| config.steady_answer_ms = 300).await;
    let registered = unique_email();
    app.create_active_account(&registered).await;
    for address in [registered, unique_email()] {
        let started = std::time::Instant::now();
        app.call(
            "connexion",
            &[("email", &address), ("password", "Pas-Le-Bon-2026")],
            None,
        )
        .await
        .page();
        assert!(started.elapsed() >= floor, "login of {address}");

        let challenge = app.open_captcha("/mot-de-passe-oublie", None).await;
        let started = std::time::Instant::now();
        let question = app
            .call(
                "mot-de-passe-oublie",
                &[
                    ("intent", "request"),
                    ("login_email", &address),
                    ("captcha_id", &challenge),
                    ("captcha_answer", CAPTCHA_ANSWER),
                ],
                None,
            )
            .await;
        assert!(
            question.page().get("Question").is_some(),
            "the same step for every address: {}",
            question.json
        );
        assert!(
            started.elapsed() >= floor,
            "forgotten password of {address}"
        );

        let started = std::time::Instant::now();
        let resent = app
            .call("activation-renvoyer", &[("login_email", &address)], None)
            .await;
        assert_eq!(resent.page()["Done"]["email"], address.as_str());
        assert!(started.elapsed() >= floor, "activation resend of {address}");

        let started = std::time::Instant::now();
        let request = app
            .call("reactivation", &[("login_email", &address)], None)
            .await;
        assert_eq!(request.page()["Done"]["email"], address.as_str());
        assert!(
            started.elapsed() >= floor,
            "reactivation request of {address}"
        );
    }
}

#[tokio::test]
async fn activating_through_the_server_function_takes_the_token_from_the_body() {
    let app = spawn_app().await;
    let email = unique_email();
    let token = app.create_pending_account(&email).await;
    let refused = app
        .call(
            "activation",
            &[
                ("token", &token),
                ("intent", "activate"),
                ("password", PASSWORD),
                ("password_confirmation", "Autre-Chose-2026"),
                ("secret_question", "Nom de mon premier chien ?"),
                ("secret_answer", "Médor"),
            ],
            None,
        )
        .await;
    let ready = &refused.page()["Ready"];
    assert_eq!(
        ready["errors"]["password_confirmation"],
        "errors.password.confirmation_differs"
    );
    assert_eq!(ready["secret_question"], "Nom de mon premier chien ?");
    let done = app
        .call(
            "activation",
            &[
                ("token", &token),
                ("intent", "activate"),
                ("password", PASSWORD),
                ("password_confirmation", PASSWORD),
                ("secret_question", "Nom de mon premier chien ?"),
                ("secret_answer", "Médor"),
            ],
            None,
        )
        .await;
    assert_eq!(done.go_to(), "/?info=activated");
    assert_eq!(app.log_in(&email, PASSWORD).await.status, 303);
}

#[tokio::test]
async fn a_connected_server_function_without_a_session_answers_session_ended() {
    let app = spawn_app().await;
    for endpoint in ["espace-connecte", "mon-compte/contact", "gestion/page"] {
        let answer = app
            .call(
                endpoint,
                &[("contact_email", "paul@example.fr"), ("page", "Home")],
                None,
            )
            .await;
        assert_eq!(answer.status, 401, "{endpoint}");
        assert_eq!(answer.json, "SessionEnded", "{endpoint}");
    }
    let expired = app
        .call(
            "mon-compte/contact",
            &[("contact_email", "paul@example.fr")],
            Some("sesame_session=abababababababababababab"),
        )
        .await;
    assert_eq!(expired.json, "SessionEnded");
}

#[tokio::test]
async fn changing_the_contact_address_through_the_server_function_answers_the_new_page() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let cookie = app.logged_in(&email).await;
    let refused = app
        .call(
            "mon-compte/contact",
            &[("contact_email", "pas une adresse")],
            Some(&cookie),
        )
        .await;
    let page = refused.page();
    assert!(page["errors"].get("contact_email").is_some(), "{page}");
    assert_eq!(page["typed"]["contact_email"], "pas une adresse");

    let new_contact = unique_email();
    let done = app
        .call(
            "mon-compte/contact",
            &[("contact_email", &new_contact)],
            Some(&cookie),
        )
        .await;
    let page = done.page();
    assert_eq!(page["notice"]["key"], "account.contact_link_sent");
    assert_eq!(page["notice"]["email"], new_contact.as_str());
    assert_eq!(page["account"]["login_email"], email.as_str());
    app.wait_for_emails(|e| e.iter().any(|m| m.recipient == new_contact))
        .await;
}

#[tokio::test]
async fn each_connected_page_loads_through_its_server_function_with_what_it_shows() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let cookie = app.logged_in(&email).await;

    let home = app
        .call("espace-connecte", &[("page", "Home")], Some(&cookie))
        .await;
    let home = home.page();
    assert_eq!(home["account"]["login_email"], email.as_str());
    assert!(
        home["events"]
            .as_array()
            .is_some_and(|events| !events.is_empty()),
        "{home}"
    );
    assert!(
        home["news"].as_array().is_some_and(|news| !news.is_empty()),
        "{home}"
    );
    assert_eq!(home["sessions"], serde_json::json!([]), "{home}");

    let my_account = app
        .call("espace-connecte", &[("page", "MyAccount")], Some(&cookie))
        .await;
    let my_account = my_account.page();
    assert_eq!(my_account["account"]["login_email"], email.as_str());
    assert_eq!(my_account["sessions"][0]["current"], true);
    assert_eq!(my_account["events"], serde_json::json!([]), "{my_account}");
    assert_eq!(my_account["news"], serde_json::json!([]), "{my_account}");
}

#[tokio::test]
async fn logging_out_through_the_server_function_ends_the_session() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let cookie = app.logged_in(&email).await;
    let answer = app.call("deconnexion", &[], Some(&cookie)).await;
    assert_eq!(answer.go_to(), "/?info=logged_out");
    assert!(answer.set_cookie.is_some_and(|c| c.contains("Max-Age=0")));
    let after = app
        .call("espace-connecte", &[("page", "Home")], Some(&cookie))
        .await;
    assert_eq!(after.json, "SessionEnded");
}

#[tokio::test]
async fn someone_who_manages_nobody_is_refused_management_through_the_server_functions() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let cookie = app.logged_in(&email).await;
    for endpoint in ["gestion/page", "gestion"] {
        let answer = app
            .call(endpoint, &[("intent", "create_structure")], Some(&cookie))
            .await;
        assert_eq!(answer.status, 403, "{endpoint}");
        assert_eq!(answer.json, "Forbidden", "{endpoint}");
    }
}

#[tokio::test]
async fn a_failure_behind_a_server_function_gives_a_reference_and_nothing_internal() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let cookie = app.logged_in(&email).await;
    sqlx::query("DROP TABLE account_events")
        .execute(&app.state.db)
        .await
        .unwrap();
    let answer = app
        .call("espace-connecte", &[("page", "Home")], Some(&cookie))
        .await;
    assert_eq!(answer.status, 503);
    let reference = answer.json["Unavailable"]
        .as_str()
        .unwrap_or_else(|| panic!("{}", answer.json));
    assert_eq!(reference.len(), 12);
    assert!(!answer.json.to_string().contains("account_events"));
}

/// The part of `body` a browser without JavaScript shows: `<template>`
/// elements (out-of-order streaming's parcels) are inert.
fn outside_templates(body: &str) -> String {
    let mut shown = String::new();
    let mut rest = body;
    while let Some(start) = rest.find("<template") {
        shown.push_str(&rest[..start]);
        rest = rest[start..]
            .find("</template>")
            .map_or("", |end| &rest[start + end + "</template>".len()..]);
    }
    shown.push_str(rest);
    shown
}

#[tokio::test]
async fn the_connected_pages_read_in_full_without_javascript() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let cookie = app.logged_in(&email).await;
    for (path, heading) in [("/accueil", "<h1"), ("/mon-compte", "Mon compte</h1>")] {
        let page = app.get_as(path, &cookie).await.page();
        assert_eq!(page.status, 200, "{path}");
        let shown = outside_templates(&page.body);
        assert!(shown.contains(heading), "{path} shows no heading: {shown}");
        assert!(shown.contains(&email), "{path} does not show the account");
    }
    // A refusal answered by the plain post draws the whole page too.
    let refused = app
        .post_form(
            "/mon-compte/contact",
            &[("contact_email", "pas une adresse")],
            Some(&cookie),
        )
        .await
        .page();
    assert_eq!(refused.status, 422);
    let shown = outside_templates(&refused.body);
    assert!(shown.contains("id=\"contact_email-error\""), "{shown}");
    assert!(shown.contains("pas une adresse"));
}

#[tokio::test]
async fn logging_in_or_out_tells_the_browser_the_language_of_the_next_pages() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    app.set_language(&email, "en").await;
    // Nobody connected, no choice made: the account's pages are in English
    // (a browser showing French loads the next page afresh).
    let answer = app
        .call(
            "connexion",
            &[("email", &email), ("password", PASSWORD)],
            None,
        )
        .await;
    assert_eq!(answer.go_to(), "/verification");
    assert_eq!(answer.next_language(), "en");
    let pending = answer.session_cookie().unwrap();
    let code = app.emailed_code(&email).await;
    let answer = app
        .call(
            "verification",
            &[("method", "email"), ("code", &code), ("intent", "verify")],
            Some(&pending),
        )
        .await;
    assert_eq!(answer.next_language(), "en");
    let cookie = answer.session_cookie().expect("no session cookie");
    // Logging out: back to the default.
    let answer = app.call("deconnexion", &[], Some(&cookie)).await;
    assert_eq!(answer.go_to(), "/?info=logged_out");
    assert_eq!(answer.next_language(), "fr");

    // The language chosen in this browser wins over the account's.
    let chosen = format!("{}=fr", sesame::i18n::LANGUAGE_COOKIE);
    let answer = app
        .call(
            "connexion",
            &[("email", &email), ("password", PASSWORD)],
            Some(&chosen),
        )
        .await;
    assert_eq!(answer.next_language(), "fr");
}

/// The connected pages read their data as a resource under `<Transition>`.
/// Leptos suspends every resource of the process while it lists an app's
/// routes (a process-wide flag, leptos issue 4773), so a page drawn while
/// another portal of the same process was starting waited for its data for
/// ever: found as a 60 s timeout of the PostgreSQL suite in CI, on "Mon
/// compte" and `/gestion` answered to a plain post. The routes are now
/// listed once per process.
#[tokio::test]
async fn a_page_with_data_is_drawn_while_another_portal_starts_in_the_same_process() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let cookie = app.logged_in(&email).await;
    let config = (*app.state.config).clone();
    let clock: std::sync::Arc<dyn sesame::server::Clock> = app.clock.clone();
    // Another thread, with the stack the suite gives its own threads
    // (pages render as deeply nested futures; see .cargo/config.toml).
    let starting = std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime for the other portals");
            runtime.block_on(async {
                for _ in 0..10 {
                    sesame::startup::Application::build(config.clone(), clock.clone())
                        .await
                        .expect("another portal");
                }
            });
        })
        .expect("a thread for the other portals");
    loop {
        let page = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            app.get_as("/mon-compte", &cookie),
        )
        .await
        .expect("\"Mon compte\" was not drawn while another portal started");
        assert_eq!(page.status, 200, "{}", page.body);
        if starting.is_finished() {
            break;
        }
    }
    starting.join().expect("the other portals");
}

/// A request the framework cannot read (a missing or malformed argument)
/// is the caller's fault: 400, and nothing of the server's own words.
#[tokio::test]
async fn a_server_function_asked_without_its_arguments_answers_400_and_says_no_more() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let cookie = app.logged_in(&email).await;
    for (endpoint, form) in [
        ("espace-connecte", vec![]),
        ("password_strength", vec![]),
        (
            "password_strength",
            vec![("password", "x"), ("user_inputs[x]", "y")],
        ),
    ] {
        let answer = app.call(endpoint, &form, Some(&cookie)).await;
        assert_eq!(answer.status, 400, "{endpoint}: {}", answer.json);
        let text = answer.json.to_string();
        assert!(
            !text.contains("missing field") && !text.contains("deserializ"),
            "{endpoint}: {text}"
        );
    }
}
