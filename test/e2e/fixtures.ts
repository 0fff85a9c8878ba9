/**
 * Playwright fixtures: the real test host (real services, encrypted vault) on a
 * temp data dir per test, real gpg homes, screenshots under test-results/screens.
 */
import { test as base, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { SMTP_PASSWORD, SMTP_USER } from '../support/smtp';

export const SCREENS = join(process.cwd(), 'test-results', 'screens');
export const FIXTURE_PDF = join(process.cwd(), 'test', 'fixtures', 'synthetic-record.pdf');
export const PASSPHRASE = 'orbit velvet canyon lantern meadow';

/** The running test host (in a child process, see host-process.ts). */
export interface Host {
  url: string;
  origin: string;
  token: string;
  close(): Promise<void>;
}

/** Spawns test/e2e/host-process.ts with tsx and resolves once it prints READY. */
function spawnHost(dataDir: string, smtpCa: string[], exportDir?: string, queue?: HostQueue, presence?: HostPresence): Promise<Host> {
  const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');
  const child: ChildProcess = spawn(tsx, [join(__dirname, 'host-process.ts'), JSON.stringify({ dataDir, smtpCa, exportDir, queue, presence })], {
    cwd: process.cwd(),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise<Host>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error('test host did not start within 30 s')), 30_000);
    child.on('exit', (code) => reject(new Error(`test host exited early (code ${code ?? 'null'})`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      const m = /^READY (.+)$/m.exec(buf);
      if (!m) return;
      clearTimeout(timer);
      const info = JSON.parse(m[1]!) as { url: string; origin: string; token: string };
      resolve({
        ...info,
        close: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            // A graceful close first; a host still waiting on an open connection after 5 s is killed (its data dir is temporary).
            const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
            child.once('exit', () => {
              clearTimeout(force);
              done();
            });
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

/** The outbox sender of the host: how often it looks (ms) and its retry backoff (ms). */
export interface HostQueue {
  tickMs: number;
  retry: { baseMs: number; maxMs: number; maxAttempts: number };
}

/** How long the host waits for a silent tab before it locks the vault (test/host/server.ts HostOptions.presence). */
export interface HostPresence {
  timeoutMs: number;
}

interface AppFixture {
  /**
   * Starts the host trusting `smtpCa` (exports into `opts.exportDir`, if given; `opts.queue`: a fast outbox sender)
   * and opens the app in `page`.
   */
  start(smtpCa: string[], opts?: { exportDir?: string; queue?: HostQueue; presence?: HostPresence }): Promise<Host>;
  /**
   * Stops the running host and starts another on a new, empty data folder (as on a new computer), with the same
   * kind of options, and opens it in `page`. Used to restore a backup.
   */
  startOnNewComputer(smtpCa: string[], opts?: { exportDir?: string; queue?: HostQueue }): Promise<Host>;
}

export const test = base.extend<{ app: AppFixture }>({
  app: async ({ page }, use) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rd-e2e-'));
    const dataDirs = [dataDir];
    let host: Host | null = null;
    await use({
      async start(smtpCa, opts) {
        host = await spawnHost(dataDir, smtpCa, opts?.exportDir, opts?.queue, opts?.presence);
        await page.goto(host.url);
        return host;
      },
      async startOnNewComputer(smtpCa, opts) {
        if (host) await (host as Host).close();
        const fresh = mkdtempSync(join(tmpdir(), 'rd-e2e-'));
        dataDirs.push(fresh);
        host = await spawnHost(fresh, smtpCa, opts?.exportDir, opts?.queue);
        await page.goto(host.url);
        return host;
      },
    });
    await page.close();
    if (host) await (host as Host).close();
    // E2E_KEEP_DATA=1 keeps the (synthetic) data dir and its log for debugging.
    for (const d of dataDirs) {
      if (process.env.E2E_KEEP_DATA) console.warn(`kept e2e data dir ${d}`);
      else rmSync(d, { recursive: true, force: true });
    }
  },
});
export { expect };

/**
 * Calls a contract channel through the page's `window.api` (the preview bridge to the test host: the same dispatch as
 * Electron's IPC), e.g. to seed data the test is not about. @throws Error "channel: CODE message" when refused
 */
export async function callApi<T>(page: Page, channel: string, input: unknown): Promise<T> {
  const r = await page.evaluate(
    async ([c, i]) => (window as unknown as { api: Record<string, (x: unknown) => Promise<unknown>> }).api[c as string]!(i),
    [channel, input] as const,
  );
  const res = r as { ok: boolean; value?: T; error?: { code: string; message: string } };
  if (!res.ok) throw new Error(`${channel}: ${res.error?.code} ${res.error?.message}`);
  return res.value as T;
}

/** Saves a full-page screenshot as test-results/screens/<name>.png. */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENS, { recursive: true });
  await page.screenshot({ path: join(SCREENS, `${name}.png`), fullPage: true });
}

/** Runs axe on the current page and fails with the violations listed. */
export async function expectNoAxeViolations(page: Page, what: string): Promise<void> {
  await page.mouse.move(0, 0); // no hover state left over from the last click
  const results = await new AxeBuilder({ page }).analyze();
  const summary = results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`);
  expect(summary, `axe violations on ${what}`).toEqual([]);
}

/** Completes first-run setup against an SMTP server on 127.0.0.1:`port`; returns the practice key fingerprint as shown. */
export async function completeSetup(page: Page, port: number, screens = false): Promise<string> {
  await expect(page.getByRole('heading', { name: 'Set up ReleaseDesk' })).toBeVisible();
  await expect(page.getByText('Development preview — not the desktop app')).toBeVisible();
  await expect(page).toHaveURL(/^[^#]*$/); // token stripped from the URL
  if (screens) {
    await shot(page, '01-setup');
    await expectNoAxeViolations(page, 'setup');
  }
  await page.locator('#setup-passphrase').fill(PASSPHRASE);
  await page.locator('#setup-confirm').fill(PASSPHRASE);
  await expect(page.getByText(/good enough/)).toBeVisible();
  await page.locator('#setup-staffName').fill('Jordan Frontdesk');
  await page.locator('#setup-practiceName').fill('Lakeside Test Clinic');
  await page.locator('#setup-senderName').fill('Records, Lakeside Test Clinic');
  await page.locator('#setup-practiceAddress').fill('12 Elm St, Springfield, IL 62701');
  await page.locator('#setup-practicePhone').fill('(217) 555-0100');
  await page.locator('#setup-privacyName').fill('Qwfp Privacyofficer');
  await page.locator('#setup-senderEmail').fill(SMTP_USER);
  await page.locator('#setup-smtpHost').fill('127.0.0.1');
  await page.locator('#setup-smtpPort').fill(String(port));
  await page.locator('#setup-smtpUser').fill(SMTP_USER);
  await page.locator('#setup-smtpPassword').fill(SMTP_PASSWORD);
  if (screens) await shot(page, '02-setup-filled');
  await page.getByRole('button', { name: 'Create vault' }).click();
  await expect(page.getByRole('heading', { name: 'Your vault is ready' })).toBeVisible({ timeout: 30_000 });
  const fpr = (await page.getByTestId('fingerprint').innerText()).replace(/\s+/g, '');
  expect(fpr).toMatch(/^[0-9A-F]{40}$/);
  if (screens) await shot(page, '03-vault-ready');
  await page.getByRole('button', { name: 'Continue to requests' }).click();
  await expect(page.getByRole('heading', { name: 'Requests', exact: true })).toBeVisible();
  return fpr;
}

export interface RequestOptions {
  basis?: 'right_of_access' | 'authorization';
  requester?: string;
  recipientName?: string;
  recipientDestination?: string;
  /** Labels of the categories to request (CATEGORY_LABELS). */
  categories?: string[];
}

/** Requests list → "New request" → intake filled for a synthetic patient → the request's detail screen. */
export async function recordRequest(page: Page, opts: RequestOptions = {}, screens: string | null = null): Promise<void> {
  await page.getByRole('button', { name: 'New request' }).click();
  await expect(page.getByRole('heading', { name: 'New request' })).toBeVisible();
  await page.locator('#patient-name').fill('Zyxwv Testpatient');
  await page.locator('#patient-dob').fill('1970-01-02');
  await page.locator('#patient-mrn').fill('MRN-TEST-1');
  if (opts.basis) await page.locator('#request-basis').selectOption(opts.basis);
  await page.locator('#requester-name').fill(opts.requester ?? 'Zyxwv Testpatient');
  await page.locator('#recipient-0-name').fill(opts.recipientName ?? 'Qwfp Recipient');
  await page.locator('#recipient-0-destination').fill(opts.recipientDestination ?? 'qwfp.recipient@example.test');
  // A new email address is typed twice (the second entry is never prefilled).
  await page.locator('#recipient-0-destination-confirm').fill(opts.recipientDestination ?? 'qwfp.recipient@example.test');
  for (const c of opts.categories ?? ['Visit notes']) await page.getByRole('checkbox', { name: c, exact: true }).check();
  if (screens) {
    await shot(page, `${screens}-intake`);
    await expectNoAxeViolations(page, 'request intake');
  }
  await page.getByRole('button', { name: 'Record request' }).click();
  await expect(page.getByRole('heading', { name: /^Request Q-/ })).toBeVisible();
}

/** On the request screen: record an identity check (photo ID) and mark the request ready. */
export async function verifyAndMarkReady(page: Page): Promise<void> {
  await page.locator('#verify-method').selectOption('photo_id_in_person');
  await page.locator('#verify-notes').fill('Driver licence seen at the desk');
  await page.getByRole('button', { name: 'Record check' }).click();
  await expect(page.getByRole('table', { name: 'Identity checks' })).toContainText('Photo ID checked in person');
  await page.getByRole('button', { name: 'Mark ready to release' }).click();
  await expect(page.locator('[data-status="ready"]').first()).toBeVisible();
}

/**
 * On the request screen: "Start release" → records step with the fixture PDF classified as `category` and
 * `dateOfService` (in scope). Imported files start unclassified (no category, no date) and block the release.
 */
export async function startReleaseWithFixture(page: Page, category = 'visit_notes', screens = false, dateOfService = '2025-06-01'): Promise<void> {
  await page.getByRole('button', { name: 'Start release' }).click();
  await expect(page.getByRole('heading', { name: /^Release R-/ })).toBeVisible();
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Add PDF files' }).click();
  await (await chooser).setFiles(FIXTURE_PDF);
  const table = page.getByRole('table', { name: 'Documents in this release' });
  await expect(table.getByRole('cell', { name: 'synthetic-record.pdf', exact: true })).toBeVisible();
  await expect(table.getByRole('cell', { name: '3', exact: true })).toBeVisible();
  // Imported unclassified: marked, its category focused, nothing filed until category and date are both set.
  await expect(table.getByText('Not classified — set category and date')).toBeVisible();
  await expect(page.getByLabel('Category of synthetic-record.pdf')).toBeFocused();
  if (screens) await shot(page, '06a-records-unclassified');
  await page.getByLabel('Category of synthetic-record.pdf').selectOption(category);
  const date = page.getByLabel('Date of service of synthetic-record.pdf');
  await date.fill(dateOfService);
  await date.blur();
  await expect(table.getByText('In scope — selected')).toBeVisible();
  if (screens) {
    await shot(page, '06-records');
    await expectNoAxeViolations(page, 'release wizard: records');
  }
  await page.getByRole('button', { name: 'Next: recipient' }).click();
}

/** Recipient step without an OpenPGP key → the Delivery step with the password-protected PDF preselected → review. */
export async function chooseRecipientWithoutKey(page: Page, recipientEmail: string): Promise<void> {
  await page.locator('#recipient-name').fill('Qwfp Recipient');
  await page.locator('#recipient-email').fill(recipientEmail);
  await page.getByRole('switch', { name: 'The recipient has an OpenPGP key' }).uncheck();
  await page.getByRole('button', { name: 'Save recipient' }).click();
  await expect(page.getByRole('radio', { name: 'Password-protected PDF by email' })).toBeChecked();
  await page.getByRole('button', { name: 'Next: review' }).click();
}

/** Recipient step: name, address, the armored key, fingerprint confirmed → Delivery (OpenPGP preselected) → review. */
export async function chooseRecipient(page: Page, armoredKey: string, recipientEmail: string, screens = false): Promise<void> {
  await page.locator('#recipient-name').fill('Qwfp Recipient');
  await page.locator('#recipient-email').fill(recipientEmail);
  await page.locator('#recipient-key').fill(armoredKey);
  await page.getByRole('button', { name: 'Check key' }).click();
  await expect(page.getByLabel('Recipient key fingerprint')).toBeVisible();
  await page.locator('#recipient-confirm').check();
  if (screens) {
    await shot(page, '07-recipient');
    await expectNoAxeViolations(page, 'release wizard: recipient');
  }
  await page.getByRole('button', { name: 'Save recipient' }).click();
  // Delivery step: with a confirmed key the strongest rung (OpenPGP) is preselected.
  await expect(page.getByRole('radio', { name: 'Encrypted email (OpenPGP)' })).toBeChecked();
  await page.getByRole('button', { name: 'Next: review' }).click();
  await expect(page.getByRole('heading', { name: 'What happens next' })).toBeVisible();
}

/**
 * Requests → new right-of-access request → identity verified, ready → start release →
 * records (the fixture PDF through the real file chooser, filed in scope) → recipient with `armoredKey` → review.
 */
export async function prepareRelease(page: Page, armoredKey: string, recipientEmail: string, screens = false): Promise<void> {
  if (screens) {
    await shot(page, '04-requests-empty');
    await expectNoAxeViolations(page, 'requests list (empty)');
  }
  await recordRequest(page, { recipientDestination: recipientEmail }, screens ? '05' : null);
  await verifyAndMarkReady(page);
  if (screens) {
    await shot(page, '05b-request-ready');
    await expectNoAxeViolations(page, 'request detail');
  }
  await startReleaseWithFixture(page, 'visit_notes', screens);
  await chooseRecipient(page, armoredKey, recipientEmail, screens);
  await expect(page.getByText('Nothing blocks this release')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Send encrypted release' })).toBeEnabled();
  if (screens) {
    await shot(page, '08-review');
    await expectNoAxeViolations(page, 'release wizard: review');
  }
}
