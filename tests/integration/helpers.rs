use jiff::Timestamp;
use scraper::{Html, Selector};
use serde_json::Value;
use sesame::server::{AppState, Config, ManualClock};
use sesame::startup::Application;
use sqlx::{AnyConnection, Connection, Executor};
use std::sync::Arc;

pub const CAPTCHA_ANSWER: &str = "K7M2P";

pub struct TestApp {
    pub address: String,
    pub state: AppState,
    pub clock: Arc<ManualClock>,
    pub client: reqwest::Client,
    /// The second-step code emails already read ([`TestApp::emailed_code`]):
    /// emails written in the same second of the test clock have no order.
    codes_read: std::sync::Mutex<Vec<String>>,
}

/// The database of one test: a new SQLite file, or a new PostgreSQL
/// database when `TEST_DATABASE=postgres`.
async fn fresh_database_url() -> String {
    let name = format!("sesame_test_{}", sesame::server::tokens::new_id().unwrap());
    if std::env::var("TEST_DATABASE").as_deref() == Ok("postgres") {
        let admin = std::env::var("TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
        sqlx::any::install_default_drivers();
        let mut conn = AnyConnection::connect(&admin)
            .await
            .expect("PostgreSQL is unreachable: start it or set TEST_POSTGRES_URL");
        conn.execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .expect("creating the test database");
        let mut url = url::Url::parse(&admin).expect("TEST_POSTGRES_URL");
        url.set_path(&name);
        url.to_string()
    } else {
        let dir = std::env::temp_dir().join("sesame-tests");
        std::fs::create_dir_all(&dir).unwrap();
        format!("sqlite:{}", dir.join(format!("{name}.db")).display())
    }
}

/// A fresh site folder whose `pkg/` holds `files` (name → contents), for
/// `config.site_root`.
pub fn site_with(files: &[(&str, &[u8])]) -> std::path::PathBuf {
    let site = std::env::temp_dir().join(format!(
        "sesame-site-{}",
        sesame::server::tokens::new_id().unwrap()
    ));
    let pkg = site.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    for (name, contents) in files {
        std::fs::write(pkg.join(name), contents).unwrap();
    }
    site
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Everything the portals of this test binary logged, with the production
/// filter: tests search it for secrets.
static LOGS: std::sync::Mutex<Vec<u8>> = std::sync::Mutex::new(Vec::new());

struct LogCapture;

impl std::io::Write for LogCapture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut logs) = LOGS.lock() {
            logs.extend_from_slice(bytes);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn capture_logs() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let filter = tracing_subscriber::EnvFilter::new(sesame::server::telemetry::DEFAULT_FILTER);
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(|| LogCapture)
            .with_ansi(false)
            .try_init();
    });
}

/// The logs so far.
pub fn logs() -> String {
    LOGS.lock()
        .map(|logs| String::from_utf8_lossy(&logs).into_owned())
        .unwrap_or_default()
}

/// Whether `text` holds `word` standing alone: not inside a longer run of
/// letters and digits.
///
/// Short random secrets (a 6-digit code, a 5-character half of a recovery
/// code) are bound to turn up by chance inside the timestamps, ports and
/// hashes of a whole test binary's logs or a database dump; printed or
/// stored, a secret stands alone (`code=482913`, `"80552-K7M2P"`).
pub fn holds_word(text: &str, word: &str) -> bool {
    let alone = |c: Option<char>| !c.is_some_and(char::is_alphanumeric);
    text.match_indices(word).any(|(at, _)| {
        alone(text[..at].chars().next_back()) && alone(text[at + word.len()..].chars().next())
    })
}

pub async fn spawn_app_with(customize: impl FnOnce(&mut Config)) -> TestApp {
    spawn_app_on(fresh_database_url().await, customize).await
}

