import { expect, test, type Browser, type Page } from '@playwright/test';
import {
  activate,
  activationLink,
  activePerson,
  emailTo,
  expectAccessible,
  logIn,
  logInFromHome,
  openMyAccount,
  sesameAdminCreate,
  submitAndWait,
  uniqueEmail,
  uniqueName,
  uniqueSiret,
  PASSWORD,
} from './support';

/**
 * "Gestion" (guide, "Gestionnaire de structure" and "Administrateur"): the
 * administrator made from the command line, structures and their managers,
 * attachment requests, deactivation and reactivation by someone else, and
 * the feed that tells the person who did it and why.
 */

/** A browser of its own for one person. */
async function ownBrowser(browser: Browser): Promise<Page> {
  return (await browser.newContext()).newPage();
}

/**
 * An administrator made with `sesame admin create` while the portal runs,
 * activated from the emailed link and logged in on "Gestion".
 */
async function administrator(page: Page): Promise<string> {
  const email = uniqueEmail('admin');
  const printed = sesameAdminCreate(email, uniqueName('Durand'));
  expect(printed).toContain(`Administrator ${email} created`);
  await activate(page, activationLink(await emailTo(email, /Activez votre compte/)));
  await logInFromHome(page, email);
  await openManagement(page);
  return email;
}

/** Opens "Gestion" from the connected tabs. */
async function openManagement(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Gestion', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Gestion des comptes');
  await page.locator('body[data-hydrated]').waitFor({ state: 'attached' });
  await expect(page.locator('main .loading'), 'its data has come').toHaveCount(0);
}

/** The row of `region` that names `email`. */
function rowOf(page: Page, region: string, email: string) {
  return page.getByRole('region', { name: region, exact: true }).getByRole('listitem').filter({ hasText: email });
}

/** Creates the structure `name` as the administrator on "Gestion"; returns its SIRET. */
async function createStructure(page: Page, name: string): Promise<string> {
  const structures = page.getByRole('region', { name: 'Structures', exact: true });
  const siret = uniqueSiret();
  await structures.getByLabel(/^SIRET/).fill(siret);
  await structures.getByLabel(/^Raison sociale/).fill(name);
  await submitAndWait(page, structures.getByRole('button', { name: 'Créer la structure' }));
  await expect(page.getByRole('status').first()).toHaveText('La structure est créée.');
  await expect(structures.getByRole('listitem').filter({ hasText: name })).toHaveCount(1);
  return siret;
}

/** The person asks, from "Mon compte", to be attached to the structure `siret`. */
async function askAttachment(page: Page, siret: string): Promise<void> {
  await openMyAccount(page);
  const structures = page.getByRole('region', { name: 'Rattachement à une structure', exact: true });
  await structures.getByLabel(/^SIRET/).fill(siret);
  await submitAndWait(page, structures.getByRole('button', { name: 'Demander le rattachement' }));
  await expect(page.getByRole('status').first()).toContainText('a été transmise à ses gestionnaires');
  await expect(structures).toContainText('demande en attente');
}

