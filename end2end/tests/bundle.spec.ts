import { expect, test, type Page } from '@playwright/test';
import { activePerson, logInFromHome } from './support';

/**
 * The split build's first load (part 8, part 15). The Wasm chunks a page
 * needs to hydrate come in one pack, named by its head's
 * `<template data-preloads data-pack>` and fetched once the page is
 * painted; once it has hydrated and is idle, the chunks of the pages its
 * links lead to come in a second pack (`<template data-prefetch
 * data-pack>`). The chunk loader then takes every chunk from them: no chunk
 * is fetched on its own, and each pack is fetched once.
 */
async function expectOnePackPerStepAndNoChunkAlone(page: Page, path: string): Promise<void> {
  const fetched: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (/\.(wasm|pack)$/.test(url.pathname)) fetched.push(url.pathname);
  });
  await page.goto(path);
  await page.locator('body[data-hydrated]').waitFor({ state: 'attached' });
  await page.waitForLoadState('networkidle');

  const pack = (kind: string) =>
    page
      .locator(`template[data-${kind}][data-pack]`)
      .evaluateAll((templates) => templates.map((t) => new URL((t as HTMLElement).dataset.pack!, location.href).pathname));
  const own = await pack('preloads');
  const ahead = await pack('prefetch');
  expect(own, 'the page names one pack of its chunks').toHaveLength(1);
  expect(ahead.length, 'at most one pack fetched ahead').toBeLessThanOrEqual(1);
  // The linked pages' code, loaded once that pack is here, asks for no chunk alone either.
  if (ahead.length > 0) await page.locator('body[data-linked-loaded]').waitFor({ state: 'attached' });
  const main = await page
    .locator('head link[rel="preload"][href$=".wasm"]')
    .evaluate((link) => new URL((link as HTMLLinkElement).href).pathname);
  await expect
    .poll(() => [...fetched].sort(), { message: 'the main module and the packs, each once, and no chunk alone' })
    .toEqual([main, ...own, ...ahead].sort());
  await expect(page.locator('head link[rel="modulepreload"][href*="__wasm_split"]')).toHaveCount(1);
}

test.describe('the first load of a page of the split build', () => {
  for (const path of ['/', '/inscription', '/mot-de-passe-oublie', '/activation-renvoyer']) {
    test(`${path} fetches its chunks in one pack, and those of the pages it links to in another`, async ({ page }) => {
      await expectOnePackPerStepAndNoChunkAlone(page, path);
    });
  }

  test('"Accueil connecté", drawn by its own handler, fetches its chunks in one pack', async ({ page, browser }) => {
    const email = await activePerson(page, 'bundle');
    await logInFromHome(page, email);
    // A browser with the session but nothing cached: the page's first load.
    const fresh = await browser.newContext();
    await fresh.addCookies(await page.context().cookies());
    await expectOnePackPerStepAndNoChunkAlone(await fresh.newPage(), '/accueil');
    await fresh.close();
  });
});

/**
 * The main module carries the catalogue's keys only; a page fetches the
 * sentences of its own language beside it, once (`server::sentences`), and
 * the pages the app then draws in the browser take their words from them.
 */
