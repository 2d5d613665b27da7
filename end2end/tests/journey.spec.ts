import { expect, test, type Page, type Request } from '@playwright/test';
import {
  activationLink,
  emailTo,
  expectAccessible,
  fillSignupFr,
  uniqueEmail,
  PASSWORD,
  codeCount,
  passSecondStep,
} from './support';

/**
 * Part 8's journey: a single-page application. From the home page to
 * "Déconnexion", the document is loaded twice only: at the start, and when
 * the emailed activation link is opened. Every submission is a request to a
 * server function under /api, the focus goes to the new page's heading
 * after each navigation, and the change is announced.
 */

/** The Wasm has taken over the page: links and forms go through the app. */
async function waitForHydration(page: Page): Promise<void> {
  await page.locator('body[data-hydrated]').waitFor({ state: 'attached' });
}

/** Marks the document: the mark survives navigations in the app, not a reload. */
async function markDocument(page: Page): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as { sesameDocument: string }).sesameDocument = 'still here';
  });
}

async function expectSameDocument(page: Page, step: string): Promise<void> {
  const mark = await page.evaluate(
    () => (window as unknown as { sesameDocument?: string }).sesameDocument,
  );
  expect(mark, `the document was reloaded at: ${step}`).toBe('still here');
}

/**
 * Clicks `button` and waits for the request to the server function at
 * `endpoint` (the strength meter's own calls are not what is awaited).
 */
async function submitThroughServerFunction(
  page: Page,
  button: ReturnType<Page['getByRole']>,
  endpoint: string,
): Promise<Request> {
  const [request] = await Promise.all([
    page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === endpoint),
    button.click(),
  ]);
  return request;
}

/** After a navigation: the main heading has the focus, and the page is announced. */
async function expectFocusOnHeading(page: Page, heading: string | RegExp): Promise<void> {
  const h1 = page.getByRole('heading', { level: 1 });
  await expect(h1).toHaveText(heading);
  await expect(h1).toBeFocused();
  await expect(page.locator('[aria-live="polite"][aria-atomic="true"]')).toHaveText(
    `Page chargée : ${await page.title()}`,
  );
}

