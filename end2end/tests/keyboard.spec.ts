import { expect, test, type Locator, type Page } from '@playwright/test';
import { activationLink, emailTo, uniqueEmail, CAPTCHA_ANSWER, PASSWORD, codeCount, loginCode } from './support';

/**
 * Keyboard only (RGAA 12.13 and 10.7, WCAG 2.1.1 and 2.4.7): from the home
 * page to "Accueil connecté" with Tab, Enter and Space alone. Every stop
 * of the focus is visible, and after each step the focus is where the
 * guide's next step is.
 */

/** Whether the focused element shows a focus indicator (an outline or a ring). */
async function focusIsVisible(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const element = document.activeElement as HTMLElement | null;
    if (!element || element === document.body) return 'nothing has the focus';
    const style = getComputedStyle(element);
    const outlined = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    const ringed = style.boxShadow !== 'none';
    const box = element.getBoundingClientRect();
    const onScreen = box.width > 1 && box.height > 1;
    return (outlined || ringed) && onScreen ? null : `${element.outerHTML.slice(0, 120)} has no visible focus`;
  });
}

/**
 * Presses Tab until `target` has the focus, checking at each stop that the
 * focus shows; returns how many presses it took (0 if it had it already).
 */
async function tabTo(page: Page, target: Locator, most = 60): Promise<number> {
  // A field the page focused itself (autofocus) is typed into at once.
  if (await target.evaluate((element) => element === document.activeElement)) return 0;
  for (let presses = 1; presses <= most; presses++) {
    await page.keyboard.press('Tab');
    expect(await focusIsVisible(page)).toBeNull();
    if (await target.evaluate((element) => element === document.activeElement)) return presses;
  }
  throw new Error(`${target} was not reached in ${most} presses of Tab`);
}

/** Tabs to the field `label` and types `text` into it. */
async function typeInto(page: Page, label: RegExp | string, text: string): Promise<void> {
  await tabTo(page, page.getByLabel(label));
  await page.keyboard.type(text);
}

test('keyboard only: signup, activation from the email, login, "Accueil connecté"', async ({ page }) => {
  test.setTimeout(120_000);
  const email = uniqueEmail('clavier');
  await page.goto('/');
  await page.locator('body[data-hydrated]').waitFor({ state: 'attached' });

  // The first stop is the skip link; it leads into the content.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Aller au contenu' })).toBeFocused();
  expect(await focusIsVisible(page)).toBeNull();
  await page.keyboard.press('Enter');
  await expect(page.locator('main')).toBeFocused();

  await tabTo(page, page.getByRole('link', { name: 'Créer votre compte' }));
  await page.keyboard.press('Enter');
  const heading = page.getByRole('heading', { level: 1 });
  await expect(heading).toHaveText('Créer votre compte');
  await expect(heading).toBeFocused();

  await typeInto(page, /^Adresse électronique de connexion/, email);
  await typeInto(page, /^Confirmation de l'adresse électronique de connexion/, email);
  await typeInto(page, /^Nom/, 'Morel');
  await typeInto(page, /^Prénom/, 'Julie');
  await typeInto(page, /^Adresse(?! électronique)/, '3 place du Marché');
  await typeInto(page, /^Code postal/, '4200');
  await typeInto(page, /^Ville/, 'Roanne');
  await typeInto(page, /^Caractères de l'image/, CAPTCHA_ANSWER);
  await tabTo(page, page.getByRole('button', { name: "Finaliser l'inscription" }));
  await page.keyboard.press('Space');

  // A mistake: the focus goes to the summary, whose link leads to the field.
  const summary = page.locator('.error-summary');
  await expect(summary).toBeFocused();
  await tabTo(page, summary.getByRole('link', { name: /Code postal/ }), 3);
  await page.keyboard.press('Enter');
  const postalCode = page.getByLabel(/^Code postal/);
  await expect(postalCode).toBeFocused();
  await page.keyboard.press('End');
  await page.keyboard.type('0');
  await expect(postalCode).toHaveValue('42000');
  await typeInto(page, /^Caractères de l'image/, CAPTCHA_ANSWER);
  await page.keyboard.press('Enter');
  await expect(heading).toHaveText('Saisie nouvel utilisateur');
  await expect(heading).toBeFocused();

  // The emailed link opens a new page.
  await page.goto(activationLink(await emailTo(email, /Activez votre compte/)));
  await page.locator('body[data-hydrated]').waitFor({ state: 'attached' });
  await typeInto(page, /^Mot de passe/, PASSWORD);
  await typeInto(page, /^Confirmer le mot de passe/, PASSWORD);
  await typeInto(page, /^Question secrète/, 'Nom de mon premier chat ?');
  await typeInto(page, /^Réponse à la question secrète/, 'Félix');
  await tabTo(page, page.getByRole('button', { name: 'Valider' }));
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status')).toContainText('Votre compte est activé');

  // The next step, logging in, is the next stop of the focus.
  const loginEmail = page.getByLabel('Adresse électronique de connexion');
  expect(await tabTo(page, loginEmail, 1)).toBe(1);
  await page.keyboard.type(email);
  await page.keyboard.press('Tab');
  await expect(page.getByLabel(/^Mot de passe( \(obligatoire\))?$/)).toBeFocused();
  await page.keyboard.type(PASSWORD);
  const before = await codeCount(email);
  await page.keyboard.press('Enter');
  // The second step: the focus lands on the code field.
  await expect(page).toHaveURL(/\/verification$/);
  await expect(page.getByLabel(/^Code reçu par courriel/)).toBeFocused();
  await page.keyboard.type(await loginCode(email, before));
  await page.keyboard.press('Enter');
  // "Sécurité" recommends an app: "Plus tard" is reached by the keyboard.
  await expect(page).toHaveURL(/\/securite\?/);
  await tabTo(page, page.getByRole('button', { name: /^Plus tard/ }));
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/accueil$/);
  await expect(heading).toHaveText('Accueil connecté');
  await expect(heading).toBeFocused();
});
