/**
 * Playwright fixtures: the clinic a spec works in. `app.open()` starts the three parts every release spec needs —
 * the mail server (real smtp-server with STARTTLS), the app (the real test host: real services, encrypted vault on a
 * temp data folder per test, opened in `page`) with its vault set up — and `keyring` is the recipients' GnuPG
 * keyring (one per worker). Screenshots go under test-results/screens.
 *
 * Vault setup: `setup: 'ui'` walks the setup wizard (the subject of the setup specs); `setup: 'api'` (the default)
 * sends the same `setup.createVault` through the host's dispatch and opens the Requests screen, for specs about
 * something else. Either way the same practice, staff member and SMTP settings result.
 */
import { test as base, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createGpgHome, type GenerateKeyOptions, type GpgHome } from '../support/gpg';
import { SMTP_PASSWORD, SMTP_USER, startSmtpServer, type RunningSmtpServer, type StartSmtpServerOptions } from '../support/smtp';

export const SCREENS = join(process.cwd(), 'test-results', 'screens');
export const FIXTURE_PDF = join(process.cwd(), 'test', 'fixtures', 'synthetic-record.pdf');
export const PASSPHRASE = 'orbit velvet canyon lantern meadow';

/** The practice, staff member and mail settings every spec's vault is set up with (the wizard fills in the same). */
export const PRACTICE = {
  staffName: 'Jordan Frontdesk',
  name: 'Lakeside Test Clinic',
  senderName: 'Records, Lakeside Test Clinic',
  address: '12 Elm St, Springfield, IL 62701',
  phone: '(217) 555-0100',
  privacyOfficer: 'Qwfp Privacyofficer',
} as const;

/** The running test host (started by the worker's host process, see host-process.ts). */
export interface Host {
  url: string;
  origin: string;
  token: string;
  close(): Promise<void>;
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

interface HostConfig {
  dataDir: string;
  smtpCa: string[];
  exportDir?: string;
  queue?: HostQueue;
  presence?: HostPresence;
}

/**
 * The worker's host process (test/e2e/host-process.ts under tsx): spawned once, it loads the service modules once and
 * starts a new host — new services on a new data folder — for each test. A process that fails to answer is killed and
 * the next test spawns another.
 */
class HostProcess {
  private child: ChildProcess | null = null;
  private answers: string[] = [];
  private waiting: ((line: string) => void) | null = null;

  private spawn(): ChildProcess {
    const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');
    const child = spawn(tsx, [join(__dirname, 'host-process.ts')], { cwd: process.cwd(), stdio: ['pipe', 'pipe', 'inherit'] });
    this.answers = [];
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!/^(READY|STOPPED|FAILED)\b/.test(line)) return; // anything else the host prints is not an answer
      const w = this.waiting;
      this.waiting = null;
      if (w) w(line);
      else this.answers.push(line);
    });
    child.on('exit', () => {
      // A process killed on purpose (kill(): a stop that did not answer in time) is already replaced: its late exit
      // must not answer the question put to the next process (that turned a slow stop into "host did not start").
      if (this.child !== child) return;
      this.child = null;
      const w = this.waiting;
      this.waiting = null;
      w?.('EXITED');
    });
    return child;
  }

  private ask(cmd: object, timeoutMs: number): Promise<string> {
    this.child ??= this.spawn();
    const child = this.child;
    child.stdin!.write(`${JSON.stringify(cmd)}\n`);
    const queued = this.answers.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise<string>((resolve) => {
      const timer = setTimeout(() => {
        this.waiting = null;
        this.kill();
        resolve('TIMEOUT');
      }, timeoutMs);
      this.waiting = (line) => {
        clearTimeout(timer);
        resolve(line);
      };
    });
  }

  /** Starts a host on `cfg.dataDir`. @throws Error when it does not answer READY within 60 s (loading included) */
  async start(cfg: HostConfig): Promise<Host> {
    const answer = await this.ask({ cmd: 'start', cfg }, 60_000);
    const m = /^READY (.+)$/.exec(answer);
    if (!m) throw new Error(`test host did not start (${answer})`);
    const info = JSON.parse(m[1]!) as { url: string; origin: string; token: string };
    return { ...info, close: () => this.stop() };
  }

  /** Closes the running host; one still waiting on an open connection after 5 s is killed with its process. */
  async stop(): Promise<void> {
    if (!this.child) return;
    await this.ask({ cmd: 'stop' }, 5_000);
  }

  kill(): void {
    const c = this.child;
    this.child = null;
    c?.kill('SIGKILL');
  }

  async close(): Promise<void> {
    const c = this.child;
    if (!c) return;
    await new Promise<void>((done) => {
      const force = setTimeout(() => c.kill('SIGKILL'), 5_000);
      c.once('exit', () => {
        clearTimeout(force);
        done();
      });
      c.stdin!.end();
    });
  }
}

