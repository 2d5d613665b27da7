use crate::account::profile::{Profile, ProfileForm};
use crate::domain::{CaptchaAnswer, EmailAddress, FieldErrors, UserMessage};
use serde::{Deserialize, Serialize};

/// The signup form as typed: every field a string, nothing checked yet.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SignupForm {
    pub login_email: String,
    pub login_email_confirmation: String,
    pub contact_email: String,
    pub last_name: String,
    pub first_name: String,
    pub address: String,
    pub address_complement_1: String,
    pub address_complement_2: String,
    pub postal_code: String,
    pub city: String,
    pub country: String,
    pub phone: String,
    pub fax: String,
    /// The structure to be attached to ("Enregistrer et configurer mon
    /// compte"), optional.
    pub siret: String,
    /// `configure` when posted from the configuration screen.
    pub screen: String,
    pub captcha_id: String,
    pub captcha_answer: String,
    /// `new_captcha` when the no-JavaScript "Nouvelle image" button was used.
    pub intent: String,
}

/// The fields in the order of the form, with the catalogue key of their
/// label: the error summary lists errors in this order.
pub const FIELDS: &[(&str, &str)] = &[
    ("login_email", "signup.login_email"),
    (
        "login_email_confirmation",
        "signup.login_email_confirmation",
    ),
    ("contact_email", "signup.contact_email"),
    ("last_name", "signup.last_name"),
    ("first_name", "signup.first_name"),
    ("address", "signup.address"),
    ("address_complement_1", "signup.address_complement_1"),
    ("address_complement_2", "signup.address_complement_2"),
    ("postal_code", "signup.postal_code"),
    ("city", "signup.city"),
    ("country", "signup.country"),
    ("phone", "signup.phone"),
    ("fax", "signup.fax"),
    ("captcha_answer", "captcha.label"),
];

/// A signup request whose every field obeys its rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAccount {
    pub login_email: EmailAddress,
    /// Absent when it is the login address, or left empty.
    pub contact_email: Option<EmailAddress>,
    pub profile: Profile,
}

/// The two login addresses differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EmailsDiffer;

impl UserMessage for EmailsDiffer {
    fn message_key(&self) -> &'static str {
        "errors.email.confirmation_differs"
    }
}

impl SignupForm {
    /// The confirmation rule, as the browser checks it live.
    pub fn check_confirmation(login_email: &str, confirmation: &str) -> Result<(), EmailsDiffer> {
        let same = match (
            EmailAddress::parse(login_email),
            EmailAddress::parse(confirmation),
        ) {
            (Ok(a), Ok(b)) => a == b,
            _ => login_email.trim() == confirmation.trim(),
        };
        if same {
            Ok(())
        } else {
            Err(EmailsDiffer)
        }
    }

    /// Checks every field and returns the account, or every error at once.
    /// The captcha answer's form is checked too; whether it matches the image
    /// is the server's business.
    pub fn parse(&self) -> Result<(NewAccount, CaptchaAnswer), FieldErrors> {
        let mut errors = FieldErrors::new();
        let login_email = errors.check("login_email", EmailAddress::parse(&self.login_email));
        let confirmation = errors.check(
            "login_email_confirmation",
            EmailAddress::parse(&self.login_email_confirmation),
        );
        if let (Some(login), Some(confirmation)) = (&login_email, &confirmation) {
            if login != confirmation {
                errors.insert("login_email_confirmation", &EmailsDiffer);
            }
        }
        let contact_email = errors.check(
            "contact_email",
            EmailAddress::parse_optional(&self.contact_email),
        );
        let profile = self.profile_form().check(&mut errors);
        let captcha = errors.check("captcha_answer", CaptchaAnswer::parse(&self.captcha_answer));
        match (login_email, contact_email, profile, captcha) {
            (Some(login_email), Some(contact_email), Some(profile), Some(captcha))
                if errors.is_empty() =>
            {
                let contact_email = contact_email.filter(|contact| *contact != login_email);
                Ok((
                    NewAccount {
                        login_email,
                        contact_email,
                        profile,
                    },
                    captcha,
                ))
            }
            _ => Err(errors),
        }
    }

