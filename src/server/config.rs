//! Configuration from environment variables (and `.env`), each with a safe
//! default; see README.md for the list.

use super::password::HashCost;
use super::secret_key::SecretKey;
use crate::i18n::Lang;
use jiff::tz::TimeZone;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Everything the server reads from its environment. `Debug` hides the
/// passwords of `database_url` and `smtp_url` (OWASP Logging Cheat Sheet:
/// no credentials in logs); the secret key hides itself.
#[derive(Clone)]
pub struct Config {
    /// `LEPTOS_SITE_ADDR`: where the server listens.
    pub site_addr: SocketAddr,
    /// `SESAME_PUBLIC_URL`: base of every emailed link, without a trailing `/`.
    pub public_url: String,
    /// `SESAME_DATABASE_URL`: `sqlite:…` or `postgres:…`.
    pub database_url: String,
    /// `SESAME_SMTP_URL`: unset means the dev mailbox.
    pub smtp_url: Option<String>,
    /// `SESAME_MAIL_FROM`: the notification address.
    pub mail_from: String,
    /// `SESAME_SMTP_UTF8`: the relay offers SMTPUTF8 (RFC 6531), so an
    /// address with other than ASCII before its `@` can be accepted.
    pub smtp_utf8: bool,
    /// `SESAME_PRODUCTION`: refuses unsafe settings and hides dev tools.
    pub production: bool,
    /// `SESAME_CAPTCHA_TEST_ANSWER`: fixes every captcha's answer (tests only).
    pub captcha_test_answer: Option<String>,
    /// `SESAME_DEFAULT_LANG`: `fr` or `en`.
    pub default_lang: Lang,
    /// `SESAME_TIMEZONE`: the zone of dates written in emails.
    pub timezone: TimeZone,
    pub timezone_name: String,
    /// `SESAME_ACTIVATION_LINK_HOURS`: validity of an activation link.
    pub activation_link_hours: u32,
    /// `SESAME_CAPTCHA_MINUTES`: validity of a captcha image.
    pub captcha_minutes: u32,
    /// `SESAME_OUTBOX_POLL_MS`: how often the outbox worker looks for work.
    pub outbox_poll_ms: u64,
    /// `SESAME_OUTBOX_MAX_ATTEMPTS`: attempts before an email is abandoned.
    pub outbox_max_attempts: u32,
    /// `LEPTOS_SITE_ROOT`: where the built site (pkg/, assets) is.
    pub site_root: PathBuf,
    /// `SESAME_ARGON2_MEMORY_KIB`, `SESAME_ARGON2_ITERATIONS`,
    /// `SESAME_ARGON2_PARALLELISM`: the password hashing cost.
    pub hash_cost: HashCost,
    /// `SESAME_SESSION_IDLE_MINUTES`: a session ends after this long idle.
    pub session_idle_minutes: u32,
    /// `SESAME_SESSION_MAX_HOURS`: a session ends after this long in all.
    pub session_max_hours: u32,
    /// `SESAME_LOGIN_MAX_FAILURES`: failed logins on one address before a lock.
    pub login_max_failures: u32,
    /// `SESAME_LOGIN_LOCK_MINUTES`: the window of those failures and the lock.
    pub login_lock_minutes: u32,
    /// `SESAME_CLIENT_MAX_ATTEMPTS`: logins from one client address per window.
    pub client_max_attempts: u32,
    /// `SESAME_TRUST_FORWARDED_FOR`: take the client address from
    /// `X-Forwarded-For` (only behind a proxy that sets it).
    pub trust_forwarded_for: bool,
    /// `SESAME_PENDING_ACCOUNT_DAYS`: a pending account is deleted after this.
    pub pending_account_days: u32,
    /// `SESAME_ACTIVATION_RESEND_MINUTES`: at most one activation email per
    /// account in this time.
    pub activation_resend_minutes: u32,
    /// `SESAME_SECRET_KEY` (or the file `SESAME_SECRET_KEY_FILE`): seals the
    /// outbox's email bodies.
    pub secret_key: SecretKey,
    /// `SESAME_RESET_LINK_MINUTES`: validity of a password-reset link.
    pub reset_link_minutes: u32,
    /// `SESAME_RECOVERY_MAX_WRONG_ANSWERS`: wrong secret answers in an hour
    /// before recovery pauses for `SESAME_RECOVERY_PAUSE_MINUTES`.
    pub recovery_max_wrong_answers: u32,
    pub recovery_pause_minutes: u32,
    /// `SESAME_RESET_EMAILS_PER_HOUR`: reset emails per account and hour.
    pub reset_emails_per_hour: u32,
    /// `SESAME_STEADY_ANSWER_MS`: the least time signup, login, the
    /// forgotten-password steps and the reactivation request take to
    /// answer, whoever the address belongs to (`server::steady`).
    pub steady_answer_ms: u64,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("site_addr", &self.site_addr)
            .field("public_url", &self.public_url)
            .field("database_url", &redact_url_password(&self.database_url))
            .field(
                "smtp_url",
                &self.smtp_url.as_deref().map(redact_url_password),
            )
            .field("mail_from", &self.mail_from)
            .field("smtp_utf8", &self.smtp_utf8)
            .field("production", &self.production)
            .field("captcha_test_answer", &self.captcha_test_answer)
            .field("default_lang", &self.default_lang)
            .field("timezone", &self.timezone)
            .field("timezone_name", &self.timezone_name)
            .field("activation_link_hours", &self.activation_link_hours)
            .field("captcha_minutes", &self.captcha_minutes)
            .field("outbox_poll_ms", &self.outbox_poll_ms)
            .field("outbox_max_attempts", &self.outbox_max_attempts)
            .field("site_root", &self.site_root)
            .field("hash_cost", &self.hash_cost)
            .field("session_idle_minutes", &self.session_idle_minutes)
            .field("session_max_hours", &self.session_max_hours)
            .field("login_max_failures", &self.login_max_failures)
            .field("login_lock_minutes", &self.login_lock_minutes)
            .field("client_max_attempts", &self.client_max_attempts)
            .field("trust_forwarded_for", &self.trust_forwarded_for)
            .field("pending_account_days", &self.pending_account_days)
            .field("activation_resend_minutes", &self.activation_resend_minutes)
            .field("secret_key", &self.secret_key)
            .field("reset_link_minutes", &self.reset_link_minutes)
            .field(
                "recovery_max_wrong_answers",
                &self.recovery_max_wrong_answers,
            )
            .field("recovery_pause_minutes", &self.recovery_pause_minutes)
            .field("reset_emails_per_hour", &self.reset_emails_per_hour)
            .field("steady_answer_ms", &self.steady_answer_ms)
            .finish()
    }
}

