//! Part 14: who may act on whom, a new session id at every change of
//! privilege, and answers that tell what actually happened. Each rule is
//! tried through both doors: the plain post and the server function.

use crate::helpers::*;

const SIRET_A: &str = "73282932000074";
const SIRET_B: &str = "44306184100047";

/// Structure A, with two managers, a plain member and an administrator
/// who is also a member; structure B with its own manager.
struct Portal {
    admin: String,
    admin_cookie: String,
    manager: String,
    manager_cookie: String,
    co_manager: String,
    member: String,
    manager_b: String,
}

async fn portal(app: &TestApp) -> Portal {
    let admin = unique_email();
    app.create_active_account(&admin).await;
    make_admin(app, &admin).await;
    let admin_cookie = app.logged_in(&admin).await;
    for (siret, name) in [(SIRET_A, "Menuiserie Dupont"), (SIRET_B, "Boulangerie")] {
        app.create_structure(siret, name).await;
    }
    let [manager, co_manager, member, manager_b] = [(); 4].map(|()| unique_email());
    for email in [&manager, &co_manager, &member, &manager_b] {
        app.create_active_account(email).await;
    }
    name_manager(app, &admin_cookie, &manager, SIRET_A).await;
    name_manager(app, &admin_cookie, &co_manager, SIRET_A).await;
    name_manager(app, &admin_cookie, &manager_b, SIRET_B).await;
    for email in [&member, &admin] {
        ask_to_join(app, email, SIRET_A).await;
    }
    approve(app, &admin_cookie, &member, SIRET_A).await;
    // Another administrator decides the first one's own request.
    let other_admin = unique_email();
    app.create_active_account(&other_admin).await;
    make_admin(app, &other_admin).await;
    let other_cookie = app.logged_in(&other_admin).await;
    approve(app, &other_cookie, &admin, SIRET_A).await;
    let admin_cookie = app.logged_in(&admin).await;
    let manager_cookie = app.logged_in(&manager).await;
    Portal {
        admin,
        admin_cookie,
        manager,
        manager_cookie,
        co_manager,
        member,
        manager_b,
    }
}

async fn state_of(app: &TestApp, email: &str) -> String {
    let (state,): (String,) = sqlx::query_as("SELECT state FROM accounts WHERE login_email = $1")
        .bind(email)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    state
}

/// A deactivation asked by `cookie`'s person on `target`, through the
/// plain door and the server function: both statuses.
async fn deactivate_through_both_doors(app: &TestApp, cookie: &str, target: &str) -> (u16, u16) {
    let id = account_id(app, target).await;
    let form = [
        ("intent", "deactivate"),
        ("account_id", id.as_str()),
        ("reason", "Pour voir ce qui se passe"),
    ];
    let plain = app.post_form("/gestion", &form, Some(cookie)).await;
    let function = app.call("gestion", &form, Some(cookie)).await;
    (plain.status, function.status)
}

