/**
 * Settings → Practice server with two workstations on a REAL throwaway PostgreSQL: this workstation (the test host,
 * in Chromium) is joined to the practice from the form and says "Connected"; a second workstation (a second vault and
 * service stack in this process) joins with the same administrator's name and passphrase. Both change the same
 * request; "Share now" here finds the conflict and shows it under "Needs a decision" with the differing fields side by
 * side; keeping this workstation's version is recorded and the list empties. Axe clean in each state; screenshots
 * under test-results/screens (33-…, 34-…).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { expect, expectNoAxeViolations, hostCall, PASSPHRASE, PRACTICE, shot, test, type Host } from './fixtures';
import { requirePostgres, startPostgres, type RunningPostgres } from '../support/postgres';
import { requireTool } from '../support/tools';

let server: RunningPostgres | null = null;
let other: { host: Host; child: ChildProcess; dataDir: string } | null = null;

/** The second workstation: another test host process (host-process.ts under tsx) on its own new data folder. */
async function secondWorkstation(): Promise<{ host: Host; child: ChildProcess; dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rd-e2e-ws2-'));
  const child = spawn(join(process.cwd(), 'node_modules', '.bin', 'tsx'), [join(__dirname, 'host-process.ts')], { cwd: process.cwd(), stdio: ['pipe', 'pipe', 'inherit'] });
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('second host did not start')), 60_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!/^(READY|FAILED)\b/.test(line)) return;
      clearTimeout(timer);
      resolve(line);
    });
  });
  child.stdin!.write(`${JSON.stringify({ cmd: 'start', cfg: { dataDir, presence: { timeoutMs: 600_000 } } })}\n`);
  const m = /^READY (.+)$/.exec(await ready);
  if (!m) throw new Error('second host did not start');
  const info = JSON.parse(m[1]!) as { url: string; origin: string; token: string };
  return { host: { ...info, close: async () => undefined }, child, dataDir };
}

/** A right-of-access request for a synthetic patient. */
const INTAKE = {
  patient: { name: 'Zyxwv Testpatient', dateOfBirth: '1961-07-14', mrn: 'MRN-58213-QX' },
  basis: 'right_of_access',
  receivedAt: new Date().toISOString(),
  requester: { role: 'patient', name: 'Zyxwv Testpatient' },
  recipients: [{ name: 'Zyxwv Testpatient', destination: 'zyxwv.testpatient@example.test' }],
  scope: { categories: ['visit_notes', 'lab_results'] },
  form: { format: 'pdf', electronic: true },
};

test.beforeAll(async () => {
  if (requirePostgres() && requireTool('openssl')) server = await startPostgres();
});
test.afterAll(async () => {
  if (other) {
    const { child, dataDir } = other;
    await new Promise<void>((done) => {
      const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
      child.once('exit', () => {
        clearTimeout(force);
        done();
      });
      child.stdin!.end();
    });
    rmSync(dataDir, { recursive: true, force: true });
  }
  await server?.stop();
});

test('Settings: joined and "Connected"; a request changed on two workstations is shown under "Needs a decision" and decided; axe clean', async ({ page, app }) => {
  test.skip(!server && !process.env.CI, 'PostgreSQL server binaries and openssl are required');
  test.setTimeout(180_000);
  const pg = server!;
  const { host } = await app.open({ smtp: false });
  const settings = (port: number) => ({ host: pg.host, port, database: pg.database, user: pg.user, password: pg.password, caPem: pg.caPem });
  await hostCall(host, 'practiceServer.configure', settings(pg.port));

  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Settings' }).click();
  const state = page.getByTestId('practice-link-state');
  await expect(state).toContainText('Not joined yet');
  await page.locator('#practice-link-label').fill('Front desk 1');
  await page.locator('#practice-link-passphrase').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Join the practice' }).click();
  await expect(state).toContainText('Connected', { timeout: 30_000 });
  await expect(state).toContainText('“Front desk 1”');
  await state.scrollIntoViewIfNeeded();
  await shot(page, '33-practice-link-connected');
  await expectNoAxeViolations(page, 'settings with this workstation joined and connected');

  // The second workstation: set up with the same administrator (name and passphrase), who joins it.
  other = await secondWorkstation();
  const h2 = other.host;
  const b = { call: <T = unknown>(channel: string, input: unknown) => hostCall<T>(h2, channel, input) };
  await b.call('setup.createVault', {
    passphrase: PASSPHRASE,
    staffName: PRACTICE.staffName,
    practice: { name: PRACTICE.name, senderName: PRACTICE.senderName, senderEmail: 'records@clinic.example.test', timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone },
    smtp: { host: '127.0.0.1', port: 2525, security: 'starttls', username: 'records@clinic.example.test', password: 'smtp-test-secret' },
  });
  await b.call('practiceServer.configure', settings(pg.port));
  await b.call('practiceServer.join', { passphrase: PASSPHRASE, workstationLabel: 'Front desk 2' });

  // A request made here reaches the other workstation; both then change it.
  const made = await hostCall<{ id: string; reference: string }>(host, 'requests.create', INTAKE);
  await hostCall(host, 'practiceServer.sync', {});
  await b.call('practiceServer.sync', {});
  await b.call('requests.withdraw', { requestId: made.id, note: 'Withdrawn at the other desk' });
  await b.call('practiceServer.sync', {});
  await hostCall(host, 'requests.setStatus', { requestId: made.id, status: 'verifying' });

  await page.getByRole('button', { name: 'Share now' }).click();
  const card = page.getByTestId('practice-conflict');
  await expect(card).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('practice-conflicts')).toContainText('Needs a decision (1)');
  await expect(card).toContainText(`Request ${made.reference} — Zyxwv Testpatient`);
  const statusRow = card.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Status' }) });
  await expect(statusRow).toContainText('Verifying identity');
  await expect(statusRow).toContainText('Withdrawn');
  await card.scrollIntoViewIfNeeded();
  await shot(page, '34-practice-link-needs-a-decision');
  await expectNoAxeViolations(page, 'settings with a conflict awaiting a decision');

  await card.getByRole('button', { name: `Keep this workstation’s version of request ${made.reference}` }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('practice-link-decided')).toContainText('Both versions stay on record', { timeout: 30_000 });
  await expect(page.getByTestId('practice-conflict')).toHaveCount(0);
  await expectNoAxeViolations(page, 'settings after the decision');
  await b.call('practiceServer.sync', {});
  expect((await b.call<{ status: string }>('requests.get', { id: made.id })).status).toBe('verifying');
  const events = await hostCall<Array<{ action: string; outcome: string }>>(host, 'audit.events', { limit: 20 });
  expect(events.find((e) => e.action === 'practice_server.resolve_conflict')).toMatchObject({ outcome: 'success' });
});
