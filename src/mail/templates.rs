//! Email bodies: pure functions of their data, in text and HTML, French or
//! English. The HTML part is written in one place only, [`html_page`], from
//! typed paragraphs ([`Para`]) whose every text and address it escapes: no
//! template writes markup, so none can forget to escape.

use super::OutgoingEmail;
use crate::accounts::ActedBy;
use crate::i18n::Lang;
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use jiff::{tz::TimeZone, Timestamp};

/// A date and time as the person's language writes it, in the portal's zone:
/// `23/08/2016 18:29:52 (CEST)` or `23 August 2016, 18:29:52 (CEST)`.
pub fn format_datetime(lang: Lang, at: Timestamp, zone: &TimeZone) -> String {
    let zoned = at.to_zoned(zone.clone());
    match lang {
        Lang::Fr => zoned.strftime("%d/%m/%Y %H:%M:%S (%Z)").to_string(),
        Lang::En => zoned.strftime("%-d %B %Y, %H:%M:%S (%Z)").to_string(),
    }
}

/// [`format_datetime`] of a time stored as Unix seconds (the database's
/// columns); `None` when it is outside the range of dates jiff can hold.
pub fn format_unix_seconds(lang: Lang, seconds: i64, zone: &TimeZone) -> Option<String> {
    Timestamp::from_second(seconds)
        .ok()
        .map(|at| format_datetime(lang, at, zone))
}

/// One paragraph of an email's HTML part.
enum Para<'a> {
    /// Text only.
    Text(&'a str),
    /// Text, then a link (`href`, shown as `label`), then `after`.
    Link {
        before: &'a str,
        href: &'a str,
        label: &'a str,
        after: &'a str,
    },
}

/// The frame of every HTML email, around `paragraphs` and the signature;
/// the only writer of email markup, escaping every value it is given.
fn html_page(lang: Lang, title: &str, paragraphs: &[Para<'_>]) -> String {
    let body: Vec<String> = paragraphs
        .iter()
        .map(|para| match para {
            Para::Text(words) => format!("<p>{}</p>", text(words)),
            Para::Link {
                before,
                href,
                label,
                after,
            } => format!(
                "<p>{} <a href=\"{}\">{}</a>{}</p>",
                text(before),
                attr(href),
                text(label),
                text(after)
            ),
        })
        .collect();
    format!(
        "<!DOCTYPE html>\n<html lang=\"{code}\">\n<head><meta charset=\"utf-8\"><title>{title}</title></head>\n\
         <body style=\"font-family: Arial, sans-serif; color: #161616; line-height: 1.5; max-width: 40em;\">\n\
         {body}\n<p>{signature}</p>\n</body>\n</html>\n",
        code = lang.code(),
        title = text(title),
        body = body.join("\n"),
        signature = text(&lang.t("email.signature")),
    )
}

/// "Bonjour Paul Dupont," for a confirmed account; "Bonjour," for a
/// message to an address nobody has confirmed yet, which must not carry
/// text a visitor typed (part 9, item 4: a stranger's "name" would reach
/// any mailbox from the State's address).
fn greeting(lang: Lang, full_name: Option<&str>) -> String {
    match full_name {
        Some(name) => lang.t_with("email.greeting", &[("name", name)]),
        None => lang.t("email.greeting_unconfirmed"),
    }
}

/// Why an activation link is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActivationOccasion {
    /// A signup, "Réactiver", or an administrator created from the command
    /// line.
    First,
    /// Someone signed up again with the address of an account still
    /// waiting for its activation: the email says so, and that only this
    /// newest link works (part 9, item 3).
    SignupAgain,
}

