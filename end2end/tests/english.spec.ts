import { expect, test } from '@playwright/test';
import {
  activationLink,
  emailTo,
  expectAccessible,
  submitAndWait,
  uniqueEmail,
  CAPTCHA_ANSWER,
  copyCaptcha,
  PASSWORD,
  codeCount,
  passSecondStep,
  emailsTo,
  CODE_SUBJECT,
} from './support';

/**
 * English offered (guide: the portal in French first; Sésame offers
 * English): one whole journey in English, from the switch on the home page
 * to "Log out", with the emails it sends in English too.
 */
test('in English: signup, its email, activation, login, "My account", a contact change and its email, logout', async ({ page }) => {
  test.setTimeout(120_000);
  const email = uniqueEmail('english');

  await page.goto('/');
  await page.getByRole('link', { name: 'English' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('link', { name: 'Create your account' })).toBeVisible();
  await expectAccessible(page);

  await page.getByRole('link', { name: 'Create your account' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Create your account');
  await expect(page).toHaveTitle(/^Create your account/);
  await page.getByLabel(/^Login email address/).fill(email);
  await page.getByLabel(/^Confirm the login email address/).fill(email);
  await page.getByLabel(/^Last name/).fill('Smith');
  await page.getByLabel(/^First name/).fill('Alice');
  await page.getByLabel(/^Address(?! line)/).fill('1 Baker Street');
  await page.getByLabel(/^Postal code/).fill('75001');
  await page.getByLabel(/^City/).fill('Paris');
  await page.getByLabel(/^Telephone/).fill('01 23 45 67 89');
  await page.getByLabel(/^Characters in the image/).fill('XXXXX');
  await submitAndWait(page, page.getByRole('button', { name: 'Complete registration' }));
  // A refusal in English, beside its field, nothing else lost.
  await expect(page.getByLabel(/^Characters in the image/)).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByRole('alert').first()).toContainText('The form');
  await expect(page.getByLabel(/^Last name/)).toHaveValue('Smith');
  await expectAccessible(page);

  await copyCaptcha(page, /^Characters in the image/);
  await submitAndWait(page, page.getByRole('button', { name: 'Complete registration' }));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('New user registration');
  await expect(page.getByRole('main')).toContainText('You have successfully created the user account Smith Alice');
  await expectAccessible(page);

  const activationEmail = await emailTo(email, /^Activate your Sésame account$/);
  expect(activationEmail.text).toContain('Please follow this link to activate your account:');
  await page.goto(activationLink(activationEmail));
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await page.getByRole('textbox', { name: /^Password( \(required\))?$/ }).fill(PASSWORD);
  await page.getByLabel(/^Confirm the password/).fill(PASSWORD);
  await page.getByLabel(/^Secret question/).fill("My first dog's name?");
  await page.getByLabel(/^Answer to the secret question/).fill('Rex');
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByRole('status')).toContainText('Your account is activated. You can now log in.');

  await page.locator('body[data-hydrated]').waitFor({ state: 'attached' });
  await page.getByLabel('Login email address').fill(email);
  await page.getByLabel(/^Password( \(required\))?$/).fill(PASSWORD);
  const before = await codeCount(email);
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Two-step verification');
  await expectAccessible(page);
  const code = await emailsTo(email, CODE_SUBJECT);
  await passSecondStep(page, email, before);
  expect((await emailsTo(email, CODE_SUBJECT))[code.length - 1].subject).toBe('Your Sésame login code');
  await expect(page).toHaveURL(/\/accueil$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Connected home');
  await expectAccessible(page);

  await page.getByRole('link', { name: 'My account' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('My account');
  const newContact = uniqueEmail('english-contact');
  const contact = page.getByRole('region', { name: 'Contact email address', exact: true });
  await contact.getByLabel(/^New contact email address/).fill('not-an-address');
  await submitAndWait(page, contact.getByRole('button', { name: 'Change the contact address' }));
  await expect(contact.getByLabel(/^New contact email address/)).toHaveAttribute('aria-invalid', 'true');
  await expect(contact).toContainText('The email address is not valid.');
  await contact.getByLabel(/^New contact email address/).fill(newContact);
  await submitAndWait(page, contact.getByRole('button', { name: 'Change the contact address' }));
  await expect(page.getByRole('status').first()).toContainText(`A confirmation link has been sent to ${newContact}`);
  await expectAccessible(page);
  const confirmation = await emailTo(newContact, /^Confirm your new contact address$/);
  expect(confirmation.text).toContain('Hello');

  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/\?info=logged_out$/);
  await expect(page.getByRole('status')).toHaveText('You are logged out.');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
});
