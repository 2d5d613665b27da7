// The time from a click on an in-app link to the next page's heading, as
// `make bench` reports it: on Fast 3G (Chromium DevTools' preset: 562.5 ms of
// latency, 1.44 Mbit/s down, 675 kbit/s up) with a CPU four times slower,
// after the first page has hydrated and gone idle (its prefetches done).
//
//   node clicks.mjs <base URL> [--cookie name=value]
//
// Prints a Markdown table: each journey, with the chunks of the next pages
// fetched ahead and loaded (instantiated) once idle, and without (their pack
// refused, so that they come one by one at the click: the same build, in one run),
// the time to the heading in the document, to the start of the frame that
// draws it and to
// the last change in the page's `<main>` (its parts drawn after the heading), the
// browser's own time from the click to its next frame (Event Timing, what INP
// is made of; for a page whose code is at hand, the frame with the heading),
// and the requests the click made (cached ones included).
// The connected journey needs the session cookie.
import { chromium } from '@playwright/test';

const args = process.argv.slice(2);
const base = args.shift();
let cookie;
while (args.length > 0) {
  const arg = args.shift();
  if (arg === '--cookie') cookie = args.shift();
}

const JOURNEYS = [
  { from: '/', link: 'Créer votre compte', heading: 'Créer votre compte' },
  { from: '/', link: 'Mot de passe oublié ?', heading: 'Mot de passe oublié ?' },
  { from: '/accueil', link: 'Mon compte', heading: 'Mon compte', connected: true },
];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
console.log("| click (Fast 3G, CPU 4× slower) | chunks fetched ahead | to the new heading | to its frame | to the page whole | to the click's next frame (Event Timing) | requests it made |");
console.log('|---|---|---:|---:|---:|---:|---:|');
for (const journey of JOURNEYS.flatMap((journey) => [true, false].map((ahead) => ({ ...journey, ahead })))) {
  if (journey.connected && !cookie) continue;
  const context = await browser.newContext();
  if (journey.connected) {
    const at = cookie.indexOf('=');
    await context.addCookies([{ name: cookie.slice(0, at), value: cookie.slice(at + 1), url: base }]);
  }
  const page = await context.newPage();
  // The same build without its fetches ahead, for the ratio in one run.
  // The page's own pack comes first; the next one is the pack of the pages
  // its links lead to.
  if (!journey.ahead) {
    let packs = 0;
    await page.route('**/packs/*.pack', (route) => (packs++ === 0 ? route.continue() : route.abort()));
  }
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 562.5,
    downloadThroughput: (1.6 * 1024 * 1024 * 0.9) / 8,
    uploadThroughput: (750 * 1024 * 0.9) / 8,
  });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  await page.goto(base + journey.from, { timeout: 120_000 });
  await page.locator('body[data-hydrated]').waitFor({ state: 'attached', timeout: 120_000 });
  await page.waitForLoadState('networkidle', { timeout: 120_000 });
  // With the pack fetched ahead, the linked pages' code is also loaded.
  if (journey.ahead) await page.locator('body[data-linked-loaded]').waitFor({ state: 'attached', timeout: 120_000 });
  // The page records when the click came and when the heading appeared.
  await page.evaluate((heading) => {
    const record = { clicked: 0, shown: 0, painted: 0, nextFrame: 0, whole: 0 };
    window.sesameClick = record;
    // The browser's own figure: from the click to the next frame presented
    // after its handlers, in steps of 8 ms.
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        if (entry.name === 'click' && !record.nextFrame) record.nextFrame = entry.duration;
      }
    }).observe({ type: 'event', durationThreshold: 16 });
    document.addEventListener('click', () => (record.clicked = performance.now()), { capture: true, once: true });
    const look = () => {
      const h1 = document.querySelector('main h1');
      if (record.clicked && !record.shown && h1 && h1.textContent.trim() === heading) {
        record.shown = performance.now();
        // The frame that draws it, when it begins: its animation frame
        // callbacks. (A task queued from there would also wait for the
        // page's own tasks queued after that frame: its later parts.) The
        // Event Timing column says when the browser presented it.
        requestAnimationFrame(() => (record.painted = performance.now()));
      }
    };
    // The page whole: the last change inside the new page's `<main>` (its
    // parts drawn after its heading, a list's options after its frame).
    const whole = (mutations) => {
      if (!record.shown) return;
      for (const mutation of mutations) {
        const node = mutation.target.nodeType === Node.ELEMENT_NODE ? mutation.target : mutation.target.parentElement;
        if (node?.closest('main')) record.whole = performance.now();
      }
    };
    new MutationObserver((mutations) => {
      look();
      whole(mutations);
    }).observe(document.body, { childList: true, subtree: true, characterData: true });
  }, journey.heading);
  let requests = 0;
  page.on('request', () => (requests += 1));
  await page.getByRole('link', { name: journey.link, exact: true }).first().click();
  await page.waitForFunction(() => window.sesameClick.painted > 0, null, { timeout: 120_000 });
  // The page is whole once nothing in it has changed for a second.
  await page.waitForFunction(
    () => performance.now() - Math.max(window.sesameClick.whole, window.sesameClick.shown) > 1_000,
    null,
    { timeout: 120_000, polling: 100 },
  );
  // Event Timing reports a click once its frame is out (none under 16 ms).
  await page.waitForFunction(() => window.sesameClick.nextFrame > 0, null, { timeout: 5_000 }).catch(() => {});
  const { clicked, shown, painted, nextFrame, whole } = await page.evaluate(() => window.sesameClick);
  const next = nextFrame > 0 ? `${Math.round(nextFrame)} ms` : '< 16 ms';
  console.log(
    `| ${journey.from} → ${journey.heading} | ${journey.ahead ? 'yes' : 'no'} | ${Math.round(shown - clicked)} ms | ${Math.round(painted - clicked)} ms | ${Math.round(Math.max(whole, shown) - clicked)} ms | ${next} | ${requests} |`,
  );
  await context.close();
}
await browser.close();
