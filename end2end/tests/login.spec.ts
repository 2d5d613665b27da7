import { expect, test, type Page } from '@playwright/test';
import { activePerson, emailTo, expectAccessible, logIn, openMyAccount, uniqueEmail, PASSWORD } from './support';

/**
 * "Se connecter" (guide, "Connexion"): the login box on the home page, its
 * refusals, the lock after repeated failures, a deactivated account, and a
 * session that ends while a page is open.
 */

/** A refused login: the box says why, keeps the address and asks for the password again. */
async function refusedLogIn(page: Page, email: string, password: string): Promise<void> {
  await logIn(page, email, password);
  await expect(page.getByRole('alert')).toBeVisible();
  await expect(page.getByLabel('Adresse électronique de connexion')).toHaveValue(email);
  await expect(page.getByLabel(/^Mot de passe( \(obligatoire\))?$/)).toHaveValue('');
}

test.describe('Se connecter', () => {
  test('a wrong password and an unknown address are refused with the same words', async ({ page }) => {
    const email = await activePerson(page, 'refus');
    await page.goto('/');
    await refusedLogIn(page, email, 'Framboise-Citron-1999');
    const refusal = page.getByRole('alert');
    await expect(refusal).toHaveText('Adresse électronique ou mot de passe incorrect.');
    await expectAccessible(page);

    const nobody = uniqueEmail('personne');
    await refusedLogIn(page, nobody, PASSWORD);
    await expect(refusal).toHaveText('Adresse électronique ou mot de passe incorrect.');
    await expect(page).not.toHaveURL(/\/accueil$/);
  });

  test('five failures lock the address, even for the right password, and its owner is told', async ({ page }) => {
    const email = await activePerson(page, 'verrou');
    await page.goto('/');
    for (let attempt = 1; attempt <= 5; attempt++) {
      await refusedLogIn(page, email, `Mauvais-Essai-${attempt}`);
    }
    await refusedLogIn(page, email, PASSWORD);
    await expect(page.getByRole('alert')).toContainText('Trop de tentatives de connexion ont échoué pour cette adresse');
    await expect(page).not.toHaveURL(/\/accueil$/);
    await expectAccessible(page);
    const warning = await emailTo(email, /temporairement bloquée/);
    expect(warning.text).toContain('Mot de passe oublié');
  });

  test('a deactivated account says so and offers "Demander la réactivation"', async ({ page }) => {
    const email = await activePerson(page, 'desactive');
    await page.goto('/');
    await logIn(page, email, PASSWORD);
    await expect(page).toHaveURL(/\/accueil$/);
    await page.getByRole('link', { name: 'Mon compte' }).click();
    const deactivation = page.locator('form', {
      has: page.getByRole('button', { name: 'Désactiver mon compte' }),
    });
    await deactivation.getByLabel(/^Mot de passe actuel/).fill(PASSWORD);
    await deactivation.getByRole('button', { name: 'Désactiver mon compte' }).click();
    await expect(page.getByRole('status')).toContainText('Votre compte est désactivé');
    await emailTo(email, /Désactivation de votre compte/);

    await logIn(page, email, PASSWORD);
    await expect(page.getByRole('alert')).toContainText('Votre compte est désactivé.');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Demander la réactivation' }).click();
    await expect(page.getByRole('status')).toContainText('votre demande de réactivation a été transmise');
    await emailTo(email, /Demande de réactivation/);
  });

  test('a session that ended while a page was open brings back the login box, then the page', async ({ page, context }) => {
    const email = await activePerson(page, 'expire');
    await page.goto('/');
    await logIn(page, email, PASSWORD);
    await expect(page).toHaveURL(/\/accueil$/);
    await openMyAccount(page);

    // The session ends elsewhere (expiry, another browser's "Déconnexion").
    await context.clearCookies();
    await page.getByLabel(/^Nouvelle adresse électronique de contact/).fill(uniqueEmail('contact'));
    await page.getByRole('button', { name: "Modifier l'adresse de contact" }).click();
    await expect(page).toHaveURL(/\/\?suivant=(%2F|\/)mon-compte$/);
    await expect(page.getByRole('status')).toHaveText('Connectez-vous pour accéder à cette page.');
    await expectAccessible(page);

    await logIn(page, email, PASSWORD);
    await expect(page).toHaveURL(/\/mon-compte$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Mon compte');
  });
});
