import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { expect, type Locator, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

export const CAPTCHA_ANSWER = 'K7M2P';

/**
 * Copies the captcha's characters once its image has loaded, as a person
 * reads them there: the server draws the challenge when the image is asked
 * for, so an answer sent before the image came finds no challenge and is
 * refused as "L'image a expiré" (found in CI: a click drew the forgotten
 * password page and the test answered before the image was drawn).
 */
export async function copyCaptcha(page: Page, label: RegExp, answer: string = CAPTCHA_ANSWER): Promise<void> {
  // `complete` is read by Playwright's own script, which also runs with
  // the page's JavaScript disabled.
  await expect(page.locator('.captcha__image img'), 'the captcha image has come').toHaveJSProperty('complete', true);
  await page.getByLabel(label).fill(answer);
}

/** A login address no other test uses. */
export function uniqueEmail(prefix = 'paul'): string {
  return `${prefix}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}@menuiserie.fr`;
}

/** Asserts that the page has no WCAG 2.1 A/AA violation that axe can find. */
export async function expectAccessible(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  const summary = results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  expect(summary, `accessibility violations on ${page.url()}`).toEqual([]);
}

export interface MaildevEmail {
  id: string;
  subject: string;
  text: string;
  html: string;
  to: { address: string }[];
}

/** Waits for the email sent to `address` whose subject matches. */
export async function emailTo(address: string, subject: RegExp): Promise<MaildevEmail> {
  const base = process.env.MAILDEV_URL!;
  for (let i = 0; i < 100; i++) {
    const response = await fetch(`${base}/email`);
    const emails = (await response.json()) as MaildevEmail[];
    const found = emails.find(
      (e) => e.to.some((t) => t.address.toLowerCase() === address.toLowerCase()) && subject.test(e.subject),
    );
    if (found) return found;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no email "${subject}" reached ${address}`);
}

export interface Person {
  email: string;
  lastName: string;
  firstName: string;
}

/** Fills the signup form of the page in French. */
export async function fillSignupFr(page: Page, person: Person): Promise<void> {
  await page.getByLabel(/^Adresse électronique de connexion/).fill(person.email);
  await page.getByLabel(/^Confirmation de l'adresse électronique de connexion/).fill(person.email);
  await page.getByLabel(/^Nom/).fill(person.lastName);
  await page.getByLabel(/^Prénom/).fill(person.firstName);
  await page.getByLabel(/^Adresse(?! électronique)/).fill('12 rue des Lilas');
  await page.getByLabel(/^Code postal/).fill('42000');
  await page.getByLabel(/^Ville/).fill('Saint-Étienne');
  await page.getByLabel(/^Téléphone/).fill('04 77 12 34 56');
  await copyCaptcha(page, /^Caractères de l'image/, CAPTCHA_ANSWER.toLowerCase());
}

export const PASSWORD = 'Vanille-Fraise-2026';

/** Creates an account through the signup form; returns its activation link. */
export async function signUp(page: Page, person: Person): Promise<string> {
  await page.goto('/inscription');
  await fillSignupFr(page, person);
  await page.getByRole('button', { name: "Finaliser l'inscription" }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Saisie nouvel utilisateur');
  return activationLink(await emailTo(person.email, /Activez votre compte/));
}

export function activationLink(email: MaildevEmail): string {
  const match = email.text.match(/https?:\/\/\S+\/activation\/[0-9a-f]{64}/);
  if (!match) throw new Error(`no activation link in: ${email.text}`);
  return match[0];
}

/** Every activation email sent to `address`, oldest first. */
export async function activationEmailsTo(address: string): Promise<MaildevEmail[]> {
  const response = await fetch(`${process.env.MAILDEV_URL}/email`);
  const emails = (await response.json()) as MaildevEmail[];
  return emails.filter(
    (e) => e.to.some((t) => t.address.toLowerCase() === address.toLowerCase()) && /Activez|Activate/.test(e.subject),
  );
}

/**
 * Makes every link of `address` for `purpose` expire, as if its validity had
 * passed, in the server's SQLite database (the server's clock cannot be
 * moved from a browser).
 */
export function expireLinks(address: string, purpose: 'activation' | 'reset'): void {
  const database = path.resolve(__dirname, '../../target/e2e/sesame.db');
  const script = [
    'import sqlite3, sys',
    'db = sqlite3.connect(sys.argv[1], timeout=10)',
    "db.execute(\"UPDATE account_tokens SET expires_at = 0 WHERE purpose = ? AND account_id IN (SELECT id FROM accounts WHERE login_email = ?)\", (sys.argv[3], sys.argv[2]))",
    "db.execute(\"UPDATE accounts SET activation_sent_at = 0 WHERE login_email = ?\", (sys.argv[2],))",
    'db.commit()',
  ].join('\n');
  execFileSync('python3', ['-c', script, database, address.toLowerCase(), purpose]);
}

export function expireActivationLinks(address: string): void {
  expireLinks(address, 'activation');
}

/** Activates the account of `link` in French with `PASSWORD` and "Médor". */
export async function activate(page: Page, link: string): Promise<void> {
  const problems = pageProblems(page);
  await page.goto(link);
  await page.getByLabel(/^Mot de passe/).fill(PASSWORD);
  await page.getByLabel(/^Confirmer le mot de passe/).fill(PASSWORD);
  await page.getByLabel(/^Question secrète/).fill('Nom de mon premier chien ?');
  await page.getByLabel(/^Réponse à la question secrète/).fill('Médor');
  // As a person would, validate once the meter has judged the password (as
  // soon as the page's code runs; without JavaScript there is no meter).
  if (await page.evaluate(() => matchMedia('(scripting: enabled)').matches)) {
    await withProblems(problems, expect(page.locator('.strength__feedback')).toContainText('accepté'));
  }
  await page.getByRole('button', { name: 'Valider' }).click();
  await expect(page.getByRole('status')).toContainText('Votre compte est activé');
}

/**
 * What went wrong in `page` from now on, as it goes: uncaught errors (a
 * panic of the app's code), console errors, requests that got no answer.
 */
export function pageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('requestfailed', (request) => problems.push(`no answer: ${request.method()} ${request.url()} (${request.failure()?.errorText})`));
  return problems;
}

/** Awaits `check`; if it fails, its error also lists `problems`. */
export async function withProblems(problems: string[], check: Promise<void>): Promise<void> {
  try {
    await check;
  } catch (error) {
    if (problems.length > 0 && error instanceof Error) {
      error.message += `\nWhat the page met meanwhile:\n${problems.join('\n')}`;
    }
    throw error;
  }
}

/** The password-change link of a "perte de mot de passe" email. */
export function resetLink(email: MaildevEmail): string {
  const match = email.text.match(/https?:\/\/\S+\/nouveau-mot-de-passe\/[0-9a-f]{64}/);
  if (!match) throw new Error(`no reset link in: ${email.text}`);
  return match[0];
}

/** A family name no other test uses, made of letters only, as names are. */
export function uniqueName(base: string): string {
  const letters = Array.from({ length: 6 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('');
  return `${base}-${letters[0].toUpperCase()}${letters.slice(1)}`;
}

/**
 * A SIRET no other test uses: 13 random digits and the Luhn key that makes
 * it valid (INSEE's rule, `domain::siret`), outside La Poste's SIREN.
 */
export function uniqueSiret(): string {
  for (;;) {
    const digits = Array.from({ length: 13 }, () => Math.floor(Math.random() * 10));
    if (digits.slice(0, 9).join('') === '356000000') continue;
    for (let key = 0; key < 10; key++) {
      const candidate = [...digits, key];
      const sum = candidate
        .slice()
        .reverse()
        .reduce((total, digit, index) => {
          const value = index % 2 === 1 ? digit * 2 : digit;
          return total + (value > 9 ? value - 9 : value);
        }, 0);
      if (sum % 10 === 0) return candidate.join('');
    }
  }
}

/** A person with an active account (password `PASSWORD`), logged out. */
export async function activePerson(page: Page, prefix: string, lastName = 'Martin', firstName = 'Claire'): Promise<string> {
  const email = uniqueEmail(prefix);
  await activate(page, await signUp(page, { email, lastName, firstName }));
  return email;
}

/** Logs in through the home page's box, once the app runs, and waits until the answer is drawn. */
export async function logIn(page: Page, email: string, password: string): Promise<void> {
  await page.locator('body[data-hydrated]').waitFor({ state: 'attached' });
  const before = await codeCount(email);
  await page.getByLabel('Adresse électronique de connexion').fill(email);
  await page.getByLabel(/^Mot de passe( \(obligatoire\))?$/).fill(password);
  const [response] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === '/api/connexion'),
    page.getByRole('button', { name: 'Se connecter', exact: true }).click(),
  ]);
  await expect(page.locator('form[aria-busy]')).toHaveCount(0);
  const answer = await response.json().catch(() => null);
  if ((answer?.PersonChanged?.path ?? answer?.GoTo) === '/verification') {
    await passSecondStep(page, email, before);
  }
}

/** The subject of the second step's code emails, in either language. */
export const CODE_SUBJECT = /^(Votre code de connexion Sésame|Your Sésame login code)$/;

/** How many login codes have been emailed to `address` so far. */
export async function codeCount(address: string): Promise<number> {
  return (await emailsTo(address, CODE_SUBJECT)).length;
}

/** Every email sent to `address` whose subject matches, oldest first. */
export async function emailsTo(address: string, subject: RegExp): Promise<MaildevEmail[]> {
  const response = await fetch(`${process.env.MAILDEV_URL!}/email`);
  const emails = (await response.json()) as MaildevEmail[];
  return emails.filter(
    (e) => e.to.some((t) => t.address.toLowerCase() === address.toLowerCase()) && subject.test(e.subject),
  );
}

/** The login code emailed to `address` after the first `before` ones. */
export async function loginCode(address: string, before: number): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const codes = await emailsTo(address, CODE_SUBJECT);
    if (codes.length > before) {
      const match = codes[codes.length - 1].text.match(/\b(\d{6})\b/);
      if (!match) throw new Error(`no code in: ${codes[codes.length - 1].text}`);
      return match[1];
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no new login code reached ${address}`);
}

/**
 * "Vérification en deux étapes" with the code emailed after the first
 * `before` ones; then, where "Sécurité" recommends an app, "Plus tard"
 * (unless `keepRecommendation`), which goes on to the page asked for.
 */
export async function passSecondStep(
  page: Page,
  address: string,
  before: number,
  keepRecommendation = false,
): Promise<void> {
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(/^(Vérification en deux étapes|Two-step verification)$/);
  const code = await loginCode(address, before);
  await page.getByLabel(/^(Code reçu par courriel|Code received by email)/).fill(code);
  await page.getByRole('button', { name: /^(Valider|Confirm)$/ }).click();
  await expect(page).not.toHaveURL(/\/verification/);
  if (!keepRecommendation && /\/securite\?/.test(page.url())) {
    await page.getByRole('button', { name: /^(Plus tard|Later)/ }).click();
    await expect(page).not.toHaveURL(/\/securite/);
  }
}

/** Goes to the home page, logs in and waits for "Accueil connecté". */
export async function logInFromHome(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.goto('/');
  await logIn(page, email, password);
  await expect(page).toHaveURL(/\/accueil$/);
}

/** Opens "Mon compte" from the connected tabs, once the app runs. */
export async function openMyAccount(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Mon compte' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Mon compte');
  await page.locator('body[data-hydrated]').waitFor({ state: 'attached' });
  await expect(page.locator('main .loading'), 'its data has come').toHaveCount(0);
}

