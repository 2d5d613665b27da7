use crate::helpers::*;
use jiff::SignedDuration;

#[tokio::test]
async fn the_signup_page_shows_the_three_blocks_of_the_guide() {
    let app = spawn_app().await;
    let page = app.get("/inscription").await;
    assert_eq!(page.status, 200);
    assert_eq!(page.text_of("h1").as_deref(), Some("Créer votre compte"));
    for legend in ["Informations générales", "Adresse postale", "Captcha"] {
        assert!(
            page.body.contains(&format!("<legend>{legend}</legend>")),
            "no block {legend}"
        );
    }
    for field in [
        "login_email",
        "login_email_confirmation",
        "contact_email",
        "last_name",
        "first_name",
        "address",
        "address_complement_1",
        "address_complement_2",
        "postal_code",
        "city",
        "country",
        "phone",
        "fax",
        "captcha_answer",
    ] {
        assert!(
            page.body.contains(&format!("for=\"{field}\"")),
            "{field} has no label"
        );
    }
    assert!(
        page.body.contains("Finaliser l&#x27;inscription")
            || page.body.contains("Finaliser l'inscription")
    );
}

#[tokio::test]
async fn a_valid_signup_shows_the_recap_of_the_guide_and_queues_the_activation_email() {
    let app = spawn_app().await;
    let email = unique_email();
    let page = app.sign_up(valid_form(&email)).await;

    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(
        page.text_of("h1").as_deref(),
        Some("Saisie nouvel utilisateur")
    );
    assert!(page
        .body
        .contains("Vous venez de créer avec succès le compte utilisateur Dupont Paul"));
    assert!(page.body.contains(&email));
    assert!(page.body.contains("Ce mail sera valable 4 heures"));
    assert!(
        page.body
            .contains("Vous n&#x27;avez demandé aucun rattachement à une Structure.")
            || page
                .body
                .contains("Vous n'avez demandé aucun rattachement à une Structure.")
    );

    assert_eq!(app.count("accounts").await, 1);
    let emails = app
        .wait_for_emails(|e| e.len() == 1 && e[0].sent_at.is_some())
        .await;
    let activation = &emails[0];
    assert_eq!(activation.kind, "activation");
    assert_eq!(activation.recipient, email);
    // Its address is not confirmed yet: nothing typed at signup is quoted.
    assert!(
        activation.text_body.starts_with("Bonjour,\n"),
        "{}",
        activation.text_body
    );
    assert!(!activation.text_body.contains("Dupont"));
    let link = activation_link(&activation.text_body);
    assert!(link.starts_with("http://127.0.0.1/activation/"), "{link}");
    assert!(activation.html_body.contains(&format!("href=\"{link}\"")));
    let token = link.rsplit('/').next().unwrap();
    assert_eq!(token.len(), 64, "a 32-byte token in hex");
    let (stored_hash,): (String,) = sqlx::query_as("SELECT token_hash FROM account_tokens")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_ne!(stored_hash, token, "the raw token is stored");
    assert_eq!(stored_hash, sesame::server::tokens::hash_token(token));
}

#[tokio::test]
async fn the_activation_email_says_until_when_it_is_valid_four_hours_later_in_paris_time() {
    let app = spawn_app().await;
    // The test clock reads 2026-03-02 09:00 UTC, 10:00 in Paris.
    app.sign_up(valid_form(&unique_email())).await;
    let emails = app.wait_for_emails(|e| e.len() == 1).await;
    assert!(
        emails[0]
            .text_body
            .contains("valable jusqu'au 02/03/2026 14:00:00 (CET)"),
        "{}",
        emails[0].text_body
    );
}