/// The activation email (guide, section 1), to an address not confirmed
/// yet: it quotes nothing the visitor typed, not even the name.
pub fn activation(
    lang: Lang,
    occasion: ActivationOccasion,
    recipient: &str,
    link: &str,
    valid_until: &str,
) -> OutgoingEmail {
    let subject = lang.t("email.activation.subject");
    let greeting = greeting(lang, None);
    let invite = match occasion {
        ActivationOccasion::First => lang.t("email.activation.invite"),
        ActivationOccasion::SignupAgain => format!(
            "{} {}",
            lang.t("email.activation.signup_again"),
            lang.t("email.activation.invite")
        ),
    };
    let link_label = lang.t("email.activation.link_label");
    let validity = lang.t_with("email.activation.validity", &[("until", valid_until)]);
    let ignore = lang.t("email.activation.not_you");
    let signature = lang.t("email.signature");
    let text_body =
        format!("{greeting}\n\n{invite}\n{link}\n\n{validity}\n\n{ignore}\n\n{signature}\n");
    let html_body = html_page(
        lang,
        &subject,
        &[
            Para::Text(&greeting),
            Para::Link {
                before: &invite,
                href: link,
                label: &link_label,
                after: ".",
            },
            Para::Text(&validity),
            Para::Text(&ignore),
        ],
    );
    OutgoingEmail {
        kind: "activation",
        recipient: recipient.to_owned(),
        subject,
        text: text_body,
        html: html_body,
    }
}

/// A security notice: what happened, what to do if it was the owner (with
/// a link to the portal), and what if it was not. `key` names the notice's
/// block in the catalogue (`subject`, `what`, `if_you`, `if_not`).
fn notice(
    lang: Lang,
    kind: &'static str,
    key: &str,
    recipient: &str,
    full_name: &str,
    what_args: &[(&str, &str)],
    portal_url: &str,
) -> OutgoingEmail {
    let what = lang.t_with(&format!("email.{key}.what"), what_args);
    notice_saying(lang, kind, key, recipient, full_name, what, portal_url)
}

/// [`notice`] with its "what happened" sentence already written.
fn notice_saying(
    lang: Lang,
    kind: &'static str,
    key: &str,
    recipient: &str,
    full_name: &str,
    what: String,
    portal_url: &str,
) -> OutgoingEmail {
    let subject = lang.t(&format!("email.{key}.subject"));
    let greeting = lang.t_with("email.greeting", &[("name", full_name)]);
    let if_you = lang.t(&format!("email.{key}.if_you"));
    let if_not = lang.t(&format!("email.{key}.if_not"));
    let signature = lang.t("email.signature");
    let text_body =
        format!("{greeting}\n\n{what}\n\n{if_you}\n{portal_url}\n\n{if_not}\n\n{signature}\n");
    let html_body = html_page(
        lang,
        &subject,
        &[
            Para::Text(&greeting),
            Para::Text(&what),
            Para::Link {
                before: &if_you,
                href: portal_url,
                label: portal_url,
                after: "",
            },
            Para::Text(&if_not),
        ],
    );
    OutgoingEmail {
        kind,
        recipient: recipient.to_owned(),
        subject,
        text: text_body,
        html: html_body,
    }
}

/// Someone tried to create an account with an address that already has one:
/// its owner is told, and nothing else happens.
pub fn signup_attempt(
    lang: Lang,
    recipient: &str,
    full_name: &str,
    portal_url: &str,
) -> OutgoingEmail {
    let args = [("email", recipient)];
    notice(
        lang,
        "signup_attempt",
        "signup_attempt",
        recipient,
        full_name,
        &args,
        portal_url,
    )
}

/// Too many failed logins: the address is locked for a while; its owner is
/// told once per lock.
pub fn login_locked(
    lang: Lang,
    recipient: &str,
    full_name: &str,
    minutes: i64,
    portal_url: &str,
) -> OutgoingEmail {
    let minutes = minutes.to_string();
    let args = [("minutes", minutes.as_str())];
    notice(
        lang,
        "login_locked",
        "login_locked",
        recipient,
        full_name,
        &args,
        portal_url,
    )
}