/**
 * Presses `button` once the page has hydrated (before, the form posts the
 * plain way, which is tested on its own) and waits until the server
 * function's answer is drawn (no form left busy); returns the request's
 * path.
 */
export async function submitAndWait(page: Page, button: Locator): Promise<string> {
  await page.locator('body[data-hydrated]').waitFor({ state: 'attached' });
  const [response] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname.startsWith('/api/')),
    button.click(),
  ]);
  await expect(page.locator('form[aria-busy]')).toHaveCount(0);
  return new URL(response.url()).pathname;
}

/** The first link of `email` whose path starts with `pathPrefix`. */
export function linkIn(email: MaildevEmail, pathPrefix: string): string {
  const match = email.text.match(new RegExp(`https?://\\S+${pathPrefix.replace(/[/]/g, '\\/')}[^\\s)>]*`));
  if (!match) throw new Error(`no ${pathPrefix} link in: ${email.text}`);
  return match[0];
}

/**
 * Runs `sesame admin create` beside the running portal, on its database and
 * SMTP relay, as an operator would; returns what it printed.
 */
export function sesameAdminCreate(email: string, lastName: string): string {
  const server = JSON.parse(process.env.E2E_SERVER_ENV ?? '{}') as Record<string, string>;
  return execFileSync(
    process.env.SESAME_BIN ?? path.resolve(__dirname, '../../target/release/sesame'),
    ['admin', 'create', email, '--last-name', lastName, '--first-name', 'Agnès'],
    { cwd: path.resolve(__dirname, '../..'), env: { ...process.env, ...server }, encoding: 'utf8' },
  );
}

