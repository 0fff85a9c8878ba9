/**
 * PHI never leaks (issue "A real release, end to end"): after a complete
 * release — setup, request, import, recipient, send over STARTTLS, a refused
 * send — a per-run synthetic marker (patient name, MRN, original file name)
 * appears nowhere outside the encrypted places: not in the vault file or its
 * WAL, not in any file written to the OS temp folder during the run, not in the
 * operational log, and not in the SMTP message outside its encrypted part.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGpgHome, type GpgHome } from '../../support/gpg';
import { requireTool } from '../../support/tools';
import { goodAuthorization, prepareReadyRelease, startBackend, type Backend } from '../../support/backend';

const HAVE = requireTool('gpg') && requireTool('openssl');
const tag = randomBytes(5).toString('hex');
const MARKER_NAME = `Qleakmarker Patient${tag}`;
const MARKER_MRN = `MRN-LEAK-${tag}`;
const markers = [MARKER_NAME, MARKER_MRN].map((m) => Buffer.from(m));

/** Every regular file under `dir` modified at or after `since` (bounded walk; unreadable entries skipped). */
function filesSince(dir: string, since: number, depth = 4): string[] {
  if (depth < 0) return [];
  let out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e);
    try {
      const st = statSync(p);
      if (st.isDirectory()) out = out.concat(filesSince(p, since, depth - 1));
      else if (st.isFile() && st.mtimeMs >= since && st.size < 64 * 1024 * 1024) out.push(p);
    } catch {
      /* vanished or unreadable: not ours */
    }
  }
  return out;
}

const containsMarker = (bytes: Buffer) => markers.some((m) => bytes.includes(m));

describe.skipIf(!HAVE)('no PHI outside the encrypted vault and the encrypted message', () => {
  let b: Backend;
  let gpg: GpgHome;
  let started: number;
  let raw: Buffer;

  beforeAll(async () => {
    started = Date.now() - 1000;
    b = await startBackend({ withSmtp: true });
    gpg = createGpgHome();
    const key = gpg.exportPublic(gpg.generateKey({ name: 'Abcde Lawfirm Intake', email: 'intake@lawfirm.example.test' }));
    b.clock.set(new Date(Date.now() + 2000).toISOString());
    const patient = { name: MARKER_NAME, dateOfBirth: '1959-02-03', mrn: MARKER_MRN };
    const { req, rel } = await prepareReadyRelease(b, key, { patient });
    await b.call('authorizations.save', { requestId: req.id, authorization: goodAuthorization() });
    // A refused action on the way (bad recipient address) must not echo PHI either.
    await expect(
      b.call('releases.setRecipient', { releaseId: rel.id, name: MARKER_NAME, email: `${MARKER_NAME}@`, armoredKey: key, fingerprintConfirmed: true }),
    ).rejects.toMatchObject({ code: 'INVALID_EMAIL' });
    await b.call('releases.send', { releaseId: rel.id });
    expect(b.smtp!.received).toHaveLength(1);
    raw = b.smtp!.received[0]!.raw;
  }, 90_000);

  afterAll(async () => {
    await b?.close();
    gpg?.cleanup();
  });

  it('the message decrypts and verifies with gpg, and names the files neutrally inside', async () => {
    const settings = await b.call('settings.get', {});
    gpg.importKey(settings.practicePublicKeyArmored);
    const armored = /-----BEGIN PGP MESSAGE-----[\s\S]*?-----END PGP MESSAGE-----/.exec(raw.toString('latin1'))![0];
    const out = gpg.decrypt(armored);
    expect(out.status.some((l) => l.startsWith('GOODSIG '))).toBe(true);
    // The original file name (which carries the patient's name) is replaced by a neutral label.
    expect(out.stdout.toString()).toContain('record-1.pdf');
    expect(out.stdout.toString()).not.toContain(`${MARKER_NAME} note`);
  });

  it('is absent from the SMTP message outside the PGP-encrypted block', () => {
    const text = raw.toString('latin1');
    const outside = text.replace(/-----BEGIN PGP MESSAGE-----[\s\S]*?-----END PGP MESSAGE-----/, '');
    expect(outside.length).toBeGreaterThan(100);
    for (const m of [MARKER_NAME, MARKER_MRN, '1959-02-03', 'Patient' + tag]) expect(outside).not.toContain(m);
    expect(outside).toMatch(/^Subject: Secure message from /m);
    // Outer headers carry the address only, never a display name (it may be the patient's).
    expect(outside).toMatch(/^To: <?intake@lawfirm\.example\.test>?\r?$/m);
  });

  it('is absent from the vault file, its WAL and shared memory, and the operational log', () => {
    for (const f of ['vault.db', 'vault.db-wal', 'vault.db-shm', 'vault.kdf.json']) {
      const p = join(b.dataDir, f);
      if (existsSync(p)) expect(containsMarker(readFileSync(p)), f).toBe(false);
    }
    const log = b.logText();
    expect(log.length).toBeGreaterThan(0);
    expect(log).not.toContain(MARKER_NAME);
    expect(log).not.toContain(MARKER_MRN);
  });

  it('is absent from every file written to the OS temp folder during the run', () => {
    const files = filesSince(tmpdir(), started);
    expect(files.length).toBeGreaterThan(0); // at least the vault and log are there
    const leaking = files.filter((f) => {
      try {
        return containsMarker(readFileSync(f));
      } catch {
        return false;
      }
    });
    expect(leaking).toEqual([]);
  });
});
