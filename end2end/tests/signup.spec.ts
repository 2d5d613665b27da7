import { expect, test } from '@playwright/test';
import { emailTo, expectAccessible, fillSignupFr, typeBeforeTheCode, uniqueEmail, CAPTCHA_ANSWER, copyCaptcha } from './support';

test.describe('Créer votre compte', () => {
  test('a supplier creates an account in French and receives the activation email', async ({ page }) => {
    const email = uniqueEmail();
    await page.goto('/');
    await expect(page).toHaveTitle(/Accueil/);
    await expectAccessible(page);

    await page.getByRole('link', { name: 'Créer votre compte' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Créer votre compte');
    await expectAccessible(page);

    // A first try with a mistyped confirmation: the error shows next to the
    // field and nothing typed is lost.
    await fillSignupFr(page, { email, lastName: 'Dupont', firstName: 'Paul' });
    await page.getByLabel(/^Confirmation de l'adresse électronique de connexion/).fill('paul@autre.fr');
    await page.getByRole('button', { name: "Finaliser l'inscription" }).click();
    await expect(page.locator('#login_email_confirmation-error')).toHaveText(
      'Les deux adresses électroniques de connexion ne sont pas identiques.',
    );
    await expect(page.getByLabel(/^Nom/)).toHaveValue('Dupont');
    await expect(page.getByLabel(/^Ville/)).toHaveValue('Saint-Étienne');
    await expect(page.getByLabel(/^Adresse électronique de connexion/)).toHaveValue(email);
    await expect(page.getByRole('alert')).toContainText('Le formulaire contient une erreur');
    await expectAccessible(page);

    await page.getByLabel(/^Confirmation de l'adresse électronique de connexion/).fill(email);
    await copyCaptcha(page, /^Caractères de l'image/);
    await page.getByRole('button', { name: "Finaliser l'inscription" }).click();

    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Saisie nouvel utilisateur');
    await expect(page.getByText('Vous venez de créer avec succès le compte utilisateur Dupont Paul.')).toBeVisible();
    await expect(page.getByText(`à l'adresse ${email} que vous recevrez`)).toBeVisible();
    await expect(page.getByText('Ce mail sera valable 4 heures')).toBeVisible();
    await expect(page.getByText("Vous n'avez demandé aucun rattachement à une Structure.")).toBeVisible();
    await expectAccessible(page);

    const activation = await emailTo(email, /Activez votre compte/);
    // Not confirmed yet: the email quotes nothing typed at signup, not even the name.
    expect(activation.text).toMatch(/^Bonjour,\r?\n/);
    expect(activation.text).not.toContain('Dupont');
    expect(activation.text).toMatch(/\/activation\/[0-9a-f]{64}/);
    expect(activation.text).toMatch(/valable jusqu'au \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2}/);
    expect(activation.html).toContain('Activer votre compte');

    await page.getByRole('link', { name: "Retour à l'accueil non connecté" }).click();
    await expect(page).toHaveURL(/\/$/);
  });

  test('a supplier creates an account in English', async ({ page }) => {
    const email = uniqueEmail('jane');
    await page.goto('/inscription');
    await page.getByRole('link', { name: 'English' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Create your account');
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expectAccessible(page);

    await page.getByLabel(/^Login email address/).fill(email);
    await page.getByLabel(/^Confirm the login email address/).fill(email);
    await page.getByLabel(/^Last name/).fill('Smith');
    await page.getByLabel(/^First name/).fill('Jane');
    await page.getByLabel(/^Address(?! line)/).fill('1 Mill Lane');
    await page.getByLabel(/^Country/).selectOption('GB');
    await page.getByLabel(/^Postal code/).fill('SW1A 1AA');
    await page.getByLabel(/^City/).fill('London');
    await page.getByLabel(/^Telephone/).fill('+44 20 7946 0958');
    await copyCaptcha(page, /^Characters in the image/);
    await page.getByRole('button', { name: 'Complete registration' }).click();

    await expect(page.getByRole('heading', { level: 1 })).toHaveText('New user registration');
    await expect(page.getByText('You have successfully created the user account Smith Jane.')).toBeVisible();
    await expectAccessible(page);

    const activation = await emailTo(email, /Activate your Sésame account/);
    expect(activation.text).toMatch(/^Hello,\r?\n/);
    expect(activation.text).toMatch(/valid until \d{1,2} [A-Z][a-z]+ \d{4}, \d{2}:\d{2}:\d{2}/);

    // The choice persists across pages.
    await page.goto('/');
    await expect(page.getByRole('link', { name: 'Create your account' })).toBeVisible();
  });

  test('what was typed before the page’s code arrived keeps, and each block then checks a field as the person leaves it', async ({ page }) => {
    const login = page.getByLabel(/^Adresse électronique de connexion/);
    const city = page.getByLabel(/^Ville/);
    // The captcha takes over in its own turn, and still keeps its answer.
    const answer = page.getByLabel(/^Caractères de l'image/);
    await typeBeforeTheCode(page, '/inscription', async () => {
      await login.fill('paul@menuiserie.fr');
      await city.fill('Saint-Étienne');
      await answer.fill('K7P2M');
    });
    await expect(login).toHaveValue('paul@menuiserie.fr');
    await expect(city).toHaveValue('Saint-Étienne');
    await expect(answer).toHaveValue('K7P2M');

    const postalCode = page.getByLabel(/^Code postal/);
    await postalCode.fill('4200');
    await postalCode.blur();
    await expect(page.locator('#postal_code-error')).toHaveText(/Un code postal français comporte 5 chiffres/);
    const confirmation = page.getByLabel(/^Confirmation de l'adresse électronique de connexion/);
    await confirmation.fill('pierre@menuiserie.fr');
    await confirmation.blur();
    await expect(confirmation).toHaveAttribute('aria-invalid', 'true');
    await expect(city).toHaveValue('Saint-Étienne');
  });

  test('a country chosen before the page’s code arrived is the one its postal code is checked against, and a new country checks it again', async ({ page }) => {
    const country = page.getByLabel(/^Pays/);
    const postalCode = page.getByLabel(/^Code postal/);
    await typeBeforeTheCode(page, '/inscription', async () => {
      await country.selectOption('GB');
      await postalCode.fill('SW1A 1AA');
    });
    await expect(postalCode).toHaveValue('SW1A 1AA');
    await expect(page.locator('#postal_code-error')).toBeEmpty();
    await expect(postalCode).not.toHaveAttribute('aria-invalid', 'true');

    await country.selectOption('FR');
    await expect(page.locator('#postal_code-error')).toHaveText(/Un code postal français comporte 5 chiffres/);
    await expect(postalCode).toHaveAttribute('aria-invalid', 'true');
    await country.selectOption('GB');
    await expect(page.locator('#postal_code-error')).toBeEmpty();
  });

  test('the captcha’s audio version opens on demand, from the keyboard, and is served for the image shown', async ({ page, request }) => {
    await page.goto('/inscription');
    await page.locator('body[data-hydrated]').waitFor({ state: 'attached' });
    const player = page.locator('audio');
    await expect(player).toBeHidden();
    const disclosure = page.locator('summary', { hasText: 'Écouter les caractères (épelés en anglais)' });
    await expect(disclosure).toHaveAttribute('id', 'captcha-audio-label');
    await disclosure.focus();
    await page.keyboard.press('Enter');
    await expect(player).toBeVisible();
    await expect(player).toHaveAccessibleName('Écouter les caractères (épelés en anglais)');
    const challenge = await page.locator('input[name="captcha_id"]').inputValue();
    await expect(player).toHaveAttribute('src', `/captcha/${challenge}.wav`);
    const sound = await request.get(`/captcha/${challenge}.wav`);
    expect(sound.status()).toBe(200);
    expect(sound.headers()['content-type']).toBe('audio/wav');
    await expectAccessible(page);
  });

  test('closing the captcha’s audio version stops its sound', async ({ page }) => {
    await page.goto('/inscription');
    await page.locator('body[data-hydrated]').waitFor({ state: 'attached' });
    const disclosure = page.locator('summary', { hasText: 'Écouter les caractères' });
    const player = page.locator('audio');
    const playing = () => player.evaluate((audio: HTMLAudioElement) => !audio.paused && !audio.ended);
    await disclosure.click();
    // The click is the person's gesture: the browser lets the sound start.
    await player.evaluate((audio: HTMLAudioElement) => audio.play());
    await expect.poll(playing).toBe(true);
    await disclosure.click();
    await expect(player).toBeHidden();
    await expect.poll(playing).toBe(false);
    // Stopped, not over: ten seconds of spelling were still to come.
    expect(await player.evaluate((audio: HTMLAudioElement) => audio.ended)).toBe(false);
  });

  test('each field is checked as the person leaves it, with the same rules as the server', async ({ page }) => {
    await page.goto('/inscription');
    const postalCode = page.getByLabel(/^Code postal/);
    await postalCode.fill('4200');
    await postalCode.blur();
    await expect(page.locator('#postal_code-error')).toHaveText(/Un code postal français comporte 5 chiffres/);
    await expect(postalCode).toHaveAttribute('aria-invalid', 'true');
    await postalCode.fill('42000');
    await expect(page.locator('#postal_code-error')).toBeEmpty();

    const login = page.getByLabel(/^Adresse électronique de connexion/);
    await login.fill('paul dupont@menuiserie.fr');
    await login.blur();
    await expect(page.locator('#login_email-error')).toHaveText("L'adresse électronique ne doit pas contenir d'espace.");
    await expectAccessible(page);
  });

  test('the whole signup works with JavaScript disabled', async ({ browser }) => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const email = uniqueEmail('nojs');
    await page.goto('/inscription');
    await fillSignupFr(page, { email, lastName: 'Martin', firstName: 'Léa' });
    await page.getByLabel(/^Code postal/).fill('420');
    await page.getByRole('button', { name: "Finaliser l'inscription" }).click();
    await expect(page.locator('#postal_code-error')).toHaveText(/5 chiffres/);
    await expect(page.getByLabel(/^Nom/)).toHaveValue('Martin');

    // "Nouvelle image" redraws the form, keeping what was typed.
    await page.getByRole('button', { name: 'Nouvelle image' }).click();
    await expect(page.getByLabel(/^Prénom/)).toHaveValue('Léa');

    await page.getByLabel(/^Code postal/).fill('42000');
    await copyCaptcha(page, /^Caractères de l'image/);
    await page.getByRole('button', { name: "Finaliser l'inscription" }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Saisie nouvel utilisateur');
    await emailTo(email, /Activez votre compte/);
    await context.close();
  });
});