/// An email whose point is one link: what happened, the link, until when
/// it works, and what to do if the person did not ask for it. `key` names
/// the block in the catalogue (`subject`, `what`, `invite`, `link_label`,
/// `validity`, `not_you`).
#[allow(clippy::too_many_arguments)]
fn link_email(
    lang: Lang,
    kind: &'static str,
    key: &str,
    recipient: &str,
    full_name: Option<&str>,
    what_args: &[(&str, &str)],
    link: &str,
    valid_until: &str,
) -> OutgoingEmail {
    let t = |part: &str| lang.t(&format!("email.{key}.{part}"));
    let subject = t("subject");
    let greeting = greeting(lang, full_name);
    let what = lang.t_with(&format!("email.{key}.what"), what_args);
    let invite = t("invite");
    let link_label = t("link_label");
    let validity = lang.t_with(&format!("email.{key}.validity"), &[("until", valid_until)]);
    let not_you = t("not_you");
    let signature = lang.t("email.signature");
    let text_body = format!(
        "{greeting}\n\n{what}\n\n{invite}\n{link}\n\n{validity}\n\n{not_you}\n\n{signature}\n"
    );
    let html_body = html_page(
        lang,
        &subject,
        &[
            Para::Text(&greeting),
            Para::Text(&what),
            Para::Link {
                before: &invite,
                href: link,
                label: &link_label,
                after: ".",
            },
            Para::Text(&validity),
            Para::Text(&not_you),
        ],
    );
    OutgoingEmail {
        kind,
        recipient: recipient.to_owned(),
        subject,
        text: text_body,
        html: html_body,
    }
}

/// "Procédure de perte de mot de passe" (guide, section 4): tells the person
/// that the procedure was started, with the link to choose a new password.
pub fn password_reset(
    lang: Lang,
    recipient: &str,
    full_name: &str,
    link: &str,
    valid_until: &str,
) -> OutgoingEmail {
    let args = [("email", recipient)];
    link_email(
        lang,
        "password_reset",
        "password_reset",
        recipient,
        Some(full_name),
        &args,
        link,
        valid_until,
    )
}

/// How a login was made, as the new-browser notice says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoginMethod {
    /// The password, then a code emailed.
    EmailedCode,
    /// The password, then the authenticator app's code.
    App,
    /// The password, then a recovery code.
    RecoveryCode,
    /// The password, then a security key.
    SecurityKey,
    /// A passkey from the login box, with no password.
    Passkey,
}

impl LoginMethod {
    /// The catalogue key of its words ("votre mot de passe et une clé de
    /// sécurité").
    fn message_key(self) -> &'static str {
        match self {
            LoginMethod::EmailedCode => "email.new_browser.how_email",
            LoginMethod::App => "email.new_browser.how_app",
            LoginMethod::RecoveryCode => "email.new_browser.how_recovery",
            LoginMethod::SecurityKey => "email.new_browser.how_key",
            LoginMethod::Passkey => "email.new_browser.how_passkey",
        }
    }
}

/// "Nouvelle connexion à votre compte Sésame" (issue 27): a login from a
/// browser the account did not know, `at` (formatted), from `browser`
/// (its browser and system in words), made `how`, with the "Ce n'était
/// pas moi" link
/// (`link`, working until `valid_until`) and the reminder that Sésame
/// never asks for a code by phone or email.
#[allow(clippy::too_many_arguments)]
pub fn new_browser(
    lang: Lang,
    recipient: &str,
    full_name: &str,
    at: &str,
    browser: &str,
    how: LoginMethod,
    link: &str,
    valid_until: &str,
) -> OutgoingEmail {
    let how = lang.t(how.message_key());
    let args = [("at", at), ("browser", browser), ("how", how.as_str())];
    link_email(
        lang,
        "new_browser",
        "new_browser",
        recipient,
        Some(full_name),
        &args,
        link,
        valid_until,
    )
}

/// After "Ce n'était pas moi": every session ended, and the link to choose
/// a new password (`link`, working until `valid_until`).
pub fn not_me_reset(
    lang: Lang,
    recipient: &str,
    full_name: &str,
    link: &str,
    valid_until: &str,
) -> OutgoingEmail {
    let args = [("email", recipient)];
    link_email(
        lang,
        "not_me_reset",
        "not_me_reset",
        recipient,
        Some(full_name),
        &args,
        link,
        valid_until,
    )
}

/// A new contact address must be confirmed from a link sent to it.
pub fn contact_confirmation(
    lang: Lang,
    new_address: &str,
    link: &str,
    valid_until: &str,
) -> OutgoingEmail {
    let args = [("email", new_address)];
    link_email(
        lang,
        "contact_confirmation",
        "contact_confirmation",
        new_address,
        None,
        &args,
        link,
        valid_until,
    )
}