#[tokio::test]
async fn each_field_rule_is_enforced_by_the_server_with_its_message_next_to_the_field() {
    let app = spawn_app().await;
    let cases = [
        (
            "login_email",
            "paul dupont@menuiserie.fr",
            "ne doit pas contenir d'espace",
        ),
        ("login_email", "paul@menuiserie", "n'est pas valide"),
        ("login_email", "", "Saisissez une adresse électronique."),
        ("contact_email", "compta@", "n'est pas valide"),
        ("last_name", "", "Ce champ est obligatoire."),
        ("last_name", "Dupont2", "Utilisez uniquement des lettres"),
        (
            "first_name",
            "<b>Paul</b>",
            "Utilisez uniquement des lettres",
        ),
        ("address", "", "Ce champ est obligatoire."),
        (
            "postal_code",
            "4200",
            "Un code postal français comporte 5 chiffres",
        ),
        (
            "postal_code",
            "420000",
            "Un code postal français comporte 5 chiffres",
        ),
        ("city", "", "Ce champ est obligatoire."),
        ("country", "XX", "Choisissez un pays dans la liste."),
        (
            "phone",
            "04 77 12 34",
            "Un numéro français comporte 10 chiffres",
        ),
        (
            "phone",
            "+33 12",
            "Un numéro international comporte de 8 à 15 chiffres",
        ),
        ("fax", "04-AB", "ne peut contenir que des chiffres"),
        ("captcha_answer", "K7M2", "exactement 5 caractères"),
    ];
    for (field, value, message) in cases {
        let email = unique_email();
        let mut form = with(valid_form(&email), field, value);
        if field == "login_email" {
            form = with(form, "login_email_confirmation", value);
        }
        let page = app.sign_up(form).await;
        assert_eq!(page.status, 422, "{field}={value:?} was accepted");
        let shown = page
            .error_of(field)
            .unwrap_or_default()
            .replace('\u{2019}', "'");
        assert!(
            shown.contains(message),
            "{field}={value:?}: {shown:?} lacks {message:?}"
        );
        assert!(page.body.contains("aria-invalid=\"true\""));
    }
    assert_eq!(app.count("accounts").await, 0);
}

#[tokio::test]
async fn mismatched_login_emails_are_refused_and_everything_typed_stays_in_the_form() {
    let app = spawn_app().await;
    let form = with(
        valid_form("paul@menuiserie.fr"),
        "login_email_confirmation",
        "paul@menuserie.fr",
    );
    let page = app.sign_up(form).await;
    assert_eq!(page.status, 422);
    assert_eq!(
        page.error_of("login_email_confirmation").as_deref(),
        Some("Les deux adresses électroniques de connexion ne sont pas identiques.")
    );
    assert_eq!(
        page.value_of("login_email").as_deref(),
        Some("paul@menuiserie.fr")
    );
    assert_eq!(
        page.value_of("login_email_confirmation").as_deref(),
        Some("paul@menuserie.fr")
    );
    assert_eq!(page.value_of("city").as_deref(), Some("Saint-Étienne"));
    assert_eq!(
        page.value_of("address_complement_1").as_deref(),
        Some("Bâtiment B")
    );
    assert_eq!(page.value_of("phone").as_deref(), Some("04 77 12 34 56"));
    assert!(page.body.contains("class=\"error-summary\""));
    assert_eq!(app.count("accounts").await, 0);
    assert!(app.emails().await.is_empty());
}

#[tokio::test]
async fn a_wrong_captcha_is_refused_keeps_the_typed_data_and_shows_a_new_image() {
    let app = spawn_app().await;
    let challenge = app.open_signup().await;
    let mut form = with(valid_form(&unique_email()), "captcha_answer", "ZZZZZ");
    form.push(("captcha_id".into(), challenge.clone()));
    let page = app.post_signup(&form).await;
    assert_eq!(page.status, 422);
    assert!(page
        .error_of("captcha_answer")
        .unwrap()
        .contains("ne correspondent pas à l'image"));
    assert_eq!(page.value_of("last_name").as_deref(), Some("Dupont"));
    assert_eq!(
        page.value_of("captcha_answer").as_deref(),
        None,
        "the old answer is kept"
    );
    assert_ne!(
        page.value_of("captcha_id").as_deref(),
        Some(challenge.as_str())
    );
    assert_eq!(app.count("accounts").await, 0);
}

#[tokio::test]
async fn the_captcha_is_compared_without_regard_to_case() {
    let app = spawn_app().await;
    let form = with(
        valid_form(&unique_email()),
        "captcha_answer",
        &CAPTCHA_ANSWER.to_lowercase(),
    );
    assert_eq!(app.sign_up(form).await.status, 200);
}

#[tokio::test]
async fn a_captcha_older_than_ten_minutes_is_refused() {
    let app = spawn_app().await;
    let challenge = app.open_signup().await;
    app.clock.advance(SignedDuration::from_mins(11));
    let mut form = valid_form(&unique_email());
    form.push(("captcha_id".into(), challenge));
    let page = app.post_signup(&form).await;
    assert_eq!(page.status, 422);
    assert!(page
        .error_of("captcha_answer")
        .unwrap()
        .contains("L'image a expiré"));
}

