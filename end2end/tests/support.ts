import { expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

export const CAPTCHA_ANSWER = 'K7M2P';

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
  await page.getByLabel(/^Caractères de l'image/).fill(CAPTCHA_ANSWER.toLowerCase());
}
