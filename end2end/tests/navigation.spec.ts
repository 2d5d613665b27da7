import { expect, test } from '@playwright/test';
import { activePerson, expectAccessible, holdRequests, logInFromHome, uniqueName } from './support';

/**
 * Part 15: a click in the app on a slow line. While the next page's code is
 * on its way, the page left behind says it is busy (`aria-busy` on its
 * parts, a bar along the top, "Chargement de la page…" in the live region,
 * which stays outside them) and is inert: what the person types does not land in its fields, and a second
 * click starts no second navigation. Once the page is drawn, all of it is
 * gone.
 */
test('a click whose page is still on its way shows the busy state, and the page left behind takes nothing', async ({ page }) => {
  // Nothing fetched ahead: the page's own pack of chunks comes, the one of
  // the pages it links to is refused, so their chunks are asked for at the
  // click, one by one.
  let packs = 0;
  await page.route('**/packs/*.pack', (route) => (packs++ === 0 ? route.continue() : route.abort()));
  await page.goto('/');
  await page.locator('body[data-hydrated]').waitFor({ state: 'attached' });
  await page.waitForLoadState('networkidle');
  expect(packs, 'the pack fetched ahead was asked for, and refused').toBe(2);

  // A slow line: every Wasm file not fetched yet waits until released.
  let release = (): void => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const held: string[] = [];
  await page.route('**/*.wasm', async (route) => {
    held.push(new URL(route.request().url()).pathname);
    await released;
    await route.continue();
  });
  // A mark on the document: it survives navigations in the app, not a load.
  await page.evaluate(() => {
    (window as unknown as { sesameDocument: string }).sesameDocument = 'still here';
  });

  const loginField = page.getByLabel('Adresse électronique de connexion');
  await page.getByRole('link', { name: 'Créer votre compte' }).click();

  await expect(page.locator('body')).toHaveAttribute('data-navigating', /\d+/);
  await expect(page.locator('main')).toHaveAttribute('inert', '');
  await expect(page.locator('main')).toHaveAttribute('aria-busy', 'true');
  await expect(page.locator('.route-progress')).toBeVisible();
  await expect(page.locator('[aria-live="polite"][aria-atomic="true"]')).toHaveText('Chargement de la page…');
  expect(held.length, 'the signup page’s code was asked for').toBeGreaterThan(0);

  // Typing goes nowhere: the login box of the page left behind takes no focus.
  await loginField.evaluate((field) => (field as HTMLInputElement).focus());
  await page.keyboard.type('paul.dupont@menuiserie.fr');
  await expect(loginField).toHaveValue('');
  // A second click, on another link of the page left behind, starts nothing.
  await page.getByRole('link', { name: 'Mot de passe oublié ?' }).click({ force: true, timeout: 2_000 });

  release();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Créer votre compte');
  await expect(page).toHaveURL(/\/inscription$/);
  await expect(page.locator('body')).not.toHaveAttribute('data-navigating');
  await expect(page.locator('[inert], [aria-busy="true"]')).toHaveCount(0);
  await expect(page.locator('.route-progress')).toBeHidden();
  await expect(page.getByRole('heading', { level: 1 })).toBeFocused();
  const mark = await page.evaluate(() => (window as unknown as { sesameDocument?: string }).sesameDocument);
  expect(mark, 'no document was loaded').toBe('still here');
  // What is typed next lands in the page the person sees.
  const signupField = page.getByLabel(/^Adresse électronique de connexion/).first();
  await signupField.fill('paul.dupont@menuiserie.fr');
  await expect(signupField).toHaveValue('paul.dupont@menuiserie.fr');
});

/**
 * Part 15: a connected tab's page needs its data, a round trip away. Its
 * frame, title and heading come at once, with "Chargement de vos données…" where its data
 * goes; the data replaces it when it arrives, and the focus stays on the
 * page's heading.
 */
/**
 * Part 15: on a first load the shell's hydration lets the browser in
 * between its parts (`components::pause_before`), on a slow phone after the
 * router has started listening for clicks and before its route table is
 * made. A click on a link in that moment still leads to the link's page:
 * the browser follows it itself, as without JavaScript.
 */