#[tokio::test]
async fn a_captcha_answer_works_only_once() {
    let app = spawn_app().await;
    let challenge = app.open_signup().await;
    let mut first = valid_form(&unique_email());
    first.push(("captcha_id".into(), challenge.clone()));
    assert_eq!(app.post_signup(&first).await.status, 200);
    let mut second = valid_form(&unique_email());
    second.push(("captcha_id".into(), challenge));
    let page = app.post_signup(&second).await;
    assert_eq!(page.status, 422);
    assert!(page
        .error_of("captcha_answer")
        .unwrap()
        .contains("L'image a expiré"));
    assert_eq!(app.count("accounts").await, 1);
}

#[tokio::test]
async fn a_captcha_whose_image_was_never_drawn_is_refused() {
    let app = spawn_app().await;
    let mut form = valid_form(&unique_email());
    form.push((
        "captcha_id".into(),
        "0123456789abcdef0123456789abcdef".into(),
    ));
    assert_eq!(app.post_signup(&form).await.status, 422);
}

#[tokio::test]
async fn signing_up_again_with_a_registered_address_shows_the_same_recap_and_warns_its_owner() {
    let app = spawn_app().await;
    let email = unique_email();
    let first = app.sign_up(valid_form(&email)).await;
    let token = newest_activation_token(&app, &email).await;
    assert_eq!(app.activate(&token, PASSWORD, PASSWORD).await.status, 303);
    let again = app.sign_up(valid_form(&email)).await;
    assert_eq!(first.status, again.status);
    assert_eq!(
        without_nonces(&first.body),
        without_nonces(&again.body),
        "the recap differs for a registered address"
    );
    assert_eq!(app.count("accounts").await, 1);

    let emails = app.wait_for_emails(|e| e.len() == 2).await;
    let warning = emails
        .iter()
        .find(|m| m.kind == "signup_attempt")
        .expect("no warning");
    assert_eq!(warning.recipient, email);
    assert!(
        !warning.text_body.contains("/activation/"),
        "the warning carries a link to activate"
    );

    // A third try within the hour does not email the owner again.
    app.sign_up(valid_form(&email)).await;
    assert_eq!(app.emails().await.len(), 2);
}

#[tokio::test]
async fn the_login_address_is_compared_without_regard_to_case() {
    let app = spawn_app().await;
    app.sign_up(valid_form("paul.dupont@menuiserie.fr")).await;
    app.sign_up(valid_form("Paul.Dupont@MENUISERIE.fr")).await;
    assert_eq!(app.count("accounts").await, 1);
}

#[tokio::test]
async fn the_new_image_button_without_javascript_redraws_the_form_with_its_data() {
    let app = spawn_app().await;
    let challenge = app.open_signup().await;
    let mut form = with(valid_form("paul@menuiserie.fr"), "intent", "new_captcha");
    form.push(("captcha_id".into(), challenge));
    let page = app.post_signup(&form).await;
    assert_eq!(page.status, 200);
    assert_eq!(page.text_of("h1").as_deref(), Some("Créer votre compte"));
    assert_eq!(
        page.value_of("login_email").as_deref(),
        Some("paul@menuiserie.fr")
    );
    assert_eq!(page.error_of("captcha_answer"), None);
    assert_eq!(app.count("accounts").await, 0);
}

#[tokio::test]
async fn a_signup_in_english_gets_the_recap_and_the_email_in_english() {
    let app = spawn_app().await;
    let challenge = app.open_signup().await;
    let email = unique_email();
    let mut form = valid_form(&email);
    form.push(("captcha_id".into(), challenge));
    let page = app
        .post_signup_with(&form, &[("cookie", "sesame_lang=en")])
        .await;
    assert_eq!(page.status, 200);
    assert!(page
        .body
        .contains("You have successfully created the user account Dupont Paul"));
    assert!(page.body.contains("<html lang=\"en\""));
    let emails = app.wait_for_emails(|e| e.len() == 1).await;
    assert_eq!(emails[0].subject, "Activate your Sésame account");
    assert!(
        emails[0]
            .text_body
            .contains("valid until 2 March 2026, 14:00:00 (CET)"),
        "{}",
        emails[0].text_body
    );
}