/// The URL with its password, if any, replaced by `[redacted]`; text that
/// is not a URL is hidden whole, since it could be anything.
pub fn redact_url_password(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                // Only fails for URLs that cannot have a password at all.
                let _ = parsed.set_password(Some("[redacted]"));
            }
            parsed.to_string()
        }
        Err(_) => "[redacted]".to_owned(),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name}: {problem}")]
    Invalid { name: &'static str, problem: String },
    #[error("refused in production mode (SESAME_PRODUCTION=true): {0}")]
    UnsafeInProduction(String),
}

fn var(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

fn parsed<T: std::str::FromStr>(name: &'static str, default: T) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    match var(name) {
        None => Ok(default),
        Some(raw) => raw.parse().map_err(|e: T::Err| ConfigError::Invalid {
            name,
            problem: format!("{raw:?}: {e}"),
        }),
    }
}

impl Config {
    /// Reads the environment (after loading `.env`, if there is one).
    pub fn from_env() -> Result<Config, ConfigError> {
        let _ = dotenvy::dotenv();
        let site_addr: SocketAddr =
            parsed("LEPTOS_SITE_ADDR", SocketAddr::from(([127, 0, 0, 1], 3000)))?;
        let public_url = var("SESAME_PUBLIC_URL")
            .unwrap_or_else(|| format!("http://{site_addr}"))
            .trim_end_matches('/')
            .to_owned();
        url::Url::parse(&public_url).map_err(|e| ConfigError::Invalid {
            name: "SESAME_PUBLIC_URL",
            problem: e.to_string(),
        })?;
        let default_lang = match var("SESAME_DEFAULT_LANG") {
            None => Lang::Fr,
            Some(code) => Lang::from_code(&code).ok_or(ConfigError::Invalid {
                name: "SESAME_DEFAULT_LANG",
                problem: format!("{code:?} is neither fr nor en"),
            })?,
        };
        let timezone_name = var("SESAME_TIMEZONE").unwrap_or_else(|| "Europe/Paris".into());
        let timezone = TimeZone::get(&timezone_name).map_err(|e| ConfigError::Invalid {
            name: "SESAME_TIMEZONE",
            problem: e.to_string(),
        })?;
        let production: bool = parsed("SESAME_PRODUCTION", false)?;
        let secret_key = match var("SESAME_SECRET_KEY") {
            Some(hex_key) => SecretKey::from_hex(&hex_key).map_err(|problem| ConfigError::Invalid {
                name: "SESAME_SECRET_KEY",
                problem,
            })?,
            None if production => {
                return Err(ConfigError::UnsafeInProduction(
                    "SESAME_SECRET_KEY is required (64 hexadecimal characters, the same for every instance)"
                        .into(),
                ))
            }
            None => {
                let file = var("SESAME_SECRET_KEY_FILE").unwrap_or_else(|| "data/secret.key".into());
                SecretKey::from_file(std::path::Path::new(&file)).map_err(|problem| {
                    ConfigError::Invalid {
                        name: "SESAME_SECRET_KEY_FILE",
                        problem,
                    }
                })?
            }
        };
        let config = Config {
            site_addr,
            public_url,
            database_url: var("SESAME_DATABASE_URL")
                .unwrap_or_else(|| "sqlite:data/sesame.db".into()),
            smtp_url: var("SESAME_SMTP_URL"),
            mail_from: var("SESAME_MAIL_FROM")
                .unwrap_or_else(|| "Sésame <notification@sesame.localhost>".into()),
            smtp_utf8: parsed("SESAME_SMTP_UTF8", false)?,
            production,
            secret_key,
            captcha_test_answer: var("SESAME_CAPTCHA_TEST_ANSWER"),
            default_lang,
            timezone,
            timezone_name,
            activation_link_hours: parsed("SESAME_ACTIVATION_LINK_HOURS", 4)?,
            captcha_minutes: parsed("SESAME_CAPTCHA_MINUTES", 10)?,
            outbox_poll_ms: parsed("SESAME_OUTBOX_POLL_MS", 1000)?,
            outbox_max_attempts: parsed("SESAME_OUTBOX_MAX_ATTEMPTS", 12)?,
            site_root: PathBuf::from(
                var("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into()),
            ),
            hash_cost: HashCost {
                memory_kib: parsed("SESAME_ARGON2_MEMORY_KIB", HashCost::OWASP.memory_kib)?,
                iterations: parsed("SESAME_ARGON2_ITERATIONS", HashCost::OWASP.iterations)?,
                parallelism: parsed("SESAME_ARGON2_PARALLELISM", HashCost::OWASP.parallelism)?,
            },
            session_idle_minutes: parsed("SESAME_SESSION_IDLE_MINUTES", 30)?,
            session_max_hours: parsed("SESAME_SESSION_MAX_HOURS", 12)?,
            login_max_failures: parsed("SESAME_LOGIN_MAX_FAILURES", 5)?,
            login_lock_minutes: parsed("SESAME_LOGIN_LOCK_MINUTES", 15)?,
            client_max_attempts: parsed("SESAME_CLIENT_MAX_ATTEMPTS", 50)?,
            trust_forwarded_for: parsed("SESAME_TRUST_FORWARDED_FOR", false)?,
            pending_account_days: parsed("SESAME_PENDING_ACCOUNT_DAYS", 30)?,
            activation_resend_minutes: parsed("SESAME_ACTIVATION_RESEND_MINUTES", 5)?,
            reset_link_minutes: parsed("SESAME_RESET_LINK_MINUTES", 60)?,
            recovery_max_wrong_answers: parsed("SESAME_RECOVERY_MAX_WRONG_ANSWERS", 5)?,
            recovery_pause_minutes: parsed("SESAME_RECOVERY_PAUSE_MINUTES", 60)?,
            reset_emails_per_hour: parsed("SESAME_RESET_EMAILS_PER_HOUR", 3)?,
            steady_answer_ms: parsed("SESAME_STEADY_ANSWER_MS", 150)?,
        };
        config.check()?;
        Ok(config)
    }

    /// Whether the dev mailbox (`/dev/mailbox`, which shows every email with
    /// its links) and the page that panics on purpose are served: only
    /// where nothing else receives the emails, that is without an SMTP
    /// relay and outside production (CWE-489, active debug code).
    pub fn dev_surfaces(&self) -> bool {
        !self.production && self.smtp_url.is_none()
    }

    /// What is on for development only, one line each, for the start-up
    /// log: nothing in production.
    pub fn development_notices(&self) -> Vec<String> {
        let mut notices = Vec::new();
        if self.dev_surfaces() {
            notices.push(format!(
                "dev mailbox ON at {}{}: no SESAME_SMTP_URL, so every email is kept there \
                 (and {} panics on purpose)",
                self.public_url,
                crate::paths::DEV_MAILBOX_PATH,
                crate::paths::DEV_PANIC_PATH
            ));
        }
        if self.captcha_test_answer.is_some() {
            notices.push(
                "SESAME_CAPTCHA_TEST_ANSWER is set: every captcha has a fixed answer. \
                 Never use it outside tests."
                    .to_owned(),
            );
        }
        notices
    }

    /// Refuses settings that would be unsafe in production.
    pub fn check(&self) -> Result<(), ConfigError> {
        if let Err(e) = self.mail_from.parse::<lettre::message::Mailbox>() {
            return Err(ConfigError::Invalid {
                name: "SESAME_MAIL_FROM",
                problem: e.to_string(),
            });
        }
        if self.activation_link_hours == 0
            || self.captcha_minutes == 0
            || self.session_idle_minutes == 0
            || self.session_max_hours == 0
            || self.login_max_failures == 0
            || self.reset_link_minutes == 0
            || self.recovery_max_wrong_answers == 0
            || self.recovery_pause_minutes == 0
            || self.reset_emails_per_hour == 0
        {
            return Err(ConfigError::Invalid {
                name: "durations and limits",
                problem: "must be at least 1".into(),
            });
        }
        if self.production {
            if !self.hash_cost.at_least_owasp() {
                return Err(ConfigError::UnsafeInProduction(
                    "the argon2 cost is below OWASP's minimum (19456 KiB, 2 iterations)".into(),
                ));
            }
            if self.captcha_test_answer.is_some() {
                return Err(ConfigError::UnsafeInProduction(
                    "SESAME_CAPTCHA_TEST_ANSWER makes the captcha useless".into(),
                ));
            }
            if self.smtp_url.is_none() {
                return Err(ConfigError::UnsafeInProduction(
                    "SESAME_SMTP_URL is required: the dev mailbox does not exist in production"
                        .into(),
                ));
            }
            if !self.public_url.starts_with("https://") {
                return Err(ConfigError::UnsafeInProduction(
                    "SESAME_PUBLIC_URL must be https".into(),
                ));
            }
        }
        Ok(())
    }

    /// Whether the session and language cookies get the `Secure` flag.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// A configuration for tests: in memory only, with the given database.
    pub fn for_tests(database_url: String) -> Config {
        Config {
            site_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            public_url: "http://127.0.0.1".into(),
            database_url,
            smtp_url: None,
            mail_from: "Sésame <notification@sesame.test>".into(),
            smtp_utf8: false,
            production: false,
            captcha_test_answer: None,
            default_lang: Lang::Fr,
            timezone: TimeZone::get("Europe/Paris").unwrap_or(TimeZone::UTC),
            timezone_name: "Europe/Paris".into(),
            activation_link_hours: 4,
            captcha_minutes: 10,
            outbox_poll_ms: 50,
            outbox_max_attempts: 12,
            site_root: PathBuf::from("target/site"),
            hash_cost: HashCost::TESTS,
            session_idle_minutes: 30,
            session_max_hours: 12,
            login_max_failures: 5,
            login_lock_minutes: 15,
            client_max_attempts: 50,
            trust_forwarded_for: false,
            pending_account_days: 30,
            activation_resend_minutes: 5,
            secret_key: SecretKey::random().unwrap_or(SecretKey::from_bytes([7; 32])),
            reset_link_minutes: 60,
            recovery_max_wrong_answers: 5,
            recovery_pause_minutes: 60,
            reset_emails_per_hour: 3,
            // Tests that time answers set it; the others need not wait.
            steady_answer_ms: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_refuses_a_fixed_captcha_answer() {
        let config = Config {
            production: true,
            smtp_url: Some("smtp://127.0.0.1:25".into()),
            public_url: "https://sesame.example".into(),
            captcha_test_answer: Some("ABCDE".into()),
            ..Config::for_tests("sqlite::memory:".into())
        };
        assert!(matches!(
            config.check(),
            Err(ConfigError::UnsafeInProduction(_))
        ));
        let config = Config {
            captcha_test_answer: None,
            ..config
        };
        assert!(
            config.check().is_err(),
            "the test hashing cost was accepted"
        );
        let config = Config {
            hash_cost: HashCost::OWASP,
            ..config
        };
        assert!(config.check().is_ok());
    }

    #[test]
    fn production_refuses_the_dev_mailbox_and_plain_http() {
        let base = Config {
            production: true,
            ..Config::for_tests("sqlite::memory:".into())
        };
        assert!(base.check().is_err());
        let with_smtp = Config {
            smtp_url: Some("smtp://127.0.0.1:25".into()),
            ..base
        };
        assert!(with_smtp.check().is_err(), "http public URL accepted");
    }

    #[test]
    fn debug_shows_no_password_of_the_database_or_smtp_url() {
        let config = Config {
            smtp_url: Some("smtps://postier:Tres-Secret-1@smtp.example:465".into()),
            ..Config::for_tests("postgres://sesame:Mot-De-Passe-2@db.example/sesame".into())
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("Tres-Secret-1"), "{shown}");
        assert!(!shown.contains("Mot-De-Passe-2"), "{shown}");
        assert!(shown.contains("smtp.example") && shown.contains("db.example"));
    }

    #[test]
    fn text_that_is_not_a_url_is_hidden_whole() {
        assert_eq!(redact_url_password("not a url: secret"), "[redacted]");
        assert_eq!(
            redact_url_password("smtp://127.0.0.1:1025"),
            "smtp://127.0.0.1:1025"
        );
    }
}