test.describe('Gestion', () => {
  test('an administrator made with `sesame admin create` while the portal runs activates the account and reaches "Gestion"', async ({ page }) => {
    await administrator(page);
    for (const region of ['Demandes de rattachement', 'Comptes', 'Structures', 'Nommer un gestionnaire', 'Courriels non distribués']) {
      await expect(page.getByRole('region', { name: region, exact: true })).toBeVisible();
    }
    await expectAccessible(page);
  });

  test('a plain user has no "Gestion" tab and is refused the page', async ({ page }) => {
    const email = await activePerson(page, 'simple');
    await logInFromHome(page, email);
    await expect(page.getByRole('link', { name: 'Gestion', exact: true })).toHaveCount(0);
    const response = await page.goto('/gestion');
    expect(response?.status()).toBe(403);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Accès refusé');
    await expect(page.getByRole('main')).toContainText('réservée aux gestionnaires de structure et aux administrateurs');
    await expectAccessible(page);
  });

  test('the administrator refuses a wrong SIRET, refuses an attachment and deactivates an account, each person told why', async ({ page, browser }) => {
    test.setTimeout(120_000);
    await administrator(page);
    const structures = page.getByRole('region', { name: 'Structures', exact: true });
    const structureName = `Menuiserie ${uniqueName('Bois')}`;
    await structures.getByLabel(/^SIRET/).fill('732 829 320 00075');
    await structures.getByLabel(/^Raison sociale/).fill(structureName);
    await submitAndWait(page, structures.getByRole('button', { name: 'Créer la structure' }));
    await expect(structures.getByLabel(/^SIRET/)).toHaveAttribute('aria-invalid', 'true');
    await expect(structures).toContainText("Ce SIRET n'est pas valide");
    await expect(structures.getByLabel(/^Raison sociale/)).toHaveValue(structureName);
    await expectAccessible(page);
    const siret = await createStructure(page, structureName);

    const person = await ownBrowser(browser);
    const personEmail = await activePerson(person, 'refusee', uniqueName('Roux'), 'Inès');
    await logInFromHome(person, personEmail);
    await askAttachment(person, siret);
    const second = await ownBrowser(browser);
    const secondEmail = await activePerson(second, 'brouillon', uniqueName('Blanc'), 'Noé');
    await logInFromHome(second, secondEmail);
    await askAttachment(second, siret);

    await page.reload();
    await page.locator('body[data-hydrated]').waitFor({ state: 'attached' });
    const request = rowOf(page, 'Demandes de rattachement', personEmail);
    const secondRequest = rowOf(page, 'Demandes de rattachement', secondEmail);
    await expect(request).toContainText(structureName);
    // A reason being typed on one row stays on that row when another row's
    // answer takes a request out of the list.
    await secondRequest.getByLabel(/^Motif/).fill('Brouillon en cours');
    await request.getByLabel(/^Motif/).fill('Inconnue de la structure');
    await submitAndWait(page, request.getByRole('button', { name: 'Refuser' }));
    await expect(page.getByRole('status').first()).toHaveText('Le rattachement est refusé ; la personne en a été informée.');
    await expect(request).toHaveCount(0);
    await expect(secondRequest.getByLabel(/^Motif/)).toHaveValue('Brouillon en cours');
    const refused = await emailTo(personEmail, /Rattachement à une structure refusé/);
    expect(refused.text).toContain(structureName);
    expect(refused.text).toContain('Motif : Inconnue de la structure');
    await submitAndWait(page, secondRequest.getByRole('button', { name: 'Refuser' }));
    await expect(page.getByRole('status').first()).toHaveText('Le rattachement est refusé ; la personne en a été informée.');
    expect((await emailTo(secondEmail, /Rattachement à une structure refusé/)).text).toContain('Motif : Brouillon en cours');

    const account = rowOf(page, 'Comptes', personEmail);
    await account.getByLabel(/^Motif/).fill('ok');
    await submitAndWait(page, account.getByRole('button', { name: 'Désactiver' }));
    await expect(account.getByLabel(/^Motif/)).toHaveAttribute('aria-invalid', 'true');
    await expect(account).toContainText('Le motif doit comporter au moins 3 caractères.');
    await expect(account.getByLabel(/^Motif/)).toHaveValue('ok');
    // Only that row got the reason back, whatever rows others added meanwhile.
    const reasons = page.getByRole('region', { name: 'Comptes', exact: true }).getByLabel(/^Motif/);
    expect(await reasons.evaluateAll((inputs) => inputs.filter((input) => (input as HTMLInputElement).value === 'ok').length)).toBe(1);
    await account.getByLabel(/^Motif/).fill('Compte créé par erreur');
    await submitAndWait(page, account.getByRole('button', { name: 'Désactiver' }));
    await expect(page.getByRole('status').first()).toHaveText('Le compte est désactivé ; la personne en a été informée.');
    await expect(account).toContainText('désactivé');
    const deactivated = await emailTo(personEmail, /Désactivation de votre compte/);
    expect(deactivated.text).toContain('désactivé par un administrateur');
    expect(deactivated.text).toContain('Motif : Compte créé par erreur');

    // Every session of the person was closed.
    await person.goto('/accueil');
    await expect(person).toHaveURL(/\/\?suivant=(%2F|\/)accueil$/);
  });

  test('a manager sees only their structure, accepts a member, deactivates and reactivates them; the member\'s feed says who and why', async ({ page, browser }) => {
    test.setTimeout(180_000);
    await administrator(page);
    const structureName = `Ébénisterie ${uniqueName('Chêne')}`;
    const siret = await createStructure(page, structureName);

    const manager = await ownBrowser(browser);
    const managerLastName = uniqueName('Lefebvre');
    const managerEmail = await activePerson(manager, 'gestionnaire', managerLastName, 'Hugo');
    const naming = page.getByRole('region', { name: 'Nommer un gestionnaire', exact: true });
    await naming.getByLabel(/^Adresse de connexion du gestionnaire/).fill(managerEmail);
    await naming.getByLabel(/^SIRET/).fill(siret);
    await naming.getByLabel(/^Motif/).fill('Responsable administratif');
    await submitAndWait(page, naming.getByRole('button', { name: 'Nommer le gestionnaire' }));
    await expect(page.getByRole('status').first()).toHaveText('Le gestionnaire est nommé.');

    const member = await ownBrowser(browser);
    const memberEmail = await activePerson(member, 'membre', uniqueName('Petit'), 'Léa');
    await logInFromHome(member, memberEmail);
    await askAttachment(member, siret);

    await logInFromHome(manager, managerEmail);
    await openManagement(manager);
    await expectAccessible(manager);
    // Only the structure's members: nobody yet, not the administrator nor anyone else.
    const accounts = manager.getByRole('region', { name: 'Comptes', exact: true });
    await expect(accounts.getByRole('listitem')).toHaveCount(0);
    await expect(manager.getByRole('region', { name: 'Structures', exact: true })).toHaveCount(0);

    const request = rowOf(manager, 'Demandes de rattachement', memberEmail);
    await request.getByLabel(/^Motif/).fill('Salariée de la structure');
    await submitAndWait(manager, request.getByRole('button', { name: 'Accepter' }));
    await expect(manager.getByRole('status').first()).toHaveText('Le rattachement est accepté ; la personne en a été informée.');
    await emailTo(memberEmail, /Rattachement à une structure accepté/);
    await expect(accounts.getByRole('listitem')).toHaveCount(1);
    await expect(accounts).toContainText(memberEmail);

    const memberRow = rowOf(manager, 'Comptes', memberEmail);
    await memberRow.getByLabel(/^Motif/).fill("Départ de l'entreprise");
    await submitAndWait(manager, memberRow.getByRole('button', { name: 'Désactiver' }));
    await expect(manager.getByRole('status').first()).toHaveText('Le compte est désactivé ; la personne en a été informée.');
    const deactivated = await emailTo(memberEmail, /Désactivation de votre compte/);
    expect(deactivated.text).toContain('désactivé par le gestionnaire de votre structure');
    expect(deactivated.text).toContain("Motif : Départ de l'entreprise");

    await member.goto('/');
    await logIn(member, memberEmail, PASSWORD);
    await expect(member.getByRole('alert')).toContainText('Votre compte est désactivé.');
    await member.getByRole('button', { name: 'Demander la réactivation' }).click();
    await expect(member.getByRole('status')).toContainText('votre demande de réactivation a été transmise');

    await manager.reload();
    await expect(memberRow).toContainText('réactivation demandée');
    await memberRow.getByLabel(/^Motif/).fill('Retour dans l’entreprise');
    await submitAndWait(manager, memberRow.getByRole('button', { name: 'Réactiver' }));
    await expect(manager.getByRole('status').first()).toHaveText('Le compte est réactivé ; la personne en a été informée.');
    await emailTo(memberEmail, /Réactivation de votre compte Sésame/);

    await logIn(member, memberEmail, PASSWORD);
    await expect(member).toHaveURL(/\/accueil$/);
    const feed = member.getByRole('region', { name: "Fil d'événements" });
    const by = `par Hugo ${managerLastName}`;
    await expect(feed.getByRole('listitem').filter({ hasText: 'Compte réactivé' })).toContainText(`${by} — motif : Retour dans l’entreprise`);
    await expect(feed.getByRole('listitem').filter({ hasText: 'Compte désactivé' })).toContainText(`${by} — motif : Départ de l'entreprise`);
    await expectAccessible(member);

    // A lost phone: the manager resets the member's second factors, which
    // ends their session; their next login starts with an emailed code.
    await manager.reload();
    await memberRow.getByLabel(/^Motif/).fill('Téléphone perdu');
    await submitAndWait(manager, memberRow.getByRole('button', { name: 'Réinitialiser la double authentification' }));
    await expect(manager.getByRole('status').first()).toContainText('La double authentification du compte a été réinitialisée');
    const reset = await emailTo(memberEmail, /Double authentification de votre compte Sésame réinitialisée/);
    expect(reset.text).toContain('Le gestionnaire de votre structure a réinitialisé');
    expect(reset.text).toContain('Motif : Téléphone perdu');
    await member.goto('/accueil');
    await expect(member).toHaveURL(/\/\?suivant=(%2F|\/)accueil$/);
    await logIn(member, memberEmail, PASSWORD);
    await expect(member).toHaveURL(/\/accueil$/);
  });
});
