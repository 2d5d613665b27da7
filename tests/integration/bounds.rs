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

/// Sends `body` to `path` in chunks of 64 KiB with no length announced
/// (`Transfer-Encoding: chunked`), as the page's script of a server
/// function would with a stream; the answer's status. The body is written
/// while the answer is read, since the portal may answer before it has
/// all of it.
async fn post_chunked(app: &TestApp, path: &str, body: Vec<u8>) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = app.address.trim_start_matches("http://").to_owned();
    let stream = tokio::net::TcpStream::connect(&host).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nOrigin: {}\r\nAccept: application/json\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\
         Connection: close\r\n\r\n",
        app.address
    );
    let writing = tokio::spawn(async move {
        writer.write_all(head.as_bytes()).await?;
        for chunk in body.chunks(64 * 1024) {
            writer
                .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                .await?;
            writer.write_all(chunk).await?;
            writer.write_all(b"\r\n").await?;
        }
        writer.write_all(b"0\r\n\r\n").await?;
        // Kept open until the answer is read: a server closes a connection
        // its client half-closed without answering.
        Ok::<_, std::io::Error>(writer)
    });
    let mut answer = Vec::new();
    let mut buffer = [0u8; 1024];
    while !answer.windows(2).any(|w| w == b"\r\n") {
        match reader.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(read) => answer.extend_from_slice(&buffer[..read]),
        }
    }
    // The portal may close while the rest is still on its way.
    let _ = writing.await;
    let status_line = String::from_utf8_lossy(&answer);
    status_line
        .split(' ')
        .nth(1)
        .and_then(|status| status.parse().ok())
        .unwrap_or_else(|| panic!("{path}: no status line in {status_line:?}"))
}

/// A body of no announced length is read up to the same bound and refused
/// with 413 past it, on a server function as on a plain form (a server
/// function reads its body itself, and called the excess a bad request);
/// one under the bound is read as if its length had been announced.
#[tokio::test]
async fn a_body_of_no_announced_length_larger_than_any_form_is_refused_with_413_on_both_doors() {
    let app = spawn_app().await;
    let small = b"email=paul.dupont%40menuiserie.fr&password=".to_vec();
    assert_eq!(post_chunked(&app, "/connexion", small.clone()).await, 401);
    assert_eq!(post_chunked(&app, "/api/connexion", small).await, 200);
    let large = format!("email={}", "x".repeat(3 * 1024 * 1024)).into_bytes();
    for path in [
        "/connexion",
        "/api/connexion",
        "/inscription",
        "/api/inscription",
    ] {
        assert_eq!(post_chunked(&app, path, large.clone()).await, 413, "{path}");
    }
}
