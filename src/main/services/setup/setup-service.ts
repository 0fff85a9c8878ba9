import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { PracticeKeyResultT, VaultSetupT } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import { generatePracticeKey } from '../openpgp/keys';
import { requireValidEmail } from '../recipients/email';
import type { Session } from '../session';
import { insertPracticeKey, putSetting } from '../settings/settings';
import { KDF_FILE, VAULT_FILE } from '../vault/vault';
import { passphraseStrength } from './passphrase';

/**
 * First-run setup: the vault, the practice's identity and SMTP server, and the
 * practice's OpenPGP key pair — all in one step, so a half-set-up practice
 * cannot exist.
 */
export class SetupService {
  constructor(private readonly session: Session) {}

  /** zxcvbn strength of a candidate passphrase (see passphraseStrength). */
  checkPassphrase(passphrase: string, hints: string[]) {
    return passphraseStrength(passphrase, hints);
  }

  /**
   * Create the encrypted vault and store practice, staff, SMTP settings and a
   * freshly generated practice key pair, audited as `setup.complete`.
   * If anything fails, the new vault files are removed so setup can simply be retried.
   * @throws AppError VAULT_ALREADY_INITIALIZED | WEAK_PASSPHRASE | INVALID_EMAIL | HEADER_INJECTION | VALIDATION_FAILED (time zone)
   */
  async createVault(input: VaultSetupT): Promise<PracticeKeyResultT> {
    if (this.session.state !== 'uninitialized') {
      throw new AppError('VAULT_ALREADY_INITIALIZED', 'ReleaseDesk is already set up on this computer.');
    }
    const strength = passphraseStrength(input.passphrase, [input.staffName, input.practice.name]);
    if (!strength.acceptable) {
      throw new AppError('WEAK_PASSPHRASE', 'This passphrase is too easy to guess. Use a longer one, for example four or more unrelated words.');
    }
    const senderEmail = requireValidEmail(input.practice.senderEmail);
    if (input.practice.privacyOfficer?.email) requireValidEmail(input.practice.privacyOfficer.email);
    if (!isTimeZone(input.practice.timeZone)) throw new AppError('VALIDATION_FAILED', 'Choose a valid time zone, for example America/Chicago.');

    const key = await generatePracticeKey({ name: input.practice.name, email: senderEmail }, this.session.clock.now());
    await this.session.create(input.passphrase, { name: input.staffName });
    try {
      this.session.require().tx(() => {
        putSetting(this.session.require().db, 'staff', { name: input.staffName });
        putSetting(this.session.require().db, 'practice', { ...input.practice, senderEmail });
        putSetting(this.session.require().db, 'smtp', input.smtp);
        insertPracticeKey(this.session.require().db, {
          fingerprint: key.info.fingerprint,
          armoredPublic: key.armoredPublic,
          armoredPrivate: key.armoredPrivate,
          createdAt: key.info.createdAt,
        });
        this.session.audit({ action: 'setup.complete', outcome: 'success', subjectType: 'vault', subjectId: null, detail: { smtpSecurity: input.smtp.security } });
        this.session.audit({
          action: 'practice_key.generate',
          outcome: 'success',
          subjectType: 'practice_key',
          subjectId: key.info.fingerprint,
          detail: { algorithm: key.info.algorithm },
        });
      });
    } catch (e) {
      this.session.lock();
      for (const f of [VAULT_FILE, `${VAULT_FILE}-wal`, `${VAULT_FILE}-shm`, KDF_FILE]) rmSync(join(this.session.dataDir, f), { force: true });
      throw e;
    }
    return { practiceKey: key.info };
  }
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
