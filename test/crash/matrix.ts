/**
 * The crash matrix: a child process runs the real send path of a 4-part release and is killed with SIGKILL at
 * each point of the send (before connect, after MAIL FROM, mid-DATA, after the server's 250 before recording,
 * between parts — all during part 2), for PGP/MIME and the password PDF. A fresh child then unlocks (recovery),
 * staff's decision is applied where the release is unconfirmed, and the outbox delivers what is due.
 *
 * Checked per row: the server holds each part exactly once — or twice with the SAME Message-ID where staff chose
 * "resend" for an unconfirmed part; the transmission record says exactly that (one transmission, every part
 * 'sent', attempts and resolution as they happened); the audit chain verifies; a password PDF's parts all open
 * with the one kept passphrase.
 *
 * Used by test/unit/releases/crash-matrix.test.ts and `npm run crash-matrix` (prints the table).
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { createGpgHome } from '../support/gpg';
import { startSmtpServer, type RunningSmtpServer } from '../support/smtp';

export type Method = 'openpgp-pgp-mime' | 'password-pdf';
export type KillPoint = 'before-connect' | 'after-mail-from' | 'mid-data' | 'after-reply' | 'between-parts';

export interface MatrixCase {
  point: KillPoint;
  /** Staff's decision when recovery leaves the release unconfirmed. */
  resolve?: 'recipient_confirmed' | 'resend';
}

export const CASES: MatrixCase[] = [
  { point: 'before-connect' },
  { point: 'after-mail-from' },
  { point: 'mid-data' },
  { point: 'after-reply', resolve: 'recipient_confirmed' },
  { point: 'after-reply', resolve: 'resend' },
  { point: 'between-parts' },
];

export interface MatrixRow {
  method: Method;
  point: KillPoint;
  resolve: string;
  /** Status right after recovery at unlock. */
  afterRecovery: string;
  /** Final release status. */
  status: string;
  /** Copies the server holds of each part (index = part − 1). */
  serverCopies: number[];
  /** Part statuses in the record. */
  recordParts: string[];
  /** Attempts per part in the record. */
  attempts: number[];
  transmissions: number;
  auditIntact: boolean;
  ok: boolean;
  problems: string[];
}

const CHILD = join(__dirname, 'send-child.ts');

interface ChildRun {
  result: Record<string, unknown> | null;
  killedAt: string | null;
}

/** Run the child; `killOn` SIGKILLs it when it prints "CHECKPOINT". `exposeKill` gives the server hook a way to kill it. */
function runChild(cfg: Record<string, unknown>, exposeKill?: (kill: () => Promise<void>) => void): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    // One process (node with the tsx loader), so SIGKILL stops the send path itself, not a wrapper.
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(cfg)], { stdio: ['ignore', 'pipe', 'pipe'], cwd: join(__dirname, '..', '..') });
    let buf = '';
    let err = '';
    const run: ChildRun = { result: null, killedAt: null };
    const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
    const kill = async () => {
      child.kill('SIGKILL');
      await exited;
    };
    exposeKill?.(async () => {
      run.killedAt = 'server';
      await kill();
    });
    child.stdout.on('data', (c: Buffer) => {
      buf += c.toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line.startsWith('CHECKPOINT ')) {
          run.killedAt = line.slice(11);
          void kill();
        } else if (line.startsWith('RESULT ')) run.result = JSON.parse(line.slice(7)) as Record<string, unknown>;
      }
    });
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    child.once('error', reject);
    void exited.then(() => {
      if (!run.result && !run.killedAt) reject(new Error(`child ended without a result: ${err.slice(-2000)}`));
      else resolve(run);
    });
  });
}

async function messageIdOf(raw: Buffer): Promise<string> {
  return (await simpleParser(raw)).messageId ?? '';
}

/** Whether every PDF attachment of `raw` opens with `passphrase` (qpdf --check). */
async function opensWith(raw: Buffer, passphrase: string, dir: string): Promise<boolean> {
  const pdfs = (await simpleParser(raw)).attachments.filter((a) => a.contentType === 'application/pdf');
  if (pdfs.length === 0) return false;
  for (const [i, a] of pdfs.entries()) {
    const p = join(dir, `check-${i}.pdf`);
    writeFileSync(p, a.content);
    try {
      execFileSync('qpdf', [`--password=${passphrase}`, '--check', p], { stdio: 'ignore' });
    } catch (e) {
      if ((e as { status?: number }).status !== 3) return false;
    }
  }
  return true;
}

/**
 * Run every case for each method. Each case starts from a copy of the same prepared vault (a ready draft).
 * @param methods which delivery methods (default both)
 * @param cases which kill points (default {@link CASES})
 */
