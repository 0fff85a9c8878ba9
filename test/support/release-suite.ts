/**
 * Suite set-up shared by the release workflow tests (vitest only: it registers hooks): the real back end of
 * ./backend plus a GnuPG keyring holding the intake recipient's key.
 */
import { afterAll, beforeAll } from 'vitest';
import { createGpgHome, type GpgHome } from './gpg';
import { startBackend, type Backend } from './backend';

/** A back end with a throwaway GnuPG keyring playing the recipients (see {@link useReleaseBackend}). */
export interface ReleaseBackend {
  b: Backend;
  gpg: GpgHome;
  /** The armored public key of "Abcde Lawfirm Intake <intake@lawfirm.example.test>" (the intake's recipient), made by gpg. */
  recipientKey: string;
}

/**
 * Registers the suite's beforeAll/afterAll: {@link startBackend} with `opts`, a GnuPG home with the intake recipient's
 * key, and the stepping clock moved 2 s past the key's creation (it started before gpg made the key, and a key
 * from the future is refused). `ready` receives the parts once they are up; all is closed after the suite.
 */
export function useReleaseBackend(opts: Parameters<typeof startBackend>[0], ready: (r: ReleaseBackend) => void): void {
  let r: ReleaseBackend | undefined;
  let gpg: GpgHome | undefined;
  beforeAll(async () => {
    const b = await startBackend(opts);
    gpg = createGpgHome();
    r = { b, gpg, recipientKey: gpg.exportPublic(gpg.generateKey({ name: 'Abcde Lawfirm Intake', email: 'intake@lawfirm.example.test' })) };
    b.clock.set(new Date(Date.now() + 2000).toISOString());
    ready(r);
  }, 120_000);
  afterAll(async () => {
    await r?.b.close();
    gpg?.cleanup();
  });
}