/// The portal on the database at `database_url`.
pub async fn spawn_app_on(database_url: String, customize: impl FnOnce(&mut Config)) -> TestApp {
    capture_logs();
    let mut config = Config::for_tests(database_url);
    config.captcha_test_answer = Some(CAPTCHA_ANSWER.into());
    customize(&mut config);
    let clock = Arc::new(ManualClock::new(
        "2026-03-02T09:00:00Z".parse::<Timestamp>().unwrap(),
    ));
    let app = Application::build(config, clock.clone())
        .await
        .expect("building the app");
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state();
    tokio::spawn(app.run_until_stopped());
    // A request that hangs fails its test (with what it asked) instead of
    // stalling the whole suite.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .unwrap();
    TestApp {
        address,
        state,
        clock,
        client,
        codes_read: Default::default(),
    }
}

impl TestApp {
    /// A second instance of the portal on the same database and clock, as
    /// behind a load balancer.
    pub async fn second_instance(&self) -> TestApp {
        let config = (*self.state.config).clone();
        let app = Application::build(config, self.clock.clone())
            .await
            .expect("building the second instance");
        let address = format!("http://127.0.0.1:{}", app.port());
        let state = app.state();
        tokio::spawn(app.run_until_stopped());
        TestApp {
            address,
            state,
            clock: self.clock.clone(),
            codes_read: Default::default(),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
        }
    }
}

#[derive(Debug, sqlx::FromRow)]
pub struct StoredEmail {
    pub id: String,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub attempts: i64,
    pub sent_at: Option<i64>,
    pub abandoned_at: Option<i64>,
    pub last_error: Option<String>,
}

