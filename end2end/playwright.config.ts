import { defineConfig } from '@playwright/test';

// The real server (release build) on a fresh SQLite database, sending its
// emails over SMTP to maildev, whose HTTP API the specs read.
const port = Number(process.env.E2E_PORT ?? 3100);
const smtpPort = Number(process.env.E2E_SMTP_PORT ?? 1026);
const maildevPort = Number(process.env.E2E_MAILDEV_PORT ?? 1081);
// `localhost`, not 127.0.0.1: WebAuthn needs a domain for its relying party
// (security keys and passkeys are refused on an IP address).
const baseURL = `http://localhost:${port}`;
process.env.MAILDEV_URL = `http://127.0.0.1:${maildevPort}`;

// The server's configuration, also given to `sesame admin create` run by
// the specs beside it (support.ts).
const serverEnv: Record<string, string> = {
  LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
  LEPTOS_SITE_ROOT: 'target/site',
  LEPTOS_OUTPUT_NAME: 'sesame',
  SESAME_PUBLIC_URL: baseURL,
  SESAME_DATABASE_URL: 'sqlite:target/e2e/sesame.db',
  SESAME_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
  SESAME_CAPTCHA_TEST_ANSWER: 'K7M2P',
  SESAME_OUTBOX_POLL_MS: '200',
  // Every spec logs in from 127.0.0.1: the per-client throttle
  // (50 attempts) would count the whole suite as one person.
  SESAME_CLIENT_MAX_ATTEMPTS: '1000',
  RUST_LOG: 'warn',
};
process.env.E2E_SERVER_ENV = JSON.stringify(serverEnv);

export default defineConfig({
  testDir: './tests',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  forbidOnly: !!process.env.CI,
  // On a failure: its trace and screenshot in end2end/test-results/, the
  // HTML report in end2end/playwright-report/ (`npx playwright
  // show-report`, or open its index.html), and the failures repeated in
  // short at the end of the log (`failures-last.ts`).
  reporter: [['list'], ['html', { open: 'never' }], ['./failures-last.ts']],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-gpu',
        '--no-first-run',
      ],
    },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
  webServer: [
    {
      command: `npx maildev --ip 127.0.0.1 --smtp ${smtpPort} --web ${maildevPort} --silent`,
      url: `http://127.0.0.1:${maildevPort}/email`,
      reuseExistingServer: false,
      timeout: 30_000,
    },
    {
      command: process.env.SESAME_BIN ?? '../target/release/sesame',
      cwd: '..',
      url: `http://127.0.0.1:${port}`,
      reuseExistingServer: false,
      timeout: 30_000,
      env: serverEnv,
    },
  ],
});
