//! The person's details (names, postal address, phone and fax): one form,
//! one set of rules, used by signup and by "Mon compte".

use super::AccountSummary;
use crate::domain::{
    AddressLine, City, Country, FieldErrors, OptionalLine, PersonName, PhoneNumber, PostalCode,
};
use serde::{Deserialize, Serialize};

/// The details as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProfileForm {
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
}

/// The fields in the order of the form, with their label keys.
pub const PROFILE_FIELDS: &[(&str, &str)] = &[
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
];

/// Details whose every field obeys its rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    pub last_name: PersonName,
    pub first_name: PersonName,
    pub address: AddressLine,
    pub address_complement_1: OptionalLine,
    pub address_complement_2: OptionalLine,
    pub postal_code: PostalCode,
    pub city: City,
    pub country: Country,
    pub phone: Option<PhoneNumber>,
    pub fax: Option<PhoneNumber>,
}

impl ProfileForm {
    /// Checks every field, adding each error to `errors`; the details when
    /// all are right.
    pub fn check(&self, errors: &mut FieldErrors) -> Option<Profile> {
        let last_name = errors.check("last_name", PersonName::parse(&self.last_name));
        let first_name = errors.check("first_name", PersonName::parse(&self.first_name));
        let address = errors.check("address", AddressLine::parse(&self.address));
        let complement_1 = errors.check(
            "address_complement_1",
            OptionalLine::parse(&self.address_complement_1),
        );
        let complement_2 = errors.check(
            "address_complement_2",
            OptionalLine::parse(&self.address_complement_2),
        );
        let country = errors.check("country", Country::parse(&self.country));
        let postal_code =
            errors.check("postal_code", PostalCode::parse(&self.postal_code, country));
        let city = errors.check("city", City::parse(&self.city));
        let phone = errors.check("phone", PhoneNumber::parse_optional(&self.phone));
        let fax = errors.check("fax", PhoneNumber::parse_optional(&self.fax));
        Some(Profile {
            last_name: last_name?,
            first_name: first_name?,
            address: address?,
            address_complement_1: complement_1?,
            address_complement_2: complement_2?,
            postal_code: postal_code?,
            city: city?,
            country: country?,
            phone: phone?,
            fax: fax?,
        })
    }

    /// The form filled with the account's current details.
    pub fn of(account: &AccountSummary) -> ProfileForm {
        ProfileForm {
            last_name: account.last_name.clone(),
            first_name: account.first_name.clone(),
            address: account.address.clone(),
            address_complement_1: account.address_complement_1.clone().unwrap_or_default(),
            address_complement_2: account.address_complement_2.clone().unwrap_or_default(),
            postal_code: account.postal_code.clone(),
            city: account.city.clone(),
            country: account.country.clone(),
            phone: account.phone.clone().unwrap_or_default(),
            fax: account.fax.clone().unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_of_the_details_is_found_at_once() {
        let form = ProfileForm {
            last_name: "Dupont".into(),
            postal_code: "4200".into(),
            country: "FR".into(),
            ..Default::default()
        };
        let mut errors = FieldErrors::new();
        assert!(form.check(&mut errors).is_none());
        for field in ["first_name", "address", "postal_code", "city"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        assert!(errors.get("last_name").is_none());
    }
}
