/**
 * The Settings screen's workflows: SMTP submission (change, test), the practice's details, its OpenPGP key
 * (export the public key, import an existing key) and the idle lock. Each change is audited `settings.change`
 * (or its own action) with which fields changed — never their values; the SMTP password and the private key
 * never leave main.
 */
import type {
  BounceMailboxTestResultT, BounceMailboxUpdateT, BounceMailboxViewT, DeliverySettingsT, PracticeSmimeCertificateT, SecuritySettingsT, SmimeCrlT,
  IdleLockSettingsT, PracticeDetailsInputT, PracticeInputT, PracticeKeyExportT, PracticeKeyImportT, PracticeKeyResultT, PracticeSettingsT,
  SmtpSettingsUpdateT, SmtpSettingsViewT, SmtpTestResultT,
} from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import { formatFingerprint } from '../../../shared/fingerprint';
import type { AccountService } from '../accounts/account-service';
import type { BounceService } from '../bounces/service';
import { testSmtpConnection } from '../delivery/smtp';
import type { FileSaver } from '../documents/saver';
import { importPracticeKey, inspectRecipientKey } from '../openpgp/keys';
import { requireValidEmail } from '../recipients/email';
import type { Session } from '../session';
import type { SmimeService } from '../smime/service';
import type { Clock } from '../support/clock';
import { activePracticeKey, deliverySettings, getSetting, idleLockSettings, insertPracticeKey, practiceKeyKnown, putSetting, requireSetting } from './settings';

export interface SettingsServiceDeps {
  session: Session;
  clock: Clock;
  /** Extra trusted CA certificates (PEM) for the SMTP test. */
  smtpCa?: string[] | undefined;
  /** Where the practice's public key is saved. Without it, exportPracticeKey answers EXPORT_UNAVAILABLE. */
  fileSaver?: FileSaver | undefined;
  /** The bounce mailbox's settings and test (bounces/service.ts). */
  bounces: BounceService;
  /** The practice's S/MIME certificate and the CRLs (smime/service.ts). */
  smime: SmimeService;
  /** The security settings (accounts/account-service.ts). */
  accounts: AccountService;
}

/** See the module comment. */
export class SettingsService {
  constructor(private readonly d: SettingsServiceDeps) {}

  private get s(): Session {
    return this.d.session;
  }

  /**
   * Change the SMTP submission server. The password is kept when omitted. Audited as
   * `settings.change` (detail: which fields changed — never their values).
   * @throws AppError VAULT_LOCKED
   */
  updateSmtp(input: SmtpSettingsUpdateT): SmtpSettingsViewT {
    return this.s.audited(
      'settings.change',
      { type: 'setting', id: 'smtp' },
      (v) => {
        const current = requireSetting(v.db, 'smtp');
        const next = { ...input, password: input.password ?? current.password };
        putSetting(v.db, 'smtp', next);
        const { password: _password, ...shown } = next;
        return { shown, changed: (Object.keys(next) as Array<keyof typeof next>).filter((k) => next[k] !== current[k]) };
      },
      (r) => ({ setting: 'smtp', changed: r.changed.join(',') || 'none' }),
    ).shown;
  }

  /**
   * Test SMTP submission settings without sending anything (connect, verified TLS >= 1.2, AUTH, QUIT;
   * see delivery/smtp.ts testSmtpConnection). Without `password` the stored one is used (vault must be
   * unlocked). Audited as `settings.smtp_test` (outcome and error code only, never host, user or password)
   * when the vault is unlocked; during setup there is no vault yet, so no audit.
   * @returns `{ ok: true, tlsProtocol, tlsCipher }`
   * @throws AppError TLS_REQUIRED, TLS_CERT_UNTRUSTED, TLS_PROTOCOL_TOO_OLD, SMTP_AUTH_FAILED, SMTP_UNREACHABLE,
   *   SMTP_FAILED; VALIDATION_FAILED when no password is given and none is stored.
   * @source 45 CFR 164.312(e)(1) transmission security; 164.312(b) audit controls; RFC 3207; RFC 4954.
   */
  async testSmtp(input: SmtpSettingsUpdateT): Promise<SmtpTestResultT> {
    const subject = { type: 'setting', id: 'smtp' };
    const unlocked = this.s.state === 'unlocked';
    try {
      let password = input.password;
      if (password === undefined) {
        const stored = unlocked ? getSetting(this.s.require().db, 'smtp') : undefined;
        if (!stored) throw new AppError('VALIDATION_FAILED', 'Enter the mail server password to test the connection.');
        password = stored.password;
      }
      const r = await testSmtpConnection({ ...input, password }, this.d.smtpCa ? { ca: this.d.smtpCa, timeoutMs: 15_000 } : { timeoutMs: 15_000 });
      if (this.s.state === 'unlocked') {
        this.s.audited('settings.smtp_test', subject, () => r, (x) => ({ outcome: 'ok', tlsProtocol: x.tlsProtocol }));
      }
      return r;
    } catch (e) {
      if (this.s.state === 'unlocked') this.s.recordFailure('settings.smtp_test', subject, e);
      throw e;
    }
  }

