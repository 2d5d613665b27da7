//! Part 14: every input bounded before it reaches storage. Very long values
//! in any field of any form get the field's own message (or 413), never a
//! 5xx, a stack trace or a slow answer; a body larger than any form is
//! refused before it is read. Both doors, both databases.

use crate::helpers::*;
use crate::security::STATE_CHANGING;
use std::time::{Duration, Instant};

/// Every field name a form of the portal reads.
const FIELDS: &[&str] = &[
    "email",
    "password",
    "next",
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
    "siret",
    "captcha_id",
    "captcha_answer",
    "intent",
    "screen",
    "flow",
    "secret_question",
    "secret_answer",
    "password_confirmation",
    "current_password",
    "session",
    "language",
    "new_login_email",
    "login_password",
    "secret_password",
    "deactivate_password",
    "reason",
    "account_id",
    "structure_id",
    "name",
    "structure_siret",
    "page",
    "user_inputs",
    "token",
];

/// A value far longer than any field allows (100 kB), shaped like an
/// address so that it also tries the fields used as keys.
fn long_value() -> String {
    format!("{}@example.fr", "a".repeat(100_000))
}

#[tokio::test]
async fn a_100_kb_value_in_any_field_of_any_form_gets_an_answer_never_a_failure() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let cookie = app.logged_in(&email).await;
    let value = long_value();
    // Two fields a request: the body (about 200 kB) stays under the limit,
    // so each value reaches its parser.
    for pair in FIELDS.chunks(2) {
        let form: Vec<(&str, &str)> = pair.iter().map(|field| (*field, value.as_str())).collect();
        for path in STATE_CHANGING
            .iter()
            .filter(|path| !path.ends_with("deconnexion"))
        {
            let started = Instant::now();
            let request = app
                .client
                .post(format!("{}{path}", app.address))
                .header("origin", app.address.as_str())
                .header("cookie", cookie.as_str())
                .form(&form);
            let response = app.send(request).await;
            let status = response.status().as_u16();
            let body = response.text().await.unwrap();
            assert!(
                status < 500 && status != 413,
                "{path} {pair:?} answered {status}: {}",
                &body[..body.len().min(300)]
            );
            assert!(
                !body.contains("panicked") && !body.contains("sqlx") && !body.contains("SELECT"),
                "{path} shows internals"
            );
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "{path} took {:?}",
                started.elapsed()
            );
        }
    }
    // Nothing that long was stored, as a value or as a key.
    for (table, column) in [
        ("login_throttle", "login_email"),
        ("recovery_throttle", "login_email"),
        ("recovery_flows", "login_email"),
        ("accounts", "login_email"),
        ("accounts", "contact_email"),
        ("account_events", "reason"),
        ("structures", "name"),
    ] {
        let query = format!("SELECT COUNT(*) FROM {table} WHERE LENGTH({column}) > 300");
        let (long,): (i64,) = match sqlx::query_as(&query).fetch_one(&app.state.db).await {
            Ok(count) => count,
            Err(error) => panic!("{query}: {error}"),
        };
        assert_eq!(long, 0, "{table}.{column} keeps a 100 kB value");
    }
}

#[tokio::test]
async fn a_body_larger_than_any_form_is_refused_with_413_before_it_is_read() {
    let app = spawn_app().await;
    let body = format!("email={}", "x".repeat(3 * 1024 * 1024));
    for path in [
        "/inscription",
        "/connexion",
        "/api/connexion",
        "/api/inscription",
        "/gestion",
    ] {
        let request = app
            .client
            .post(format!("{}{path}", app.address))
            .header("origin", app.address.as_str())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.clone());
        let response = app.send(request).await;
        assert_eq!(response.status().as_u16(), 413, "{path}");
        let text = response.text().await.unwrap();
        assert!(text.contains("Demande trop volumineuse"), "{path}: {text}");
    }
}
