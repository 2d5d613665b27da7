// The main thread's long tasks of each page's first load, as `make bench`
// reports them: Chromium with its CPU four times slower (DevTools Protocol,
// `Emulation.setCPUThrottlingRate`, as Lighthouse's mobile preset assumes),
// each page loaded afresh `--runs` times (5 by default), until it has
// hydrated and the code of the pages its links lead to is loaded ahead.
//
//   node long-tasks.mjs <base URL> [--cookie name=value] [--runs N] <path>...
//
// Lighthouse simulates the slower CPU (it multiplies what it measured) and
// moves by tens of milliseconds between runs; here the slowdown is real
// and each figure is a median. For each page: the blocking time (each
// task's time past 50 ms, summed, from the first contentful paint on: the
// definition of Total Blocking Time, with Lighthouse's clipping: a task
// under way at the paint counts from the paint on), the longest task, how
// many tasks were long (W3C Long Tasks API: over 50 ms), and when the
// first contentful paint came (from the navigation's start).
import { chromium } from '@playwright/test';

const args = process.argv.slice(2);
const base = args.shift();
let cookie;
let runs = 5;
const paths = [];
while (args.length > 0) {
  const arg = args.shift();
  if (arg === '--cookie') cookie = args.shift();
  else if (arg === '--runs') runs = Number(args.shift());
  else paths.push(arg);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});

// Every long task and the first contentful paint, from the document's start.
const OBSERVE = () => {
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      window.__longTasks.push({ start: entry.startTime, duration: entry.duration });
    }
  }).observe({ type: 'longtask', buffered: true });
};

// The page is watched over the DevTools Protocol alone. Playwright's
// locators and `page.evaluate` put its own script into the page first, and
// parsing it is a task of 80 to 120 ms at 4× in the middle of the page's
// start: a long task the page does not have.
const BODY_MARKED = (attribute) =>
  `new Promise((marked) => {
    const body = document.body;
    if (body.hasAttribute('${attribute}')) return marked(true);
    setTimeout(() => marked(false), 60000);
    new MutationObserver((_, watch) => {
      if (body.hasAttribute('${attribute}')) { watch.disconnect(); marked(true); }
    }).observe(body, { attributes: true });
  })`;

// The value of `expression` in the page (a promise's once settled); a
// mark not made within 60 s is an error.
async function inPage(cdp, expression) {
  const answer = await cdp.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
  if (answer.exceptionDetails) throw new Error(`in the page: ${answer.exceptionDetails.text}`);
  if (answer.result.value === false) throw new Error(`not within 60 s: ${expression}`);
  return answer.result.value;
}

async function once(path) {
  const context = await browser.newContext();
  if (cookie && path.startsWith('+')) {
    const [name, value] = cookie.split('=');
    await context.addCookies([{ name, value, url: base }]);
  }
  const page = await context.newPage();
  await page.addInitScript(OBSERVE);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  await page.goto(base + path.replace(/^\+/, ''));
  await inPage(cdp, BODY_MARKED('data-hydrated'));
  await inPage(
    cdp,
    `document.querySelector('template[data-prefetch]') === null || ${BODY_MARKED('data-linked-loaded')}`,
  );
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(500);
  const { tasks, paint } = await inPage(
    cdp,
    `({
      tasks: window.__longTasks,
      paint: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? 0,
    })`,
  );
  await context.close();
  return {
    blocking: blockingTime(tasks, paint),
    paint,
    longest: Math.max(0, ...tasks.map((task) => task.duration)),
    count: tasks.length,
  };
}

// Total Blocking Time from `paint` on (Lighthouse's `tbt-utils.js`): the
// part of each task after the paint, less 50 ms, when that part is longer.
function blockingTime(tasks, paint) {
  return tasks.reduce((sum, task) => {
    const afterPaint = task.start + task.duration - Math.max(task.start, paint);
    return sum + Math.max(0, afterPaint - 50);
  }, 0);
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const ms = (value) => `${Math.round(value)} ms`;

console.log(
  `| page | blocking time (median of ${runs}) | range | longest task (median) | long tasks (median) | first contentful paint (median) |`,
);
console.log('|---|---:|---:|---:|---:|---:|');
try {
  for (const path of paths) {
    const results = [];
    for (let run = 0; run < runs; run += 1) results.push(await once(path));
    const blocking = results.map((result) => result.blocking);
    console.log(
      `| \`${path.replace(/^\+/, '')}\` | ${ms(median(blocking))} | ${ms(Math.min(...blocking))}–${ms(Math.max(...blocking))} | ${ms(median(results.map((result) => result.longest)))} | ${median(results.map((result) => result.count))} | ${ms(median(results.map((result) => result.paint)))} |`,
    );
  }
} finally {
  await browser.close();
}
