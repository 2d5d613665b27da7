use super::{SignUp, SignupForm, SignupPageState, SignupRecap, FIELDS};
use crate::components::{
    in_turn, new_challenge_id, page_state, shown_state, ActionAnswers, CaptchaField, DoorAlert,
    DoorForm, ErrorSummary, FailureNotice, Layout, SelectField, TextField, Validator,
};
use crate::domain::{
    AddressLine, City, Country, EmailAddress, FieldErrors, OptionalLine, PersonName, PhoneNumber,
    PostalCode, UserMessage,
};
use crate::i18n::use_lang;
use crate::paths::SIGNUP_PATH;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SignupPage() -> impl IntoView {
    let action = ServerAction::<SignUp>::new();
    let state = shown_state(
        page_state(SignupPageState::default),
        &[ActionAnswers::of(action)],
    );
    move || match state.get() {
        SignupPageState::Created(recap) => view! { <Recap recap /> }.into_any(),
        SignupPageState::Blank => view! {
            <SignupFormView action form=SignupForm::default() errors=FieldErrors::new() />
        }
        .into_any(),
        SignupPageState::Refused { form, errors } => {
            view! { <SignupFormView action form errors /> }.into_any()
        }
        SignupPageState::Redrawn { form } => view! {
            <SignupFormView action form errors=FieldErrors::new() focus_captcha=true />
        }
        .into_any(),
        SignupPageState::Configure { form, errors } => {
            view! { <ConfigureView action form errors /> }.into_any()
        }
        SignupPageState::Failed { form, reference } => view! {
            <SignupFormView action form errors=FieldErrors::new() failure=reference />
        }
        .into_any(),
    }
}

/// A live check from a domain parser.
fn rule<T: 'static, E: UserMessage + 'static>(parse: fn(&str) -> Result<T, E>) -> Validator {
    Callback::new(move |raw: String| parse(&raw).err().map(|e| e.message_key().to_owned()))
}