/// "Enregistrement de la modification de l'adresse de contact", to the old
/// address: with a link that reverts the change.
pub fn contact_changed_old(
    lang: Lang,
    old_address: &str,
    full_name: &str,
    new_address: &str,
    revert_link: &str,
    valid_until: &str,
) -> OutgoingEmail {
    let args = [("email", new_address)];
    link_email(
        lang,
        "contact_changed_old",
        "contact_changed_old",
        old_address,
        Some(full_name),
        &args,
        revert_link,
        valid_until,
    )
}

/// The same change, told to the new address.
pub fn contact_changed_new(
    lang: Lang,
    new_address: &str,
    full_name: &str,
    login_email: &str,
    portal_url: &str,
) -> OutgoingEmail {
    let args = [("login", login_email)];
    notice(
        lang,
        "contact_changed_new",
        "contact_changed_new",
        new_address,
        full_name,
        &args,
        portal_url,
    )
}

/// The password was changed from "Mon compte".
pub fn password_changed_in_account(
    lang: Lang,
    recipient: &str,
    full_name: &str,
    at: &str,
    portal_url: &str,
) -> OutgoingEmail {
    let args = [("at", at)];
    notice(
        lang,
        "password_changed",
        "password_changed_in_account",
        recipient,
        full_name,
        &args,
        portal_url,
    )
}

/// The secret question and answer were changed from "Mon compte".
pub fn secret_changed(
    lang: Lang,
    recipient: &str,
    full_name: &str,
    at: &str,
    portal_url: &str,
) -> OutgoingEmail {
    let args = [("at", at)];
    notice(
        lang,
        "secret_changed",
        "secret_changed",
        recipient,
        full_name,
        &args,
        portal_url,
    )
}

/// A new login address must be confirmed from a link sent to it.
pub fn login_confirmation(
    lang: Lang,
    new_address: &str,
    link: &str,
    valid_until: &str,
) -> OutgoingEmail {
    let args = [("email", new_address)];
    link_email(
        lang,
        "login_confirmation",
        "login_confirmation",
        new_address,
        None,
        &args,
        link,
        valid_until,
    )
}

/// The login address changed: the old one is told.
pub fn login_changed(
    lang: Lang,
    old_address: &str,
    full_name: &str,
    new_address: &str,
    portal_url: &str,
) -> OutgoingEmail {
    let args = [("email", new_address)];
    notice(
        lang,
        "login_changed",
        "login_changed",
        old_address,
        full_name,
        &args,
        portal_url,
    )
}

/// "Désactivation d'un compte", to the login address.
pub fn account_deactivated(
    lang: Lang,
    login_email: &str,
    full_name: &str,
    by: ActedBy,
    reason: Option<&str>,
    portal_url: &str,
) -> OutgoingEmail {
    let mut what = lang.t(&format!("email.account_deactivated.what_{}", by.key()));
    if let Some(reason) = reason {
        what.push(' ');
        what.push_str(&lang.t_with("email.reason", &[("reason", reason)]));
    }
    notice_saying(
        lang,
        "account_deactivated",
        "account_deactivated",
        login_email,
        full_name,
        what,
        portal_url,
    )
}

/// "Demande de réactivation du compte", to the contact address.
pub fn reactivation_requested(
    lang: Lang,
    contact_email: &str,
    full_name: &str,
    login_email: &str,
    portal_url: &str,
) -> OutgoingEmail {
    let args = [("login", login_email)];
    notice(
        lang,
        "reactivation_requested",
        "reactivation_requested",
        contact_email,
        full_name,
        &args,
        portal_url,
    )
}

/// "Réactivation d'un compte", to the contact address.
pub fn account_reactivated(
    lang: Lang,
    contact_email: &str,
    full_name: &str,
    login_email: &str,
    reason: &str,
    portal_url: &str,
) -> OutgoingEmail {
    let mut what = lang.t_with("email.account_reactivated.what", &[("login", login_email)]);
    what.push(' ');
    what.push_str(&lang.t_with("email.reason", &[("reason", reason)]));
    notice_saying(
        lang,
        "account_reactivated",
        "account_reactivated",
        contact_email,
        full_name,
        what,
        portal_url,
    )
}

