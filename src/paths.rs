//! The site's addresses, one home for every path a page, a form, an email
//! or the router names. Shared by both builds: the browser's router, the
//! server's routes, the forms' plain posts and the emailed links read them
//! from here, so an address is typed once.
//!
//! Paths are in French, as the guide's portal names its pages; a `_PREFIX`
//! is followed by `/<token>` (an emailed link), a `_FORM_PATH` answers the
//! plain post of one form of "Mon compte".

/// "Accueil non connecté" and its login box.
pub const HOME_PAGE_PATH: &str = "/";
/// "Créer votre compte": the page, and its plain post.
pub const SIGNUP_PATH: &str = "/inscription";
/// The activation link: `/activation/<token>` (guide, section 1).
pub const ACTIVATION_PREFIX: &str = "/activation";
/// "Vous n'avez pas reçu le courriel d'activation ?"
pub const RESEND_PATH: &str = "/activation-renvoyer";
/// The login box's plain post (the box itself is on the home page).
pub const LOGIN_PATH: &str = "/connexion";
/// "Déconnexion".
pub const LOGOUT_PATH: &str = "/deconnexion";
/// "Mot de passe oublié ?": both steps post here.
pub const FORGOT_PATH: &str = "/mot-de-passe-oublie";
/// "Gestion du mot de passe": `/nouveau-mot-de-passe/<token>`.
pub const RESET_PREFIX: &str = "/nouveau-mot-de-passe";
/// "Réactiver": asking for a deactivated account back.
pub const REACTIVATION_PATH: &str = "/reactivation";
/// A contact address's confirmation or undo link:
/// `/adresse-de-contact/<token>`.
pub const CONTACT_LINK_PREFIX: &str = "/adresse-de-contact";
/// "Ce n'était pas moi", from a new-browser notice:
/// `/ce-n-etait-pas-moi/<token>`; its button posts to the same address.
pub const NOT_ME_PREFIX: &str = "/ce-n-etait-pas-moi";
/// "Vérification en deux étapes": the login's second step, and its
/// plain post.
pub const VERIFICATION_PATH: &str = "/verification";
/// "Sécurité": the second factors of the connected person, and the plain
/// post of each of its forms.
pub const SECURITY_PATH: &str = "/securite";
/// The QR code of an authenticator app being added (SVG).
pub const SECURITY_QR_PATH: &str = "/securite/code-qr";
/// "Accueil connecté".
pub const HOME_PATH: &str = "/accueil";
/// "Mon compte"; its forms post to the paths below it.
pub const MY_ACCOUNT_PATH: &str = "/mon-compte";
pub const CONTACT_FORM_PATH: &str = "/mon-compte/contact";
pub const ATTACH_FORM_PATH: &str = "/mon-compte/rattachement";
pub const DEACTIVATE_FORM_PATH: &str = "/mon-compte/desactivation";
pub const PASSWORD_FORM_PATH: &str = "/mon-compte/mot-de-passe";
pub const SECRET_FORM_PATH: &str = "/mon-compte/question-secrete";
pub const SESSIONS_FORM_PATH: &str = "/mon-compte/sessions";
/// "Navigateurs connus": forgetting one, or all.
pub const BROWSERS_FORM_PATH: &str = "/mon-compte/navigateurs";
pub const LANGUAGE_FORM_PATH: &str = "/mon-compte/langue";
pub const PROFILE_FORM_PATH: &str = "/mon-compte/coordonnees";
pub const LOGIN_FORM_PATH: &str = "/mon-compte/identifiant";
/// "Gestion": structures, managers and accounts (managers, administrators).
pub const MANAGEMENT_PATH: &str = "/gestion";
/// The language switch (`?lang=en&next=/inscription`).
pub const LANGUAGE_SWITCH_PATH: &str = "/langue";
/// A captcha's image or sound: `/captcha/<id>.png`, `/captcha/<id>.wav`.
pub const CAPTCHA_PREFIX: &str = "/captcha";
/// Where server functions answer: `/api/<endpoint>`.
pub const SERVER_FN_PREFIX: &str = "/api";
/// The dev mailbox (never in production): `/dev/mailbox`, `/dev/mailbox/<id>`.
pub const DEV_MAILBOX_PATH: &str = "/dev/mailbox";
/// A page that panics on purpose, to see what the person gets then (never
/// in production).
pub const DEV_PANIC_PATH: &str = "/dev/panic";

/// The server's route for a path followed by one more segment named
/// `name`: `with_segment("/activation", "token")` is `/activation/{token}`
/// (axum's syntax).
pub fn with_segment(prefix: &str, name: &str) -> String {
    format!("{prefix}/{{{name}}}")
}

/// The login box on the home page that leads back to `next` once logged
/// in: `/?suivant=<next, percent-encoded>`, or `/` when `next` is empty.
/// `next` is checked again as a local path when the login box reads it
/// (`domain::redirect`, OWASP Unvalidated Redirects).
pub fn login_box_address(next: &str) -> String {
    if next.is_empty() {
        HOME_PAGE_PATH.to_owned()
    } else {
        with_next(HOME_PAGE_PATH, next)
    }
}

/// The login box saying what just happened: `/?info=<notice>`, where
/// `notice` is one of the words `login::LoginNotice::from_query` reads
/// (`activated`, `password_changed`, `deactivated`, `logged_out`).
pub fn login_box_saying(notice: &str) -> String {
    format!("{HOME_PAGE_PATH}?info={notice}")
}

/// `base?suivant=<next, percent-encoded>`.
pub fn with_next(base: &str, next: &str) -> String {
    format!("{base}?suivant={}", encode_query_value(next))
}

/// Percent-encodes a value for a query string (RFC 3986 unreserved
/// characters and `/` are kept as they are).
pub fn encode_query_value(raw: &str) -> String {
    raw.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_login_box_leads_back_to_the_page_asked_for_with_its_query_encoded() {
        assert_eq!(login_box_address(""), "/");
        assert_eq!(login_box_address("/mon-compte"), "/?suivant=/mon-compte");
        assert_eq!(
            login_box_address("/gestion?onglet=a&b=c"),
            "/?suivant=/gestion%3Fonglet%3Da%26b%3Dc"
        );
    }

    #[test]
    fn a_route_with_a_segment_is_written_in_axums_syntax() {
        assert_eq!(
            with_segment(ACTIVATION_PREFIX, "token"),
            "/activation/{token}"
        );
    }

    #[test]
    fn every_form_of_my_account_posts_below_it() {
        for path in [
            CONTACT_FORM_PATH,
            ATTACH_FORM_PATH,
            DEACTIVATE_FORM_PATH,
            PASSWORD_FORM_PATH,
            SECRET_FORM_PATH,
            SESSIONS_FORM_PATH,
            BROWSERS_FORM_PATH,
            LANGUAGE_FORM_PATH,
            PROFILE_FORM_PATH,
            LOGIN_FORM_PATH,
        ] {
            let rest = path.strip_prefix(MY_ACCOUNT_PATH).unwrap_or_default();
            assert!(
                rest.starts_with('/') && rest.len() > 1 && !rest[1..].contains('/'),
                "{path}"
            );
        }
    }
}