#[component]
fn SignupFormView(
    action: ServerAction<SignUp>,
    form: SignupForm,
    errors: FieldErrors,
    #[prop(optional)] focus_captcha: bool,
    #[prop(optional, into)] failure: Option<crate::error::Reference>,
) -> impl IntoView {
    let lang = use_lang();
    let challenge = SharedValue::new(new_challenge_id).into_inner();
    let first_error = errors.first_in(FIELDS);
    let focus = move |name: &str| first_error == Some(name);
    let known_errors = StoredValue::new(errors.clone());
    let error =
        move |name: &str| known_errors.with_value(|errors| errors.get(name).map(str::to_owned));

    let login_email = RwSignal::new(String::new());
    let country = RwSignal::new(String::new());
    let confirmation_rule = Callback::new(move |raw: String| {
        SignupForm::check_confirmation(&login_email.get_untracked(), &raw)
            .err()
            .map(|e| e.message_key().to_owned())
            .or_else(|| {
                EmailAddress::parse(&raw)
                    .err()
                    .map(|e| e.message_key().to_owned())
            })
    });
    let postal_code_rule = Callback::new(move |raw: String| {
        let country = Country::parse(&country.get_untracked()).ok();
        PostalCode::parse(&raw, country)
            .err()
            .map(|e| e.message_key().to_owned())
    });
    let selected_country = if form.country.is_empty() {
        Country::FRANCE.code().to_owned()
    } else {
        form.country.clone()
    };

    view! {
        <Title text=lang.t("signup.title") />
        <Layout>
            <h1>{lang.t("signup.title")}</h1>
            <p class="lead">{lang.t("signup.intro")}</p>
            <p>{lang.t("form.required_legend")}</p>
            {failure.map(|reference| view! { <FailureNotice reference /> })}
            <ErrorSummary errors=errors.clone() fields=FIELDS />
            <DoorAlert action />
            <DoorForm action plain=SIGNUP_PATH class="form">
                // The first submit button is the one Enter presses.
                <button type="submit" name="intent" value="sign_up" class="default-submit" tabindex="-1" aria-hidden="true">
                    {lang.t("signup.submit")}
                </button>
                {in_turn(move || view! { <fieldset class="block">
                    <legend>{lang.t("signup.block_general")}</legend>
                    <TextField name="login_email" label="signup.login_email" value=form.login_email.clone()
                        error=error("login_email") required=true input_type="email" autocomplete="email"
                        hint="signup.login_email_hint" validate=rule(EmailAddress::parse)
                        value_signal=login_email autofocus=focus("login_email") maxlength=254 />
                    <TextField name="login_email_confirmation" label="signup.login_email_confirmation"
                        value=form.login_email_confirmation.clone() error=error("login_email_confirmation")
                        required=true input_type="email" autocomplete="off" validate=confirmation_rule
                        autofocus=focus("login_email_confirmation") maxlength=254 />
                    <TextField name="contact_email" label="signup.contact_email" value=form.contact_email.clone()
                        error=error("contact_email") input_type="email" autocomplete="off"
                        hint="signup.contact_email_hint" validate=rule(EmailAddress::parse_optional)
                        autofocus=focus("contact_email") maxlength=254 />
                    <TextField name="last_name" label="signup.last_name" value=form.last_name.clone()
                        error=error("last_name") required=true autocomplete="family-name"
                        validate=rule(PersonName::parse) autofocus=focus("last_name") maxlength=100 />
                    <TextField name="first_name" label="signup.first_name" value=form.first_name.clone()
                        error=error("first_name") required=true autocomplete="given-name"
                        validate=rule(PersonName::parse) autofocus=focus("first_name") maxlength=100 />
                </fieldset> })}
                {in_turn(move || view! { <fieldset class="block">
                    <legend>{lang.t("signup.block_address")}</legend>
                    <p class="field__hint">{lang.t("signup.address_hint")}</p>
                    <TextField name="address" label="signup.address" value=form.address.clone()
                        error=error("address") required=true autocomplete="address-line1"
                        validate=rule(AddressLine::parse) autofocus=focus("address") maxlength=200 />
                    <TextField name="address_complement_1" label="signup.address_complement_1"
                        value=form.address_complement_1.clone() error=error("address_complement_1")
                        autocomplete="address-line2" validate=rule(OptionalLine::parse)
                        autofocus=focus("address_complement_1") maxlength=200 />
                    <TextField name="address_complement_2" label="signup.address_complement_2"
                        value=form.address_complement_2.clone() error=error("address_complement_2")
                        autocomplete="address-line3" validate=rule(OptionalLine::parse)
                        autofocus=focus("address_complement_2") maxlength=200 />
                    <TextField name="postal_code" label="signup.postal_code" value=form.postal_code.clone()
                        error=error("postal_code") required=true autocomplete="postal-code"
                        hint="signup.postal_code_hint" validate=postal_code_rule depends_on=country
                        autofocus=focus("postal_code") maxlength=10 />
                    <TextField name="city" label="signup.city" value=form.city.clone() error=error("city")
                        required=true autocomplete="address-level2" validate=rule(City::parse)
                        autofocus=focus("city") maxlength=100 />
                    <SelectField name="country" label="signup.country" options=crate::components::SelectOptions::Countries(lang)
                        selected=selected_country error=error("country") required=true
                        autocomplete="country" value_signal=country autofocus=focus("country") />
                    <TextField name="phone" label="signup.phone" value=form.phone.clone() error=error("phone")
                        input_type="tel" autocomplete="tel" hint="signup.phone_hint"
                        validate=rule(PhoneNumber::parse_optional) autofocus=focus("phone") maxlength=30 />
                    <TextField name="fax" label="signup.fax" value=form.fax.clone() error=error("fax")
                        input_type="tel" autocomplete="off" hint="signup.phone_hint"
                        validate=rule(PhoneNumber::parse_optional) autofocus=focus("fax") maxlength=30 />
                </fieldset> })}
                {in_turn(move || view! { <CaptchaField challenge error=error("captcha_answer")
                    autofocus=focus("captcha_answer") || focus_captcha /> })}
                <div class="actions">
                    <button type="submit" name="intent" value="configure" class="button button--secondary">
                        {lang.t("signup.configure")}
                    </button>
                    <button type="submit" name="intent" value="sign_up" class="button button--primary">
                        {lang.t("signup.submit")}
                    </button>
                </div>
            </DoorForm>
        </Layout>
    }
}