  /**
   * Save the practice's armored OpenPGP PUBLIC key as `practice-key.asc` through the injected FileSaver
   * (Electron: save dialog; preview host: its export folder), so the practice can give it to recipients
   * to check the signature of PGP/MIME releases. The private key never leaves the vault. Audited as
   * `settings.practice_key_export` (saved or not, fingerprint).
   * @returns `{ saved, fingerprint }` — fingerprint as 40 upper-case hex characters in groups of four.
   * @throws AppError VAULT_LOCKED; EXPORT_UNAVAILABLE without a FileSaver.
   * @source RFC 4880 §11.1 (transferable public key); RFC 3156 §5 (signed and encrypted PGP/MIME).
   */
  async exportPracticeKey(): Promise<PracticeKeyExportT> {
    const subject = { type: 'setting', id: 'practice_key' };
    const v = this.s.require();
    if (!this.d.fileSaver) {
      const e = new AppError('EXPORT_UNAVAILABLE', 'Saving files is not available here.');
      this.s.recordFailure('settings.practice_key_export', subject, e);
      throw e;
    }
    const key = activePracticeKey(v.db);
    const info = await inspectRecipientKey(key.armoredPublic, this.d.clock.now());
    const fingerprint = formatFingerprint(info.fingerprint);
    const saved = await this.d.fileSaver.save('practice-key.asc', Buffer.from(key.armoredPublic, 'utf8'));
    this.s.audited('settings.practice_key_export', subject, () => saved, (x) => ({ saved: x, fingerprint: info.fingerprint }));
    return { saved, fingerprint };
  }

  /**
   * Use the practice's existing OpenPGP key (made elsewhere) from now on, instead of the one ReleaseDesk made: the
   * key is checked (see {@link importPracticeKey}), its passphrase used once and never stored, and it becomes the
   * active practice key; the previous key stays in the vault, inactive (releases already sent keep verifying
   * against it). Audited `practice_key.import` (fingerprint and algorithm) or as a failure (error code only).
   * @returns the new key's description
   * @throws AppError VAULT_LOCKED | KEY_INVALID (also: already the practice key or used before) | KEY_UNSUPPORTED |
   *   KEY_EXPIRED | KEY_REVOKED | KEY_NO_ENCRYPTION_SUBKEY
   * @source RFC 4880 section 11.2; 45 CFR 164.312(b) audit controls.
   */
  async importPracticeKey(input: PracticeKeyImportT): Promise<PracticeKeyResultT> {
    const subject = { type: 'practice_key', id: 'import' };
    const v = this.s.require();
    try {
      const key = await importPracticeKey(input.armoredPrivateKey, input.passphrase, this.d.clock.now());
      if (practiceKeyKnown(v.db, key.info.fingerprint)) {
        throw new AppError('KEY_INVALID', `The key ${formatFingerprint(key.info.fingerprint)} is already, or was before, this practice's key. Import a different key.`);
      }
      v.tx(() => {
        insertPracticeKey(v.db, { fingerprint: key.info.fingerprint, armoredPublic: key.armoredPublic, armoredPrivate: key.armoredPrivate, createdAt: key.info.createdAt });
        this.s.audit({ action: 'practice_key.import', outcome: 'success', subjectType: 'practice_key', subjectId: key.info.fingerprint, detail: { algorithm: key.info.algorithm } });
      });
      return { practiceKey: key.info };
    } catch (e) {
      this.s.recordFailure('practice_key.import', subject, e);
      throw e;
    }
  }

/** Settings for display: the SMTP password and the private key never leave main. @throws AppError VAULT_LOCKED */
  async get(): Promise<PracticeSettingsT> {
    const db = this.s.require().db;
    const { password: _password, ...smtp } = requireSetting(db, 'smtp');
    const key = activePracticeKey(db);
    return {
      practice: requireSetting(db, 'practice'),
      smtp,
      practiceKey: await inspectRecipientKey(key.armoredPublic, this.d.clock.now()),
      practicePublicKeyArmored: key.armoredPublic,
      delivery: deliverySettings(db),
    };
  }

  /**
   * The idle lock setting (automatic logoff, 45 CFR 164.312(a)(2)(iii)): minutes without activity before the
   * renderer locks the screen and the Electron shell locks the vault. @throws AppError VAULT_LOCKED
   */
  getIdleLock(): IdleLockSettingsT {
    return idleLockSettings(this.s.require().db);
  }

  /**
   * Change the idle lock time (whole minutes, 1..60; the contract bounds it). Audited `settings.change` with the
   * setting's key and the minutes before and after (no PHI). @throws AppError VAULT_LOCKED
   */
  setIdleLock(input: IdleLockSettingsT): IdleLockSettingsT {
    return this.s.audited(
      'settings.change',
      { type: 'settings', id: 'idle_lock' },
      (v) => {
        const before = idleLockSettings(v.db).idleMinutes;
        putSetting(v.db, 'idleLock', { idleMinutes: input.idleMinutes });
        return { before, next: { idleMinutes: input.idleMinutes } };
      },
      ({ before, next }) => ({ key: 'idleLock.idleMinutes', before, after: next.idleMinutes }),
    ).next;
  }

