import { createHmac } from 'node:crypto';
import { expect, test, type Page } from '@playwright/test';
import {
  activePerson,
  codeCount,
  emailTo,
  emailsTo,
  expectAccessible,
  loginCode,
  passSecondStep,
  PASSWORD,
} from './support';

/**
 * "Vérification en deux étapes" (Chorus Pro since September 2024): the
 * emailed code at every login, an authenticator app added in "Sécurité",
 * recovery codes, and the lock after too many wrong codes; with and
 * without JavaScript.
 */

/** RFC 4648 base 32, as the page shows the app's key (spaces ignored). */
function base32(key: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const bytes: number[] = [];
  for (const c of key.replace(/\s/g, '')) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}

/** The app's code (RFC 6238: SHA-1, 6 digits, 30 s) `steps` time steps from now. */
function totp(key: string, steps = 0): string {
  const counter = Math.floor(Date.now() / 30_000) + steps;
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const digest = createHmac('sha1', base32(key)).update(message).digest();
  const offset = digest[digest.length - 1] & 15;
  return ((digest.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).toString().padStart(6, '0');
}

/** The password step from the home page; returns how many codes were emailed before it. */
async function typePassword(page: Page, email: string): Promise<number> {
  const before = await codeCount(email);
  await page.goto('/');
  await page.getByLabel('Adresse électronique de connexion').fill(email);
  await page.getByLabel(/^Mot de passe( \(obligatoire\))?$/).fill(PASSWORD);
  await page.getByRole('button', { name: 'Se connecter', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Vérification en deux étapes');
  return before;
}

/** "Sécurité": adds an app with the current password and its first code; returns its key and the recovery codes shown. */
async function addApp(page: Page, checkAccessibility = true): Promise<{ key: string; codes: string[] }> {
  await page.getByLabel(/^Mot de passe actuel/).fill(PASSWORD);
  await page.getByRole('button', { name: "Ajouter une application d'authentification" }).click();
  const key = (await page.locator('#app-key').textContent())!;
  expect(key.replace(/\s/g, '')).toMatch(/^[A-Z2-7]{32}$/);
  const qr = page.getByRole('img', { name: /Code QR de la clé de votre application/ });
  await expect(qr).toBeVisible();
  await expect(qr).toHaveAttribute('alt', new RegExp(key.trim()));
  if (checkAccessibility) await expectAccessible(page);
  await page.getByLabel(/^Code affiché par l'application/).fill(totp(key));
  await page.getByRole('button', { name: "Valider l'application" }).click();
  const codes = page.locator('.recovery-codes code');
  await expect(codes).toHaveCount(10);
  return { key, codes: await codes.allTextContents() };
}

test.describe('Vérification en deux étapes', () => {
  test('the emailed code, then an app added in "Sécurité", then a recovery code', async ({ page }) => {
    const email = await activePerson(page, 'deuxetapes');
    let before = await typePassword(page, email);
    await expect(page.getByLabel(/^Code reçu par courriel/)).toBeFocused();
    await expect(page.getByText(/Il vous reste 10 minutes pour terminer la connexion/)).toBeVisible();
    await expectAccessible(page);
    const sent = (await emailsTo(email, /^Votre code de connexion Sésame$/))[before];
    expect(sent.text).toContain('Il est valable 10 minutes');
    expect(sent.text).toContain("Si vous n'êtes pas à l'origine de cette connexion");

    // A wrong code: said beside the field, the tries left counted.
    await page.getByLabel(/^Code reçu par courriel/).fill('12345');
    await page.getByRole('button', { name: 'Valider' }).click();
    await expect(page.locator('#code-error')).toHaveText('Le code est composé de 6 chiffres.');
    const code = await loginCode(email, before);
    await page.getByLabel(/^Code reçu par courriel/).fill(code === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: 'Valider' }).click();
    await expect(page.locator('#code-error')).toHaveText("Ce code est incorrect ou n'est plus valable.");
    await expect(page.getByRole('status').first()).toContainText('Il vous reste 4 essai(s)');
    await expectAccessible(page);
    await page.getByLabel(/^Code reçu par courriel/).fill(code);
    await page.getByRole('button', { name: 'Valider' }).click();

    // No app yet: "Sécurité" recommends one.
    await expect(page).toHaveURL(/\/securite\?suivant=(%2F|\/)accueil&conseil=1$/);
    await expect(page.getByRole('heading', { level: 2, name: 'Protégez mieux votre compte' })).toBeVisible();
    await expectAccessible(page);
    const { key, codes } = await addApp(page);
    await expect(page.getByRole('status').first()).toContainText('Votre application d\'authentification est ajoutée');
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Télécharger' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('sesame-codes-de-secours.txt');
    await expectAccessible(page);
    await emailTo(email, /Application d'authentification ajoutée/);

    // The next login asks for the app, and sends no email.
    await page.getByRole('button', { name: 'Déconnexion' }).click();
    before = await typePassword(page, email);
    await expect(page.getByLabel(/^Code de l'application/)).toBeFocused();
    // The enrolment used this time step's code: the next step's is taken.
    await page.getByLabel(/^Code de l'application/).fill(totp(key, 1));
    await page.getByRole('button', { name: 'Valider' }).click();
    await expect(page).toHaveURL(/\/accueil$/);
    expect(await codeCount(email)).toBe(before);

    // A lost phone: a recovery code, and the owner is told how many are left.
    await page.getByRole('button', { name: 'Déconnexion' }).click();
    await typePassword(page, email);
    await page.getByRole('button', { name: /utiliser un code de secours/ }).click();
    await expect(page.getByLabel(/^Code de secours/)).toBeVisible();
    await expectAccessible(page);
    await page.getByLabel(/^Code de secours/).fill(codes[0]);
    await page.getByRole('button', { name: 'Valider' }).click();
    await expect(page).toHaveURL(/\/accueil$/);
    const told = await emailTo(email, /Un code de secours a servi à vous connecter/);
    expect(told.text).toContain('Il vous reste 9 code(s)');
    await page.getByRole('link', { name: 'Sécurité' }).click();
    await expect(page.getByText('9 code(s) non utilisé(s)')).toBeVisible();
  });

  test('ten wrong codes lock the second step and the owner is told', async ({ page }) => {
    const email = await activePerson(page, 'verrou');
    for (let round = 0; round < 2; round++) {
      const before = await typePassword(page, email);
      const code = await loginCode(email, before);
      const wrong = code === '000000' ? '111111' : '000000';
      for (let i = 0; i < 5; i++) {
        await page.getByLabel(/^Code reçu par courriel/).fill(wrong);
        await page.getByRole('button', { name: 'Valider' }).click();
        // Each answer before the next try (a busy form sends nothing).
        if (i < 4) await expect(page.getByRole('status').first()).toContainText(`Il vous reste ${4 - i} essai(s)`);
      }
      if (round === 0) {
        // Five wrong codes: the password again.
        await expect(page).toHaveURL(/\/\?info=second_step_ended$/);
        await expect(page.getByRole('status').first()).toContainText('La vérification en deux étapes a été interrompue');
      }
    }
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Vérification temporairement bloquée');
    await expect(page.getByRole('alert')).toContainText('bloquée pendant 15 minutes');
    await expectAccessible(page);
    const locked = await emailTo(email, /Vérification en deux étapes de votre compte Sésame bloquée/);
    expect(locked.text).toContain('15 minutes');
  });
});

test.describe('Vérification en deux étapes sans JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the emailed code, adding an app and logging in with it through plain form posts', async ({ page }) => {
    const email = await activePerson(page, 'deuxetapes-sansjs');
    const before = await typePassword(page, email);
    await passSecondStep(page, email, before, true);
    await expect(page.getByRole('heading', { level: 2, name: 'Protégez mieux votre compte' })).toBeVisible();
    // axe needs the page's scripts: the same states are checked with them above.
    const { key, codes } = await addApp(page, false);
    expect(codes[0]).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    await page.getByRole('button', { name: 'Déconnexion' }).click();
    await expect(page.getByRole('status').first()).toContainText('Vous êtes déconnecté');
    await typePassword(page, email);
    // A wrong code is refused beside the field, on the plain page too.
    await page.getByLabel(/^Code de l'application/).fill(totp(key, 5));
    await page.getByRole('button', { name: 'Valider' }).click();
    await expect(page.locator('#code-error')).toHaveText("Ce code est incorrect ou n'est plus valable.");
    // The enrolment used this time step's code: the next step's is taken.
    await page.getByLabel(/^Code de l'application/).fill(totp(key, 1));
    await page.getByRole('button', { name: 'Valider' }).click();
    await expect(page).toHaveURL(/\/accueil$/);
  });
});