#[tokio::test]
async fn a_manager_may_not_deactivate_an_administrator_or_another_manager_of_their_structure() {
    let app = spawn_app().await;
    let portal = portal(&app).await;
    for target in [&portal.admin, &portal.co_manager] {
        let statuses = deactivate_through_both_doors(&app, &portal.manager_cookie, target).await;
        assert_eq!(statuses, (403, 403), "{target}");
        assert_eq!(state_of(&app, target).await, "active", "{target}");
    }
    let list = app.get_as("/gestion", &portal.manager_cookie).await;
    assert!(list.body.contains(&portal.member), "the member is listed");
    for hidden in [&portal.admin, &portal.co_manager, &portal.manager_b] {
        assert!(!list.body.contains(hidden.as_str()), "{hidden} is listed");
    }
    // A plain member of the structure is still theirs to act on.
    let id = account_id(&app, &portal.member).await;
    let done = app
        .post_form(
            "/gestion",
            &[
                ("intent", "deactivate"),
                ("account_id", &id),
                ("reason", "A quitté l'entreprise"),
            ],
            Some(&portal.manager_cookie),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(state_of(&app, &portal.member).await, "deactivated");
}

#[tokio::test]
async fn a_manager_may_not_decide_the_request_of_an_administrator_or_of_another_manager() {
    let app = spawn_app().await;
    let portal = portal(&app).await;
    let second_admin = unique_email();
    app.create_active_account(&second_admin).await;
    make_admin(&app, &second_admin).await;
    ask_to_join(&app, &second_admin, SIRET_A).await;
    ask_to_join(&app, &portal.manager_b, SIRET_A).await;
    let structure = structure_id(&app, SIRET_A).await;
    for requester in [&second_admin, &portal.manager_b] {
        let id = account_id(&app, requester).await;
        let form = [
            ("intent", "approve"),
            ("account_id", id.as_str()),
            ("structure_id", structure.as_str()),
            ("reason", "Je le connais bien"),
        ];
        let plain = app
            .post_form("/gestion", &form, Some(&portal.manager_cookie))
            .await;
        let function = app
            .call("gestion", &form, Some(&portal.manager_cookie))
            .await;
        assert_eq!((plain.status, function.status), (403, 403), "{requester}");
    }
    let (pending,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM memberships WHERE status = 'pending'")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(pending, 2, "a request was decided");
    let list = app.get_as("/gestion", &portal.manager_cookie).await;
    assert!(!list.body.contains(second_admin.as_str()));
    assert!(!list.body.contains(portal.manager_b.as_str()));
}

#[tokio::test]
async fn an_administrator_acts_on_managers_and_on_another_administrator() {
    let app = spawn_app().await;
    let portal = portal(&app).await;
    let statuses =
        deactivate_through_both_doors(&app, &portal.admin_cookie, &portal.co_manager).await;
    assert_eq!(statuses.0, 200);
    assert_eq!(state_of(&app, &portal.co_manager).await, "deactivated");
    let other_admin = unique_email();
    app.create_active_account(&other_admin).await;
    make_admin(&app, &other_admin).await;
    let id = account_id(&app, &other_admin).await;
    let done = app
        .post_form(
            "/gestion",
            &[
                ("intent", "deactivate"),
                ("account_id", &id),
                ("reason", "Départ à la retraite"),
            ],
            Some(&portal.admin_cookie),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(state_of(&app, &other_admin).await, "deactivated");
}

#[tokio::test]
async fn the_last_active_administrator_can_be_deactivated_neither_by_another_nor_by_themselves() {
    let app = spawn_app().await;
    let [first, second] = [(); 2].map(|()| unique_email());
    for email in [&first, &second] {
        app.create_active_account(email).await;
        make_admin(&app, email).await;
    }
    let first_cookie = app.logged_in(&first).await;
    let second_id = account_id(&app, &second).await;
    let done = app
        .post_form(
            "/gestion",
            &[
                ("intent", "deactivate"),
                ("account_id", &second_id),
                ("reason", "Départ à la retraite"),
            ],
            Some(&first_cookie),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(state_of(&app, &second).await, "deactivated");
    // Now the last one: their own deactivation is refused beside the field,
    // through both doors.
    let form = [("deactivate_password", PASSWORD)];
    let plain = app
        .post_form("/mon-compte/desactivation", &form, Some(&first_cookie))
        .await;
    assert_eq!(plain.status, 422, "{}", plain.body);
    assert!(
        plain
            .page()
            .error_of("deactivate_password")
            .is_some_and(|error| error.contains("dernier administrateur actif")),
        "{}",
        plain.body
    );
    let function = app
        .call("mon-compte/desactivation", &form, Some(&first_cookie))
        .await;
    assert_eq!(
        function.page()["errors"]["deactivate_password"],
        "errors.deactivate.last_administrator"
    );
    assert_eq!(state_of(&app, &first).await, "active");
}

#[tokio::test]
async fn two_administrators_deactivating_each_other_at_once_leave_one_active() {
    let app = spawn_app().await;
    let [first, second] = [(); 2].map(|()| unique_email());
    for email in [&first, &second] {
        app.create_active_account(email).await;
        make_admin(&app, email).await;
    }
    let first_cookie = app.logged_in(&first).await;
    let second_cookie = app.logged_in(&second).await;
    let (first_id, second_id) = (
        account_id(&app, &first).await,
        account_id(&app, &second).await,
    );
    let form = |id: &str| {
        [
            ("intent", "deactivate".to_owned()),
            ("account_id", id.to_owned()),
            ("reason", "Réorganisation".to_owned()),
        ]
    };
    let (one, two) = (form(&second_id), form(&first_id));
    let one: Vec<(&str, &str)> = one.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let two: Vec<(&str, &str)> = two.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (a, b) = tokio::join!(
        app.post_form("/gestion", &one, Some(&first_cookie)),
        app.post_form("/gestion", &two, Some(&second_cookie)),
    );
    let states = [state_of(&app, &first).await, state_of(&app, &second).await];
    assert_eq!(
        states.iter().filter(|state| *state == "active").count(),
        1,
        "{states:?}"
    );
    // Each was either done, or refused with the reason, or came after its
    // own session had ended with its account (the login box).
    for answer in [&a, &b] {
        assert!(
            (answer.status == 200
                && (answer.body.contains("Le compte est désactivé")
                    || answer.body.contains("dernier administrateur actif")))
                || answer.status == 303,
            "{} {}",
            answer.status,
            answer.body
        );
    }
}

#[tokio::test]
async fn an_action_that_changed_nothing_says_so_instead_of_done() {
    let app = spawn_app().await;
    let portal = portal(&app).await;
    let id = account_id(&app, &portal.member).await;
    let deactivate = [
        ("intent", "deactivate"),
        ("account_id", id.as_str()),
        ("reason", "A quitté l'entreprise"),
    ];
    let first = app
        .post_form("/gestion", &deactivate, Some(&portal.manager_cookie))
        .await;
    assert!(
        first.body.contains("Le compte est désactivé"),
        "{}",
        first.body
    );
    let again = app
        .post_form("/gestion", &deactivate, Some(&portal.admin_cookie))
        .await;
    assert!(
        again.body.contains("n'était plus actif : rien n'a changé"),
        "{}",
        again.body
    );
    assert!(!again.body.contains("Le compte est désactivé"));
    let function = app
        .call("gestion", &deactivate, Some(&portal.admin_cookie))
        .await;
    assert_eq!(function.page()["notice"], "management.unchanged_not_active");
    // A request decided a moment earlier by someone else.
    let newcomer = unique_email();
    app.create_active_account(&newcomer).await;
    ask_to_join(&app, &newcomer, SIRET_A).await;
    approve(&app, &portal.admin_cookie, &newcomer, SIRET_A).await;
    let late = app
        .call(
            "gestion",
            &[
                ("intent", "refuse"),
                ("account_id", &account_id(&app, &newcomer).await),
                ("structure_id", &structure_id(&app, SIRET_A).await),
                ("reason", "Inconnu au bataillon"),
            ],
            Some(&portal.manager_cookie),
        )
        .await;
    assert_eq!(late.page()["notice"], "management.unchanged_decided");
    let (status,): (String,) = sqlx::query_as(
        "SELECT m.status FROM memberships m JOIN accounts a ON a.id = m.account_id \
         WHERE a.login_email = $1",
    )
    .bind(&newcomer)
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    assert_eq!(status, "approved");
}

#[tokio::test]
async fn a_password_changed_in_my_account_gives_this_browser_a_new_session_id_on_both_doors() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let new_password = "Chocolat-Menthe-2027";
    for (door, from, to) in [
        ("plain", PASSWORD, new_password),
        ("function", new_password, PASSWORD),
    ] {
        let old = app.logged_in_with(&email, from).await;
        let form = [
            ("current_password", from),
            ("password", to),
            ("password_confirmation", to),
        ];
        let renewed = if door == "plain" {
            let answer = app
                .post_form("/mon-compte/mot-de-passe", &form, Some(&old))
                .await;
            assert_eq!(answer.status, 200, "{}", answer.body);
            answer.session_cookie()
        } else {
            let answer = app.call("mon-compte/mot-de-passe", &form, Some(&old)).await;
            assert_eq!(answer.page()["notice"]["key"], "account.password_changed");
            let current: Vec<bool> = answer.page()["sessions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|line| line["current"].as_bool().unwrap())
                .collect();
            assert_eq!(
                current,
                [true],
                "the renewed session is not shown as this one"
            );
            answer.session_cookie()
        };
        let renewed = renewed.unwrap_or_else(|| panic!("{door}: no new session cookie"));
        assert_ne!(renewed, old, "{door}: the session id did not change");
        assert_eq!(
            app.get_as("/mon-compte", &old).await.status,
            303,
            "{door}: a copy of the old cookie still opens the account"
        );
        assert_eq!(
            app.get_as("/mon-compte", &renewed).await.status,
            200,
            "{door}: the browser that made the change was logged out"
        );
    }
}

#[tokio::test]
async fn naming_a_manager_ends_their_sessions_so_that_they_log_in_again_under_a_new_id() {
    let app = spawn_app().await;
    let admin = unique_email();
    app.create_active_account(&admin).await;
    make_admin(&app, &admin).await;
    let admin_cookie = app.logged_in(&admin).await;
    app.create_structure(SIRET_A, "Menuiserie Dupont").await;
    let person = unique_email();
    app.create_active_account(&person).await;
    let before = app.logged_in(&person).await;
    name_manager(&app, &admin_cookie, &person, SIRET_A).await;
    assert_eq!(app.get_as("/gestion", &before).await.status, 303);
    let after = app.logged_in(&person).await;
    assert_ne!(after, before);
    assert_eq!(app.get_as("/gestion", &after).await.status, 200);
}

#[tokio::test]
async fn no_answer_that_carries_personal_data_may_be_stored_by_a_cache() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let cookie = app.logged_in(&email).await;
    let no_store = |headers: &reqwest::header::HeaderMap| {
        headers
            .get("cache-control")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("no-store"))
    };
    // Server functions: a refused login sends back the address as typed.
    for (endpoint, form) in [
        (
            "connexion",
            vec![("email", email.as_str()), ("password", "faux")],
        ),
        ("mot-de-passe-oublie", vec![("login_email", email.as_str())]),
        ("espace-connecte", vec![("page", "MyAccount")]),
    ] {
        let request = app
            .client
            .post(format!("{}/api/{endpoint}", app.address))
            .header("origin", app.address.as_str())
            .header("cookie", cookie.as_str())
            .form(&form);
        let response = app.send(request).await;
        assert!(no_store(response.headers()), "/api/{endpoint}");
    }
    // A plain post's answer, and every page seen with a session.
    let request = app
        .client
        .post(format!("{}/connexion", app.address))
        .header("origin", app.address.as_str())
        .form(&[("email", email.as_str()), ("password", "faux")]);
    assert!(
        no_store(app.send(request).await.headers()),
        "POST /connexion"
    );
    for path in ["/", "/accueil", "/mon-compte", "/inscription"] {
        let request = app
            .client
            .get(format!("{}{path}", app.address))
            .header("cookie", cookie.as_str());
        assert!(no_store(app.send(request).await.headers()), "GET {path}");
    }
}

/// The interleaving a login and a deactivation can take: the deactivation
/// ends the account's sessions, then the login (its password checked just
/// before) writes its session. That session must open nothing.
#[tokio::test]
async fn a_session_written_after_its_account_was_deactivated_opens_nothing_on_either_door() {
    let app = spawn_app().await;
    let email = unique_email();
    app.create_active_account(&email).await;
    let cookie = app.logged_in(&email).await;
    // The deactivation ran first: its state is written, and the session
    // above stands for the one the login wrote afterwards.
    sqlx::query("UPDATE accounts SET state = 'deactivated' WHERE login_email = $1")
        .bind(&email)
        .execute(&app.state.db)
        .await
        .unwrap();
    let page = app.get_as("/accueil", &cookie).await;
    assert_eq!(page.status, 303, "{}", page.body);
    let function = app
        .call("espace-connecte", &[("page", "Home")], Some(&cookie))
        .await;
    assert_eq!(function.status, 401);
    assert_eq!(function.json, "SessionEnded");
}

/// A new plain member of structure A, ready for `intent` by a manager:
/// its request still pending for "approve", deactivated by the
/// administrator for "reactivate", approved and active otherwise. Its
/// address and id.
async fn plain_member_for(app: &TestApp, portal: &Portal, intent: &str) -> (String, String) {
    let email = unique_email();
    app.create_active_account(&email).await;
    ask_to_join(app, &email, SIRET_A).await;
    if intent != "approve" {
        approve(app, &portal.admin_cookie, &email, SIRET_A).await;
    }
    let id = account_id(app, &email).await;
    if intent == "reactivate" {
        let form = [
            ("intent", "deactivate"),
            ("account_id", id.as_str()),
            ("reason", "Congé parental"),
        ];
        let done = app
            .post_form("/gestion", &form, Some(&portal.admin_cookie))
            .await;
        assert_eq!(done.status, 200, "{}", done.body);
    }
    (email, id)
}

/// The interleaving a manager's action and a promotion can take: the
/// manager's request arrives while an administrator's promotion of the
/// account is under way, so that a check made when the request began saw
/// a plain member (on PostgreSQL, where a read does not wait for a
/// writer), and the action runs once the promotion has committed. Where
/// the account stands is read under its lock inside the action's own
/// transaction: every action is refused, and nothing changed.
#[tokio::test]
async fn a_manager_acts_on_no_one_promoted_while_their_action_was_under_way_on_either_door() {
    let app = spawn_app().await;
    let portal = portal(&app).await;
    let structure = structure_id(&app, SIRET_A).await;
    let manager_id = account_id(&app, &portal.manager).await;
    for intent in ["deactivate", "reactivate", "reset_factors", "approve"] {
        for plain_door in [true, false] {
            let (target, id) = plain_member_for(&app, &portal, intent).await;
            let state_before = state_of(&app, &target).await;
            let form = [
                ("intent", intent),
                ("account_id", id.as_str()),
                ("structure_id", structure.as_str()),
                ("reason", "Pour voir ce qui se passe"),
            ];
            // The promotion, as `sesame admin create` makes it, held open.
            let mut promotion = app.state.db.begin().await.unwrap();
            sqlx::query("UPDATE accounts SET role = 'admin' WHERE id = $1")
                .bind(&id)
                .execute(&mut *promotion)
                .await
                .unwrap();
            let action = async {
                if plain_door {
                    app.post_form("/gestion", &form, Some(&portal.manager_cookie))
                        .await
                        .status
                } else {
                    app.call("gestion", &form, Some(&portal.manager_cookie))
                        .await
                        .status
                }
            };
            let promoted = async {
                tokio::time::sleep(std::time::Duration::from_millis(300)).await;
                promotion.commit().await.unwrap();
            };
            let (status, ()) = tokio::join!(action, promoted);
            let case = format!("{intent}, plain door: {plain_door}");
            assert_eq!(status, 403, "{case}");
            assert_eq!(state_of(&app, &target).await, state_before, "{case}");
            let (acted,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM account_events WHERE account_id = $1 AND actor_id = $2",
            )
            .bind(&id)
            .bind(&manager_id)
            .fetch_one(&app.state.db)
            .await
            .unwrap();
            assert_eq!(acted, 0, "{case}: the manager's action was recorded");
            let (status,): (String,) = sqlx::query_as(
                "SELECT status FROM memberships WHERE account_id = $1 AND structure_id = $2",
            )
            .bind(&id)
            .bind(&structure)
            .fetch_one(&app.state.db)
            .await
            .unwrap();
            let expected = if intent == "approve" {
                "pending"
            } else {
                "approved"
            };
            assert_eq!(status, expected, "{case}");
        }
    }
}

/// The same interleaving, one step at a time, on each action's service:
/// the request's check passed (the account was a plain member), then an
/// administrator named the account a manager, then the action ran. Each
/// action reads where the account stands again, under its lock, and
/// changes nothing.
#[tokio::test]
async fn each_action_reads_again_where_its_account_stands_after_the_requests_check() {
    use sesame::accounts::{Actor, OutOfReach, Standing};
    use sesame::lifecycle::service::{deactivate, reactivate, Acting};
    let app = spawn_app().await;
    let portal = portal(&app).await;
    let manager = Actor::load(&app.state, &account_id(&app, &portal.manager).await)
        .await
        .unwrap();
    let reason = sesame::domain::Reason::parse("Pour voir ce qui se passe").unwrap();
    for action in ["deactivate", "reactivate", "reset_factors"] {
        let (target, id) = plain_member_for(&app, &portal, action).await;
        let state_before = state_of(&app, &target).await;
        let mut conn = app.state.db.acquire().await.unwrap();
        let seen = Standing::load(&mut conn, &id).await.unwrap().unwrap();
        drop(conn);
        assert!(manager.may_act_on(&seen), "{action}: the request's check");
        name_manager(&app, &portal.admin_cookie, &target, SIRET_A).await;
        let refused = match action {
            "deactivate" => {
                let acting = Acting::Other {
                    actor: &manager,
                    reason: &reason,
                };
                deactivate(&app.state, &id, acting).await.unwrap().err()
            }
            "reactivate" => reactivate(&app.state, &id, &manager, &reason)
                .await
                .unwrap()
                .err(),
            _ => {
                sesame::security::service::reset_factors(&app.state, &manager, &id, reason.as_ref())
                    .await
                    .unwrap()
                    .err()
            }
        };
        assert_eq!(refused, Some(OutOfReach), "{action}");
        assert_eq!(state_of(&app, &target).await, state_before, "{action}");
    }
}
