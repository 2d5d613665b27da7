// Lighthouse's audits of each page, as `make bench` reports them: the mobile
// preset Lighthouse runs by default (a mid-range phone, simulated slow 4G
// and a CPU four times slower), one run a page, in Debian's Chromium.
//
//   node lighthouse.mjs <base URL> [--cookie name=value] <path>...
//
// A path written `+/accueil` is opened with the session cookie (a page of the
// connected space); the others without, as a visitor opens them. Prints a
// Markdown table of the four scores, LCP, TBT and CLS, then, for each page,
// the audits that did not pass in accessibility, best practices and SEO.
import lighthouse from 'lighthouse';
import { chromium } from '@playwright/test';

const args = process.argv.slice(2);
const base = args.shift();
let cookie;
const pages = [];
while (args.length > 0) {
  const arg = args.shift();
  if (arg === '--cookie') cookie = args.shift();
  else pages.push(arg);
}

// Lighthouse drives the browser through its DevTools port.
const port = Number(process.env.LIGHTHOUSE_PORT ?? 9333);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', `--remote-debugging-port=${port}`],
});
const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'];
const missed = [];
console.log('| page | performance | accessibility | best practices | SEO | LCP | TBT | CLS |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
try {
  for (const page of pages) {
    const connected = page.startsWith('+');
    const path = connected ? page.slice(1) : page;
    const result = await lighthouse(`${base}${path}`, {
      port,
      output: 'json',
      logLevel: 'error',
      onlyCategories: CATEGORIES,
      extraHeaders: connected && cookie ? { Cookie: cookie } : undefined,
    });
    const { categories, audits, runtimeError } = result.lhr;
    if (runtimeError) {
      // Lighthouse audits only pages answered 200 (an emailed link whose
      // token is no link answers 404 or 410).
      console.log(`| \`${path}\` | not audited: ${runtimeError.code} | | | | | | |`);
      continue;
    }
    const score = (id) => Math.round((categories[id]?.score ?? 0) * 100);
    const ms = (id) => `${Math.round(audits[id]?.numericValue ?? NaN)} ms`;
    const cls = (audits['cumulative-layout-shift']?.numericValue ?? NaN).toFixed(3);
    console.log(
      `| \`${path}\` | ${CATEGORIES.map(score).join(' | ')} | ${ms('largest-contentful-paint')} | ${ms('total-blocking-time')} | ${cls} |`,
    );
    for (const id of CATEGORIES.slice(1)) {
      for (const ref of categories[id]?.auditRefs ?? []) {
        const audit = audits[ref.id];
        if (ref.weight > 0 && audit && audit.score !== null && audit.score < 1) {
          missed.push(`- \`${path}\`, ${id}: ${audit.id} (${audit.title})`);
        }
      }
    }
  }
} finally {
  await browser.close();
}
if (missed.length > 0) {
  console.log('\nAudits that did not pass:\n');
  console.log(missed.join('\n'));
}