#[tokio::test]
async fn a_database_failure_gives_a_generic_message_with_a_reference_and_keeps_the_data() {
    let app = spawn_app().await;
    let challenge = app.open_signup().await;
    sqlx::query("DROP TABLE account_events")
        .execute(&app.state.db)
        .await
        .unwrap();
    let mut form = valid_form(&unique_email());
    form.push(("captcha_id".into(), challenge));
    let page = app.post_signup(&form).await;
    assert_eq!(page.status, 503);
    assert!(
        page.body.contains("Référence de l&#x27;incident")
            || page.body.contains("Référence de l'incident")
    );
    assert_eq!(page.value_of("last_name").as_deref(), Some("Dupont"));
    let lowered = page.body.to_lowercase();
    for leak in [
        "account_events",
        "sqlite",
        "postgres",
        "no such table",
        "does not exist",
    ] {
        assert!(!lowered.contains(leak), "the page shows {leak:?}");
    }
    assert_eq!(app.count("accounts").await, 0, "half an account was stored");
    assert_eq!(app.count("outbox").await, 0);
}

#[tokio::test]
async fn a_post_from_another_site_is_refused() {
    let app = spawn_app().await;
    let form = valid_form(&unique_email());
    let page = app
        .post_signup_with(&form, &[("origin", "https://evil.example")])
        .await;
    assert_eq!(page.status, 403);
    let page = app
        .post_signup_with(&form, &[("sec-fetch-site", "cross-site")])
        .await;
    assert_eq!(page.status, 403);
}

