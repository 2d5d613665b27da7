//! What each form of "Mon compte" leads to, on both doors: one
//! [`MyAccountForm::answer`] per form, called by its plain post
//! (`handlers::post_form`) and by its server function (`mod.rs`). Each
//! calls the service of the flow the change belongs to (`changes` here,
//! `contact`, `accounts::memberships`), then draws "Mon compte" with what
//! it said: a notice, or the errors beside their fields with what was
//! typed (never a password), or a failure's reference.

use super::changes::{
    close_sessions, deactivate_own_account, forget_browsers, replace_password, replace_secret,
    save_language, save_profile,
};
use super::forms::{
    AttachForm, BrowserForm, ContactForm, DeactivateForm, LanguageForm, LoginChangeForm,
    PasswordChangeForm, SecretChangeForm, SessionForm,
};
use super::profile::ProfileForm;
use super::service::{connected_state, known_browsers, sessions};
use super::{AccountNotice, ConnectedPage, ConnectedPageState};
use crate::accounts::memberships::request_membership;
use crate::contact::service::{request_change, request_login_change};
use crate::domain::EmailAddress;
use crate::paths::{LANGUAGE_SWITCH_PATH, MY_ACCOUNT_PATH};
use crate::server::door::Answer;
use crate::server::web::{Connected, Verdict};
use crate::server::{language, session, AppState};
use axum::http::{HeaderMap, StatusCode};
use std::future::Future;

/// A form of "Mon compte", answered the same on both doors.
pub trait MyAccountForm: serde::de::DeserializeOwned + Send + 'static {
    /// "Mon compte" after the form (or the page to go on to), for the
    /// person `connected`; `headers` are the request's (its language, its
    /// session). Errors: the database failed before anything could be
    /// drawn.
    fn answer(
        self,
        state: AppState,
        headers: HeaderMap,
        connected: Connected,
    ) -> impl Future<Output = anyhow::Result<Answer<ConnectedPageState>>> + Send;
}

/// The state of the connected `page` for the account, after `adjust` has
/// added what a form produced (a notice, errors, what was typed), with
/// `status` for the plain door.
///
/// Errors: the database failed.
pub async fn connected_answer(
    state: &AppState,
    headers: &HeaderMap,
    account_id: &str,
    page: ConnectedPage,
    status: StatusCode,
    adjust: impl FnOnce(&mut ConnectedPageState),
) -> anyhow::Result<Answer<ConnectedPageState>> {
    let lang = language::of_headers(headers, state.config.default_lang);
    let mut shown = connected_state(state, account_id, lang, page).await?;
    if page == ConnectedPage::MyAccount {
        let current = session::request_id_hash(state, headers);
        shown.sessions = sessions(state, account_id, current.as_deref(), lang).await?;
        shown.browsers = known_browsers(state, headers, account_id, lang).await?;
    }
    adjust(&mut shown);
    Ok(Answer::Page(status, shown))
}

/// "Mon compte" after one of its forms: its notice, or its errors, or the
/// failure's reference, with `keep_typed` putting back what was typed when
/// the change was not made.
async fn my_account_after<N>(
    state: &AppState,
    headers: &HeaderMap,
    account_id: &str,
    verdict: Verdict<N>,
    notice: impl FnOnce(N) -> Option<AccountNotice>,
    keep_typed: impl FnOnce(&mut ConnectedPageState),
) -> anyhow::Result<Answer<ConnectedPageState>> {
    let status = verdict.status();
    connected_answer(
        state,
        headers,
        account_id,
        ConnectedPage::MyAccount,
        status,
        |shown| match verdict {
            Verdict::Done(done) => shown.notice = notice(done),
            Verdict::Refused(errors) => {
                shown.errors = errors;
                keep_typed(shown);
            }
            Verdict::Failed(reference) => {
                shown.failure = Some(reference);
                keep_typed(shown);
            }
        },
    )
    .await
}

/// The notice `key` naming the address a confirmation link went to.
fn link_sent(key: &str, address: EmailAddress) -> AccountNotice {
    AccountNotice {
        key: key.into(),
        email: address.to_string(),
    }
}

