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

/**
 * Records every title the tab shows once the page has hydrated, and every
 * element that takes the focus, for the tests of the pages drawn out of
 * sight (`seenSince()`).
 */
async function watchTitleAndFocus(page: import('@playwright/test').Page) {
  await page.addInitScript(() => {
    const seen = { titles: [] as string[], focused: [] as string[] };
    (window as unknown as { sesameSeen: typeof seen }).sesameSeen = seen;
    const observe = () => {
      // From the end of the hydration on, when the rehearsals may begin
      // (the shell's title effect starts from none for an instant, inside
      // the hydration's task).
      new MutationObserver(() => {
        if (document.body?.hasAttribute('data-hydrated')) seen.titles.push(document.title);
      }).observe(document.head, {
        childList: true,
        subtree: true,
        characterData: true,
      });
      document.addEventListener('focusin', (event) => seen.focused.push((event.target as Element).outerHTML.slice(0, 80)), true);
    };
    if (document.head) observe();
    else document.addEventListener('DOMContentLoaded', observe);
  });
  return {
    seenSince: () =>
      page.evaluate(() => {
        const seen = (window as unknown as { sesameSeen: { titles: string[]; focused: string[] } }).sesameSeen;
        return { titles: [...new Set(seen.titles)], focused: seen.focused };
      }),
  };
}

/**
 * Part 15: while the home page is idle, the pages it links to are drawn
 * once out of sight, so that the first click on a link finds their code
 * compiled. Nothing of them is seen: the document's title, head and page
 * stay the home page's, the focus stays where it was, and no captcha image
 * is asked for (the server would draw a challenge for each). A click then
 * draws the signup page, its captcha image included, as always.
 */
test('the pages the home page links to are drawn once out of sight, and nothing of them shows or loads', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  const captchas: string[] = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname.startsWith('/captcha/')) captchas.push(request.url());
  });
  const watch = await watchTitleAndFocus(page);
  await page.goto('/');
  await page.locator('body[data-hydrated]').waitFor({ state: 'attached' });
  const before = await page.evaluate(() => ({
    title: document.title,
    head: [...document.head.querySelectorAll('title, meta')].map((tag) => tag.outerHTML),
    main: document.querySelector('main')?.innerHTML,
  }));

  await page.locator('body[data-linked-loaded]').waitFor({ state: 'attached' });

  const rehearsed = ((await page.locator('body').getAttribute('data-linked-loaded')) ?? '').split(' ');
  expect(rehearsed.sort(), 'the home page’s links that draw with no request').toEqual(
    ['forgot_password_route', 'resend_activation_route', 'signup_route'],
  );
  // The last rehearsal's owner is let go of after a frame: wait for two.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  const after = await page.evaluate(() => ({
    title: document.title,
    head: [...document.head.querySelectorAll('title, meta')].map((tag) => tag.outerHTML),
    main: document.querySelector('main')?.innerHTML,
  }));
  expect(after, 'the home page, as it was').toEqual(before);
  const seen = await watch.seenSince();
  expect(seen.titles.filter((title) => title !== before.title), 'no other title shown, even for a frame').toEqual([]);
  expect(seen.focused, 'nothing took the focus').toEqual([]);
  await expect(page.locator('main')).toHaveCount(1);
  expect(captchas, 'no captcha image asked for').toEqual([]);

  await page.getByRole('link', { name: 'Créer votre compte' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Créer votre compte');
  await expect(page).toHaveTitle(/^Créer votre compte — Sésame$/);
  await expect(page.locator('meta[name="description"]')).toHaveCount(1);
  const image = page.locator('.captcha__image img');
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
  expect(captchas, 'one captcha image, the page’s').toHaveLength(1);
  expect(errors, 'nothing uncaught').toEqual([]);
});

/**
 * Part 15: on a connected page loaded afresh, the tabs' pages are drawn
 * once out of sight too, and none of them asks the server for the
 * person's data: drawn off the document, a connected page stays
 * "loading". The frame it draws is a copy: a click on "Mon compte" then
 * draws the real one at once, and asks for the data once.
 */
test('the connected tabs are drawn once out of sight, asking the server for nothing', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const email = await activePerson(page, 'repetition', uniqueName('Repetition'), 'Rose');
  await logInFromHome(page, email);
  const watch = await watchTitleAndFocus(page);
  await page.goto('/accueil');
  // From the new document on (the login's own requests may still be
  // answered meanwhile); its rehearsals begin once it has hydrated.
  const asked: string[] = [];
  page.on('request', (request) => {
    const path = new URL(request.url()).pathname;
    if (path.startsWith('/api/')) asked.push(path);
  });
  await page.locator('body[data-hydrated]').waitFor({ state: 'attached' });
  const before = await page.evaluate(() => ({ title: document.title, main: document.querySelector('main')?.innerHTML }));
  await page.locator('body[data-linked-loaded]').waitFor({ state: 'attached' });

  const rehearsed = ((await page.locator('body').getAttribute('data-linked-loaded')) ?? '').split(' ');
  expect(rehearsed, 'the tabs’ pages').toEqual(expect.arrayContaining(['my_account_route', 'security_route']));
  expect(rehearsed, 'not the page shown').not.toContain('connected_home_route');
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  expect(await page.evaluate(() => ({ title: document.title, main: document.querySelector('main')?.innerHTML }))).toEqual(before);
  expect(asked, 'no data asked for by the pages drawn out of sight').toEqual([]);
  const seen = await watch.seenSince();
  expect(seen.titles.filter((title) => title !== before.title), 'no other title shown, even for a frame').toEqual([]);
  expect(seen.focused, 'nothing took the focus').toEqual([]);

  await page.getByRole('link', { name: 'Mon compte' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Mon compte');
  await expect(page.getByRole('region', { name: 'Changer mon mot de passe', exact: true })).toBeVisible();
  expect(asked, 'the page’s data, asked for once').toHaveLength(1);
  expect(asked[0]).toMatch(/^\/api\/espace-connecte/);
  expect(errors, 'nothing uncaught').toEqual([]);
});
