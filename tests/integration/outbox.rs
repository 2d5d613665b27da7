use crate::helpers::*;
use crate::smtp::{free_port, FakeSmtp};
use jiff::SignedDuration;
use sesame::server::Clock;

#[tokio::test]
async fn a_signup_is_accepted_while_smtp_is_down_and_its_email_is_delivered_once_smtp_is_back() {
    let port = free_port();
    let app =
        spawn_app_with(|config| config.smtp_url = Some(format!("smtp://127.0.0.1:{port}"))).await;
    let email = unique_email();
    let page = app.sign_up(valid_form(&email)).await;
    assert_eq!(
        page.status, 200,
        "the signup was refused while SMTP is down"
    );

    let failed = app
        .wait_for_emails(|e| e.len() == 1 && e[0].attempts >= 1)
        .await;
    assert_eq!(failed[0].sent_at, None);
    assert_eq!(
        failed[0].abandoned_at, None,
        "a connection failure is not permanent"
    );
    assert!(failed[0].last_error.is_some());

    let smtp = FakeSmtp::start(port, false).await;
    app.clock.advance(SignedDuration::from_mins(5));
    let delivered = app.wait_for_emails(|e| e[0].sent_at.is_some()).await;
    assert_eq!(delivered.len(), 1);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let messages = smtp.messages();
    assert_eq!(messages.len(), 1, "delivered {} times", messages.len());
    assert!(
        messages[0].contains(&format!("To: {email}")),
        "{}",
        messages[0]
    );
    assert!(
        messages[0].contains(&format!("Message-ID: <{}@127.0.0.1>", delivered[0].id)),
        "{}",
        messages[0]
    );
}

/// SMTP down for a while: a signup, a password reset and a notice (the
/// login lock) are all accepted and queued; once SMTP is back, every one is
/// delivered exactly once, each with its own Message-ID.
#[tokio::test]
async fn signups_resets_and_notices_accepted_while_smtp_is_down_are_each_delivered_once_it_is_back()
{
    let port = free_port();
    let app =
        spawn_app_with(|config| config.smtp_url = Some(format!("smtp://127.0.0.1:{port}"))).await;
    let person = unique_email();
    app.create_active_account(&person).await;
    let newcomer = unique_email();
    assert_eq!(app.sign_up(valid_form(&newcomer)).await.status, 200);
    let question = app.ask_secret_question(&person, None).await;
    assert_eq!(
        app.answer_secret_question(&question, "medor").await.status,
        200
    );
    for _ in 0..5 {
        app.log_in(&person, "Pas-Le-Bon-2026").await;
    }
    let queued = app
        .wait_for_emails(|e| {
            ["activation", "password_reset", "login_locked"]
                .iter()
                .all(|kind| e.iter().any(|m| m.kind == *kind && m.attempts >= 1))
        })
        .await;
    assert!(queued.iter().all(|m| m.sent_at.is_none()));

    let smtp = FakeSmtp::start(port, false).await;
    app.clock.advance(SignedDuration::from_mins(10));
    let delivered = app
        .wait_for_emails(|e| e.iter().all(|m| m.sent_at.is_some()))
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let messages = smtp.messages();
    assert_eq!(messages.len(), delivered.len(), "{messages:#?}");
    for email in &delivered {
        let id = format!("Message-ID: <{}@127.0.0.1>", email.id);
        assert_eq!(
            messages.iter().filter(|m| m.contains(&id)).count(),
            1,
            "{} ({}) was not delivered exactly once",
            email.kind,
            email.recipient
        );
    }
    for kind in ["activation", "password_reset", "login_locked"] {
        assert!(delivered.iter().any(|m| m.kind == kind), "no {kind} email");
    }
}

#[tokio::test]
async fn a_recipient_refused_by_the_smtp_server_is_abandoned_without_retrying() {
    let port = free_port();
    let _smtp = FakeSmtp::start(port, true).await;
    let app =
        spawn_app_with(|config| config.smtp_url = Some(format!("smtp://127.0.0.1:{port}"))).await;
    app.sign_up(valid_form(&unique_email())).await;
    let emails = app
        .wait_for_emails(|e| e.len() == 1 && e[0].abandoned_at.is_some())
        .await;
    assert_eq!(emails[0].attempts, 1);
    assert_eq!(emails[0].sent_at, None);
}

#[tokio::test]
async fn an_email_is_abandoned_after_the_last_attempt() {
    let port = free_port();
    let app = spawn_app_with(|config| {
        config.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
        config.outbox_max_attempts = 3;
    })
    .await;
    app.sign_up(valid_form(&unique_email())).await;
    for attempts in 1..=3 {
        app.wait_for_emails(|e| e.len() == 1 && e[0].attempts >= attempts)
            .await;
        app.clock.advance(SignedDuration::from_hours(2));
    }
    let emails = app.wait_for_emails(|e| e[0].abandoned_at.is_some()).await;
    assert_eq!(emails[0].attempts, 3);
}