/// "Modifier le mot de passe".
impl MyAccountForm for PasswordChangeForm {
    async fn answer(
        self,
        state: AppState,
        headers: HeaderMap,
        connected: Connected,
    ) -> anyhow::Result<Answer<ConnectedPageState>> {
        let id = &connected.account_id;
        let answered = replace_password(&state, id, Some(&connected.session_id_hash), &self).await;
        let mut renewed = None;
        let answered = answered.map(|done| {
            done.map(|replaced| {
                renewed = replaced.session;
                replaced.notice
            })
        });
        let verdict = Verdict::of(answered, "password change");
        let answer = my_account_after(&state, &headers, id, verdict, Some, |_| {}).await?;
        Ok(match (answer, renewed) {
            (Answer::Page(_, mut page), Some(renewed)) => {
                // This browser's session goes on under its new id.
                for line in &mut page.sessions {
                    line.current = renewed.id_hash.starts_with(&line.handle);
                }
                Answer::PageRenewing(page, renewed.cookie)
            }
            (answer, _) => answer,
        })
    }
}

/// "Question secrète": the question as typed comes back after a refusal,
/// never the answer.
impl MyAccountForm for SecretChangeForm {
    async fn answer(
        self,
        state: AppState,
        headers: HeaderMap,
        connected: Connected,
    ) -> anyhow::Result<Answer<ConnectedPageState>> {
        let id = &connected.account_id;
        let answered = replace_secret(&state, id, &self).await;
        let verdict = Verdict::of(answered, "secret change");
        let typed: String = self.secret_question.chars().take(200).collect();
        my_account_after(&state, &headers, id, verdict, Some, |page| {
            page.typed.secret_question = typed
        })
        .await
    }
}

/// Ends one session of the account, or all the others. Ending this very
/// session is logging out: the login box says so.
impl MyAccountForm for SessionForm {
    async fn answer(
        self,
        state: AppState,
        headers: HeaderMap,
        connected: Connected,
    ) -> anyhow::Result<Answer<ConnectedPageState>> {
        let id = &connected.account_id;
        let answered = close_sessions(&state, id, &connected.session_id_hash, &self.session)
            .await
            .map(|ended| {
                Ok(AccountNotice {
                    key: if ended == 0 {
                        "account.sessions_none_ended".into()
                    } else {
                        "account.sessions_ended".into()
                    },
                    email: String::new(),
                })
            });
        if session::current(&state, &headers).await?.is_none() {
            return Ok(Answer::session_ended(&state, "logged_out"));
        }
        let verdict = Verdict::of(answered, "ending sessions");
        my_account_after(&state, &headers, id, verdict, Some, |_| {}).await
    }
}

/// Forgets one known browser, or all: their next login is told again.
impl MyAccountForm for BrowserForm {
    async fn answer(
        self,
        state: AppState,
        headers: HeaderMap,
        connected: Connected,
    ) -> anyhow::Result<Answer<ConnectedPageState>> {
        let id = &connected.account_id;
        let answered = forget_browsers(&state, id, &self.browser)
            .await
            .map(|forgotten| {
                Ok(AccountNotice {
                    key: if forgotten == 0 {
                        "account.browsers_none_forgotten".into()
                    } else {
                        "account.browsers_forgotten".into()
                    },
                    email: String::new(),
                })
            });
        let verdict = Verdict::of(answered, "forgetting browsers");
        my_account_after(&state, &headers, id, verdict, Some, |_| {}).await
    }
}

/// Names, postal address, phone and fax, with the signup's rules; the
/// details as typed come back after a refusal.
impl MyAccountForm for ProfileForm {
    async fn answer(
        self,
        state: AppState,
        headers: HeaderMap,
        connected: Connected,
    ) -> anyhow::Result<Answer<ConnectedPageState>> {
        let id = &connected.account_id;
        let answered = save_profile(&state, id, &self).await;
        let verdict = Verdict::of(answered, "details change");
        my_account_after(&state, &headers, id, verdict, Some, |page| {
            page.typed.profile = Some(self)
        })
        .await
    }
}