#[tokio::test]
async fn the_captcha_has_an_audio_version_of_the_same_characters() {
    let app = spawn_app().await;
    let challenge = app.open_signup().await;
    let audio = app
        .client
        .get(format!("{}/captcha/{challenge}.wav", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(audio.status(), 200);
    assert_eq!(audio.headers()["content-type"], "audio/wav");
    assert_eq!(&audio.bytes().await.unwrap()[..4], b"RIFF");
    let page = app.get("/inscription").await;
    assert!(
        page.body.contains("<audio"),
        "the form offers no audio version"
    );
    // Once the challenge is used, neither the image's answer nor its audio remain.
    let mut form = valid_form(&unique_email());
    form.push(("captcha_id".into(), challenge.clone()));
    app.post_signup(&form).await;
    let gone = app
        .client
        .get(format!("{}/captcha/{challenge}.wav", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 404);
}

#[tokio::test]
async fn enregistrer_et_configurer_mon_compte_asks_for_a_structure_and_the_recap_lists_the_request()
{
    let app = spawn_app().await;
    app.create_structure("73282932000074", "Menuiserie Dupont")
        .await;
    let email = unique_email();
    // The first screen checks the details, not the captcha.
    let form = with(
        with(valid_form(&email), "intent", "configure"),
        "captcha_answer",
        "",
    );
    let configure = app.post_signup(&form).await;
    assert_eq!(configure.status, 200, "{}", configure.body);
    assert_eq!(
        configure.text_of("h1").as_deref(),
        Some("Configurer mon compte")
    );
    assert_eq!(
        configure.value_of("city").as_deref(),
        Some("Saint-Étienne"),
        "the details were lost"
    );
    assert_eq!(app.count("accounts").await, 0);

    // A SIRET no structure has is refused on that screen, details kept.
    let challenge = app.open_signup().await;
    let mut second: Vec<(String, String)> = with(valid_form(&email), "intent", "sign_up");
    second.push(("siret".into(), "13002526500013".into()));
    second.push(("screen".into(), "configure".into()));
    second.push(("captcha_id".into(), challenge));
    let refused = app.post_signup(&second).await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.error_of("siret").as_deref(),
        Some("Aucune structure n'a ce SIRET sur le portail.")
    );
    assert_eq!(
        refused.text_of("h1").as_deref(),
        Some("Configurer mon compte")
    );

    let challenge = app.open_signup().await;
    let mut third = with(second.clone(), "siret", "732 829 320 00074");
    third.retain(|(k, _)| k != "captcha_id");
    third.push(("captcha_id".into(), challenge));
    let recap = app.post_signup(&third).await;
    assert_eq!(recap.status, 200, "{}", recap.body);
    assert!(recap.body.contains("Vous avez demandé le rattachement à la structure Menuiserie Dupont (SIRET 732 829 320 00074)"), "{}", recap.body);
    assert!(!recap
        .body
        .contains("Vous n'avez demandé aucun rattachement"));
    let (status,): (String,) = sqlx::query_as(
        "SELECT m.status FROM memberships m JOIN accounts a ON a.id = m.account_id WHERE a.login_email = $1",
    )
    .bind(&email)
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    assert_eq!(status, "pending");
}

/// The token of the newest activation email to `email`.
async fn newest_activation_token(app: &TestApp, email: &str) -> String {
    let emails = app
        .wait_for_emails(|e| {
            e.iter()
                .any(|m| m.recipient == email && m.kind == "activation")
        })
        .await;
    let newest = emails
        .iter()
        .rev()
        .find(|m| m.recipient == email && m.kind == "activation")
        .unwrap();
    activation_link(&newest.text_body)
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn signing_up_again_while_the_account_awaits_activation_sends_a_fresh_link_saying_so() {
    let app = spawn_app().await;
    let email = unique_email();
    let first = app.sign_up(valid_form(&email)).await;
    let first_token = newest_activation_token(&app, &email).await;
    app.clock.advance(jiff::SignedDuration::from_mins(6));
    let again = app.sign_up(valid_form(&email)).await;
    assert_eq!(first.status, again.status);
    assert_eq!(
        without_nonces(&first.body),
        without_nonces(&again.body),
        "the recap differs for an address awaiting activation"
    );
    assert_eq!(app.count("accounts").await, 1);

    let emails = app
        .wait_for_emails(|e| e.iter().filter(|m| m.kind == "activation").count() == 2)
        .await;
    assert!(
        !emails.iter().any(|m| m.kind == "signup_attempt"),
        "the owner was told to log in, which cannot work before activation"
    );
    let newest = emails
        .iter()
        .rev()
        .find(|m| m.kind == "activation")
        .unwrap();
    assert_eq!(newest.recipient, email);
    assert!(
        newest.text_body.contains("attend toujours son activation"),
        "{}",
        newest.text_body
    );
    let second_token = newest_activation_token(&app, &email).await;
    assert_ne!(first_token, second_token);
    assert_eq!(
        app.activate(&first_token, PASSWORD, PASSWORD).await.status,
        410
    );
    assert_eq!(
        app.activate(&second_token, PASSWORD, PASSWORD).await.status,
        303
    );
}

#[tokio::test]
async fn signing_up_again_at_once_while_pending_sends_nothing_more_and_the_first_link_works() {
    let app = spawn_app().await;
    let email = unique_email();
    app.sign_up(valid_form(&email)).await;
    let token = newest_activation_token(&app, &email).await;
    app.sign_up(valid_form(&email)).await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let emails = app.emails().await;
    assert_eq!(
        emails.len(),
        1,
        "{:?}",
        emails.iter().map(|m| &m.kind).collect::<Vec<_>>()
    );
    assert_eq!(app.activate(&token, PASSWORD, PASSWORD).await.status, 303);
}

#[tokio::test]
async fn a_strangers_name_never_reaches_the_mailbox_it_signed_up() {
    let app = spawn_app().await;
    let email = unique_email();
    let form = with(
        valid_form(&email),
        "first_name",
        "Gagnez sur www.gains-faciles.example",
    );
    let page = app.sign_up(form).await;
    assert_eq!(page.status, 200, "{}", page.body);
    // A second signup on the same pending address, later: the fresh link
    // quotes nothing either.
    app.clock.advance(jiff::SignedDuration::from_mins(6));
    app.sign_up(with(
        valid_form(&email),
        "last_name",
        "Cliquez www.arnaque.example",
    ))
    .await;
    let emails = app
        .wait_for_emails(|e| e.iter().filter(|m| m.kind == "activation").count() == 2)
        .await;
    for email in &emails {
        for body in [&email.text_body, &email.html_body] {
            assert!(
                !body.contains("gains-faciles") && !body.contains("arnaque"),
                "{body}"
            );
        }
    }
}

#[tokio::test]
async fn an_account_holders_name_never_reaches_an_address_it_asks_to_confirm() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    sqlx::query("UPDATE accounts SET first_name = $1 WHERE login_email = $2")
        .bind("Gagnez sur www.gains-faciles.example")
        .bind(&email)
        .execute(&app.state.db)
        .await
        .unwrap();
    let cookie = app.logged_in(&email).await;
    let contact = unique_email();
    let login = unique_email();
    contact_confirmation_link(&app, &cookie, &contact).await;
    login_confirmation_link(&app, &cookie, &login).await;
    let emails = app.emails().await;
    let to_strangers: Vec<_> = emails
        .iter()
        .filter(|m| m.recipient == contact || m.recipient == login)
        .collect();
    assert_eq!(to_strangers.len(), 2);
    for email in to_strangers {
        assert!(
            !email.text_body.contains("gains-faciles"),
            "{}",
            email.text_body
        );
        assert!(!email.html_body.contains("gains-faciles"));
    }
}

/// RGAA 11.10: a required field says so in its label, to the eye (`*`)
/// and to screen readers ("(obligatoire)"), the captcha's and the new
/// password's included.
#[tokio::test]
async fn every_required_field_of_the_public_forms_says_so_in_its_label() {
    use scraper::Selector;
    let app = spawn_app().await;
    let required = Selector::parse("[aria-required=\"true\"]").unwrap();
    let token = app.create_pending_account(&unique_email()).await;
    let activation = format!("/activation/{token}");
    for path in [
        "/inscription",
        "/mot-de-passe-oublie",
        "/activation-renvoyer",
        "/reactivation",
        &activation,
    ] {
        let html = app.get(path).await.html();
        let fields: Vec<_> = html.select(&required).collect();
        assert!(!fields.is_empty(), "{path} has no required field");
        for field in fields {
            let id = field.value().id().expect("a required field without id");
            let label = Selector::parse(&format!("label[for=\"{id}\"]")).unwrap();
            let text: String = html
                .select(&label)
                .next()
                .unwrap_or_else(|| panic!("{path}: #{id} has no label"))
                .text()
                .collect();
            assert!(text.contains("(obligatoire)"), "{path}: #{id}: {text:?}");
        }
    }
}

/// WCAG 2.4.2: every page is titled "<page> — Sésame", once.
#[tokio::test]
async fn every_page_title_names_the_page_then_the_site_once() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let cookie = app.logged_in(&email).await;
    let mut pages = Vec::new();
    for path in [
        "/",
        "/inscription",
        "/mot-de-passe-oublie",
        "/activation-renvoyer",
        "/reactivation",
        "/activation/abababababababababababababababababababababababababababababababab",
        "/page-qui-n-existe-pas",
    ] {
        pages.push((path, app.get(path).await));
    }
    for path in ["/accueil", "/mon-compte"] {
        pages.push((path, app.get_as(path, &cookie).await.page()));
    }
    for (path, page) in pages {
        let title = page.text_of("title").unwrap_or_default();
        assert!(
            title.ends_with(" — Sésame") && title.matches("Sésame").count() == 1,
            "{path}: {title:?}"
        );
    }
}

/// A form's fields travel as one set of names: a name twice (but radio
/// buttons and submit buttons) makes the browser's door refuse to read
/// the form and fall back to a plain post.
#[tokio::test]
async fn no_form_sends_a_field_name_twice() {
    use scraper::Selector;
    let app = spawn_app().await;
    let pending = app.create_pending_account(&unique_email()).await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let reset = reset_token(&app, &email).await;
    let cookie = app.logged_in(&email).await;
    let mut pages = Vec::new();
    for path in [
        "/".to_owned(),
        "/inscription".to_owned(),
        "/mot-de-passe-oublie".to_owned(),
        "/activation-renvoyer".to_owned(),
        "/reactivation".to_owned(),
        format!("/activation/{pending}"),
        format!("/nouveau-mot-de-passe/{reset}"),
    ] {
        let page = app.get(&path).await;
        pages.push((path, page));
    }
    for path in ["/accueil", "/mon-compte"] {
        pages.push((path.to_owned(), app.get_as(path, &cookie).await.page()));
    }
    let forms = Selector::parse("form").unwrap();
    let fields = Selector::parse("input[name], select[name], textarea[name]").unwrap();
    for (path, page) in pages {
        let html = page.html();
        for form in html.select(&forms) {
            let mut seen = std::collections::HashSet::new();
            for field in form.select(&fields) {
                let kind = field.value().attr("type").unwrap_or("text");
                if matches!(kind, "radio" | "checkbox" | "submit") {
                    continue;
                }
                let name = field.value().attr("name").unwrap();
                assert!(
                    seen.insert(name.to_owned()),
                    "{path}: {name} twice in a form"
                );
            }
        }
    }
}