#[tokio::test]
async fn without_smtp_the_dev_mailbox_shows_every_email() {
    let app = spawn_app().await;
    let email = unique_email();
    app.sign_up(valid_form(&email)).await;
    let emails = app
        .wait_for_emails(|e| e.len() == 1 && e[0].sent_at.is_some())
        .await;
    let list = app.get("/dev/mailbox").await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains(&email));
    let one = app.get(&format!("/dev/mailbox/{}", emails[0].id)).await;
    assert!(one.body.contains("/activation/"));
}

#[tokio::test]
async fn the_dev_mailbox_does_not_exist_where_an_smtp_relay_receives_the_emails() {
    let port = free_port();
    let app = spawn_app_with(|config| {
        config.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
    })
    .await;
    assert!(!app.state.config.production);
    for path in ["/dev/mailbox", "/dev/mailbox/x", "/dev/panic"] {
        assert_eq!(app.get(path).await.status, 404, "{path}");
    }
    assert!(
        !app.state
            .config
            .development_notices()
            .iter()
            .any(|notice| notice.contains("mailbox")),
        "{:?}",
        app.state.config.development_notices()
    );
}

#[tokio::test]
async fn the_dev_mailbox_does_not_exist_in_production() {
    let port = free_port();
    let app = spawn_app_with(|config| {
        config.production = true;
        config.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
    })
    .await;
    assert_eq!(app.get("/dev/mailbox").await.status, 404);
}

/// A worker that dies after SMTP accepted a message but before recording it:
/// the lease runs out, the message goes again, with the same Message-ID, so
/// the receiving side can recognise the duplicate.
#[tokio::test]
async fn an_email_sent_but_not_recorded_before_a_crash_goes_again_with_the_same_message_id() {
    let port = free_port();
    let smtp = FakeSmtp::start(port, false).await;
    let app =
        spawn_app_with(|config| config.smtp_url = Some(format!("smtp://127.0.0.1:{port}"))).await;
    app.sign_up(valid_form(&unique_email())).await;
    let sent = app
        .wait_for_emails(|e| e.len() == 1 && e[0].sent_at.is_some())
        .await;
    // The crash: the row looks as it did while the worker held its lease.
    sqlx::query("UPDATE outbox SET sent_at = NULL, locked_until = $1 WHERE id = $2")
        .bind(app.clock.now_seconds() + 120)
        .bind(&sent[0].id)
        .execute(&app.state.db)
        .await
        .unwrap();
    app.state.mailer.wake();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(smtp.messages().len(), 1, "sent again while the lease held");
    app.clock.advance(SignedDuration::from_mins(3));
    app.state.mailer.wake();
    app.wait_for_emails(|e| e[0].sent_at.is_some()).await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let messages = smtp.messages();
    assert_eq!(messages.len(), 2);
    let id_line = |m: &str| {
        m.lines()
            .find(|l| l.starts_with("Message-ID:"))
            .map(str::to_owned)
    };
    assert_eq!(id_line(&messages[0]), id_line(&messages[1]));
    assert!(id_line(&messages[0]).is_some());
}

#[tokio::test]
async fn an_abandoned_email_is_shown_to_administrators() {
    let port = free_port();
    let _smtp = FakeSmtp::start(port, true).await;
    let app =
        spawn_app_with(|config| config.smtp_url = Some(format!("smtp://127.0.0.1:{port}"))).await;
    let refused = unique_email();
    app.sign_up(valid_form(&refused)).await;
    app.wait_for_emails(|e| e.iter().any(|m| m.abandoned_at.is_some()))
        .await;
    let admin = unique_email();
    sqlx::query(
        "INSERT INTO accounts (id, login_email, last_name, first_name, address, postal_code, city, \
         country, language, state, created_at, role) \
         VALUES ('admin-1', $1, 'Durand', 'Anne', '', '', '', 'FR', 'fr', 'active', 0, 'admin')",
    )
    .bind(&admin)
    .execute(&app.state.db)
    .await
    .unwrap();
    let hash = app.state.hasher.hash(PASSWORD).await.unwrap();
    sqlx::query("UPDATE accounts SET password_hash = $1 WHERE id = 'admin-1'")
        .bind(hash)
        .execute(&app.state.db)
        .await
        .unwrap();
    let cookie = app.logged_in(&admin).await;
    let page = app.get_as("/gestion", &cookie).await;
    assert!(page.body.contains("Courriels non distribués"));
    assert!(
        page.body.contains(&refused),
        "the abandoned email is not listed"
    );
}