/** The recipients' GnuPG keyring, one per worker: a key asked for twice with the same options is made once. */
export type Keyring = Omit<GpgHome, 'cleanup'>;

export interface OpenOptions {
  /** The mail server: smtp-server options (default `{ starttls: true }`), or false for none (the app points at port 2525). */
  smtp?: StartSmtpServerOptions | false;
  /** How the vault is set up (default 'api'); 'ui-with-screens' also takes the wizard's screenshots and axe checks. */
  setup?: 'ui' | 'ui-with-screens' | 'api';
  /**
   * Where the preview's exports write (the folder picker's answer): a folder, or `true` for a fresh owner-only
   * (0700) folder the fixture makes and removes after the test (its path is the Clinic's `exportDir`).
   */
  exportDir?: string | true;
  /** A fast outbox sender. */
  queue?: HostQueue;
  /** How soon a silent tab locks the vault. */
  presence?: HostPresence;
}

/** What `app.open()` started: the host, the mail server (null with `smtp: false`) and the practice key's fingerprint. */
export interface Clinic {
  host: Host;
  smtp: RunningSmtpServer | null;
  /** The practice key's fingerprint (40 hex, as setup showed it). */
  practiceFpr: string;
  /** Where exports write (null when `open` was given none). */
  exportDir: string | null;
}

interface AppFixture {
  /**
   * Starts the mail server (unless `smtp: false`), then the host trusting its CA, opens the app in `page` and sets
   * up the vault (see {@link OpenOptions}); ends on the Requests screen. The mail server is closed after the test.
   */
  open<O extends OpenOptions = OpenOptions>(
    opts?: O,
  ): Promise<Clinic & { smtp: O['smtp'] extends false ? null : RunningSmtpServer; exportDir: O['exportDir'] extends string | true ? string : null }>;
  /**
   * Starts the host trusting `smtpCa` (exports into `opts.exportDir`, if given; `opts.queue`: a fast outbox sender)
   * and opens the app in `page`, on the setup screen.
   */
  start(smtpCa: string[], opts?: { exportDir?: string; queue?: HostQueue; presence?: HostPresence }): Promise<Host>;
  /**
   * Stops the running host and starts another on a new, empty data folder (as on a new computer), with the same
   * kind of options, and opens it in `page`. Used to restore a backup.
   */
  startOnNewComputer(smtpCa: string[], opts?: { exportDir?: string; queue?: HostQueue; presence?: HostPresence }): Promise<Host>;
}

/** A fresh folder only its owner may open (mode 0700, as staff would choose for an export); removed with `removeAfter`. */
function ownerOnlyFolder(removeAfter: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'rd-e2e-exports-'));
  chmodSync(dir, 0o700);
  removeAfter.push(dir);
  return dir;
}

