import { expect, test, type Page } from '@playwright/test';
import { activePerson, logInFromHome } from './support';

/**
 * The split build's first load (part 8): a page's `<head>` names as
 * preloads every Wasm file the page needs to hydrate (the shared module,
 * its route's chunk and the chunks that one links), so the browser fetches
 * them side by side instead of one after the other; and it fetches each
 * once, the preload being the very request the chunk loader then uses.
 * Part 15: those preloads are put into the head once the page is painted,
 * and, once it has hydrated and is idle, the chunks of the pages its links
 * lead to are fetched ahead, each once.
 */
async function expectEachWasmFileFetchedOnceAndNamed(page: Page, path: string): Promise<void> {
  const fetched: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname.endsWith('.wasm')) fetched.push(url.pathname);
  });
  await page.goto(path);
  await page.locator('body[data-hydrated]').waitFor({ state: 'attached' });
  await page.waitForLoadState('networkidle');

  const named = (rel: string) =>
    page
      .locator(`head link[rel="${rel}"][as="fetch"][type="application/wasm"]`)
      .evaluateAll((links) => links.map((link) => new URL((link as HTMLLinkElement).href).pathname));
  if ((await page.locator('template[data-prefetch]').count()) > 0) {
    await page.locator('head link[rel="prefetch"]').first().waitFor({ state: 'attached' });
  }
  const preloaded = await named('preload');
  // Once hydrated and idle: the chunks of the pages its links lead to.
  const prefetched = await named('prefetch');
  expect(preloaded.some((file) => file.includes('_route_view_')), 'the route’s own chunk is named').toBe(true);
  expect(new Set(preloaded).size, 'no file is named twice').toBe(preloaded.length);
  expect(new Set(prefetched).size, 'no file is prefetched twice').toBe(prefetched.length);
  expect(prefetched.filter((file) => preloaded.includes(file)), 'nothing the page has is fetched ahead').toEqual([]);
  await expect
    .poll(() => [...fetched].sort(), { message: 'each file fetched once, and only the named ones' })
    .toEqual([...preloaded, ...prefetched].sort());
  await expect(page.locator('head link[rel="modulepreload"][href*="__wasm_split"]')).toHaveCount(1);
}

test.describe('the first load of a page of the split build', () => {
  for (const path of ['/', '/inscription', '/mot-de-passe-oublie', '/activation-renvoyer']) {
    test(`${path} fetches each Wasm file it needs once, every one named in its head`, async ({ page }) => {
      await expectEachWasmFileFetchedOnceAndNamed(page, path);
    });
  }

  test('"Accueil connecté", drawn by its own handler, fetches each Wasm file once, every one named in its head', async ({ page, browser }) => {
    const email = await activePerson(page, 'bundle');
    await logInFromHome(page, email);
    // A browser with the session but nothing cached: the page's first load.
    const fresh = await browser.newContext();
    await fresh.addCookies(await page.context().cookies());
    await expectEachWasmFileFetchedOnceAndNamed(await fresh.newPage(), '/accueil');
    await fresh.close();
  });
});