/// The page without its per-response nonces, for comparing two responses.
pub fn without_nonces(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(start) = ["nonce=\"", "crossorigin=\""]
        .iter()
        .filter_map(|marker| rest.find(marker).map(|i| i + marker.len()))
        .min()
    {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let end = rest.find('"').unwrap_or(rest.len());
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

pub struct Page {
    pub status: u16,
    pub body: String,
}

impl Page {
    pub fn html(&self) -> Html {
        Html::parse_document(&self.body)
    }

    /// The text of the first element matching `selector`, trimmed.
    pub fn text_of(&self, selector: &str) -> Option<String> {
        let selector = Selector::parse(selector).unwrap();
        self.html()
            .select(&selector)
            .next()
            .map(|e| e.text().collect::<String>().trim().to_owned())
    }

    /// The `value` of the input named `name`.
    pub fn value_of(&self, name: &str) -> Option<String> {
        let selector = Selector::parse(&format!("[name=\"{name}\"]")).unwrap();
        self.html()
            .select(&selector)
            .next()
            .and_then(|e| e.value().attr("value").map(str::to_owned))
    }

    /// The error message shown next to field `name`.
    pub fn error_of(&self, name: &str) -> Option<String> {
        self.text_of(&format!("#{name}-error"))
            .filter(|t| !t.is_empty())
    }
}

impl TestApp {
    /// Sends `request`. A request that fails (it hung past the client's
    /// 60 s, or the server dropped it) fails the test with what the
    /// database was doing then, so that a wait on a lock names itself.
    pub async fn send(&self, request: reqwest::RequestBuilder) -> reqwest::Response {
        let described = format!("{request:?}");
        match request.send().await {
            Ok(response) => response,
            Err(error) => panic!(
                "{described} failed: {error:?}\n{}",
                self.database_activity().await
            ),
        }
    }

    /// Whether this portal runs on PostgreSQL (else SQLite).
    pub fn on_postgres(&self) -> bool {
        sesame::server::db::Backend::of_url(&self.state.config.database_url)
            == sesame::server::db::Backend::Postgres
    }

    /// On PostgreSQL, the other sessions of this test's database: their
    /// state, what they wait for, since when, and their statement.
    pub async fn database_activity(&self) -> String {
        if !self.on_postgres() {
            return String::new();
        }
        let sessions: Result<Vec<(String, String, String, String)>, _> = sqlx::query_as(
            "SELECT COALESCE(state, ''), COALESCE(wait_event_type || ':' || wait_event, ''), \
             COALESCE((now() - xact_start)::text, ''), COALESCE(LEFT(query, 300), '') FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        .fetch_all(&self.state.db)
        .await;
        match sessions {
            Ok(sessions) => sessions
                .iter()
                .map(|(state, wait, open_for, query)| {
                    format!("session {state}, waits {wait}, transaction open {open_for}: {query}\n")
                })
                .collect(),
            Err(error) => format!("pg_stat_activity unreadable: {error}"),
        }
    }

    pub async fn get(&self, path: &str) -> Page {
        self.get_with(path, &[]).await
    }

    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Page {
        let mut request = self.client.get(format!("{}{path}", self.address));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = self.send(request).await;
        Page {
            status: response.status().as_u16(),
            body: response.text().await.unwrap(),
        }
    }

    /// Opens the signup page and draws its captcha image, as a browser would;
    /// returns the challenge id.
    pub async fn open_signup(&self) -> String {
        self.open_captcha("/inscription", None).await
    }

    /// Opens the form at `path` (as `cookie`'s owner when given) and draws
    /// its captcha image, as a browser would; returns the challenge id.
    pub async fn open_captcha(&self, path: &str, cookie: Option<&str>) -> String {
        let page = match cookie {
            Some(cookie) => self.get_as(path, cookie).await.page(),
            None => self.get(path).await,
        };
        assert_eq!(page.status, 200);
        let challenge = page
            .value_of("captcha_id")
            .expect("no captcha_id in the form");
        let image = self
            .client
            .get(format!("{}/captcha/{challenge}.png", self.address))
            .send()
            .await
            .unwrap();
        assert_eq!(image.status(), 200);
        assert_eq!(image.headers()["content-type"], "image/png");
        challenge
    }

    pub async fn post_signup(&self, form: &[(String, String)]) -> Page {
        self.post_signup_with(form, &[]).await
    }

    pub async fn post_signup_with(
        &self,
        form: &[(String, String)],
        headers: &[(&str, &str)],
    ) -> Page {
        let mut request = self
            .client
            .post(format!("{}/inscription", self.address))
            .form(form);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = self.send(request).await;
        Page {
            status: response.status().as_u16(),
            body: response.text().await.unwrap(),
        }
    }

    /// Opens the page, draws the captcha, and posts `form` with it.
    pub async fn sign_up(&self, mut form: Vec<(String, String)>) -> Page {
        let challenge = self.open_signup().await;
        form.push(("captcha_id".into(), challenge));
        self.post_signup(&form).await
    }

    /// The outbox, bodies opened with the server's key.
    pub async fn emails(&self) -> Vec<StoredEmail> {
        let stored: Vec<StoredEmail> = sqlx::query_as(
            "SELECT id, kind, recipient, subject, text_body, html_body, attempts, sent_at, \
             abandoned_at, last_error FROM outbox ORDER BY created_at, id",
        )
        .fetch_all(&self.state.db)
        .await
        .unwrap();
        stored
            .into_iter()
            .map(|mut email| {
                (email.text_body, email.html_body) = sesame::mail::outbox::open_bodies(
                    &self.state,
                    &email.id,
                    &email.text_body,
                    &email.html_body,
                )
                .expect("a stored email does not open");
                email
            })
            .collect()
    }

    pub async fn count(&self, table: &str) -> i64 {
        let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&self.state.db)
            .await
            .unwrap();
        n
    }

    /// Waits (up to 10 s) until `check` holds for the outbox.
    pub async fn wait_for_emails(
        &self,
        check: impl Fn(&[StoredEmail]) -> bool,
    ) -> Vec<StoredEmail> {
        for _ in 0..200 {
            let emails = self.emails().await;
            if check(&emails) {
                return emails;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!(
            "the outbox never reached the expected state: {:#?}",
            self.emails().await
        );
    }
}

/// A complete, valid signup form (without the captcha id).
pub fn valid_form(login_email: &str) -> Vec<(String, String)> {
    [
        ("login_email", login_email),
        ("login_email_confirmation", login_email),
        ("contact_email", ""),
        ("last_name", "Dupont"),
        ("first_name", "Paul"),
        ("address", "12 rue des Lilas"),
        ("address_complement_1", "Bâtiment B"),
        ("address_complement_2", ""),
        ("postal_code", "42000"),
        ("city", "Saint-Étienne"),
        ("country", "FR"),
        ("phone", "04 77 12 34 56"),
        ("fax", ""),
        ("captcha_answer", CAPTCHA_ANSWER),
        ("intent", "sign_up"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// `form` with `field` set to `value`.
pub fn with(mut form: Vec<(String, String)>, field: &str, value: &str) -> Vec<(String, String)> {
    for (name, current) in form.iter_mut() {
        if name == field {
            *current = value.to_owned();
        }
    }
    form
}

/// A unique address for one test.
pub fn unique_email() -> String {
    format!(
        "paul.{}@menuiserie.fr",
        &sesame::server::tokens::new_id().unwrap()[..10]
    )
}

/// The activation link of an email's text.
pub fn activation_link(text: &str) -> String {
    text.split_whitespace()
        .find(|word| word.contains("/activation/"))
        .expect("no activation link in the email")
        .to_owned()
}

pub const PASSWORD: &str = "Vanille-Fraise-2026";

pub struct Response {
    pub status: u16,
    pub location: Option<String>,
    /// The first `Set-Cookie` (the session's or the pending login's).
    pub set_cookie: Option<String>,
    /// Every `Set-Cookie`, in order.
    pub set_cookies: Vec<String>,
    pub body: String,
}

impl Response {
    pub fn page(&self) -> Page {
        Page {
            status: self.status,
            body: self.body.clone(),
        }
    }

    /// `name=value` of the cookie `name` this response sets.
    pub fn cookie_named(&self, name: &str) -> Option<String> {
        self.set_cookies
            .iter()
            .filter_map(|c| c.split(';').next())
            .find(|pair| pair.split('=').next() == Some(name))
            .map(str::to_owned)
    }

    /// `name=value` of the session cookie set by this response.
    pub fn session_cookie(&self) -> Option<String> {
        self.set_cookie
            .as_ref()
            .and_then(|c| c.split(';').next())
            .map(str::to_owned)
    }
}

async fn into_response(response: reqwest::Response) -> Response {
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let location = header("location");
    let set_cookie = header("set-cookie");
    let set_cookies = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(str::to_owned)
        .collect();
    Response {
        status: response.status().as_u16(),
        location,
        set_cookie,
        set_cookies,
        body: response.text().await.unwrap(),
    }
}

impl TestApp {
    pub async fn post_form(
        &self,
        path: &str,
        form: &[(&str, &str)],
        cookie: Option<&str>,
    ) -> Response {
        let mut request = self
            .client
            .post(format!("{}{path}", self.address))
            .form(form);
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        into_response(self.send(request).await).await
    }

    /// Posts an empty form to `path` `times` times at once (an emailed
    /// link's button pressed from many tabs, or by an attacker racing it);
    /// returns the statuses.
    pub async fn post_at_once(&self, path: &str, times: usize) -> Vec<u16> {
        let posts = (0..times).map(|_| self.post_form(path, &[], None));
        futures::future::join_all(posts)
            .await
            .into_iter()
            .map(|r| r.status)
            .collect()
    }

    /// "Mot de passe oublié ?" with the right captcha: the question step.
    pub async fn ask_secret_question(&self, email: &str, cookie: Option<&str>) -> Response {
        let challenge = self.open_captcha("/mot-de-passe-oublie", cookie).await;
        self.post_form(
            "/mot-de-passe-oublie",
            &[
                ("intent", "request"),
                ("login_email", email),
                ("captcha_id", &challenge),
                ("captcha_answer", CAPTCHA_ANSWER),
            ],
            cookie,
        )
        .await
    }

    /// Answers the question shown by `question_page`.
    pub async fn answer_secret_question(&self, question_page: &Response, answer: &str) -> Response {
        let flow = question_page.page().value_of("flow").expect("no flow");
        self.post_form(
            "/mot-de-passe-oublie",
            &[
                ("intent", "answer"),
                ("flow", &flow),
                ("secret_answer", answer),
            ],
            None,
        )
        .await
    }

    pub async fn get_as(&self, path: &str, cookie: &str) -> Response {
        let request = self
            .client
            .get(format!("{}{path}", self.address))
            .header("cookie", cookie);
        into_response(self.send(request).await).await
    }

    /// Signs up and returns the activation token from the email.
    pub async fn create_pending_account(&self, email: &str) -> String {
        let page = self.sign_up(valid_form(email)).await;
        assert_eq!(page.status, 200, "signup refused");
        self.activation_token(email).await
    }

    /// The token of the newest activation link emailed to `email`
    /// (waiting for one).
    pub async fn activation_token(&self, email: &str) -> String {
        let emails = self
            .wait_for_emails(|e| {
                e.iter()
                    .any(|m| m.recipient == email && m.kind == "activation")
            })
            .await;
        let last = emails
            .iter()
            .rev()
            .find(|m| m.recipient == email && m.kind == "activation")
            .unwrap();
        activation_link(&last.text_body)
            .rsplit('/')
            .next()
            .unwrap()
            .to_owned()
    }

    pub async fn activate(&self, token: &str, password: &str, confirmation: &str) -> Response {
        self.post_form(
            &format!("/activation/{token}"),
            &[
                ("intent", "activate"),
                ("password", password),
                ("password_confirmation", confirmation),
                ("secret_question", "Nom de mon premier chien ?"),
                ("secret_answer", "  Médor "),
            ],
            None,
        )
        .await
    }

    /// An active account with `PASSWORD`.
    pub async fn create_active_account(&self, email: &str) {
        let token = self.create_pending_account(email).await;
        self.clock.advance(jiff::SignedDuration::from_mins(1));
        let response = self.activate(&token, PASSWORD, PASSWORD).await;
        assert_eq!(
            response.status, 303,
            "activation refused: {}",
            response.body
        );
        self.clock.advance(jiff::SignedDuration::from_mins(1));
    }

    /// A structure in the directory (`siret`, 14 digits; `name`), as an
    /// administrator's `/gestion` would create it.
    pub async fn create_structure(&self, siret: &str, name: &str) {
        sqlx::query("INSERT INTO structures (id, siret, name, created_at) VALUES ($1, $2, $3, 0)")
            .bind(sesame::server::tokens::new_id().unwrap())
            .bind(siret)
            .bind(name)
            .execute(&self.state.db)
            .await
            .unwrap();
    }

    pub async fn log_in(&self, email: &str, password: &str) -> Response {
        self.post_form(
            "/connexion",
            &[("email", email), ("password", password)],
            None,
        )
        .await
    }

    /// Sets the account's own language (`fr`, `en`), as "Mon compte" would.
    pub async fn set_language(&self, email: &str, code: &str) {
        sqlx::query("UPDATE accounts SET language = $1 WHERE login_email = $2")
            .bind(code)
            .bind(email)
            .execute(&self.state.db)
            .await
            .unwrap();
    }

    /// Logs in through both steps (the password, then the emailed code
    /// read from the outbox) and returns the session cookie.
    pub async fn logged_in(&self, email: &str) -> String {
        self.logged_in_with(email, PASSWORD).await
    }

    /// [`TestApp::logged_in`] with `password`.
    pub async fn logged_in_with(&self, email: &str, password: &str) -> String {
        let pending = self.password_step(email, password).await;
        let code = self.emailed_code(email).await;
        let answer = self.second_step(&pending, "email", &code).await;
        assert_eq!(answer.status, 303, "second step refused: {}", answer.body);
        answer.session_cookie().expect("no session cookie")
    }

    /// The password step: asserts it leads to the second step, and returns
    /// the pending login's cookie (`name=value`).
    pub async fn password_step(&self, email: &str, password: &str) -> String {
        let response = self.log_in(email, password).await;
        assert_eq!(response.status, 303, "login refused: {}", response.body);
        assert_eq!(response.location.as_deref(), Some("/verification"));
        let cookie = response.session_cookie().expect("no pending login cookie");
        assert!(cookie.contains("sesame_pending="), "{cookie}");
        cookie
    }

    /// The newest second-step code emailed to `email` that no call has read
    /// yet (waiting for it), read from its email.
    pub async fn emailed_code(&self, email: &str) -> String {
        let unread = |e: &StoredEmail| {
            e.kind == "second_step_code"
                && e.recipient == email
                && !self.codes_read.lock().unwrap().contains(&e.id)
        };
        let emails = self
            .wait_for_emails(|emails| emails.iter().any(unread))
            .await;
        let newest = emails.iter().rev().find(|e| unread(e)).unwrap();
        self.codes_read.lock().unwrap().push(newest.id.clone());
        code_in(&newest.text_body)
    }

    /// Finishes the login whose password step answered `login`: the code
    /// emailed to `email`, posted with the pending login's cookie (and
    /// `other_cookies`, `name=value; …`, that the browser also holds).
    pub async fn through_second_step(
        &self,
        login: &Response,
        email: &str,
        other_cookies: Option<&str>,
    ) -> Response {
        assert_eq!(
            login.location.as_deref(),
            Some("/verification"),
            "{}",
            login.body
        );
        let pending = login.session_cookie().expect("no pending login cookie");
        let cookies = match other_cookies {
            Some(other) => format!("{other}; {pending}"),
            None => pending,
        };
        let code = self.emailed_code(email).await;
        self.second_step(&cookies, "email", &code).await
    }

    /// Posts the second step's form (`method`: `email`, `app`, `recovery`).
    pub async fn second_step(&self, pending: &str, method: &str, code: &str) -> Response {
        self.post_form(
            "/verification",
            &[("method", method), ("code", code), ("intent", "verify")],
            Some(pending),
        )
        .await
    }

    pub async fn event_kinds(&self, email: &str) -> Vec<String> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT e.kind FROM account_events e JOIN accounts a ON a.id = e.account_id \
             WHERE a.login_email = $1 ORDER BY e.occurred_at, e.id",
        )
        .bind(email)
        .fetch_all(&self.state.db)
        .await
        .unwrap();
        rows.into_iter().map(|(k,)| k).collect()
    }
}

/// The first run of exactly six digits in an email's text: its code.
pub fn code_in(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut start = 0;
    while start < bytes.len() {
        if bytes[start].is_ascii_digit() {
            let end = (start..bytes.len())
                .find(|i| !bytes[*i].is_ascii_digit())
                .unwrap_or(bytes.len());
            if end - start == 6 {
                return text[start..end].to_owned();
            }
            start = end;
        } else {
            start += 1;
        }
    }
    panic!("no code in: {text}")
}

/// Asserts that exactly one of `statuses` is `success` and that the others
/// were refused cleanly (4xx, never a server error).
pub fn exactly_one(statuses: &[u16], success: u16) {
    assert_eq!(
        statuses.iter().filter(|s| **s == success).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses
            .iter()
            .all(|s| *s == success || (400..500).contains(s)),
        "{statuses:?}"
    );
}

pub async fn account_id(app: &TestApp, email: &str) -> String {
    let (id,): (String,) = sqlx::query_as("SELECT id FROM accounts WHERE login_email = $1")
        .bind(email)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    id
}

pub async fn contact_of(app: &TestApp, email: &str) -> Option<String> {
    let (contact,): (Option<String>,) =
        sqlx::query_as("SELECT contact_email FROM accounts WHERE login_email = $1")
            .bind(email)
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    contact
}

/// The link of the newest email of `kind` to `recipient`.
pub async fn link_in(app: &TestApp, recipient: &str, kind: &str, marker: &str) -> String {
    let emails = app
        .wait_for_emails(|e| e.iter().any(|m| m.recipient == recipient && m.kind == kind))
        .await;
    let email = emails
        .iter()
        .rev()
        .find(|m| m.recipient == recipient && m.kind == kind)
        .unwrap();
    let link = email
        .text_body
        .split_whitespace()
        .find(|w| w.contains(marker))
        .unwrap_or_else(|| panic!("no link in {}", email.text_body));
    link.trim_start_matches("http://127.0.0.1").to_owned()
}

/// The link of a contact address change, asked from "Mon compte" in the
/// session `cookie`.
pub async fn contact_confirmation_link(app: &TestApp, cookie: &str, new_contact: &str) -> String {
    let asked = app
        .post_form(
            "/mon-compte/contact",
            &[("contact_email", new_contact)],
            Some(cookie),
        )
        .await;
    assert_eq!(asked.status, 200, "{}", asked.body);
    link_in(
        app,
        new_contact,
        "contact_confirmation",
        "/adresse-de-contact/",
    )
    .await
}

/// The confirmation link of a login address change, asked from "Mon compte"
/// in the session `cookie`.
pub async fn login_confirmation_link(app: &TestApp, cookie: &str, new_login: &str) -> String {
    let asked = app
        .post_form(
            "/mon-compte/identifiant",
            &[("new_login_email", new_login), ("login_password", PASSWORD)],
            Some(cookie),
        )
        .await;
    assert_eq!(asked.status, 200, "{}", asked.body);
    link_in(app, new_login, "login_confirmation", "/adresse-de-contact/").await
}

/// The whole request with the right answer; returns the reset token.
pub async fn reset_token(app: &TestApp, email: &str) -> String {
    let before = reset_emails(app, email).await;
    let question = app.ask_secret_question(email, None).await;
    let sent = app.answer_secret_question(&question, "medor").await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    new_reset_token(app, email, &before).await
}

/// The ids of the reset emails sent to `email` so far.
pub async fn reset_emails(app: &TestApp, email: &str) -> Vec<String> {
    app.emails()
        .await
        .into_iter()
        .filter(|m| m.recipient == email && m.kind == "password_reset")
        .map(|m| m.id)
        .collect()
}

/// The token of a reset email to `email` that is not one of `before`.
pub async fn new_reset_token(app: &TestApp, email: &str, before: &[String]) -> String {
    let is_new = |m: &StoredEmail| {
        m.recipient == email && m.kind == "password_reset" && !before.contains(&m.id)
    };
    let emails = app.wait_for_emails(|e| e.iter().any(is_new)).await;
    let last = emails.iter().find(|m| is_new(m)).unwrap();
    let link = last
        .text_body
        .split_whitespace()
        .find(|w| w.contains("/nouveau-mot-de-passe/"))
        .expect("no reset link in the email");
    link.rsplit('/').next().unwrap().to_owned()
}

pub async fn submit_reset(
    app: &TestApp,
    token: &str,
    password: &str,
    confirmation: &str,
) -> Response {
    app.post_form(
        &format!("/nouveau-mot-de-passe/{token}"),
        &[
            ("password", password),
            ("password_confirmation", confirmation),
        ],
        None,
    )
    .await
}

/// What a server function answered: its status and its JSON.
pub struct FnAnswer {
    pub status: u16,
    pub set_cookie: Option<String>,
    pub json: Value,
}

impl FnAnswer {
    /// The page state of `Outcome::Page`.
    pub fn page(&self) -> &Value {
        assert_eq!(self.status, 200, "{}", self.json);
        self.json
            .get("Page")
            .unwrap_or_else(|| panic!("not a page: {}", self.json))
    }

    /// The path of `Outcome::GoTo`, or of `Outcome::PersonChanged`.
    pub fn go_to(&self) -> &str {
        assert_eq!(self.status, 200, "{}", self.json);
        self.json["GoTo"]
            .as_str()
            .or_else(|| self.json["PersonChanged"]["path"].as_str())
            .unwrap_or_else(|| panic!("not a GoTo: {}", self.json))
    }

    /// `name=value` of the session cookie this answer set.
    pub fn session_cookie(&self) -> Option<String> {
        self.set_cookie
            .as_ref()
            .and_then(|c| c.split(';').next())
            .map(str::to_owned)
    }

    /// The language of the pages after `Outcome::PersonChanged`.
    pub fn next_language(&self) -> &str {
        self.json["PersonChanged"]["lang"]
            .as_str()
            .unwrap_or_else(|| panic!("not a PersonChanged: {}", self.json))
    }
}

impl TestApp {
    /// Calls the server function at `/api/{endpoint}` as the page's script
    /// does: the form's fields, url-encoded, from this origin.
    pub async fn call(
        &self,
        endpoint: &str,
        form: &[(&str, &str)],
        cookie: Option<&str>,
    ) -> FnAnswer {
        let mut request = self
            .client
            .post(format!("{}/api/{endpoint}", self.address))
            .header("accept", "application/json")
            .header("origin", self.address.as_str())
            .form(form);
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        let response = self.send(request).await;
        let status = response.status().as_u16();
        let set_cookie = response
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = response.text().await.unwrap();
        let json =
            serde_json::from_str(&body).unwrap_or_else(|_| panic!("not JSON ({status}): {body}"));
        FnAnswer {
            status,
            set_cookie,
            json,
        }
    }
}

/// Makes `email` an administrator.
pub async fn make_admin(app: &TestApp, email: &str) {
    sqlx::query("UPDATE accounts SET role = 'admin' WHERE login_email = $1")
        .bind(email)
        .execute(&app.state.db)
        .await
        .unwrap();
}

/// The id of the structure of `siret`.
pub async fn structure_id(app: &TestApp, siret: &str) -> String {
    let (id,): (String,) = sqlx::query_as("SELECT id FROM structures WHERE siret = $1")
        .bind(siret)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    id
}

/// An administrator names `email` manager of `siret`'s structure.
pub async fn name_manager(app: &TestApp, admin_cookie: &str, email: &str, siret: &str) {
    let named = app
        .post_form(
            "/gestion",
            &[
                ("intent", "name_manager"),
                ("email", email),
                ("structure_siret", siret),
                ("reason", "Responsable administratif"),
            ],
            Some(admin_cookie),
        )
        .await;
    assert_eq!(named.status, 200, "{}", named.body);
}

/// `email` asks to join the structure of `siret` from "Mon compte".
pub async fn ask_to_join(app: &TestApp, email: &str, siret: &str) {
    let cookie = app.logged_in(email).await;
    let asked = app
        .post_form(
            "/mon-compte/rattachement",
            &[("siret", siret)],
            Some(&cookie),
        )
        .await;
    assert_eq!(asked.status, 200, "{}", asked.body);
}

/// `admin_cookie`'s person approves `email`'s request to join `siret`.
pub async fn approve(app: &TestApp, admin_cookie: &str, email: &str, siret: &str) {
    let approved = app
        .post_form(
            "/gestion",
            &[
                ("intent", "approve"),
                ("account_id", &account_id(app, email).await),
                ("structure_id", &structure_id(app, siret).await),
                ("reason", "Salarié confirmé"),
            ],
            Some(admin_cookie),
        )
        .await;
    assert_eq!(approved.status, 200, "{}", approved.body);
}