    /// The SIRET asked for on the configuration screen, if any.
    pub fn parse_siret(&self) -> Result<Option<crate::domain::Siret>, FieldErrors> {
        if self.siret.trim().is_empty() {
            return Ok(None);
        }
        let mut errors = FieldErrors::new();
        match errors.check("siret", crate::domain::Siret::parse(&self.siret)) {
            Some(siret) => Ok(Some(siret)),
            None => Err(errors),
        }
    }

    /// The details part of the form.
    pub fn profile_form(&self) -> ProfileForm {
        ProfileForm {
            last_name: self.last_name.clone(),
            first_name: self.first_name.clone(),
            address: self.address.clone(),
            address_complement_1: self.address_complement_1.clone(),
            address_complement_2: self.address_complement_2.clone(),
            postal_code: self.postal_code.clone(),
            city: self.city.clone(),
            country: self.country.clone(),
            phone: self.phone.clone(),
            fax: self.fax.clone(),
        }
    }

    /// The form as it is shown again: everything but the captcha answer,
    /// which belongs to an image that is no longer shown.
    pub fn for_redisplay(&self) -> SignupForm {
        SignupForm {
            captcha_answer: String::new(),
            intent: String::new(),
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled() -> SignupForm {
        SignupForm {
            login_email: "paul.dupont@menuiserie.fr".into(),
            login_email_confirmation: "Paul.Dupont@menuiserie.fr".into(),
            last_name: "Dupont".into(),
            first_name: "Paul".into(),
            address: "12 rue des Lilas".into(),
            postal_code: "42000".into(),
            city: "Saint-Étienne".into(),
            country: "FR".into(),
            captcha_answer: "abcde".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_complete_form_gives_a_new_account() {
        let (account, captcha) = filled().parse().unwrap();
        assert_eq!(account.login_email.as_ref(), "paul.dupont@menuiserie.fr");
        assert_eq!(account.contact_email, None);
        assert_eq!(captcha.as_ref(), "ABCDE");
    }

    #[test]
    fn a_contact_address_equal_to_the_login_address_is_not_kept() {
        let form = SignupForm {
            contact_email: "PAUL.dupont@menuiserie.fr".into(),
            ..filled()
        };
        assert_eq!(form.parse().unwrap().0.contact_email, None);
        let form = SignupForm {
            contact_email: "compta@menuiserie.fr".into(),
            ..filled()
        };
        assert_eq!(
            form.parse().unwrap().0.contact_email.unwrap().as_ref(),
            "compta@menuiserie.fr"
        );
    }

    #[test]
    fn mismatched_login_addresses_are_refused_on_the_confirmation() {
        let form = SignupForm {
            login_email_confirmation: "paul@menuiserie.fr".into(),
            ..filled()
        };
        let errors = form.parse().unwrap_err();
        assert_eq!(
            errors.get("login_email_confirmation"),
            Some("errors.email.confirmation_differs")
        );
        assert_eq!(errors.len(), 1);
    }

    #[test]
    fn every_error_is_reported_at_once() {
        let errors = SignupForm::default().parse().unwrap_err();
        for field in [
            "login_email",
            "login_email_confirmation",
            "last_name",
            "first_name",
            "address",
            "postal_code",
            "city",
            "country",
            "captcha_answer",
        ] {
            assert!(errors.get(field).is_some(), "{field} has no error");
        }
        for optional in [
            "contact_email",
            "address_complement_1",
            "address_complement_2",
            "phone",
            "fax",
        ] {
            assert!(
                errors.get(optional).is_none(),
                "{optional} should be optional"
            );
        }
    }

    #[test]
    fn the_postal_code_rule_follows_the_country() {
        let form = SignupForm {
            postal_code: "SW1A 1AA".into(),
            ..filled()
        };
        assert_eq!(
            form.parse().unwrap_err().get("postal_code"),
            Some("errors.postal_code.not_five_digits")
        );
        let form = SignupForm {
            postal_code: "SW1A 1AA".into(),
            country: "GB".into(),
            ..filled()
        };
        assert!(form.parse().is_ok());
    }

    #[test]
    fn the_captcha_answer_is_not_shown_again() {
        assert_eq!(filled().for_redisplay().captcha_answer, "");
        assert_eq!(
            filled().for_redisplay().login_email,
            "paul.dupont@menuiserie.fr"
        );
    }
}