/// The language of the emails and of the pages: saved, then the language
/// switch sets the browser's cookie and comes back to "Mon compte". An
/// unknown language changes nothing.
impl MyAccountForm for LanguageForm {
    async fn answer(
        self,
        state: AppState,
        _headers: HeaderMap,
        connected: Connected,
    ) -> anyhow::Result<Answer<ConnectedPageState>> {
        match save_language(&state, &connected.account_id, &self.language).await? {
            Some(lang) => Ok(Answer::go_to(format!(
                "{LANGUAGE_SWITCH_PATH}?lang={}&next={MY_ACCOUNT_PATH}",
                lang.code()
            ))),
            None => Ok(Answer::go_to(MY_ACCOUNT_PATH)),
        }
    }
}

/// "Modifier l'identifiant de connexion": a confirmation link to the new
/// address, after the password; the address as typed comes back when the
/// change was not asked.
impl MyAccountForm for LoginChangeForm {
    async fn answer(
        self,
        state: AppState,
        headers: HeaderMap,
        connected: Connected,
    ) -> anyhow::Result<Answer<ConnectedPageState>> {
        let lang = language::of_headers(&headers, state.config.default_lang);
        let id = &connected.account_id;
        let answered = request_login_change(
            &state,
            id,
            &self.new_login_email,
            &self.login_password,
            lang,
        )
        .await;
        let verdict = Verdict::of(answered, "login change");
        let typed: String = self.new_login_email.chars().take(254).collect();
        my_account_after(
            &state,
            &headers,
            id,
            verdict,
            |address| Some(link_sent("account.login_link_sent", address)),
            |page| page.typed.new_login_email = typed,
        )
        .await
    }
}

/// "Modifier l'adresse de contact": a confirmation link to the new
/// address; the address as typed comes back when the change was not asked.
impl MyAccountForm for ContactForm {
    async fn answer(
        self,
        state: AppState,
        headers: HeaderMap,
        connected: Connected,
    ) -> anyhow::Result<Answer<ConnectedPageState>> {
        let lang = language::of_headers(&headers, state.config.default_lang);
        let id = &connected.account_id;
        let answered = request_change(&state, id, &self.contact_email, lang).await;
        let verdict = Verdict::of(answered, "contact change");
        let typed: String = self.contact_email.chars().take(254).collect();
        my_account_after(
            &state,
            &headers,
            id,
            verdict,
            |address| Some(link_sent("account.contact_link_sent", address)),
            |page| page.typed.contact_email = typed,
        )
        .await
    }
}

/// "Demander un rattachement": the request goes to the structure's
/// managers; the SIRET as typed comes back after a refusal.
impl MyAccountForm for AttachForm {
    async fn answer(
        self,
        state: AppState,
        headers: HeaderMap,
        connected: Connected,
    ) -> anyhow::Result<Answer<ConnectedPageState>> {
        let id = &connected.account_id;
        let answered = request_membership(&state, id, &self.siret).await;
        let verdict = Verdict::of(answered, "membership request");
        let typed: String = self.siret.chars().take(30).collect();
        my_account_after(
            &state,
            &headers,
            id,
            verdict,
            |structure| {
                Some(AccountNotice {
                    key: "account.membership_requested".into(),
                    email: structure,
                })
            },
            |page| page.typed.siret = typed,
        )
        .await
    }
}

/// "Désactiver mon compte", confirmed by the password: the sessions end
/// and the login box says the account is deactivated; a wrong password is
/// refused next to its field.
impl MyAccountForm for DeactivateForm {
    async fn answer(
        self,
        state: AppState,
        headers: HeaderMap,
        connected: Connected,
    ) -> anyhow::Result<Answer<ConnectedPageState>> {
        let id = &connected.account_id;
        let answered = deactivate_own_account(&state, id, &self.deactivate_password).await;
        let verdict = Verdict::of(answered, "deactivation");
        if verdict.is_done() {
            return Ok(Answer::session_ended(&state, "deactivated"));
        }
        my_account_after(&state, &headers, id, verdict, |()| None, |_| {}).await
    }
}