export async function runCrashMatrix(methods: Method[] = ['openpgp-pgp-mime', 'password-pdf'], cases: MatrixCase[] = CASES): Promise<MatrixRow[]> {
  const work = mkdtempSync(join(tmpdir(), 'rd-crash-'));
  const gpg = createGpgHome();
  let hook: ((n: number) => Promise<void>) | null = null;
  const server: RunningSmtpServer = await startSmtpServer({ onMailFrom: (n) => hook?.(n) ?? Promise.resolve() });
  const rows: MatrixRow[] = [];
  try {
    const fpr = gpg.generateKey({ name: 'Zyxwv Testpatient', email: 'zyxwv@patient.example.test' });
    const recipientKey = gpg.exportPublic(fpr);
    for (const method of methods) {
      const base = join(work, `${method}-base`);
      const common = { smtpPort: server.port, caPem: server.caPem, method };
      const setup = await runChild({ ...common, mode: 'setup', dataDir: base, ...(method === 'openpgp-pgp-mime' ? { recipientKey } : {}) });
      const releaseId = String(setup.result?.releaseId ?? '');
      if (!releaseId) throw new Error(`setup failed: ${JSON.stringify(setup.result)}`);
      for (const c of cases) {
        const dir = join(work, `${method}-${c.point}-${c.resolve ?? 'none'}`);
        cpSync(base, dir, { recursive: true });
        const before = server.received.length;
        let mailFroms = 0;
        let killer: (() => Promise<void>) | null = null;
        hook =
          c.point === 'after-mail-from'
            ? async () => {
                // The second MAIL FROM of this case is part 2: stop the client before the server answers it.
                if (++mailFroms === 2 && killer) await killer();
              }
            : null;
        const crash = c.point === 'after-mail-from' ? {} : { crashAt: c.point === 'between-parts' ? 'between-parts' : c.point, crashPart: 2 };
        const sent = await runChild({ ...common, mode: 'send', dataDir: dir, releaseId, ...crash }, (k) => (killer = k));
        hook = null;
        const rec = await runChild({ ...common, mode: 'recover', dataDir: dir, releaseId, ...(c.resolve ? { resolve: c.resolve } : {}) });
        const r = rec.result ?? {};
        const parts = (r.parts as Array<{ part: number; status: string; messageId: string; attempts: number; resolution: string | null }>) ?? [];
        const got = server.received.slice(before);
        const ids = await Promise.all(got.map((m) => messageIdOf(m.raw)));
        const serverCopies = parts.map((p) => ids.filter((id) => `<${id.replace(/^<|>$/g, '')}>` === p.messageId).length);
        const problems: string[] = [];
        if (!sent.killedAt) problems.push(`the child was not stopped at the kill point (${JSON.stringify(sent.result)})`);
        if (parts.length !== 4) problems.push(`expected 4 parts, the record has ${parts.length}`);
        if (ids.length !== serverCopies.reduce((a, b) => a + b, 0)) problems.push('the server holds a message the record does not know');
        const resent = c.resolve === 'resend';
        serverCopies.forEach((n, i) => {
          const want = resent && i === 1 ? 2 : 1;
          if (n !== want) problems.push(`part ${i + 1}: server holds ${n} copies, expected ${want}`);
        });
        if (parts.some((p) => p.status !== 'sent')) problems.push('not every part is recorded as sent');
        if (r.status !== 'sent') problems.push(`release ended ${String(r.status)}`);
        if (r.transmissions !== 1) problems.push(`${String(r.transmissions)} transmission records`);
        if (r.auditIntact !== true) problems.push('audit chain broken');
        if (c.point === 'after-reply' && r.afterRecovery !== 'unconfirmed') problems.push(`after-reply recovered to ${String(r.afterRecovery)}, expected unconfirmed`);
        if (c.point === 'after-reply' && parts[1]?.resolution !== c.resolve) problems.push('staff decision not recorded on part 2');
        if (c.point !== 'after-reply' && r.afterRecovery !== 'queued') problems.push(`recovered to ${String(r.afterRecovery)}, expected queued`);
        if (method === 'password-pdf') {
          const pass = typeof r.passphrase === 'string' ? r.passphrase : null;
          if (!pass) problems.push('the passphrase was not kept');
          else for (const m of got) if (!(await opensWith(m.raw, pass, dir))) problems.push('a part does not open with the kept passphrase');
        }
        rows.push({
          method,
          point: c.point,
          resolve: c.resolve ?? '',
          afterRecovery: String(r.afterRecovery ?? ''),
          status: String(r.status ?? ''),
          serverCopies,
          recordParts: parts.map((p) => p.status),
          attempts: parts.map((p) => p.attempts),
          transmissions: Number(r.transmissions ?? 0),
          auditIntact: r.auditIntact === true,
          ok: problems.length === 0,
          problems: [...new Set(problems)],
        });
        rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    await server.close();
    gpg.cleanup();
    rmSync(work, { recursive: true, force: true });
  }
  return rows;
}

/** The rows as a fixed-width table. */
export function formatMatrix(rows: MatrixRow[]): string {
  const head = ['method', 'killed at (part 2 of 4)', 'staff decision', 'after recovery', 'final', 'server copies', 'record', 'attempts', 'audit', 'ok'];
  const body = rows.map((r) => [
    r.method,
    r.point,
    r.resolve || '-',
    r.afterRecovery,
    r.status,
    r.serverCopies.join(' '),
    r.recordParts.join(' '),
    r.attempts.join(' '),
    r.auditIntact ? 'intact' : 'BROKEN',
    r.ok ? 'yes' : `NO: ${r.problems.join('; ')}`,
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(w[i]!)).join(' | ');
  return [line(head), w.map((n) => '-'.repeat(n)).join('-|-'), ...body.map(line)].join('\n');
}