test.describe('Le parcours complet, sans recharger la page', () => {
  test('home, signup, activation, login, "Mon compte", contact address, logout', async ({ page }) => {
    const email = uniqueEmail('spa');
    await page.goto('/');
    await waitForHydration(page);
    await markDocument(page);
    await expectAccessible(page);

    await page.getByRole('link', { name: 'Créer votre compte' }).click();
    await expect(page).toHaveURL(/\/inscription$/);
    await expectFocusOnHeading(page, 'Créer votre compte');
    await expectSameDocument(page, '"Créer votre compte"');
    await expectAccessible(page);

    // A refused submission: the errors next to their fields, what was typed kept.
    await fillSignupFr(page, { email, lastName: 'Dupont', firstName: 'Paul' });
    await page.getByLabel(/^Code postal/).fill('420');
    const refused = await submitThroughServerFunction(page, page.getByRole('button', { name: "Finaliser l'inscription" }), '/api/inscription');
    expect(new URL(refused.url()).pathname).toBe('/api/inscription');
    const summary = page.locator('.error-summary');
    await expect(summary).toContainText('Code postal');
    await expect(summary).toBeFocused();
    await expect(page.locator('#postal_code-error')).toContainText('5 chiffres');
    await expect(page.getByLabel(/^Nom/)).toHaveValue('Dupont');
    await expectSameDocument(page, 'the refused submission');
    await expectAccessible(page);

    // A successful one: the recap.
    await page.getByLabel(/^Code postal/).fill('42000');
    await page.getByLabel(/^Caractères de l'image/).fill('K7M2P');
    const created = await submitThroughServerFunction(page, page.getByRole('button', { name: "Finaliser l'inscription" }), '/api/inscription');
    expect(new URL(created.url()).pathname).toBe('/api/inscription');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Saisie nouvel utilisateur');
    await expect(page.getByRole('heading', { level: 1 })).toBeFocused();
    await expect(page.getByText(email).first()).toBeVisible();
    await expectSameDocument(page, 'the recap');
    await expectAccessible(page);

    await page.getByRole('link', { name: /^Retour à l'accueil/ }).click();
    await expect(page).toHaveURL(/\/$/);
    await expectFocusOnHeading(page, /Bienvenue/);
    await expectSameDocument(page, 'back home');

    // The emailed link is opened as a new page load.
    const link = activationLink(await emailTo(email, /Activez votre compte/));
    await page.goto(link);
    await waitForHydration(page);
    await markDocument(page);
    await page.getByLabel(/^Mot de passe/).fill(PASSWORD);
    await page.getByLabel(/^Confirmer le mot de passe/).fill(PASSWORD);
    await page.getByLabel(/^Question secrète/).fill('Nom de mon premier chien ?');
    await page.getByLabel(/^Réponse à la question secrète/).fill('Médor');
    const activated = await submitThroughServerFunction(page, page.getByRole('button', { name: 'Valider' }), '/api/activation');
    expect(new URL(activated.url()).pathname).toBe('/api/activation');
    await expect(page.getByRole('status')).toContainText('Votre compte est activé');
    await expectSameDocument(page, 'the activation');
    await expectAccessible(page);

    await page.getByLabel('Adresse électronique de connexion').fill(email);
    await page.getByLabel(/^Mot de passe( \(obligatoire\))?$/).fill(PASSWORD);
    const before = await codeCount(email);
    const loggedIn = await submitThroughServerFunction(page, page.getByRole('button', { name: 'Se connecter', exact: true }), '/api/connexion');
    expect(new URL(loggedIn.url()).pathname).toBe('/api/connexion');
    // The second step, in place: the code emailed to the login address.
    await expect(page).toHaveURL(/\/verification$/);
    await expectSameDocument(page, 'the password step');
    await expect(page.getByLabel(/^Code reçu par courriel/)).toBeFocused();
    await expectAccessible(page);
    await passSecondStep(page, email, before);
    await expectSameDocument(page, 'the second step');
    await expect(page).toHaveURL(/\/accueil$/);
    await expect(page.getByRole('region', { name: "Fil d'événements" })).toContainText('Connexion');
    await expect(page.getByRole('heading', { level: 1 })).toBeFocused();
    await expectSameDocument(page, 'the login');
    await expectAccessible(page);

    await page.getByRole('link', { name: 'Mon compte' }).click();
    await expect(page).toHaveURL(/\/mon-compte$/);
    await expectFocusOnHeading(page, 'Mon compte');
    await expectSameDocument(page, '"Mon compte"');
    await expect(page.locator('main .loading'), 'its data has come').toHaveCount(0);
    await expect(page.getByRole('heading', { level: 1 })).toBeFocused();
    await expectAccessible(page);

    const newContact = uniqueEmail('contact');
    await page.getByLabel(/^Nouvelle adresse électronique de contact/).fill(newContact);
    const changed = await submitThroughServerFunction(page, page.getByRole('button', { name: "Modifier l'adresse de contact" }), '/api/mon-compte/contact');
    expect(new URL(changed.url()).pathname).toBe('/api/mon-compte/contact');
    await expect(page.getByRole('status').filter({ hasText: newContact })).toBeVisible();
    await emailTo(newContact, /adresse de contact/i);
    await expectSameDocument(page, 'the contact address change');
    await expectAccessible(page);

    const loggedOut = await submitThroughServerFunction(page, page.getByRole('button', { name: 'Déconnexion' }), '/api/deconnexion');
    expect(new URL(loggedOut.url()).pathname).toBe('/api/deconnexion');
    await expect(page.getByRole('status')).toHaveText('Vous êtes déconnecté.');
    await expectSameDocument(page, '"Déconnexion"');
    await expectAccessible(page);

    // Back and forward work in the app too.
    await page.goBack();
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await expectSameDocument(page, 'going back');
  });

  test('the same journey with JavaScript disabled, through plain form posts', async ({ browser }) => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const email = uniqueEmail('spa-nojs');
    await page.goto('/');
    await page.getByRole('link', { name: 'Créer votre compte' }).click();
    await fillSignupFr(page, { email, lastName: 'Dupont', firstName: 'Paul' });
    await page.getByLabel(/^Code postal/).fill('420');
    await page.getByRole('button', { name: "Finaliser l'inscription" }).click();
    await expect(page.locator('#postal_code-error')).toContainText('5 chiffres');
    await expect(page.getByLabel(/^Nom/)).toHaveValue('Dupont');
    await page.getByLabel(/^Code postal/).fill('42000');
    await page.getByLabel(/^Caractères de l'image/).fill('K7M2P');
    await page.getByRole('button', { name: "Finaliser l'inscription" }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Saisie nouvel utilisateur');
    await page.getByRole('link', { name: /^Retour à l'accueil/ }).click();

    await page.goto(activationLink(await emailTo(email, /Activez votre compte/)));
    await page.getByLabel(/^Mot de passe/).fill(PASSWORD);
    await page.getByLabel(/^Confirmer le mot de passe/).fill(PASSWORD);
    await page.getByLabel(/^Question secrète/).fill('Nom de mon premier chien ?');
    await page.getByLabel(/^Réponse à la question secrète/).fill('Médor');
    await page.getByRole('button', { name: 'Valider' }).click();
    await expect(page.getByRole('status')).toContainText('Votre compte est activé');

    await page.getByLabel('Adresse électronique de connexion').fill(email);
    await page.getByLabel(/^Mot de passe( \(obligatoire\))?$/).fill(PASSWORD);
    const before = await codeCount(email);
    await page.getByRole('button', { name: 'Se connecter', exact: true }).click();
    await passSecondStep(page, email, before);
    await expect(page).toHaveURL(/\/accueil$/);
    await page.getByRole('link', { name: 'Mon compte' }).click();
    const newContact = uniqueEmail('contact-nojs');
    await page.getByLabel(/^Nouvelle adresse électronique de contact/).fill(newContact);
    await page.getByRole('button', { name: "Modifier l'adresse de contact" }).click();
    await expect(page.getByRole('status').filter({ hasText: newContact })).toBeVisible();
    await page.getByRole('button', { name: 'Déconnexion' }).click();
    await expect(page.getByRole('status')).toHaveText('Vous êtes déconnecté.');
    await context.close();
  });
});

test.describe('Un onglet ouvert avant une mise à jour du portail', () => {
  // The packs of chunks are refused (as the deploy could have made them
  // gone too): the chunk loader fetches each chunk on its own, so that the
  // one the deploy replaced is asked for at the click.
  const refusePacks = (page: Page) => page.route('**/packs/*.pack', (route) => route.fulfill({ status: 404 }));

  test("a page whose code the deploy replaced is loaded as a new document, and the app goes on in it", async ({ page }) => {
    await refusePacks(page);
    await page.goto('/');
    await waitForHydration(page);
    await markDocument(page);
    // The deploy: the signup page's chunk of the build this tab runs is
    // gone (its hash changed). Only this first request fails.
    await page.route(/\/pkg\/split___signup_route_view[^/]*\.wasm$/, (route) => route.fulfill({ status: 404 }), {
      times: 1,
    });
    await page.getByRole('link', { name: 'Créer votre compte' }).click();

    await expect(page).toHaveURL(/\/inscription$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Créer votre compte');
    const mark = await page.evaluate(() => (window as unknown as { sesameDocument?: string }).sesameDocument);
    expect(mark, 'the page was drawn by a new document').toBeUndefined();
    // The one thing the tab kept: when it did so (a time, nothing secret).
    const storage = await page.evaluate(() => ({
      session: Object.entries(sessionStorage),
      local: Object.keys(localStorage),
    }));
    expect(storage.local).toEqual([]);
    expect(storage.session).toEqual([['sesame-version-skew-reload', expect.stringMatching(/^\d{13}$/)]]);

    // The new document's Wasm has taken over: links go through the app again.
    await waitForHydration(page);
    await markDocument(page);
    await page.getByRole('link', { name: /^Sésame/ }).click();
    await expectFocusOnHeading(page, 'Bienvenue sur le portail Sésame');
    await expectSameDocument(page, 'back home after the new document');
  });

  test('a chunk missing from the server too loads one new document, not a loop', async ({ page }) => {
    await refusePacks(page);
    await page.goto('/');
    await waitForHydration(page);
    await page.route(/\/pkg\/split___signup_route_view[^/]*\.wasm$/, (route) => route.fulfill({ status: 404 }));
    let documents = 0;
    page.on('domcontentloaded', () => {
      documents += 1;
    });
    await page.getByRole('link', { name: 'Créer votre compte' }).click();

    // The server draws the page; its Wasm cannot take over, and the tab
    // does not try again within 30 seconds.
    await expect(page).toHaveURL(/\/inscription$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Créer votre compte');
    await page.waitForTimeout(3_000);
    expect(documents).toBe(1);
  });
});