test.describe("a page's sentences", () => {
  const sentencesAsked = (page: Page): string[] => {
    const asked: string[] = [];
    page.on('request', (request) => {
      const path = new URL(request.url()).pathname;
      if (path.startsWith('/pkg/sentences/')) asked.push(path);
    });
    return asked;
  };

  // A mark on the document: it survives navigations in the app, not a load.
  const markTheDocument = (page: Page) =>
    page.evaluate(() => {
      (window as unknown as { sesameDocument: string }).sesameDocument = 'still here';
    });
  const sameDocument = (page: Page) =>
    page.evaluate(() => (window as unknown as { sesameDocument?: string }).sesameDocument === 'still here');

  test('come in its own language only, once, and draw the next pages in the browser', async ({ page }) => {
    const asked = sentencesAsked(page);
    await page.goto('/');
    await page.locator('body[data-hydrated]').waitFor({ state: 'attached' });
    await markTheDocument(page);
    await page.getByRole('link', { name: 'Créer votre compte' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Créer votre compte');
    await expect(page.getByLabel(/^Adresse électronique de connexion/)).toBeVisible();
    expect(await sameDocument(page), 'the signup page drawn in the browser').toBe(true);
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatch(/^\/pkg\/sentences\/fr\.[0-9a-f]{24}\.txt$/);

    // Another language is another document, with its own sentences.
    await page.getByRole('link', { name: 'English' }).click();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await page.locator('body[data-hydrated]').waitFor({ state: 'attached' });
    await markTheDocument(page);
    await page.locator('a.site-header__brand').click();
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Forgotten password?');
    await expect(page.getByLabel(/^Email address/)).toBeVisible();
    expect(await sameDocument(page), 'the English pages drawn in the browser').toBe(true);
    expect(asked).toHaveLength(2);
    expect(asked[1]).toMatch(/^\/pkg\/sentences\/en\.[0-9a-f]{24}\.txt$/);
  });

  test('that cannot be had leave the page as the server drew it, which works without JavaScript', async ({ page }) => {
    const uncaught: string[] = [];
    page.on('pageerror', (error) => uncaught.push(error.message));
    const said: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') said.push(message.text());
    });
    await page.route('**/pkg/sentences/**', (route) => route.abort());
    const refused = page.waitForEvent('requestfailed', (request) => request.url().includes('/pkg/sentences/'));
    const wasm = page.waitForResponse((response) => /\/pkg\/sesame\.[^/]*\.wasm$/.test(new URL(response.url()).pathname));
    await page.goto('/');
    await refused;
    await wasm;
    // The app says why it did not start, once its module is loaded.
    await expect.poll(() => said.join('\n')).toContain('Sésame could not start its script');
    await expect(page.locator('body[data-hydrated]')).toHaveCount(0);
    expect(uncaught).toEqual([]);
    // The link is followed by the browser: a new document, drawn by the server.
    await markTheDocument(page);
    await page.getByRole('link', { name: 'Créer votre compte' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Créer votre compte');
    await expect(page.getByLabel(/^Adresse électronique de connexion/)).toBeVisible();
    expect(await sameDocument(page), 'a document loaded by the browser').toBe(false);
  });
});

/**
 * WCAG 2.4.2: the tab's title names the page. While the page hydrates, the
 * app's shell runs before the page's own code; it keeps the title the
 * server drew rather than the site's name alone, which the page's code then
 * changed back (a title change in each of two long tasks). The empty title
 * is not counted: it is the document's before its `<title>` is parsed, and
 * Leptos's title effect starts from it for an instant, inside the shell's
 * task, before the first text is on its stack.
 */
test('while a page hydrates, its title stays the one the server drew', async ({ page }) => {
  await page.addInitScript(() => {
    const seen = (window as unknown as { sesameTitles: string[] }).sesameTitles = [] as string[];
    const note = () => {
      if (document.title !== '' && seen[seen.length - 1] !== document.title) seen.push(document.title);
    };
    new MutationObserver(note).observe(document, { subtree: true, childList: true, characterData: true });
  });
  for (const [path, title] of [
    ['/inscription', 'Créer votre compte — Sésame'],
    ['/mot-de-passe-oublie', 'Mot de passe oublié ? — Sésame'],
  ]) {
    await page.goto(path);
    await page.locator('body[data-hydrated]').waitFor({ state: 'attached' });
    await page.waitForLoadState('networkidle');
    const titles = await page.evaluate(() => (window as unknown as { sesameTitles: string[] }).sesameTitles);
    expect(titles, `${path}: one title from the first parse to the end of hydration`).toEqual([title]);
  }
});

/**
 * The scripts a page runs as it starts (wasm-bindgen's glue, the chunk
 * loader) begin with the per-file compile hint (`make build-release`):
 * Chromium compiles their functions while it streams them in, on another
 * thread, instead of at each one's first call inside the hydration's task.
 */
test('the scripts a page runs as it starts ask to be compiled as they arrive', async ({ page }) => {
  const scripts = new Map<string, Promise<string>>();
  page.on('response', (response) => {
    const url = new URL(response.url());
    if (url.pathname.startsWith('/pkg/') && url.pathname.endsWith('.js')) scripts.set(url.pathname, response.text().catch(() => ''));
  });
  await page.goto('/');
  await page.locator('body[data-hydrated]').waitFor({ state: 'attached' });
  const names = [...scripts.keys()].map((path) => path.replace(/\.[^./]+\.js$/, ''));
  expect(names.sort(), 'the glue and the chunk loader, and no other script').toEqual(['/pkg/__wasm_split', '/pkg/sesame']);
  for (const [path, text] of scripts) {
    expect((await text).split('\n')[0], `${path} begins with the hint`).toBe('//# allFunctionsCalledOnLoad');
  }
});

test('a click after the page went idle shows the next page with no request for its code, nor a chunk to instantiate', async ({ page }) => {
  await page.addInitScript(() => {
    const instantiate = WebAssembly.instantiate;
    const count = window as unknown as { sesameInstantiated: number };
    count.sesameInstantiated = 0;
    WebAssembly.instantiate = function (...args: Parameters<typeof instantiate>) {
      count.sesameInstantiated += 1;
      return instantiate.apply(WebAssembly, args);
    } as typeof instantiate;
  });
  await page.goto('/');
  await page.locator('body[data-hydrated]').waitFor({ state: 'attached' });
  await page.locator('body[data-linked-loaded]').waitFor({ state: 'attached' });
  await page.waitForLoadState('networkidle');
  const instantiated = () => page.evaluate(() => (window as unknown as { sesameInstantiated: number }).sesameInstantiated);
  const before = await instantiated();
  expect(before, 'the chunks of the page and of the pages it links to were instantiated').toBeGreaterThan(0);
  await expect(page.locator('template[data-prefetch][data-pack]')).toHaveCount(1);
  const asked: string[] = [];
  page.on('request', (request) => {
    if (/\.(wasm|pack|js)$/.test(new URL(request.url()).pathname)) asked.push(request.url());
  });
  await page.getByRole('link', { name: 'Créer votre compte' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Créer votre compte');
  expect(asked, 'the signup page’s chunks came with the pack fetched ahead').toEqual([]);
  expect(await instantiated(), 'and were instantiated before the click').toBe(before);
});
