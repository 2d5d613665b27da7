import { expect, test, type Page } from '@playwright/test';
import {
  activePerson,
  emailTo,
  expectAccessible,
  linkIn,
  logIn,
  logInFromHome,
  PASSWORD,
  pageProblems,
} from './support';

/**
 * Part 13 in Chromium with its virtual authenticator (CDP
 * `WebAuthn.addVirtualAuthenticator`): a security key registered in
 * "Sécurité" asked at the next login; a passkey that logs in from the
 * login box; and "Nouvelle connexion à votre compte Sésame" read from
 * maildev, with its "Ce n'était pas moi" page.
 */

/**
 * Plugs a virtual authenticator into the page's browser tab: a USB key
 * without user verification (CTAP2, no resident keys: presence only), or a
 * passkey provider (internal, resident keys, user verified).
 */
async function plugAuthenticator(page: Page, kind: 'security key' | 'passkey'): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const passkey = kind === 'passkey';
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: passkey ? 'internal' : 'usb',
      hasResidentKey: passkey,
      hasUserVerification: passkey,
      isUserVerified: passkey,
      automaticPresenceSimulation: true,
    },
  });
}

/** "Sécurité": names a key and starts adding it with `button`, then has the browser register it. */
async function addKey(page: Page, name: string, button: string): Promise<void> {
  await page.goto('/securite');
  await page.locator('body[data-hydrated]').waitFor({ state: 'attached' });
  await page.getByLabel(/^Mot de passe actuel/).fill(PASSWORD);
  await page.getByLabel(/^Nom de la nouvelle clé/).fill(name);
  await page.getByRole('button', { name: button }).click();
  await expect(page.getByRole('heading', { name: `Ajouter la clé « ${name} »` })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Enregistrer ma clé' }).click();
  // The first key gives the first recovery codes.
  await expect(page.locator('.recovery-codes code')).toHaveCount(10);
  await expect(page.locator('.key-list')).toContainText(name);
  await expectAccessible(page);
}

async function logOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Déconnexion' }).click();
  await expect(page.getByRole('heading', { name: 'Vous avez déjà un compte ?' })).toBeVisible();
}