/// A manager's or an administrator's answer to a request to be attached to
/// a structure.
pub fn membership_decided(
    lang: Lang,
    contact_email: &str,
    full_name: &str,
    structure: &str,
    approved: bool,
    reason: &str,
    portal_url: &str,
) -> OutgoingEmail {
    let key = if approved {
        "membership_approved"
    } else {
        "membership_refused"
    };
    let mut what = lang.t_with(&format!("email.{key}.what"), &[("structure", structure)]);
    what.push(' ');
    what.push_str(&lang.t_with("email.reason", &[("reason", reason)]));
    notice_saying(
        lang,
        if approved {
            "membership_approved"
        } else {
            "membership_refused"
        },
        key,
        contact_email,
        full_name,
        what,
        portal_url,
    )
}

/// Too many wrong secret answers: the address's recovery is paused for a
/// while; its owner is told once per pause.
pub fn recovery_paused(
    lang: Lang,
    recipient: &str,
    full_name: &str,
    minutes: i64,
    portal_url: &str,
) -> OutgoingEmail {
    let minutes = minutes.to_string();
    let args = [("minutes", minutes.as_str())];
    notice(
        lang,
        "recovery_paused",
        "recovery_paused",
        recipient,
        full_name,
        &args,
        portal_url,
    )
}

/// The password was changed through "Mot de passe oublié ?".
pub fn password_changed(
    lang: Lang,
    recipient: &str,
    full_name: &str,
    at: &str,
    portal_url: &str,
) -> OutgoingEmail {
    let args = [("at", at)];
    notice(
        lang,
        "password_changed",
        "password_changed",
        recipient,
        full_name,
        &args,
        portal_url,
    )
}

/// The second step's emailed code: the code, how long it works, when and
/// from which browser the password was typed, and what to do if that was
/// not the owner (issue 26; OWASP MFA Cheat Sheet, "Email").
#[allow(clippy::too_many_arguments)]
pub fn second_step_code(
    lang: Lang,
    recipient: &str,
    full_name: &str,
    code: &str,
    minutes: i64,
    at: &str,
    browser: &str,
    portal_url: &str,
) -> OutgoingEmail {
    let minutes = minutes.to_string();
    let what = lang.t_with(
        "email.second_step_code.what",
        &[
            ("code", code),
            ("minutes", &minutes),
            ("at", at),
            ("browser", browser),
        ],
    );
    notice_saying(
        lang,
        "second_step_code",
        "second_step_code",
        recipient,
        full_name,
        what,
        portal_url,
    )
}

/// What changed in an account's second factors, for the owner's notice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FactorChange<'a> {
    AppAdded,
    AppRemoved,
    /// A security key named `name` was registered.
    KeyAdded {
        name: &'a str,
    },
    /// A passkey named `name` was registered (it logs in alone).
    PasskeyAdded {
        name: &'a str,
    },
    /// The security key named `name` was removed.
    KeyRemoved {
        name: &'a str,
    },
    RecoveryCodesRegenerated,
    /// A recovery code opened the account; `left` remain.
    RecoveryCodeUsed {
        left: i64,
    },
    EmailedCodesOn,
    EmailedCodesOff,
    /// Too many wrong second steps: locked for `minutes`.
    SecondStepLocked {
        minutes: i64,
    },
    /// 100 wrong second steps in a row: blocked until a password reset.
    SecondStepBlocked,
    /// A manager or an administrator reset the factors, for `reason`.
    Reset {
        by: ActedBy,
        reason: &'a str,
    },
}

impl FactorChange<'_> {
    /// The block of the catalogue under `email.`, and the outbox's kind.
    fn key(self) -> &'static str {
        match self {
            FactorChange::AppAdded => "factor_app_added",
            FactorChange::AppRemoved => "factor_app_removed",
            FactorChange::KeyAdded { .. } => "factor_key_added",
            FactorChange::PasskeyAdded { .. } => "factor_passkey_added",
            FactorChange::KeyRemoved { .. } => "factor_key_removed",
            FactorChange::RecoveryCodesRegenerated => "factor_codes_regenerated",
            FactorChange::RecoveryCodeUsed { .. } => "factor_code_used",
            FactorChange::EmailedCodesOn => "factor_emailed_on",
            FactorChange::EmailedCodesOff => "factor_emailed_off",
            FactorChange::SecondStepLocked { .. } => "second_step_locked",
            FactorChange::SecondStepBlocked => "second_step_blocked",
            FactorChange::Reset { .. } => "factors_reset",
        }
    }
}

