// First load of each page in Chromium, as `make bench` reports it, until the
// page has hydrated and the network is idle (each page drawn once before,
// see `warm`):
// - the budget's figure (issue 13: at most 200 KB): the bodies of the
//   JavaScript, Wasm and CSS files and of the page's sentences
//   (`/pkg/sentences/…`) as the server sent them (brotli), from
//   the page's Resource Timing (`encodedBodySize`, each address once);
// - everything that crossed the wire: those files and the HTML document
//   (gzip), each with its response headers (CDP's `encodedDataLength`).
//
//   node first-load.mjs <base URL> [--cookie name=value] <path>...
//
// Prints a Markdown table: the page, both totals, what it fetched ahead for
// the pages its links lead to (not counted in the totals), and the files it
// loaded.
import { chromium } from '@playwright/test';

const args = process.argv.slice(2);
const base = args.shift();
let cookie;
const paths = [];
while (args.length > 0) {
  const arg = args.shift();
  if (arg === '--cookie') cookie = args.shift();
  else paths.push(arg);
}

// What a first load counts besides the document: the bundle's files.
const BUNDLE_FILE = /\.(wasm|pack|js|css)$|^\/pkg\/sentences\//;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
const kb = (bytes) => `${(bytes / 1000).toFixed(1)} KB`;
const BUDGET = 200_000;
console.log('| page | Wasm + JS + CSS (brotli) | within 200 KB | on the wire (with HTML and headers) | of which Wasm | fetched ahead once idle (files, on the wire) | files |');
console.log('|---|---:|---|---:|---:|---:|---|');
// The server compresses a pack in brotli once a page first names it, in the
// background; until then it sends it as it reads it (in gzip at the fastest
// level). So each page is drawn once first, not measured, and its packs
// waited for: the figures are those of every visitor after the first.
async function warm(path) {
  const context = await browser.newContext();
  if (cookie) {
    const [name, value] = cookie.split('=');
    await context.addCookies([{ name, value, url: base }]);
  }
  const page = await context.newPage();
  await page.goto(base + path);
  const packs = await page.evaluate(() =>
    [...document.querySelectorAll('template[data-pack]')].map((template) => template.dataset.pack),
  );
  await context.close();
  for (const pack of packs) {
    for (let tries = 0; tries < 120; tries += 1) {
      const answer = await fetch(base + pack, { method: 'HEAD', headers: { 'accept-encoding': 'br' } });
      if (answer.headers.get('content-encoding') === 'br') break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

for (const path of paths) {
  await warm(path);
  // A fresh context each time: nothing cached.
  const context = await browser.newContext({
    extraHTTPHeaders: { 'accept-encoding': 'br, gzip' },
  });
  if (cookie) {
    const [name, value] = cookie.split('=');
    await context.addCookies([{ name, value, url: base }]);
  }
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const urls = new Map();
  const sizes = new Map();
  cdp.on('Network.responseReceived', (event) => urls.set(event.requestId, event.response.url));
  cdp.on('Network.loadingFinished', (event) => sizes.set(event.requestId, event.encodedDataLength));
  await page.goto(base + path);
  await page.locator('body[data-hydrated]').waitFor({ state: 'attached', timeout: 30_000 });
  await page.waitForLoadState('networkidle');
  // The pack of the chunks of the pages its links lead to, fetched once the
  // page is idle (`<template data-prefetch data-pack>`): not part of the
  // first load, counted apart.
  const ahead = new Set(
    await page.evaluate(() =>
      [...document.querySelectorAll('template[data-prefetch][data-pack]')].map(
        (template) => new URL(template.dataset.pack, location.href).href,
      ),
    ),
  );
  const bodies = await page.evaluate(({ ahead, bundleFile }) => {
    const counted = new RegExp(bundleFile);
    const sizes = {};
    for (const entry of performance.getEntriesByType('resource')) {
      if (ahead.includes(entry.name)) continue;
      if (!counted.test(new URL(entry.name).pathname)) continue;
      sizes[entry.name] = Math.max(sizes[entry.name] ?? 0, entry.encodedBodySize);
    }
    return Object.values(sizes).reduce((sum, size) => sum + size, 0);
  }, { ahead: [...ahead], bundleFile: BUNDLE_FILE.source });
  let total = 0;
  let wasm = 0;
  let prefetched = 0;
  const files = [];
  for (const [id, bytes] of sizes) {
    const url = new URL(urls.get(id) ?? base);
    if (ahead.has(url.href)) {
      prefetched += bytes;
      continue;
    }
    if (!BUNDLE_FILE.test(url.pathname) && url.pathname !== new URL(base + path).pathname) continue;
    total += bytes;
    if (/\.(wasm|pack)$/.test(url.pathname)) wasm += bytes;
    if (url.pathname.startsWith('/pkg/')) files.push(`${url.pathname.slice(5).replace(/^packs\/(.{12}).*/, 'packs/$1…')} ${kb(bytes)}`);
  }
  const verdict = bodies <= BUDGET ? 'yes' : `no (+${kb(bodies - BUDGET)})`;
  console.log(
    `| \`${path}\` | ${kb(bodies)} | ${verdict} | ${kb(total)} | ${kb(wasm)} | ${ahead.size}, ${kb(prefetched)} | ${files.length}: ${files.sort().join('; ')} |`,
  );
  await context.close();
}
await browser.close();