test.describe('Clés de sécurité et clés d\'accès', () => {
  test('a key registered in "Sécurité" is asked after the password at the next login', async ({ page }) => {
    const email = await activePerson(page, 'cle');
    await logInFromHome(page, email);
    await plugAuthenticator(page, 'security key');
    await addKey(page, 'Clé YubiKey bureau', 'Ajouter une clé de sécurité');
    await emailTo(email, /^Clé de sécurité ajoutée à votre compte Sésame$/);
    await logOut(page);

    await page.locator('body[data-hydrated]').waitFor({ state: 'attached' });
    await page.getByLabel('Adresse électronique de connexion').fill(email);
    await page.getByLabel(/^Mot de passe( \(obligatoire\))?$/).fill(PASSWORD);
    await page.getByRole('button', { name: 'Se connecter', exact: true }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Vérification en deux étapes');
    const useKey = page.getByRole('button', { name: 'Utiliser ma clé de sécurité' });
    await expect(useKey).toBeFocused();
    await expectAccessible(page);
    await useKey.click();
    await expect(page).toHaveURL(/\/accueil$/);
  });

  test('a passkey logs in from the login box, with no password and no code', async ({ page }) => {
    const email = await activePerson(page, 'clepasse');
    await logInFromHome(page, email);
    await plugAuthenticator(page, 'passkey');
    await addKey(page, 'Téléphone de Claire', "Ajouter une clé d'accès (connexion sans mot de passe)");
    await expect(page.locator('.key-list')).toContainText("clé d'accès");
    await emailTo(email, /^Clé d'accès ajoutée à votre compte Sésame$/);
    await page.getByRole('button', { name: 'Déconnexion' }).click();
    // Back on the home page, the browser's autofill offers the passkey
    // (conditional mediation; the virtual authenticator picks it at once):
    // logged in, with no password and no code.
    await expect(page).toHaveURL(/\/accueil$/);
    await expect(page.locator('.events li').first()).toContainText('Connexion');
  });

  test('a passkey answered after its login box was left logs nobody in and keeps the app running', async ({ page }) => {
    const email = await activePerson(page, 'clequittee');
    await logInFromHome(page, email);
    await plugAuthenticator(page, 'passkey');
    await addKey(page, 'Téléphone de Claire', "Ajouter une clé d'accès (connexion sans mot de passe)");
    // The browser's prompts are held open until the test lets them answer:
    // each request to the authenticator made so far waits for
    // `sesameRelease()`, then goes to the virtual authenticator (which
    // answers with the passkey at once); later ones wait for the next.
    const holdPrompts = () => {
      const held = window as unknown as { sesameRelease?: () => void; sesamePrompts: string[] };
      if (held.sesameRelease) return;
      let release = () => {};
      let gate = new Promise<void>((open) => (release = open));
      held.sesameRelease = () => {
        release();
        gate = new Promise<void>((open) => (release = open));
      };
      const ask = navigator.credentials.get.bind(navigator.credentials);
      held.sesamePrompts = [];
      navigator.credentials.get = async (options?: CredentialRequestOptions) => {
        held.sesamePrompts.push(options?.mediation ?? 'optional');
        await gate;
        return ask(options);
      };
    };
    await page.addInitScript(holdPrompts);
    await page.evaluate(holdPrompts);
    await page.getByRole('button', { name: 'Déconnexion' }).click();
    await expect(page.getByRole('heading', { name: 'Vous avez déjà un compte ?' })).toBeVisible();
    await page.locator('body[data-hydrated]').waitFor({ state: 'attached' });
    const problems = pageProblems(page);
    await page.evaluate(() => {
      (window as unknown as { sesameDocument: string }).sesameDocument = 'still here';
    });

    // The button's prompt is open (beside the autofill's) when the person
    // leaves for another page of the app; the key answers afterwards.
    await page.getByRole('button', { name: "Se connecter avec une clé d'accès" }).click();
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { sesamePrompts: string[] }).sesamePrompts))
      .toContain('optional');
    await page.getByRole('link', { name: 'Créer votre compte' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Créer votre compte');
    await page.evaluate(() => (window as unknown as { sesameRelease: () => void }).sesameRelease());
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 1_500)));

    // Nobody is logged in by an answer for a page that is gone, and the app
    // still answers: the next link is followed in place.
    await expect(page).toHaveURL(/\/inscription$/);
    await page.locator('a.site-header__brand').click();
    await expect(page.getByRole('heading', { name: 'Vous avez déjà un compte ?' })).toBeVisible();
    const mark = await page.evaluate(() => (window as unknown as { sesameDocument?: string }).sesameDocument);
    expect(mark, 'no document was loaded').toBe('still here');
    await page.goto('/accueil');
    await expect(page).toHaveURL(/\/\?suivant=/);
    expect(problems.filter((problem) => problem.startsWith('uncaught') || problem.startsWith('console'))).toEqual([]);
  });

  test('the login box offers a passkey where the browser can use one', async ({ page }) => {
    await page.goto('/');
    await page.locator('body[data-hydrated]').waitFor({ state: 'attached' });
    await expect(page.getByLabel('Adresse électronique de connexion')).toHaveAttribute('autocomplete', 'username webauthn');
    await expect(page.getByRole('button', { name: "Se connecter avec une clé d'accès" })).toBeVisible();
    await expectAccessible(page);
  });

  test('a login from a new browser is told by email, and "Ce n\'était pas moi" ends every session', async ({ page, browser }) => {
    const email = await activePerson(page, 'nouveaunav');
    await logInFromHome(page, email);
    // Another browser: a context with no cookie of this one.
    const other = await browser.newContext();
    const thief = await other.newPage();
    await thief.goto('/');
    await logIn(thief, email, PASSWORD);
    await expect(thief).toHaveURL(/\/accueil$/);

    const notice = await emailTo(email, /^Nouvelle connexion à votre compte Sésame$/);
    expect(notice.text).toContain('votre mot de passe et un code reçu par courriel');
    expect(notice.text).toContain('ne vous demandera jamais de code');
    const link = linkIn(notice, '/ce-n-etait-pas-moi/');
    await page.goto(link);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText("Ce n'était pas moi");
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Fermer toutes les sessions et changer mon mot de passe' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Votre compte est protégé');
    await expectAccessible(page);
    await emailTo(email, /^Votre compte Sésame est protégé/);

    // The other browser's session has ended.
    await thief.goto('/mon-compte');
    await expect(thief).toHaveURL(/\/\?suivant=/);
    await other.close();
  });

  test('known browsers are listed in "Mon compte"', async ({ page }) => {
    const email = await activePerson(page, 'navconnus');
    await logInFromHome(page, email);
    await page.goto('/mon-compte');
    const section = page.getByRole('region', { name: 'Navigateurs connus' });
    await expect(section).toContainText('ce navigateur');
    await expectAccessible(page);
    await section.getByRole('button', { name: 'Oublier tous les navigateurs' }).click();
    await expect(page.getByText('Les navigateurs demandés sont oubliés')).toBeVisible();
  });
});
