/**
 * Suite set-up shared by the release workflow tests (vitest only: it registers hooks): the real back end of
 * ./backend, with or without a GnuPG keyring holding the intake recipient's key, and a ready release to a recipient
 * without an OpenPGP key (S/MIME, password PDF).
 */
import { afterAll, beforeAll } from 'vitest';
import { activePracticeKey } from '../../src/main/services/settings/settings';
import type { DocumentCategory } from '../../src/shared/compliance';
import { createGpgHome, type GpgHome } from './gpg';
import { file, goodAuthorization, intake, PATIENT, recordPdf, startBackend, type Backend } from './backend';

type BackendOptions = Parameters<typeof startBackend>[0];

/** A back end with a throwaway GnuPG keyring playing the recipients (see {@link useReleaseBackend}). */
export interface ReleaseBackend {
  b: Backend;
  gpg: GpgHome;
  /** The armored public key of "Abcde Lawfirm Intake <intake@lawfirm.example.test>" (the intake's recipient), made by gpg. */
  recipientKey: string;
}

/** The intake's recipient (the request's recipients and the release's, in these suites). */
export const INTAKE_RECIPIENT = { name: 'Abcde Lawfirm Intake', email: 'intake@lawfirm.example.test' };

/**
 * Registers the suite's beforeAll/afterAll: {@link startBackend} with `opts` (or what `opts()` returns, for options
 * made in an earlier hook), closed after the suite. `ready` receives it once it is up.
 */
export function useBackend(opts: BackendOptions | (() => BackendOptions), ready: (b: Backend) => void, timeoutMs = 120_000): void {
  let b: Backend | undefined;
  beforeAll(async () => {
    b = await startBackend(typeof opts === 'function' ? opts() : opts);
    ready(b);
  }, timeoutMs);
  afterAll(async () => {
    await b?.close();
  });
}

/**
 * Registers the suite's beforeAll/afterAll: {@link useBackend} with `opts`, a GnuPG home with the intake recipient's
 * key, and the stepping clock moved 2 s past the key's creation (it started before gpg made the key, and a key
 * from the future is refused). `ready` receives the parts once they are up; all is closed after the suite.
 */
export function useReleaseBackend(opts: BackendOptions, ready: (r: ReleaseBackend) => void): void {
  let gpg: GpgHome | undefined;
  useBackend(opts, (b) => {
    gpg = createGpgHome();
    const recipientKey = gpg.exportPublic(gpg.generateKey({ name: INTAKE_RECIPIENT.name, email: INTAKE_RECIPIENT.email }));
    b.clock.set(new Date(Date.now() + 2000).toISOString());
    ready({ b, gpg, recipientKey });
  });
  afterAll(() => gpg?.cleanup());
}

/**
 * Registers the suite's beforeAll/afterAll for releases to the synthetic patient by PGP/MIME: {@link useBackend}
 * with the SMTP test server, a GnuPG home holding the patient's key pair for `email` (`recipientKey` is its armored
 * public key) and the practice's public key (so gpg verifies the signature). All is closed after the suite.
 */
export function usePatientKeyBackend(email: string, ready: (r: ReleaseBackend) => void): void {
  let gpg: GpgHome | undefined;
  useBackend({ withSmtp: true }, (b) => {
    gpg = createGpgHome();
    const recipientKey = gpg.exportPublic(gpg.generateKey({ name: PATIENT.name, email }));
    gpg.importKey(activePracticeKey(b.services.session.require().db).armoredPublic);
    ready({ b, gpg, recipientKey });
  });
  afterAll(() => gpg?.cleanup());
}

/**
 * A ready release to {@link INTAKE_RECIPIENT} WITHOUT an OpenPGP key: a verified request with a complete
 * authorization, one classified record per `docs` entry (files named after the synthetic patient), the recipient set.
 * The clock moves a minute on first (past certificates and keys made just now).
 */
export async function keylessRelease(
  b: Backend,
  docs: ReadonlyArray<{ title: string; category: DocumentCategory }> = [{ title: 'Visit', category: 'visit_notes' }],
): Promise<{ releaseId: string; files: Buffer[] }> {
  b.clock.set(new Date(Date.now() + 60_000).toISOString());
  const req = await b.call('requests.create', intake());
  await b.call('requests.recordVerification', { requestId: req.id, subject: 'identity', method: 'photo_id_in_person', notes: 'driver licence' });
  await b.call('requests.setStatus', { requestId: req.id, status: 'ready' });
  await b.call('authorizations.save', { requestId: req.id, authorization: goodAuthorization() });
  const rel = await b.call('releases.create', { requestId: req.id });
  const files = await Promise.all(docs.map((d) => recordPdf(d.title)));
  b.stage(files.map((bytes, i) => file(`Zyxwv Testpatient ${i}.pdf`, bytes)));
  const picked = await b.call('documents.pick', { releaseId: rel.id });
  await b.call('documents.classify', {
    releaseId: rel.id,
    items: picked.imported.map((d, i) => ({ documentId: d.id, category: docs[i]!.category, documentDate: '2025-06-01' })),
  });
  await b.call('releases.setRecipient', { releaseId: rel.id, ...INTAKE_RECIPIENT });
  return { releaseId: rel.id, files };
}