test('a click on a link while the page is still starting leads to that page', async ({ page, context }) => {
  // A CPU four times slower, as a phone's: the shell's walk runs past its
  // slice and pauses.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  // The click comes in the first task after the router's listener is on
  // the window (the first listener for clicks there): in the pause before
  // the route table. Once, on the signup page.
  await page.addInitScript(() => {
    if (location.pathname !== '/inscription') return;
    const listen = EventTarget.prototype.addEventListener;
    let armed = false;
    EventTarget.prototype.addEventListener = function (type, listener, options) {
      const capture = options === true || (typeof options === 'object' && options?.capture === true);
      if (this === window && type === 'click' && !capture && !armed) {
        armed = true;
        setTimeout(() => {
          sessionStorage.setItem('clicked', document.body.hasAttribute('data-hydrated') ? 'hydrated' : 'starting');
          document.querySelector<HTMLAnchorElement>('a.site-header__brand')?.click();
        }, 0);
      }
      return listen.call(this, type, listener, options);
    };
  });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));

  await page.goto('/inscription', { waitUntil: 'commit' });

  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Bienvenue sur le portail Sésame');
  await page.locator('body[data-hydrated]').waitFor({ state: 'attached' });
  expect(await page.evaluate(() => sessionStorage.getItem('clicked')), 'the click came while the page was starting').toBe('starting');
  expect(errors, 'no panic').toEqual([]);
});