  /** The idle lock minutes for the Electron shell's system-idle check; null while the vault is not unlocked. */
  idleLockMinutes(): number | null {
    return this.s.state === 'unlocked' ? idleLockSettings(this.s.require().db).idleMinutes : null;
  }

  /**
   * Change the practice's postal address, phone and privacy officer (printed on authorization forms and notices,
   * 164.508(c)(2)(i), 164.524(d)(2)(iii), 164.530(a)(1)). Audited `settings.change` (detail: the fields changed —
   * never their values). @throws AppError VAULT_LOCKED | INVALID_EMAIL (privacy officer's email)
   */
  updatePractice(input: PracticeDetailsInputT): PracticeInputT {
    if (input.privacyOfficer.email) requireValidEmail(input.privacyOfficer.email);
    return this.s.audited(
      'settings.change',
      { type: 'settings', id: 'practice' },
      (v) => {
        const before = requireSetting(v.db, 'practice');
        const next = { ...before, address: input.address, phone: input.phone, privacyOfficer: input.privacyOfficer };
        putSetting(v.db, 'practice', next);
        return { before, next };
      },
      ({ before, next }) =>
        ({ fields: (['address', 'phone', 'privacyOfficer'] as const).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(next[k])).join(',') }),
    ).next;
  }

  /**
   * Change the delivery settings (audited as a setting change: settings.change, detail key and new value).
   * @param input.messageLimitBytes raw attachment bytes per email message (30,000..100,000,000; default 18,000,000)
   * @throws AppError VAULT_LOCKED
   */
  setDelivery(input: DeliverySettingsT): DeliverySettingsT {
    this.s.audited(
      'settings.change',
      { type: 'settings', id: 'delivery' },
      (v) => {
        const before = deliverySettings(v.db).messageLimitBytes;
        putSetting(v.db, 'delivery', { messageLimitBytes: input.messageLimitBytes });
        return before;
      },
      (before) => ({ key: 'delivery.messageLimitBytes', before, after: input.messageLimitBytes }),
    );
    return deliverySettings(this.s.require().db);
  }

  /** The bounce mailbox without its password, or null when none is set (BounceService.settings). @throws AppError VAULT_LOCKED */
  getBounceMailbox(): BounceMailboxViewT | null {
    return this.d.bounces.settings();
  }

  /** Save the bounce mailbox (BounceService.update; audited, fields changed only). @throws AppError VALIDATION_FAILED | VAULT_LOCKED */
  updateBounceMailbox(input: BounceMailboxUpdateT): BounceMailboxViewT {
    return this.d.bounces.update(input);
  }

  /** Sign in to the bounce mailbox over verified TLS and out (BounceService.test lists the codes thrown). */
  testBounceMailbox(input: BounceMailboxUpdateT): Promise<BounceMailboxTestResultT> {
    return this.d.bounces.test(input);
  }

  /** The practice's S/MIME certificate, or null when there is none yet (RFC 8551). @throws AppError VAULT_LOCKED */
  smimeCertificate(): PracticeSmimeCertificateT | null {
    return this.d.smime.practiceView();
  }

  /** The certificate revocation lists in the vault, newest first (RFC 5280 §5). @throws AppError VAULT_LOCKED */
  smimeCrls(): SmimeCrlT[] {
    return this.d.smime.crls();
  }

  /** Import a CRL (PEM or base64 DER; audited), then the list. @throws AppError CRL_INVALID | VAULT_LOCKED */
  importSmimeCrl(crl: string): SmimeCrlT[] {
    return this.d.smime.importCrl(crl);
  }

  /**
   * Make a self-signed practice S/MIME certificate now (renewal only with the active one's fingerprint; audited),
   * then the certificate as shown. @throws AppError PRACTICE_CERT_RENEWAL_UNCONFIRMED | VAULT_LOCKED
   */
  async createSmimeCertificate(replaceFingerprint: string | null): Promise<PracticeSmimeCertificateT> {
    await this.d.smime.createPracticeCertificate(replaceFingerprint);
    return this.d.smime.practiceView()!;
  }

  /** Import the practice certificate and key from a PKCS#12 file (password used once; audited), then the certificate as shown. */
  async importSmimeCertificate(pkcs12: string, password: string): Promise<PracticeSmimeCertificateT> {
    await this.d.smime.importPracticeCertificate(pkcs12, password);
    return this.d.smime.practiceView()!;
  }

  /** The practice's security settings (MFA required, two-person rule). @throws AppError VAULT_LOCKED */
  getSecurity(): SecuritySettingsT {
    return this.d.accounts.security();
  }

  /** Change the security settings (administrator; AccountService.setSecurity, audited). */
  setSecurity(input: SecuritySettingsT): SecuritySettingsT {
    return this.d.accounts.setSecurity(input);
  }
}