/// A change of the account's second factors, told to the login address:
/// what happened and when, and what to do if it was not the owner.
pub fn factor_changed(
    lang: Lang,
    recipient: &str,
    full_name: &str,
    change: FactorChange<'_>,
    at: &str,
    portal_url: &str,
) -> OutgoingEmail {
    let key = change.key();
    let mut what = match change {
        FactorChange::RecoveryCodeUsed { left } => lang.t_with(
            &format!("email.{key}.what"),
            &[("at", at), ("left", &left.to_string())],
        ),
        FactorChange::SecondStepLocked { minutes } => lang.t_with(
            &format!("email.{key}.what"),
            &[("at", at), ("minutes", &minutes.to_string())],
        ),
        FactorChange::Reset { by, .. } => {
            lang.t_with(&format!("email.{key}.what_{}", by.key()), &[("at", at)])
        }
        FactorChange::KeyAdded { name }
        | FactorChange::PasskeyAdded { name }
        | FactorChange::KeyRemoved { name } => {
            lang.t_with(&format!("email.{key}.what"), &[("at", at), ("name", name)])
        }
        _ => lang.t_with(&format!("email.{key}.what"), &[("at", at)]),
    };
    if let FactorChange::Reset { reason, .. } = change {
        what.push(' ');
        what.push_str(&lang.t_with("email.reason", &[("reason", reason)]));
    }
    notice_saying(lang, key, key, recipient, full_name, what, portal_url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paris() -> TimeZone {
        TimeZone::get("Europe/Paris").unwrap()
    }

    #[test]
    fn dates_are_written_as_each_language_writes_them() {
        let at: Timestamp = "2016-08-23T16:29:52Z".parse().unwrap();
        assert_eq!(
            format_datetime(Lang::Fr, at, &paris()),
            "23/08/2016 18:29:52 (CEST)"
        );
        assert_eq!(
            format_datetime(Lang::En, at, &paris()),
            "23 August 2016, 18:29:52 (CEST)"
        );
    }

    #[test]
    fn the_activation_email_says_who_it_is_for_and_until_when_the_link_works() {
        let email = activation(
            Lang::Fr,
            ActivationOccasion::First,
            "paul.dupont@menuiserie.fr",
            "https://sesame.example/activation/abc",
            "23/08/2016 18:29:52 (CEST)",
        );
        assert_eq!(email.recipient, "paul.dupont@menuiserie.fr");
        assert!(email.text.starts_with("Bonjour,\n"), "{}", email.text);
        assert!(email.text.contains("https://sesame.example/activation/abc"));
        assert!(email.text.contains("23/08/2016 18:29:52"));
        assert!(email
            .html
            .contains("href=\"https://sesame.example/activation/abc\""));
        assert!(email.html.contains("lang=\"fr\""));
    }

    #[test]
    fn the_activation_email_exists_in_english() {
        let email = activation(
            Lang::En,
            ActivationOccasion::First,
            "a@b.fr",
            "https://x.example/a",
            "soon",
        );
        assert!(email.text.starts_with("Hello,\n"), "{}", email.text);
        assert!(
            email.subject.to_lowercase().contains("activate"),
            "{}",
            email.subject
        );
    }

    #[test]
    fn names_are_escaped_in_the_html_part() {
        let email = password_reset(
            Lang::Fr,
            "a@b.fr",
            "<script>x</script>",
            "https://x.example/a",
            "soon",
        );
        assert!(!email.html.contains("<script>"));
        assert!(email.html.contains("&lt;script&gt;"));
    }

    #[test]
    fn an_activation_sent_because_of_a_second_signup_says_so() {
        let again = activation(
            Lang::Fr,
            ActivationOccasion::SignupAgain,
            "a@b.fr",
            "https://x.example/activation/new",
            "soon",
        );
        assert!(
            again.text.contains("attend toujours son activation"),
            "{}",
            again.text
        );
        assert!(again.text.contains("https://x.example/activation/new"));
        let first = activation(
            Lang::Fr,
            ActivationOccasion::First,
            "a@b.fr",
            "https://x.example/a",
            "soon",
        );
        assert!(!first.text.contains("attend toujours"));
    }

    #[test]
    fn the_only_markup_writer_escapes_text_labels_and_addresses() {
        let html = html_page(
            Lang::Fr,
            "<title>",
            &[
                Para::Text("<b>gras</b> & co"),
                Para::Link {
                    before: "<i>",
                    href: "https://x.example/\"><script>",
                    label: "</a>",
                    after: "<u>",
                },
            ],
        );
        for raw in ["<b>", "<i>", "<script>", "</a><u>", "<title><"] {
            assert!(!html.contains(raw), "{raw} in {html}");
        }
        assert!(html.contains("&lt;b&gt;gras&lt;/b&gt; &amp; co"));
        assert!(
            html.contains("href=\"https://x.example/&quot;&gt;&lt;script&gt;\""),
            "{html}"
        );
    }

    #[test]
    fn emails_to_an_address_not_yet_confirmed_quote_no_name() {
        let stranger = "Gagnez sur www.gains-faciles.example";
        for email in [
            contact_confirmation(Lang::Fr, "x@y.fr", "https://x.example/c", "soon"),
            login_confirmation(Lang::En, "x@y.fr", "https://x.example/l", "soon"),
            activation(
                Lang::Fr,
                ActivationOccasion::First,
                "x@y.fr",
                "https://x.example/a",
                "soon",
            ),
        ] {
            assert!(!email.text.contains(stranger) && !email.html.contains("gains"));
            assert!(email.text.starts_with("Bonjour,\n") || email.text.starts_with("Hello,\n"));
        }
    }

    #[test]
    fn the_lock_notice_says_for_how_long() {
        let email = login_locked(Lang::Fr, "a@b.fr", "Paul Dupont", 15, "https://x.example");
        assert!(email.text.contains("pendant 15 minutes"), "{}", email.text);
        assert_eq!(email.kind, "login_locked");
    }

    #[test]
    fn the_signup_attempt_warning_points_to_the_portal() {
        let email = signup_attempt(Lang::En, "a@b.fr", "Paul Dupont", "https://x.example");
        assert!(email.text.contains("https://x.example"));
        assert_eq!(email.kind, "signup_attempt");
    }

    #[test]
    fn the_reset_email_carries_the_link_and_its_exact_validity() {
        let email = password_reset(
            Lang::Fr,
            "paul.dupont@menuiserie.fr",
            "Paul Dupont",
            "https://x.example/nouveau-mot-de-passe/abc",
            "02/03/2026 11:00:00 (CET)",
        );
        assert_eq!(email.kind, "password_reset");
        assert!(email
            .text
            .contains("https://x.example/nouveau-mot-de-passe/abc"));
        assert!(
            email.text.contains("02/03/2026 11:00:00 (CET)"),
            "{}",
            email.text
        );
        assert!(email
            .html
            .contains("href=\"https://x.example/nouveau-mot-de-passe/abc\""));
        let english = password_reset(
            Lang::En,
            "a@b.fr",
            "Paul Dupont",
            "https://x.example/r",
            "soon",
        );
        assert!(
            english.text.contains("Hello Paul Dupont"),
            "{}",
            english.text
        );
    }

    #[test]
    fn the_pause_and_change_notices_say_what_happened() {
        let paused = recovery_paused(Lang::Fr, "a@b.fr", "Paul Dupont", 60, "https://x.example");
        assert!(paused.text.contains("60 minutes"), "{}", paused.text);
        let changed = password_changed(
            Lang::En,
            "a@b.fr",
            "Paul Dupont",
            "2 March 2026, 10:00:00 (CET)",
            "https://x.example",
        );
        assert!(
            changed.text.contains("2 March 2026, 10:00:00 (CET)"),
            "{}",
            changed.text
        );
    }
}