test('a connected tab shows its frame and heading at once, then its data, the focus kept on its heading; once logged out, it names nobody', async ({ page }) => {
  const lastName = uniqueName('Onglet');
  const email = await activePerson(page, 'onglet', lastName, 'Anne');
  await logInFromHome(page, email);
  await page.locator('body[data-hydrated]').waitFor({ state: 'attached' });
  await page.waitForLoadState('networkidle');

  // A slow line for the page's data: its request waits until released.
  const data = await holdRequests(page, '**/api/espace-connecte*');

  await page.getByRole('link', { name: 'Mon compte' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Mon compte');
  await expect(page).toHaveTitle('Mon compte — Sésame');
  const tabs = page.getByRole('navigation', { name: 'Espace connecté' });
  await expect(tabs.getByRole('link', { name: 'Mon compte' })).toHaveAttribute('aria-current', 'page');
  await expect(page.getByRole('main').getByRole('status')).toHaveText('Chargement de vos données…');
  await expect(page.getByRole('button', { name: 'Déconnexion' })).toBeVisible();
  await expect.poll(data.asked, { message: 'the page’s data was asked for' }).toBe(1);
  await expect(page.getByRole('heading', { level: 1 })).toBeFocused();

  data.release();
  await expect(page.getByRole('region', { name: 'Changer mon mot de passe', exact: true })).toBeVisible();
  await expect(page.getByRole('main').getByText('Chargement de vos données…')).toHaveCount(0);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Mon compte');
  await expect(page.getByRole('heading', { level: 1 })).toBeFocused();
  await expectAccessible(page);

  // Out of the connected space the frame is forgotten: back on "Mon compte"
  // after "Déconnexion", in the same document, the page names nobody while
  // its answer is on its way, and the answer is the login box.
  await page.unroute('**/api/espace-connecte*');
  const dataAgain = await holdRequests(page, '**/api/espace-connecte*');
  await page.getByRole('button', { name: 'Déconnexion' }).click();
  await expect(page).toHaveURL(/\/\?info=logged_out$/);
  await page.goBack();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Mon compte');
  await expect(page.getByRole('main').getByRole('status')).toHaveText('Chargement de vos données…');
  await expect(page.getByText(lastName)).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Déconnexion' })).toHaveCount(0);
  await expect(page.getByRole('navigation', { name: 'Espace connecté' })).toHaveCount(0);
  dataAgain.release();
  await expect(page).toHaveURL(/\/\?suivant=(%2F|\/)mon-compte$/);
  await expect(page.getByText(lastName)).toHaveCount(0);
});

test('“Déconnexion” pressed while a tab’s data is on its way logs out, even when the data is drawn before the answer', async ({ page }) => {
  const lastName = uniqueName('Depart');
  const email = await activePerson(page, 'depart', lastName, 'Anne');
  await logInFromHome(page, email);
  await page.locator('body[data-hydrated]').waitFor({ state: 'attached' });
  await page.waitForLoadState('networkidle');

  // Both requests wait until released: the page's data, then the log-out.
  const data = await holdRequests(page, '**/api/espace-connecte*');
  const logOut = await holdRequests(page, '**/api/deconnexion*');

  await page.getByRole('link', { name: 'Mon compte' }).click();
  await expect(page.getByRole('main').getByRole('status')).toHaveText('Chargement de vos données…');
  await page.getByRole('button', { name: 'Déconnexion' }).click();
  await expect.poll(logOut.asked, { message: 'the log-out was sent' }).toBe(1);

  // The data comes first: the page is drawn in place of its loading frame,
  // and its own "Déconnexion" says the press is under way.
  data.release();
  await expect(page.getByRole('region', { name: 'Changer mon mot de passe', exact: true })).toBeVisible();
  await expect(page.locator('form[aria-busy="true"]').getByRole('button', { name: 'Déconnexion' })).toBeVisible();

  // Then the answer: the login box, logged out.
  logOut.release();
  await expect(page).toHaveURL(/\/\?info=logged_out$/);
  await expect(page.getByText(lastName)).toHaveCount(0);
  expect(logOut.asked(), 'one log-out, not two').toBe(1);
});

/**
 * Part 15: a click shows the next page without waiting for the whole of a
 * long form. The signup page's heading comes with its first block of
 * fields, in the frame that draws it; the blocks below follow after that
 * frame, in turn. Once they are all there, the form is the one the server
 * draws: the same fields, in the same order.
 */
test('a click shows the signup page’s heading with its first block, then the blocks below, the form whole as the server draws it', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto('/');
  await page.locator('body[data-hydrated]').waitFor({ state: 'attached' });
  await page.locator('body[data-linked-loaded]').waitFor({ state: 'attached' });
  // The blocks of the form when its heading enters the document, and in
  // the frame that first draws it.
  const watchTheHeading = () =>
    page.evaluate(() => {
      const seen = window as unknown as { sesameAtHeading?: string[]; sesameInItsFrame?: string[] };
      delete seen.sesameAtHeading;
      delete seen.sesameInItsFrame;
      const legends = () => [...document.querySelectorAll('main fieldset > legend')].map((legend) => legend.textContent?.trim() ?? '');
      new MutationObserver((_, observer) => {
        if (document.querySelector('main h1')?.textContent?.trim() !== 'Créer votre compte') return;
        observer.disconnect();
        seen.sesameAtHeading = legends();
        requestAnimationFrame(() => (seen.sesameInItsFrame = legends()));
      }).observe(document.body, { childList: true, subtree: true });
    });
  const atTheHeading = () =>
    page.evaluate(() => {
      const seen = window as unknown as { sesameAtHeading?: string[]; sesameInItsFrame?: string[] };
      return { atHeading: seen.sesameAtHeading, inItsFrame: seen.sesameInItsFrame };
    });
  const allBlocks = ['Informations générales', 'Adresse postale', 'Captcha'];
  await watchTheHeading();

  await page.getByRole('link', { name: 'Créer votre compte' }).click();

  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Créer votre compte');
  await expect.poll(async () => (await atTheHeading()).inItsFrame, { message: 'the heading’s frame came' }).toBeDefined();
  expect(await atTheHeading(), 'the first block came with the heading, the others after its frame').toEqual({
    atHeading: ['Informations générales'],
    inItsFrame: ['Informations générales'],
  });
  await expect(page.locator('main fieldset > legend')).toHaveText(allBlocks);
  const names = (html: string) => [...html.matchAll(/<(?:input|select|textarea|button)\b[^>]*\bname="([^"]+)"/g)].map((match) => match[1]);
  const drawnByTheClick = names(await page.locator('main').innerHTML());
  const served = await (await page.request.get('/inscription')).text();
  const drawnByTheServer = names(served.slice(served.indexOf('<main'), served.indexOf('</main>')));
  expect(drawnByTheClick.length, 'the form has its fields').toBeGreaterThan(10);
  expect(drawnByTheClick, 'the same fields as the server draws, in the same order').toEqual(drawnByTheServer);
  await expect(page.getByRole('heading', { level: 1 })).toBeFocused();

  expect(errors, 'nothing uncaught').toEqual([]);
});

/**
 * Part 15: a link to a field low on a long page leads to that field, the
 * focus on it, though the page's lower blocks are otherwise drawn after its
 * heading (WCAG 2.4.3).
 */
test('a link to a field of the signup page leads to that field, focused', async ({ page }) => {
  await page.goto('/');
  await page.locator('body[data-hydrated]').waitFor({ state: 'attached' });
  await page.locator('body[data-linked-loaded]').waitFor({ state: 'attached' });
  await page.evaluate(() => {
    (window as unknown as { sesameDocument: string }).sesameDocument = 'still here';
    const link = document.createElement('a');
    link.href = '/inscription#city';
    link.textContent = 'Vers la ville';
    document.querySelector('main')?.append(link);
  });

  await page.getByRole('link', { name: 'Vers la ville' }).click();

  await expect(page).toHaveURL(/\/inscription#city$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Créer votre compte');
  const city = page.getByRole('textbox', { name: /^Ville/ });
  await expect(city).toBeFocused();
  await expect(city).toBeInViewport();
  expect(await city.getAttribute('tabindex'), 'the field keeps its place in the Tab order').toBeNull();
  const mark = await page.evaluate(() => (window as unknown as { sesameDocument?: string }).sesameDocument);
  expect(mark, 'no document was loaded').toBe('still here');
});