export const test = base.extend<{ app: AppFixture }, { hostProcess: HostProcess; keyring: Keyring }>({
  hostProcess: [
    // eslint-disable-next-line no-empty-pattern -- Playwright needs the destructuring to see a worker fixture without dependencies
    async ({}, use) => {
      const hp = new HostProcess();
      await use(hp);
      await hp.close();
    },
    { scope: 'worker' },
  ],
  keyring: [
    // eslint-disable-next-line no-empty-pattern -- Playwright needs the destructuring to see a worker fixture without dependencies
    async ({}, use) => {
      const gpg = createGpgHome();
      const made = new Map<string, string>();
      const { cleanup, generateKey, ...rest } = gpg;
      await use({
        ...rest,
        generateKey(o: GenerateKeyOptions) {
          const k = JSON.stringify(o);
          const fpr = made.get(k) ?? generateKey(o);
          made.set(k, fpr);
          return fpr;
        },
      });
      cleanup();
    },
    { scope: 'worker' },
  ],
  app: async ({ page, hostProcess }, use) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rd-e2e-'));
    const dataDirs = [dataDir];
    const servers: RunningSmtpServer[] = [];
    let host: Host | null = null;
    const start = async (dir: string, cfg: Omit<HostConfig, 'dataDir'>) => {
      host = await hostProcess.start({ dataDir: dir, ...cfg });
      return host;
    };
    await use({
      async open(opts: OpenOptions = {}): Promise<Clinic & { smtp: never; exportDir: never }> {
        const smtp = opts.smtp === false ? null : await startSmtpServer(opts.smtp ?? { starttls: true });
        if (smtp) servers.push(smtp);
        const exportDir = opts.exportDir === true ? ownerOnlyFolder(dataDirs) : (opts.exportDir ?? null);
        const h = await start(dataDir, { smtpCa: smtp ? [smtp.caPem] : [], exportDir: exportDir ?? undefined, queue: opts.queue, presence: opts.presence });
        const port = smtp?.port ?? 2525;
        if (opts.setup === 'ui' || opts.setup === 'ui-with-screens') {
          await page.goto(h.url);
          return { host: h, smtp: smtp as never, practiceFpr: await completeSetup(page, port, opts.setup === 'ui-with-screens'), exportDir: exportDir as never };
        }
        const practiceFpr = await createVaultThroughHost(h, port);
        await page.goto(h.url);
        await expect(page.getByText('Development preview — not the desktop app')).toBeVisible();
        await expect(page).toHaveURL(/^[^#]*$/); // token stripped from the URL
        await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Requests' }).click();
        await expect(page.getByRole('heading', { name: 'Requests', exact: true })).toBeVisible();
        return { host: h, smtp: smtp as never, practiceFpr, exportDir: exportDir as never };
      },
      async start(smtpCa, opts) {
        const h = await start(dataDir, { smtpCa, ...opts });
        await page.goto(h.url);
        return h;
      },
      async startOnNewComputer(smtpCa, opts) {
        if (host) await (host as Host).close();
        const fresh = mkdtempSync(join(tmpdir(), 'rd-e2e-'));
        dataDirs.push(fresh);
        const h = await start(fresh, { smtpCa, ...opts });
        await page.goto(h.url);
        return h;
      },
    });
    await page.close();
    if (host) await (host as Host).close();
    // A spec may have closed its mail server already (the server going down is its subject): wait at most 2 s.
    for (const s of servers) await Promise.race([s.close(), new Promise((ok) => setTimeout(ok, 2_000))]);
    // E2E_KEEP_DATA=1 keeps the (synthetic) data dir and its log for debugging.
    for (const d of dataDirs) {
      if (process.env.E2E_KEEP_DATA) console.warn(`kept e2e data dir ${d}`);
      else rmSync(d, { recursive: true, force: true });
    }
  },
});
export { expect };

/**
 * `setup.createVault` through the host's dispatch (the preview bridge's HTTP channel, with its token), with what the
 * setup wizard sends for {@link PRACTICE} in this machine's time zone. Returns the practice key's fingerprint.
 * @throws Error "setup.createVault: CODE message" when refused
 */
async function createVaultThroughHost(host: Host, smtpPort: number): Promise<string> {
  const input = {
    passphrase: PASSPHRASE,
    staffName: PRACTICE.staffName,
    practice: {
      name: PRACTICE.name,
      senderName: PRACTICE.senderName,
      senderEmail: SMTP_USER,
      timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      address: PRACTICE.address,
      phone: PRACTICE.phone,
      privacyOfficer: { name: PRACTICE.privacyOfficer },
    },
    smtp: { host: '127.0.0.1', port: smtpPort, security: 'starttls', username: SMTP_USER, password: SMTP_PASSWORD },
  };
  const r = await hostCall<{ practiceKey: { fingerprint: string } }>(host, 'setup.createVault', input);
  return r.practiceKey.fingerprint;
}

/**
 * Calls a contract channel on the host over its HTTP channel with the bearer token (the same dispatch the page uses),
 * from the test itself, and returns the result envelope as sent: `{ ok: true, value }` or `{ ok: false, error }` (for
 * tests about refusals).
 */
export async function hostResult<T = unknown>(host: Host, channel: string, input: unknown): Promise<{ ok: boolean; value?: T; error?: { code: string; message: string } }> {
  const res = await fetch(`${host.origin}/rpc/${channel}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${host.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  return (await res.json()) as { ok: boolean; value?: T; error?: { code: string; message: string } };
}

/**
 * {@link hostResult}'s value, e.g. to read what the app stored. @throws Error "channel: CODE message" when refused
 */
export async function hostCall<T>(host: Host, channel: string, input: unknown): Promise<T> {
  const r = await hostResult<T>(host, channel, input);
  if (!r.ok) throw new Error(`${channel}: ${r.error?.code} ${r.error?.message}`);
  return r.value as T;
}


/**
 * Calls a contract channel through the page's `window.api` (the preview bridge to the test host: the same dispatch as
 * Electron's IPC), e.g. to seed data the test is not about. @throws Error "channel: CODE message" when refused
 */
export async function callApi<T>(page: Page, channel: string, input: unknown): Promise<T> {
  // window.api throws a coded ApiError; it is turned back into the envelope here to cross page.evaluate intact.
  const r = await page.evaluate(async ([c, i]) => {
    try {
      return { ok: true, value: await (window as unknown as { api: Record<string, (x: unknown) => Promise<unknown>> }).api[c as string]!(i) };
    } catch (e) {
      return { ok: false, error: { code: (e as { code?: string }).code, message: (e as Error).message } };
    }
  }, [channel, input] as const);
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
  await page.locator('#setup-staffName').fill(PRACTICE.staffName);
  await page.locator('#setup-practiceName').fill(PRACTICE.name);
  await page.locator('#setup-senderName').fill(PRACTICE.senderName);
  await page.locator('#setup-practiceAddress').fill(PRACTICE.address);
  await page.locator('#setup-practicePhone').fill(PRACTICE.phone);
  await page.locator('#setup-privacyName').fill(PRACTICE.privacyOfficer);
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

/** What staff copy from a signed authorization (45 CFR 164.508(c)) into the request's Authorization form. */
export interface AuthorizationEntry {
  /** Specific description of the information. */
  description: string;
  /** Labels of the categories the form lists (CATEGORY_LABELS). */
  categories: string[];
  /** Who may receive (one per line). */
  recipients: string;
  /** Purpose of each disclosure. */
  purpose: string;
  /** Expiration date (inclusive), YYYY-MM-DD. */
  expires: string;
  /** Date signed, YYYY-MM-DD. */
  signedOn: string;
  /** Whether the form carries the redisclosure statement, 164.508(c)(2)(iii) (default true). */
  redisclosureStatement?: boolean;
}

/**
 * On the request screen: fills the Authorization form as written on the signed form — disclosed by the practice,
 * signed, with the right-to-revoke and conditioning statements and a copy given to the individual. Saves nothing
 * itself (the form's findings show at once).
 */
export async function fillAuthorization(page: Page, a: AuthorizationEntry): Promise<void> {
  const form = page.getByRole('form', { name: 'Authorization' });
  await form.getByLabel('Specific description of the information').fill(a.description);
  for (const c of a.categories) await form.getByRole('checkbox', { name: c, exact: true }).check();
  await form.getByLabel('Who may disclose (one per line)').fill(PRACTICE.name);
  await form.getByLabel('Who may receive (one per line)').fill(a.recipients);
  await form.getByLabel('Purpose of each disclosure (one per line)').fill(a.purpose);
  await form.getByLabel('Expiration date (inclusive)').fill(a.expires);
  await form.getByLabel('Signed', { exact: true }).check();
  await form.getByLabel('Date signed').fill(a.signedOn);
  await form.getByLabel(/\(i\) The right to revoke/).check();
  await form.getByLabel(/\(ii\) Whether treatment/).check();
  if (a.redisclosureStatement !== false) await form.getByLabel(/\(iii\) The information may be redisclosed/).check();
  await form.getByLabel('A copy of the signed authorization was given to the individual').check();
}
