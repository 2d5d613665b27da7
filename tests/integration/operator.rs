//! Part 9, item 6: the operator's command (`sesame admin create`) works on a
//! running portal: it binds no port and starts no worker, and every failure
//! says what went wrong with a non-zero exit code. The real binary is run
//! with the running portal's configuration.

use crate::helpers::*;
use std::process::Command;

/// The `sesame` binary with the configuration of `app`: the same database,
/// secret key and listen address (the port the portal holds).
fn sesame_like(app: &TestApp) -> Command {
    let config = &app.state.config;
    let key: String = config
        .secret_key
        .bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let listen = app.address.trim_start_matches("http://");
    let mut command = Command::new(env!("CARGO_BIN_EXE_sesame"));
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("SESAME_DATABASE_URL", &config.database_url)
        .env("SESAME_SECRET_KEY", key)
        .env("LEPTOS_SITE_ADDR", listen)
        .env("SESAME_PUBLIC_URL", &app.address)
        .env("RUST_LOG", "warn")
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    command
}

async fn run(mut command: Command) -> std::process::Output {
    tokio::task::spawn_blocking(move || command.output().expect("running sesame"))
        .await
        .unwrap()
}

#[tokio::test]
async fn admin_create_works_while_the_portal_runs_on_the_same_configuration() {
    let app = spawn_app().await;
    let mut command = sesame_like(&app);
    command.args([
        "admin",
        "create",
        "anne.durand@example.fr",
        "--last-name",
        "Durand",
        "--first-name",
        "Anne",
    ]);
    let output = run(command).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("anne.durand@example.fr"),
        "{stderr}"
    );
    let (state, role): (String, String) =
        sqlx::query_as("SELECT state, role FROM accounts WHERE login_email = $1")
            .bind("anne.durand@example.fr")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!((state.as_str(), role.as_str()), ("pending", "admin"));
    // The running portal reads the email the command queued, and still serves.
    let emails = app
        .wait_for_emails(|e| {
            e.iter()
                .any(|m| m.recipient == "anne.durand@example.fr" && m.kind == "activation")
        })
        .await;
    let email = emails
        .iter()
        .find(|m| m.recipient == "anne.durand@example.fr")
        .unwrap();
    let token = activation_link(&email.text_body)
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(app.activate(&token, PASSWORD, PASSWORD).await.status, 303);
    assert_eq!(app.get("/").await.status, 200);

    // Run again on the same address: the account is made administrator.
    let mut again = sesame_like(&app);
    again.args(["admin", "create", "anne.durand@example.fr"]);
    let output = run(again).await;
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains("is now an administrator"));
}

#[tokio::test]
async fn admin_create_says_what_went_wrong_with_a_non_zero_exit_code() {
    let app = spawn_app().await;

    let mut usage = sesame_like(&app);
    usage.args(["admin", "create"]);
    let output = run(usage).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("usage: sesame admin create"));

    let mut malformed = sesame_like(&app);
    malformed.args(["admin", "create", "anne@"]);
    let output = run(malformed).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("anne@"));

    let mut no_database = sesame_like(&app);
    no_database
        .env(
            "SESAME_DATABASE_URL",
            "postgres://sesame@127.0.0.1:1/nowhere",
        )
        .args(["admin", "create", "anne.durand@example.fr"]);
    let output = run(no_database).await;
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("connecting to the database"), "{stderr}");

    let mut bad_config = sesame_like(&app);
    bad_config.env("SESAME_SECRET_KEY", "not-hex").args([
        "admin",
        "create",
        "anne.durand@example.fr",
    ]);
    let output = run(bad_config).await;
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("SESAME_SECRET_KEY"));
}