/**
 * A slow line: every request matching `pattern` waits until `release()`;
 * `asked()` counts them: the code of a page (`CODE`), a server function's
 * answers.
 */
export async function holdRequests(
  page: Page,
  pattern: string | RegExp,
): Promise<{ release: () => void; asked: () => number }> {
  let release = (): void => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let asked = 0;
  await page.route(pattern, async (route) => {
    asked++;
    await released;
    await route.continue();
  });
  return { release, asked: () => asked };
}

/** The files of a page's code: its Wasm, its packs and its scripts. */
export const CODE = /\.(wasm|pack|js)(\?.*)?$/;

/**
 * A first load on a slow line: opens `url` as the server drew it, its code
 * (`CODE`) held back, lets `type` do what a person does before the code
 * arrives, checks that the code had not run by then, then lets it in and
 * waits until the whole page has hydrated, its parts in turn included.
 */
export async function typeBeforeTheCode(page: Page, url: string, type: () => Promise<void>): Promise<void> {
  const code = await holdRequests(page, CODE);
  // Its load event waits for the held script: only the document is awaited.
  await page.goto(url, { waitUntil: 'commit' });
  await type();
  expect(await page.locator('body[data-hydrated]').count(), 'typed before the code ran').toBe(0);
  code.release();
  await page.locator('body[data-hydrated]').waitFor({ state: 'attached' });
}