/// "Enregistrer et configurer mon compte": the details typed are carried in
/// hidden fields; this screen asks for the structure to be attached to
/// (optional) and the captcha, then creates the account.
#[component]
fn ConfigureView(
    action: ServerAction<SignUp>,
    form: SignupForm,
    errors: FieldErrors,
) -> impl IntoView {
    let lang = use_lang();
    let challenge = SharedValue::new(new_challenge_id).into_inner();
    let first_error = errors.first_in(&[
        ("siret", "management.siret"),
        ("captcha_answer", "captcha.label"),
    ]);
    let known_errors = StoredValue::new(errors.clone());
    let error =
        move |name: &str| known_errors.with_value(|errors| errors.get(name).map(str::to_owned));
    let siret_rule = Callback::new(|raw: String| {
        if raw.trim().is_empty() {
            None
        } else {
            crate::domain::Siret::parse(&raw)
                .err()
                .map(|e| e.message_key().to_owned())
        }
    });
    let carried = [
        ("login_email", form.login_email.clone()),
        (
            "login_email_confirmation",
            form.login_email_confirmation.clone(),
        ),
        ("contact_email", form.contact_email.clone()),
        ("last_name", form.last_name.clone()),
        ("first_name", form.first_name.clone()),
        ("address", form.address.clone()),
        ("address_complement_1", form.address_complement_1.clone()),
        ("address_complement_2", form.address_complement_2.clone()),
        ("postal_code", form.postal_code.clone()),
        ("city", form.city.clone()),
        ("country", form.country.clone()),
        ("phone", form.phone.clone()),
        ("fax", form.fax.clone()),
    ];
    view! {
        <Title text=lang.t("signup.configure_title") />
        <Layout>
            <h1>{lang.t("signup.configure_title")}</h1>
            <p class="lead">{lang.t("signup.configure_intro")}</p>
            <ErrorSummary errors=errors.clone() fields=&[("siret", "management.siret"), ("captcha_answer", "captcha.label")] />
            <DoorAlert action />
            <DoorForm action plain=SIGNUP_PATH class="form">
                <button type="submit" name="intent" value="sign_up" class="default-submit" tabindex="-1" aria-hidden="true">
                    {lang.t("signup.submit")}
                </button>
                <input type="hidden" name="screen" value="configure" />
                {carried.into_iter().map(|(name, value)| view! { <input type="hidden" name=name value=value /> }).collect_view()}
                <fieldset class="block">
                    <legend>{lang.t("account.structures_heading")}</legend>
                    <TextField name="siret" label="signup.configure_siret" value=form.siret.clone() error=error("siret")
                        inputmode="numeric" maxlength=20 hint="management.siret_hint" validate=siret_rule
                        autofocus=first_error.is_none() || first_error == Some("siret") />
                </fieldset>
                <CaptchaField challenge error=error("captcha_answer") autofocus=first_error == Some("captcha_answer") />
                <div class="actions">
                    <button type="submit" name="intent" value="edit" class="button button--secondary">
                        {lang.t("signup.configure_back")}
                    </button>
                    <button type="submit" name="intent" value="sign_up" class="button button--primary">
                        {lang.t("signup.submit")}
                    </button>
                </div>
            </DoorForm>
        </Layout>
    }
}

#[component]
fn Recap(recap: SignupRecap) -> impl IntoView {
    let lang = use_lang();
    let hours = recap.valid_hours.to_string();
    view! {
        <Title text=lang.t("signup.recap.title") />
        <Layout>
            <h1>{lang.t("signup.recap.title")}</h1>
            <section class="block recap" aria-labelledby="recap-heading">
                <h2 id="recap-heading">{lang.t("signup.recap.heading")}</h2>
                <p>{lang.t_with("signup.recap.created", &[("name", &recap.full_name)])}</p>
                <p>{lang.t_with("signup.recap.activation", &[("email", &recap.login_email)])}</p>
                <p>{lang.t_with("signup.recap.validity", &[("hours", &hours)])}</p>
                {match recap.structure {
                    Some(structure) => view! {
                        <p>{lang.t_with("signup.recap.structure", &[("structure", &structure)])}</p>
                    }.into_any(),
                    None => view! { <p>{lang.t("signup.recap.no_structure")}</p> }.into_any(),
                }}
                <p><a href="/" class="button button--secondary">{lang.t("signup.recap.back_home")}</a></p>
            </section>
        </Layout>
    }
}
