//! The forms of "Mon compte" as typed: every field a string, nothing
//! checked yet. Shared by both doors: the plain post reads them from its
//! body, the server functions take them as their arguments, with the same
//! field names. `Debug` never shows a password or a secret answer.

use serde::{Deserialize, Serialize};

/// A `Debug` that names every field but shows the secret ones as
/// `[redacted]` (OWASP Logging Cheat Sheet: no passwords in logs).
macro_rules! debug_redacted {
    ($form:ident { $($shown:ident),* } secret { $($secret:ident),* }) => {
        impl std::fmt::Debug for $form {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($form))
                    $(.field(stringify!($shown), &self.$shown))*
                    $(.field(stringify!($secret), &"[redacted]"))*
                    .finish()
            }
        }
    };
}

/// "Modifier le mot de passe": the current one, then the new one twice.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PasswordChangeForm {
    pub current_password: String,
    pub password: String,
    pub password_confirmation: String,
}
debug_redacted!(PasswordChangeForm {} secret { current_password, password, password_confirmation });

/// "Question secrète": the new question and answer, after the password.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SecretChangeForm {
    pub secret_password: String,
    pub secret_question: String,
    pub secret_answer: String,
}
debug_redacted!(SecretChangeForm { secret_question } secret { secret_password, secret_answer });

/// "Mettre fin": a session's handle, or `others` for every other one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionForm {
    pub session: String,
}

/// "Oublier ce navigateur": a known browser's id, or `all`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BrowserForm {
    pub browser: String,
}

/// The language of the emails and of the pages: `fr` or `en`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LanguageForm {
    pub language: String,
}

/// "Modifier l'adresse de contact".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContactForm {
    pub contact_email: String,
}

/// "Modifier l'identifiant de connexion": the new login address, after
/// the password.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoginChangeForm {
    pub new_login_email: String,
    pub login_password: String,
}
debug_redacted!(LoginChangeForm { new_login_email } secret { login_password });

/// "Demander un rattachement": the structure's SIRET.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AttachForm {
    pub siret: String,
}

/// "Désactiver mon compte", confirmed by the password.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeactivateForm {
    pub deactivate_password: String,
}
debug_redacted!(DeactivateForm {} secret { deactivate_password });

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_a_password_or_a_secret_answer() {
        let shown = format!(
            "{:?} {:?} {:?} {:?}",
            PasswordChangeForm {
                current_password: "Ancien-Secret-1".into(),
                password: "Nouveau-Secret-2".into(),
                password_confirmation: "Nouveau-Secret-2".into(),
            },
            SecretChangeForm {
                secret_password: "Ancien-Secret-1".into(),
                secret_question: "Ville natale ?".into(),
                secret_answer: "Quimper".into(),
            },
            LoginChangeForm {
                new_login_email: "paul@example.fr".into(),
                login_password: "Ancien-Secret-1".into(),
            },
            DeactivateForm {
                deactivate_password: "Ancien-Secret-1".into(),
            },
        );
        for secret in ["Ancien", "Nouveau", "Quimper"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("Ville natale"));
        assert!(shown.contains("paul@example.fr"));
    }
}
