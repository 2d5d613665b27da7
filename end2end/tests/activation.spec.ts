import { expect, test, type Page } from '@playwright/test';
import {
  activationEmailsTo,
  codeCount,
  passSecondStep,
  activationLink,
  expectAccessible,
  expireActivationLinks,
  pageProblems,
  signUp,
  submitAndWait,
  typeBeforeTheCode,
  uniqueEmail,
  PASSWORD,
} from './support';

/** The login box as typed by hand; a right password then leads through the second step. */
async function logIn(page: Page, email: string, password: string) {
  const before = await codeCount(email);
  await page.getByLabel('Adresse électronique de connexion').fill(email);
  await page.getByLabel(/^Mot de passe( \(obligatoire\))?$/).fill(password);
  await page.getByRole('button', { name: 'Se connecter', exact: true }).click();
  await Promise.race([page.waitForURL(/\/verification/), page.getByRole('alert').waitFor()]);
  if (/\/verification/.test(page.url())) await passSecondStep(page, email, before);
}

test.describe('Activer son compte et se connecter', () => {
  test('on a first load, the blocks take over in turn: what was typed before the code ran keeps, and the rules then judge it', async ({ page }) => {
    const email = uniqueEmail();
    const link = await signUp(page, { email, lastName: 'Dupont', firstName: 'Paul' });
    const city = page.getByLabel(/^Ville/);
    const password = page.getByLabel(/^Mot de passe/);
    const question = page.getByLabel(/^Question secrète/);
    await typeBeforeTheCode(page, link, async () => {
      await city.fill('Lyon');
      await password.fill(PASSWORD);
      await question.fill('Ma première voiture ?');
    });
    await expect(city).toHaveValue('Lyon');
    await expect(password).toHaveValue(PASSWORD);
    await expect(question).toHaveValue('Ma première voiture ?');
    await expect(page.locator('#password-rules').getByText('au moins 8 caractères')).toContainText('(respectée)');
    await expect(page.locator('.strength__feedback')).toContainText('accepté');
    await expectAccessible(page);

    // Taken over, the blocks answer through the server function, in place,
    // with what was typed before their turn.
    await page.getByLabel(/^Confirmer le mot de passe/).fill(PASSWORD);
    await page.getByLabel(/^Réponse à la question secrète/).fill('Clio');
    expect(await submitAndWait(page, page.getByRole('button', { name: 'Valider' }))).toBe('/api/activation');
    await expect(page.getByRole('status')).toContainText('Votre compte est activé');
  });

  test('from the activation email to the connected home, watching the rules tick', async ({ page }) => {
    const email = uniqueEmail();
    const link = await signUp(page, { email, lastName: 'Dupont', firstName: 'Paul' });

    await page.goto(link);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Activer votre compte');
    await expect(page.getByText(email).first()).toBeVisible();
    await expectAccessible(page);

    const password = page.getByLabel(/^Mot de passe/);
    const rules = page.locator('#password-rules');
    await password.pressSequentially('abc');
    await expect(rules.getByText('au moins 8 caractères')).toContainText('(non respectée)');
    await expect(rules.getByText('des minuscules')).toContainText('(respectée)');
    await password.fill(PASSWORD);
    await expect(rules.getByText('au moins 8 caractères')).toContainText('(respectée)');
    await expect(rules.getByText('des majuscules')).toContainText('(respectée)');
    await expect(rules.getByText('au moins 3 types de caractères parmi :')).toContainText('(respectée)');
    await expect(page.locator('.strength__label')).toContainText('accepté');

    await page.getByLabel(/^Confirmer le mot de passe/).fill('Vanille-Fraise-2025');
    await expect(page.locator('#password_confirmation-error')).toContainText('ne sont pas identiques');
    await page.getByLabel(/^Confirmer le mot de passe/).fill(PASSWORD);
    await expect(page.getByText('Les deux mots de passe sont identiques.')).toBeVisible();
    await page.getByLabel(/^Question secrète/).fill('Nom de mon premier chien ?');
    await page.getByLabel(/^Réponse à la question secrète/).fill('Médor');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Valider' }).click();

    await expect(page.getByRole('status')).toHaveText('Votre compte est activé. Vous pouvez maintenant vous connecter.');
    await logIn(page, email, PASSWORD);
    await expect(page).toHaveURL(/\/accueil$/);
    await expect(page.getByRole('banner')).toContainText('Paul Dupont');
    await expect(page.getByRole('button', { name: 'Déconnexion' })).toBeVisible();
    const feed = page.getByRole('region', { name: "Fil d'événements" });
    await expect(feed).toContainText('Connexion');
    await expect(feed).toContainText('Compte activé');
    await expect(page.getByRole('region', { name: 'Actualités' })).toContainText('support téléphonique');
    await expectAccessible(page);

    await page.getByRole('link', { name: 'Mon compte' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Mon compte');
    await expect(page.getByText('Saint-Étienne')).toBeVisible();
    await expectAccessible(page);

    await page.getByRole('button', { name: 'Déconnexion' }).click();
    await expect(page.getByRole('status')).toHaveText('Vous êtes déconnecté.');
    await page.goto('/accueil');
    await expect(page.getByRole('status')).toHaveText('Connectez-vous pour accéder à cette page.');
  });

  test('a password typed with combining accents is the same password as its precomposed confirmation', async ({ page }) => {
    // NFKC (NIST SP 800-63B 5.1.1.2): the browser's checks normalise with
    // its own engine, the server with its tables; both must agree.
    const precomposed = 'Gr\u00e2ce-For\u00eat-\u00c9t\u00e9-2026';
    const decomposed = 'Gra\u0302ce-Fore\u0302t-E\u0301te\u0301-2026';
    expect(decomposed).not.toBe(precomposed);
    const email = uniqueEmail();
    await page.goto(await signUp(page, { email, lastName: 'Lefèvre', firstName: 'Zoé' }));

    await page.getByLabel(/^Mot de passe/).fill(decomposed);
    await expect(page.locator('#password-rules').getByText('au moins 8 caractères')).toContainText('(respectée)');
    await page.getByLabel(/^Confirmer le mot de passe/).fill(precomposed);
    await expect(page.getByText('Les deux mots de passe sont identiques.')).toBeVisible();
    await expect(page.locator('#password_confirmation-error')).toBeEmpty();
    await page.getByLabel(/^Question secrète/).fill('Ville de mon enfance ?');
    await page.getByLabel(/^Réponse à la question secrète/).fill('Saint-Étienne');
    await page.getByRole('button', { name: 'Valider' }).click();

    await expect(page.getByRole('status')).toHaveText('Votre compte est activé. Vous pouvez maintenant vous connecter.');
    await logIn(page, email, precomposed);
    await expect(page).toHaveURL(/\/accueil$/);
  });

  test('a password that follows the rules but is easy to guess is refused', async ({ page }) => {
    const email = uniqueEmail();
    const link = await signUp(page, { email, lastName: 'Dupont', firstName: 'Paul' });
    await page.goto(link);
    await page.getByLabel(/^Mot de passe/).fill('Password1!');
    await expect(page.locator('.strength__label')).toContainText('trop facile à deviner');
    await page.getByLabel(/^Confirmer le mot de passe/).fill('Password1!');
    await page.getByLabel(/^Question secrète/).fill('Nom de mon premier chien ?');
    await page.getByLabel(/^Réponse à la question secrète/).fill('Médor');
    await page.getByRole('button', { name: 'Valider' }).click();
    await expect(page.locator('#password-error')).toContainText('Complexité insuffisante');
    await expect(page.getByLabel(/^Question secrète/)).toHaveValue('Nom de mon premier chien ?');
    await expectAccessible(page);
  });

  test('the meter asks the server again when it did not answer, says so when it still does not, and the password is judged when the form is sent', async ({ page }) => {
    const email = uniqueEmail();
    const link = await signUp(page, { email, lastName: 'Dupont', firstName: 'Paul' });
    // The first request for the meter is lost: the next try judges.
    let asked = 0;
    await page.route('**/api/password_strength', (route) => (++asked === 1 ? route.abort('connectionreset') : route.continue()));
    await page.goto(link);
    await page.locator('body[data-hydrated]').waitFor({ state: 'attached' });
    const password = page.getByLabel(/^Mot de passe/);
    await password.fill(PASSWORD);
    await expect(page.locator('.strength__feedback')).toContainText('accepté');
    expect(asked).toBe(2);

    // The server stays unreachable: after its tries, the meter says so,
    // and the rules still tick.
    await page.unroute('**/api/password_strength');
    await page.route('**/api/password_strength', (route) => route.abort('connectionreset'));
    await password.fill('Password1!');
    await expect(page.locator('.strength__feedback')).toHaveText(
      "La complexité n'a pas pu être évaluée : le serveur ne répond pas. Elle sera vérifiée à l'envoi du formulaire.",
      { timeout: 15_000 },
    );
    await expect(page.locator('#password-rules').getByText('au moins 8 caractères')).toContainText('(respectée)');
    await expectAccessible(page);

    // The server judges what the meter could not.
    await page.getByLabel(/^Confirmer le mot de passe/).fill('Password1!');
    await page.getByLabel(/^Question secrète/).fill('Nom de mon premier chien ?');
    await page.getByLabel(/^Réponse à la question secrète/).fill('Médor');
    await submitAndWait(page, page.getByRole('button', { name: 'Valider' }));
    await expect(page.locator('#password-error')).toContainText('Complexité insuffisante');
    await expect(page.getByLabel(/^Question secrète/)).toHaveValue('Nom de mon premier chien ?');
  });

  test('a page left while its meter is about to ask the server keeps the app running', async ({ page }) => {
    const email = uniqueEmail();
    const link = await signUp(page, { email, lastName: 'Dupont', firstName: 'Paul' });
    await page.goto(link);
    await page.locator('body[data-hydrated]').waitFor({ state: 'attached' });
    const problems = pageProblems(page);
    // A mark on the document: it survives navigations in the app, not a load.
    await page.evaluate(() => {
      (window as unknown as { sesameDocument: string }).sesameDocument = 'still here';
    });
    // Typed, then the page left at once, in the app: the meter's wait
    // (250 ms), or its request, ends after the fields are let go of.
    await page.getByLabel(/^Mot de passe/).fill(PASSWORD);
    await page.locator('a.site-header__brand').click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Bienvenue sur le portail Sésame');
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 1_000)));

    // The app still answers: the next link is followed in place.
    await page.getByRole('link', { name: 'Créer votre compte' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Créer votre compte');
    const mark = await page.evaluate(() => (window as unknown as { sesameDocument?: string }).sesameDocument);
    expect(mark, 'no document was loaded').toBe('still here');
    expect(problems.filter((problem) => problem.startsWith('uncaught') || problem.startsWith('console'))).toEqual([]);
  });

  test('an expired link offers "Réactiver", which sends a new link', async ({ page }) => {
    const email = uniqueEmail();
    const link = await signUp(page, { email, lastName: 'Martin', firstName: 'Léa' });
    expireActivationLinks(email);
    await page.goto(link);
    await expect(page.getByText('Ce message n\'est plus valide pour activer votre compte')).toBeVisible();
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Réactiver' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText("Nouveau lien d'activation envoyé");
    await expect(page.getByText(`Un nouveau courriel d'activation a été envoyé à l'adresse ${email}`)).toBeVisible();
    await expect.poll(async () => (await activationEmailsTo(email)).length).toBe(2);
    const emails = await activationEmailsTo(email);
    const fresh = activationLink(emails.find((e) => activationLink(e) !== link)!);
    await page.goto(fresh);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Activer votre compte');
  });

  test('activation and login work in English', async ({ page }) => {
    const email = uniqueEmail('jane');
    const link = await signUp(page, { email, lastName: 'Smith', firstName: 'Jane' });
    await page.goto('/langue?lang=en&next=/');
    await page.goto(link);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Activate your account');
    await page.getByLabel(/^Password(?! complexity)/).fill(PASSWORD);
    await expect(page.locator('.strength__label')).toContainText('accepted');
    await page.getByLabel(/^Confirm the password/).fill(PASSWORD);
    await page.getByLabel(/^Secret question/).fill("My first dog's name?");
    await page.getByLabel(/^Answer to the secret question/).fill('Rex');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await expect(page.getByRole('status')).toHaveText('Your account is activated. You can now log in.');
    await page.getByLabel('Login email address').fill(email);
    await page.getByLabel(/^Password( \(required\))?$/).fill(PASSWORD);
    const before = await codeCount(email);
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await passSecondStep(page, email, before);
    await expect(page.getByRole('region', { name: 'Event feed' })).toContainText('Logged in');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Log out' }).click();
    await expect(page.getByRole('status')).toHaveText('You are logged out.');
  });

  test('activation and login work with JavaScript disabled', async ({ browser, page }) => {
    const email = uniqueEmail('nojs');
    const link = await signUp(page, { email, lastName: 'Bernard', firstName: 'Luc' });
    const context = await browser.newContext({ javaScriptEnabled: false });
    const noJs = await context.newPage();
    await noJs.goto(link);
    await noJs.getByLabel(/^Mot de passe/).fill('court');
    await noJs.getByLabel(/^Confirmer le mot de passe/).fill('court');
    await noJs.getByLabel(/^Question secrète/).fill('Nom de mon premier chien ?');
    await noJs.getByLabel(/^Réponse à la question secrète/).fill('Médor');
    await noJs.getByRole('button', { name: 'Valider' }).click();
    await expect(noJs.locator('#password-error')).toContainText('au moins 8 caractères');
    await noJs.getByLabel(/^Mot de passe/).fill(PASSWORD);
    await noJs.getByLabel(/^Confirmer le mot de passe/).fill(PASSWORD);
    await noJs.getByLabel(/^Réponse à la question secrète/).fill('Médor');
    await noJs.getByRole('button', { name: 'Valider' }).click();
    await expect(noJs.getByRole('status')).toContainText('Votre compte est activé');
    await logIn(noJs, email, 'mauvais-mot-de-passe');
    await expect(noJs.getByRole('alert')).toHaveText('Adresse électronique ou mot de passe incorrect.');
    await expect(noJs.getByLabel('Adresse électronique de connexion')).toHaveValue(email);
    await noJs.getByLabel(/^Mot de passe( \(obligatoire\))?$/).fill(PASSWORD);
    const before = await codeCount(email);
    await noJs.getByRole('button', { name: 'Se connecter', exact: true }).click();
    await passSecondStep(noJs, email, before);
    await expect(noJs).toHaveURL(/\/accueil$/);
    await expect(noJs.getByRole('region', { name: "Fil d'événements" })).toContainText('Connexion');
    await context.close();
  });
});
