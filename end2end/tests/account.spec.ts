import { expect, test, type Page } from '@playwright/test';
import {
  activePerson,
  emailTo,
  expectAccessible,
  linkIn,
  logIn,
  logInFromHome,
  openMyAccount,
  submitAndWait,
  typeBeforeTheCode,
  uniqueEmail,
  uniqueSiret,
  PASSWORD,
  codeCount,
  passSecondStep,
} from './support';

/**
 * "Mon compte" (guide, "Gérer son compte"): every form of the page, each
 * refusing a wrong input beside its field while keeping what was typed,
 * then doing what it says, with the emails the guide lists.
 */

const NEW_PASSWORD = 'Cerise-Abricot-2027';

/** A person logged in on "Mon compte". */
async function onMyAccount(page: Page, prefix: string): Promise<string> {
  const email = await activePerson(page, prefix);
  await logInFromHome(page, email);
  await openMyAccount(page);
  return email;
}

/** The form of "Mon compte" under the heading `name`. */
function block(page: Page, name: string) {
  return page.getByRole('region', { name, exact: true });
}

test.describe('Mon compte', () => {
  test('on a first load, the forms take over in turn: what was typed before keeps, and each then answers in place', async ({ page }) => {
    const email = await activePerson(page, 'tour');
    await logInFromHome(page, email);
    // The page as the server drew it, its code held back: the sections
    // wait for their turn until it comes.
    const contact = block(page, 'Adresse électronique de contact').getByLabel('Nouvelle adresse électronique de contact');
    const question = block(page, 'Question secrète').getByRole('textbox', { name: /^Question secrète/ });
    await typeBeforeTheCode(page, '/mon-compte', async () => {
      await contact.fill('pas-une-adresse');
      await question.fill('Ma première voiture ?');
    });
    await expect(contact).toHaveValue('pas-une-adresse');
    await expect(question).toHaveValue('Ma première voiture ?');

    // A section taken over in its turn answers through its server function,
    // in place.
    const path = await submitAndWait(page, page.getByRole('button', { name: "Modifier l'adresse de contact" }));
    expect(path).toBe('/api/mon-compte/contact');
    await expect(contact).toHaveAttribute('aria-invalid', 'true');
    await expect(contact).toHaveValue('pas-une-adresse');
    await expect(question).toHaveValue('Ma première voiture ?');
    await expectAccessible(page);
  });

  test('"Coordonnées": a wrong postal code is refused beside it, the rest stays typed, then the change is saved', async ({ page }) => {
    await onMyAccount(page, 'coordonnees');
    const details = block(page, 'Coordonnées');
    await details.getByLabel(/^Ville/).fill('Lyon');
    await details.getByLabel(/^Code postal/).fill('6900');
    await submitAndWait(page, details.getByRole('button', { name: 'Enregistrer les coordonnées' }));

    const postalCode = details.getByLabel(/^Code postal/);
    await expect(postalCode).toHaveAttribute('aria-invalid', 'true');
    await expect(details).toContainText('Un code postal français comporte 5 chiffres.');
    await expect(postalCode).toBeFocused();
    await expect(postalCode).toHaveValue('6900');
    await expect(details.getByLabel(/^Ville/)).toHaveValue('Lyon');
    await expectAccessible(page);

    await postalCode.fill('69001');
    await submitAndWait(page, details.getByRole('button', { name: 'Enregistrer les coordonnées' }));
    await expect(page.getByRole('status').first()).toHaveText('Vos coordonnées ont été enregistrées.');
    await page.reload();
    await expect(block(page, 'Coordonnées').getByLabel(/^Ville/)).toHaveValue('Lyon');
    await expect(block(page, 'Coordonnées').getByLabel(/^Code postal/)).toHaveValue('69001');
  });

  test('"Adresse de contact": a malformed address is refused; the new one is confirmed from its link and both addresses are told', async ({ page }) => {
    const login = await onMyAccount(page, 'contact');
    const contact = block(page, 'Adresse électronique de contact');
    const field = contact.getByLabel(/^Nouvelle adresse électronique de contact/);
    await field.fill('paul.dupont@');
    await submitAndWait(page, contact.getByRole('button', { name: "Modifier l'adresse de contact" }));
    await expect(field).toHaveAttribute('aria-invalid', 'true');
    await expect(contact).toContainText("L'adresse électronique n'est pas valide.");
    await expect(field).toHaveValue('paul.dupont@');
    await expectAccessible(page);

    const newContact = uniqueEmail('secretariat');
    await field.fill(newContact);
    expect(await submitAndWait(page, contact.getByRole('button', { name: "Modifier l'adresse de contact" }))).toBe('/api/mon-compte/contact');
    await expect(page.getByRole('status').first()).toContainText(`Un lien de confirmation a été envoyé à l'adresse ${newContact}`);

    const confirmation = await emailTo(newContact, /Confirmez votre nouvelle adresse de contact/);
    await page.goto(linkIn(confirmation, '/adresse-de-contact/'));
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Confirmer la nouvelle adresse de contact');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Confirmer' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Adresse de contact modifiée');

    const toOld = await emailTo(login, /Modification de l'adresse de contact/);
    expect(toOld.text).toContain(newContact);
    expect(linkIn(toOld, '/adresse-de-contact/')).toBeTruthy();
    const toNew = await emailTo(newContact, /Nouvelle adresse de contact/);
    expect(toNew.text).toContain(login);
  });

  test('"Adresse de connexion": a wrong password keeps the new address typed; once confirmed it is the login and the old one is told', async ({ page }) => {
    const login = await onMyAccount(page, 'identifiant');
    const loginBlock = block(page, 'Adresse électronique de connexion');
    const newLogin = uniqueEmail('nouvel-identifiant');
    await loginBlock.getByLabel(/^Nouvelle adresse électronique de connexion/).fill(newLogin);
    await loginBlock.getByLabel(/^Mot de passe actuel/).fill('Pas-Le-Bon-2026');
    await submitAndWait(page, loginBlock.getByRole('button', { name: "Modifier l'adresse de connexion" }));
    await expect(loginBlock.getByLabel(/^Mot de passe actuel/)).toHaveAttribute('aria-invalid', 'true');
    await expect(loginBlock).toContainText("Le mot de passe saisi n'est pas celui de votre compte.");
    await expect(loginBlock.getByLabel(/^Nouvelle adresse électronique de connexion/)).toHaveValue(newLogin);
    await expectAccessible(page);

    await loginBlock.getByLabel(/^Mot de passe actuel/).fill(PASSWORD);
    await submitAndWait(page, loginBlock.getByRole('button', { name: "Modifier l'adresse de connexion" }));
    await expect(page.getByRole('status').first()).toContainText(`Un lien de confirmation a été envoyé à l'adresse ${newLogin}`);

    const confirmation = await emailTo(newLogin, /Confirmez votre nouvelle adresse de connexion/);
    await page.goto(linkIn(confirmation, '/adresse-de-contact/'));
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Confirmer la nouvelle adresse de connexion');
    await page.getByRole('button', { name: 'Confirmer' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Adresse de connexion modifiée');
    await expect(page.getByRole('main')).toContainText(`Connectez-vous désormais avec l'adresse ${newLogin}`);
    const told = await emailTo(login, /Modification de l'adresse de connexion/);
    expect(told.text).toContain(newLogin);

    // Every session was closed: the old address no longer opens one, the new one does.
    await page.goto('/');
    await logIn(page, login, PASSWORD);
    await expect(page.getByRole('alert')).toHaveText('Adresse électronique ou mot de passe incorrect.');
    await logIn(page, newLogin, PASSWORD);
    await expect(page).toHaveURL(/\/accueil$/);
  });

  test('"Changer mon mot de passe": a wrong current password is refused; the change ends the other sessions and is confirmed by email', async ({ page, browser }) => {
    const login = await onMyAccount(page, 'motdepasse');
    const elsewhere = await browser.newContext();
    const otherPage = await elsewhere.newPage();
    await logInFromHome(otherPage, login);

    const passwordBlock = block(page, 'Changer mon mot de passe');
    await passwordBlock.getByLabel(/^Mot de passe actuel/).fill('Pas-Le-Bon-2026');
    await passwordBlock.getByLabel(/^Nouveau mot de passe/).fill(NEW_PASSWORD);
    await passwordBlock.getByLabel(/^Confirmer le nouveau mot de passe/).fill(NEW_PASSWORD);
    await submitAndWait(page, passwordBlock.getByRole('button', { name: 'Changer le mot de passe' }));
    await expect(passwordBlock.getByLabel(/^Mot de passe actuel/)).toHaveAttribute('aria-invalid', 'true');
    await expect(passwordBlock).toContainText("Le mot de passe saisi n'est pas celui de votre compte.");
    await expectAccessible(page);

    await passwordBlock.getByLabel(/^Mot de passe actuel/).fill(PASSWORD);
    await passwordBlock.getByLabel(/^Nouveau mot de passe/).fill(NEW_PASSWORD);
    await passwordBlock.getByLabel(/^Confirmer le nouveau mot de passe/).fill(NEW_PASSWORD);
    await submitAndWait(page, passwordBlock.getByRole('button', { name: 'Changer le mot de passe' }));
    await expect(page.getByRole('status').first()).toContainText('Votre mot de passe a été changé');
    const confirmation = await emailTo(login, /Le mot de passe de votre compte Sésame a été changé/);
    expect(confirmation.text).toContain('depuis « Mon compte »');

    // The other browser's session has ended; this one goes on.
    await otherPage.goto('/mon-compte');
    await expect(otherPage).toHaveURL(/\/\?suivant=(%2F|\/)mon-compte$/);
    await elsewhere.close();
    await page.getByRole('button', { name: 'Déconnexion' }).click();
    await expect(page).toHaveURL(/\/\?info=logged_out$/);
    await logIn(page, login, NEW_PASSWORD);
    await expect(page).toHaveURL(/\/accueil$/);
  });

  test('"Question secrète": a too short question is refused and kept; the new one is confirmed by email', async ({ page }) => {
    const login = await onMyAccount(page, 'question');
    const secret = block(page, 'Question secrète');
    await secret.getByLabel(/^Question secrète/).fill('Ville ?');
    await secret.getByLabel(/^Réponse à la question secrète/).fill('Roanne');
    await secret.getByLabel(/^Mot de passe actuel/).fill(PASSWORD);
    await submitAndWait(page, secret.getByRole('button', { name: 'Changer la question secrète' }));
    await expect(secret.getByLabel(/^Question secrète/)).toHaveAttribute('aria-invalid', 'true');
    await expect(secret).toContainText('La question secrète doit comporter au moins 10 caractères.');
    await expect(secret.getByLabel(/^Question secrète/)).toHaveValue('Ville ?');
    await expectAccessible(page);

    await secret.getByLabel(/^Question secrète/).fill('Ville de ma première école ?');
    await secret.getByLabel(/^Réponse à la question secrète/).fill('Roanne');
    await secret.getByLabel(/^Mot de passe actuel/).fill(PASSWORD);
    await submitAndWait(page, secret.getByRole('button', { name: 'Changer la question secrète' }));
    await expect(page.getByRole('status').first()).toContainText('Votre question secrète a été changée');
    await emailTo(login, /La question secrète de votre compte Sésame a été changée/);
  });

  test('"Sessions ouvertes": closing another browser\'s session logs that browser out, not this one', async ({ page, browser }) => {
    const login = await onMyAccount(page, 'sessions');
    const elsewhere = await browser.newContext();
    const otherPage = await elsewhere.newPage();
    await logInFromHome(otherPage, login);

    await page.reload();
    const sessions = block(page, 'Sessions ouvertes');
    await expect(sessions.getByRole('listitem')).toHaveCount(2);
    await expect(sessions.getByRole('listitem').filter({ hasText: 'cette session' })).toHaveCount(1);
    const other = sessions.getByRole('listitem').filter({ hasNotText: 'cette session' });
    await submitAndWait(page, other.getByRole('button', { name: /^Fermer la session/ }));
    await expect(page.getByRole('status').first()).toHaveText('Les sessions demandées ont été fermées.');
    await expect(sessions.getByRole('listitem')).toHaveCount(1);
    await expectAccessible(page);

    await otherPage.goto('/accueil');
    await expect(otherPage).toHaveURL(/\/\?suivant=(%2F|\/)accueil$/);
    await expect(otherPage.getByRole('status')).toHaveText('Connectez-vous pour accéder à cette page.');
    await elsewhere.close();
    await page.goto('/mon-compte');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Mon compte');
  });

  test('"Langue": English turns the pages and the next emails to English', async ({ page }) => {
    await onMyAccount(page, 'langue');
    const language = block(page, 'Langue');
    await language.getByLabel('Langue du portail et des courriels').selectOption('en');
    await language.getByRole('button', { name: 'Enregistrer la langue' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('My account');
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expectAccessible(page);

    const newContact = uniqueEmail('english');
    const contact = block(page, 'Contact email address');
    await contact.getByLabel(/^New contact email address/).fill(newContact);
    await submitAndWait(page, contact.getByRole('button', { name: 'Change the contact address' }));
    await expect(page.getByRole('status').first()).toContainText(`A confirmation link has been sent to ${newContact}`);
    await emailTo(newContact, /Confirm your new contact address/);
  });

  test('one form\'s answer, drawn in place, keeps what the other forms show but have not sent: a country chosen, an error beside a field', async ({ page }) => {
    await onMyAccount(page, 'redessin');
    for (const arrival of ['a first load', 'a click']) {
      if (arrival === 'a first load') {
        await page.reload();
      } else {
        await page.getByRole('link', { name: 'Accueil connecté' }).click();
        await expect(page.getByRole('heading', { level: 1 })).not.toHaveText('Mon compte');
        await openMyAccount(page);
      }
      await page.locator('body[data-hydrated]').waitFor({ state: 'attached' });
      const country = block(page, 'Coordonnées').getByLabel(/^Pays/);
      await country.selectOption('GB');
      const siret = block(page, 'Rattachement à une structure').getByLabel(/^SIRET/);
      await siret.fill('123');
      await siret.press('Tab');
      await expect(siret, arrival).toHaveAttribute('aria-invalid', 'true');

      const contact = block(page, 'Adresse électronique de contact').getByLabel('Nouvelle adresse électronique de contact');
      await contact.fill('pas-une-adresse');
      await submitAndWait(page, page.getByRole('button', { name: "Modifier l'adresse de contact" }));
      await expect(contact, arrival).toHaveAttribute('aria-invalid', 'true');
      await expect(country, arrival).toHaveValue('GB');
      await expect(siret, arrival).toHaveValue('123');
      await expect(siret, arrival).toHaveAttribute('aria-invalid', 'true');
    }
  });

  test('"Rattachement à une structure": a SIRET with a wrong key, then one no structure has, are refused beside the field', async ({ page }) => {
    await onMyAccount(page, 'rattachement');
    const structures = block(page, 'Rattachement à une structure');
    const siret = structures.getByLabel(/^SIRET/);
    await siret.fill('732 829 320 00075');
    await submitAndWait(page, structures.getByRole('button', { name: 'Demander le rattachement' }));
    await expect(siret).toHaveAttribute('aria-invalid', 'true');
    await expect(structures).toContainText("Ce SIRET n'est pas valide");
    await expect(siret).toHaveValue('732 829 320 00075');

    const unknown = uniqueSiret();
    await siret.fill(unknown);
    await submitAndWait(page, structures.getByRole('button', { name: 'Demander le rattachement' }));
    await expect(structures).toContainText("Aucune structure n'a ce SIRET sur le portail.");
    await expect(siret).toHaveValue(unknown);
    await expectAccessible(page);
  });
});

test.describe('Mon compte, JavaScript off', () => {
  test.use({ javaScriptEnabled: false });

  test('"Changer mon mot de passe" refuses then changes it through plain form posts', async ({ page }) => {
    const login = await activePerson(page, 'sansjs');
    await page.goto('/');
    await page.getByLabel('Adresse électronique de connexion').fill(login);
    await page.getByLabel(/^Mot de passe( \(obligatoire\))?$/).fill(PASSWORD);
    const before = await codeCount(login);
    await page.getByRole('button', { name: 'Se connecter', exact: true }).click();
    await passSecondStep(page, login, before);
    await expect(page).toHaveURL(/\/accueil$/);
    await page.getByRole('link', { name: 'Mon compte' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Mon compte');

    const passwordBlock = block(page, 'Changer mon mot de passe');
    await passwordBlock.getByLabel(/^Mot de passe actuel/).fill(PASSWORD);
    await passwordBlock.getByLabel(/^Nouveau mot de passe/).fill(NEW_PASSWORD);
    await passwordBlock.getByLabel(/^Confirmer le nouveau mot de passe/).fill('Cerise-Abricot-2028');
    await passwordBlock.getByRole('button', { name: 'Changer le mot de passe' }).click();
    const again = block(page, 'Changer mon mot de passe');
    await expect(again.getByLabel(/^Confirmer le nouveau mot de passe/)).toHaveAttribute('aria-invalid', 'true');
    await expect(again).toContainText('les deux mots de passe ne sont pas identiques');
    // (axe runs in the page, so not with JavaScript off: the same page is checked with it on above.)

    await again.getByLabel(/^Mot de passe actuel/).fill(PASSWORD);
    await again.getByLabel(/^Nouveau mot de passe/).fill(NEW_PASSWORD);
    await again.getByLabel(/^Confirmer le nouveau mot de passe/).fill(NEW_PASSWORD);
    await again.getByRole('button', { name: 'Changer le mot de passe' }).click();
    await expect(page.getByRole('status').first()).toContainText('Votre mot de passe a été changé');
    await emailTo(login, /Le mot de passe de votre compte Sésame a été changé/);
  });
});
