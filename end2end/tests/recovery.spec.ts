import { expect, test, type Page } from '@playwright/test';
import {
  activePerson,
  CAPTCHA_ANSWER,
  copyCaptcha,
  emailTo,
  expectAccessible,
  expireLinks,
  resetLink,
  codeCount,
  passSecondStep,
  submitAndWait,
  typeBeforeTheCode,
} from './support';

const NEW_PASSWORD = 'Grenadine-Menthe-2026';

/** An active account of Paul Dupont's. */
const activeAccount = (page: Page, prefix: string): Promise<string> =>
  activePerson(page, prefix, 'Dupont', 'Paul');

/** From the home page to the guide's message, in French. */
async function askForNewPassword(page: Page, email: string, answer: string): Promise<void> {
  await page.goto('/');
  await page.getByRole('link', { name: 'Mot de passe oublié ?' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Mot de passe oublié ?');
  await page.getByLabel(/^Adresse électronique/).fill(email);
  await copyCaptcha(page, /^Caractères de l'image/);
  await page.getByRole('button', { name: 'Valider' }).click();
  await expect(page.getByText('Nom de mon premier chien ?')).toBeVisible();
  await page.getByLabel(/^Réponse à la question secrète/).fill(answer);
  await page.getByRole('button', { name: 'Valider' }).click();
  await expect(page.getByRole('status')).toContainText('Un courriel de modification du mot de passe vous a été envoyé');
}

test.describe('Réinitialiser son mot de passe', () => {
  test('from "Mot de passe oublié ?" to logging in with the new password, the meter reacting', async ({ page }) => {
    const email = await activeAccount(page, 'oubli');
    await page.goto('/');
    await page.getByRole('link', { name: 'Mot de passe oublié ?' }).click();
    await expectAccessible(page);
    // A wrong captcha keeps the address and clears the wrong answer, as
    // the page drawn without JavaScript does; so does a new image.
    await page.getByLabel(/^Adresse électronique/).fill(email);
    await page.getByLabel(/^Caractères de l'image/).fill('AAAAA');
    await page.getByRole('button', { name: 'Valider' }).click();
    await expect(page.locator('#captcha_answer-error')).toContainText('ne correspondent pas');
    await expect(page.getByLabel(/^Adresse électronique/)).toHaveValue(email);
    await expect(page.getByLabel(/^Caractères de l'image/)).toHaveValue('');
    await page.getByLabel(/^Caractères de l'image/).fill('BBBBB');
    await page.getByRole('button', { name: 'Nouvelle image' }).click();
    await expect(page.getByLabel(/^Caractères de l'image/)).toHaveValue('');
    await copyCaptcha(page, /^Caractères de l'image/);
    await page.getByRole('button', { name: 'Valider' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Question secrète');
    await expect(page.locator('#secret-question')).toHaveText('Nom de mon premier chien ?');
    await expectAccessible(page);
    await page.getByLabel(/^Réponse à la question secrète/).fill('médor');
    await page.getByRole('button', { name: 'Valider' }).click();
    await expect(page.getByRole('status')).toContainText('Un courriel de modification du mot de passe vous a été envoyé');
    await expectAccessible(page);

    const link = resetLink(await emailTo(email, /Procédure de perte de mot de passe/));
    await page.goto(link);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Gestion du mot de passe');
    await expectAccessible(page);
    const password = page.getByLabel(/^Nouveau mot de passe/);
    const rules = page.locator('#password-rules');
    await password.pressSequentially('Grenadine1');
    await expect(rules.getByText('au moins 12 caractères')).toContainText('(non respectée)');
    await expect(rules.getByText('au moins 3 types de caractères parmi :')).toContainText('(respectée)');
    await expect(page.locator('.strength__label')).toBeVisible();
    await password.fill(NEW_PASSWORD);
    await expect(rules.getByText('au moins 12 caractères')).toContainText('(respectée)');
    await expect(page.locator('.strength__label')).toContainText('accepté');
    await page.getByLabel(/^Confirmer le nouveau mot de passe/).fill(NEW_PASSWORD);
    await expect(page.getByText('Les deux mots de passe sont identiques.')).toBeVisible();
    await page.getByRole('button', { name: 'Valider' }).click();
    await expect(page.getByRole('status')).toHaveText('Votre mot de passe a été changé. Connectez-vous avec votre nouveau mot de passe.');

    await page.getByLabel('Adresse électronique de connexion').fill(email);
    await page.getByLabel(/^Mot de passe( \(obligatoire\))?$/).fill(NEW_PASSWORD);
    const before = await codeCount(email);
    await page.getByRole('button', { name: 'Se connecter', exact: true }).click();
    // A new password never skips the second factor.
    await passSecondStep(page, email, before);
    await expect(page).toHaveURL(/\/accueil$/);
    await expect(page.getByRole('region', { name: "Fil d'événements" })).toContainText('Mot de passe changé (mot de passe oublié)');
    const notice = await emailTo(email, /a été changé/);
    expect(notice.text).toContain('Toutes les sessions ouvertes');
  });

  test('on a first load, the new password block takes over in turn: what was typed before the code ran keeps, and the rules then judge it', async ({ page }) => {
    const email = await activeAccount(page, 'oubli-tour');
    await askForNewPassword(page, email, 'Médor');
    const link = resetLink(await emailTo(email, /Procédure de perte de mot de passe/));
    const password = page.getByLabel(/^Nouveau mot de passe/);
    const confirmation = page.getByLabel(/^Confirmer le nouveau mot de passe/);
    await typeBeforeTheCode(page, link, async () => {
      await password.fill(NEW_PASSWORD);
      await confirmation.fill(NEW_PASSWORD);
    });
    await expect(password).toHaveValue(NEW_PASSWORD);
    await expect(confirmation).toHaveValue(NEW_PASSWORD);
    await expect(page.locator('#password-rules').getByText('au moins 12 caractères')).toContainText('(respectée)');
    await expect(page.locator('.strength__feedback')).toContainText('accepté');
    await expect(page.getByText('Les deux mots de passe sont identiques.')).toBeVisible();
    await expectAccessible(page);

    // Taken over, the block answers through the server function, in place.
    expect(await submitAndWait(page, page.getByRole('button', { name: 'Valider' }))).toBe('/api/nouveau-mot-de-passe');
    await expect(page.getByRole('status')).toHaveText('Votre mot de passe a été changé. Connectez-vous avec votre nouveau mot de passe.');
  });

  test('the whole recovery in English', async ({ page }) => {
    const email = await activeAccount(page, 'forgot');
    await page.goto('/langue?lang=en&next=/');
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByLabel(/^Email address/).fill(email);
    await copyCaptcha(page, /^Characters in the image/);
    await page.getByRole('button', { name: 'Confirm' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Secret question');
    await page.getByLabel(/^Answer to the secret question/).fill('Medor');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await expect(page.getByRole('status')).toContainText('An email to change your password has been sent');
    const email_ = await emailTo(email, /Forgotten password procedure/);
    expect(email_.text).toMatch(/valid until \d{1,2} \w+ \d{4}, \d{2}:\d{2}:\d{2}/);
    await page.goto(resetLink(email_));
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Password management');
    await page.getByLabel(/^New password/).fill(NEW_PASSWORD);
    await expect(page.locator('.strength__label')).toContainText('accepted');
    await page.getByLabel(/^Confirm the new password/).fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Confirm' }).click();
    await expect(page.getByRole('status')).toHaveText('Your password has been changed. Log in with your new password.');
    await expectAccessible(page);
  });

  test('an expired link says so and offers to start again', async ({ page }) => {
    const email = await activeAccount(page, 'expire');
    await askForNewPassword(page, email, 'Médor');
    const link = resetLink(await emailTo(email, /Procédure de perte de mot de passe/));
    expireLinks(email, 'reset');
    await page.goto(link);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Lien expiré');
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Recommencer' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Mot de passe oublié ?');
  });

  test('the recovery works with JavaScript disabled', async ({ browser, page }) => {
    const email = await activeAccount(page, 'nojs-oubli');
    const context = await browser.newContext({ javaScriptEnabled: false });
    const noJs = await context.newPage();
    await askForNewPassword(noJs, email, 'medor');
    const link = resetLink(await emailTo(email, /Procédure de perte de mot de passe/));
    await noJs.goto(link);
    await noJs.getByLabel(/^Nouveau mot de passe/).fill('Grenadine-1');
    await noJs.getByLabel(/^Confirmer le nouveau mot de passe/).fill('Grenadine-1');
    await noJs.getByRole('button', { name: 'Valider' }).click();
    await expect(noJs.locator('#password-error')).toContainText('au moins 12 caractères');
    await noJs.getByLabel(/^Nouveau mot de passe/).fill(NEW_PASSWORD);
    await noJs.getByLabel(/^Confirmer le nouveau mot de passe/).fill(NEW_PASSWORD);
    await noJs.getByRole('button', { name: 'Valider' }).click();
    await expect(noJs.getByRole('status')).toContainText('Votre mot de passe a été changé');
    await noJs.getByLabel('Adresse électronique de connexion').fill(email);
    await noJs.getByLabel(/^Mot de passe( \(obligatoire\))?$/).fill(NEW_PASSWORD);
    const before = await codeCount(email);
    await noJs.getByRole('button', { name: 'Se connecter', exact: true }).click();
    await passSecondStep(noJs, email, before);
    await expect(noJs).toHaveURL(/\/accueil$/);
    await context.close();
  });
});
