use crate::accounts::AccountSummary;
use crate::domain::Country;
use crate::i18n::use_lang;
use leptos::prelude::*;

/// The account's data as a description list, by the guide's blocks.
#[component]
pub fn AccountDetails(account: AccountSummary) -> impl IntoView {
    let lang = use_lang();
    let none = lang.t("account.not_given");
    let or_none = move |value: Option<String>| value.unwrap_or_else(|| none.clone());
    let country = Country::parse(&account.country)
        .map(|c| c.name(lang.code()).to_owned())
        .unwrap_or_else(|_| account.country.clone());
    let contact = match (&account.contact_email, account.contact_confirmed) {
        (Some(contact), true) => contact.clone(),
        // Typed at signup, never confirmed: it gets nothing yet (part 14).
        (Some(contact), false) => format!("{contact} {}", lang.t("account.contact_unconfirmed")),
        (None, _) => lang.t("account.same_as_login"),
    };
    view! {
        <section class="block" aria-labelledby="details-general">
            <h2 id="details-general">{lang.t("signup.block_general")}</h2>
            <dl class="details">
                <dt>{lang.t("signup.login_email")}</dt><dd>{account.login_email}</dd>
                <dt>{lang.t("signup.contact_email")}</dt><dd>{contact}</dd>
                <dt>{lang.t("signup.last_name")}</dt><dd>{account.last_name}</dd>
                <dt>{lang.t("signup.first_name")}</dt><dd>{account.first_name}</dd>
            </dl>
        </section>
        <section class="block" aria-labelledby="details-address">
            <h2 id="details-address">{lang.t("signup.block_address")}</h2>
            <dl class="details">
                <dt>{lang.t("signup.address")}</dt><dd>{account.address}</dd>
                <dt>{lang.t("signup.address_complement_1")}</dt><dd>{or_none(account.address_complement_1)}</dd>
                <dt>{lang.t("signup.address_complement_2")}</dt><dd>{or_none(account.address_complement_2)}</dd>
                <dt>{lang.t("signup.postal_code")}</dt><dd>{account.postal_code}</dd>
                <dt>{lang.t("signup.city")}</dt><dd>{account.city}</dd>
                <dt>{lang.t("signup.country")}</dt><dd>{country}</dd>
                <dt>{lang.t("signup.phone")}</dt><dd>{or_none(account.phone)}</dd>
                <dt>{lang.t("signup.fax")}</dt><dd>{or_none(account.fax)}</dd>
            </dl>
        </section>
    }
}
