/**
 * S/MIME in the release workflow (issue 18): the recipient's certificate imported and confirmed for a release,
 * checked again when the release is sent; the practice's own certificate (self-made at first use, or imported).
 *
 * The procedure mirrors OpenPGP recipient keys: staff import what the recipient sent, ReleaseDesk checks it and
 * shows its SHA-256 fingerprint in groups of four, staff read the groups to the recipient by phone (or in person)
 * and tick the confirmation — audited with the fingerprint. Nothing is encrypted to a certificate that was not
 * confirmed, and a certificate found unusable at send has its confirmation withdrawn (audited).
 */
import { rootCertificates } from 'node:tls';
import type { RecipientCertificateT, PracticeSmimeCertificateT } from '../../../shared/contract';
import { AppError, isAppError } from '../../../shared/errors';
import type { Session } from '../session';
import { requireSetting } from '../settings/settings';
import { requireEditable, storedRecipient } from '../releases/repo';
import { daysUntilExpiry, makeSelfSignedPracticeCertificate, readPkcs12PracticeCertificate, type PracticeCertificate } from './practice-certificate';
import {
  activePracticeCertificate,
  insertPracticeCertificate,
  putRecipientCertificate,
  recipientCertificate,
  setRecipientCertificateConfirmation,
  type StoredRecipientCertificate,
} from './repo';
import { inspectRecipientCertificate, readCertificates, type CertificateFacts } from './x509';

/** Days ahead the practice certificate's expiry is warned (Settings, dashboard). */
export const PRACTICE_CERT_WARN_DAYS = 30;

/** What Settings says about a self-made practice certificate. */
export const SELF_SIGNED_WARNING =
  'ReleaseDesk made this certificate itself. Recipients’ mail programs will not trust it: they show the signature as ' +
  'unverified until the recipient accepts it after comparing its fingerprint with you. Import a certificate from a ' +
  'certificate authority to be trusted everywhere.';

/** What the send workflow needs to compose an S/MIME release. */
export interface SmimeSendInput {
  recipientCertPem: string;
  /** SHA-256 of the recipient certificate (64 hex). */
  recipientFingerprint: string;
  practice: PracticeCertificate;
}

export interface SmimeServiceDeps {
  session: Session;
  /** Roots a recipient's chain may end in (PEM); default: the roots Node trusts. */
  trustAnchors?: readonly string[] | undefined;
}

/** See the module comment. */
export class SmimeService {
  constructor(private readonly d: SmimeServiceDeps) {}

  private get s() {
    return this.d.session;
  }

  private anchors(): readonly string[] {
    return this.d.trustAnchors ?? rootCertificates;
  }

  /** The certificate's input as the recipient sent it: PEM text, or base64 of DER / PKCS#7 bytes. */
  private static decode(text: string): string | Uint8Array {
    if (text.includes('-----BEGIN')) return text;
    const compact = text.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact))
      throw new AppError('CERT_INVALID', 'This file is not a certificate ReleaseDesk can read. Ask the recipient for their S/MIME certificate as a .pem, .cer, .crt or .p7b file.');
    return new Uint8Array(Buffer.from(compact, 'base64'));
  }

  /** Check a stored certificate now for `email`. @throws AppError CERT_* */
  private check(c: StoredRecipientCertificate, email: string): Promise<CertificateFacts> {
    return inspectRecipientCertificate([c.certPem, ...c.chainPem].join('\n'), email, this.s.clock.now(), this.anchors());
  }

  /**
   * The release's recipient certificate as staff see it, checked now against the recipient's current address
   * (`problem` names the reason and date when it cannot be used). Null when none was imported.
   */
  async describe(releaseId: string): Promise<RecipientCertificateT | null> {
    const db = this.s.require().db;
    const c = recipientCertificate(db, releaseId);
    if (!c) return null;
    const rec = storedRecipient(db, releaseId);
    const base = {
      fingerprint: c.fingerprint,
      importedBy: c.importedBy,
      importedAt: c.importedAt,
      confirmed: c.confirmed,
      chainTrusted: c.chainTrusted,
    };
    let facts: CertificateFacts | null = null;
    let problem: RecipientCertificateT['problem'] = null;
    try {
      facts = await this.check(c, rec?.email ?? c.email);
    } catch (e) {
      problem = isAppError(e) ? { code: e.code, message: e.message } : { code: 'CERT_INVALID', message: 'This certificate can no longer be read.' };
    }
    const leaf = facts ?? this.looseFacts(c);
    return {
      ...base,
      subject: leaf.subject,
      issuer: leaf.issuer,
      emails: leaf.emails,
      notBefore: leaf.notBefore,
      notAfter: leaf.notAfter,
      keyDescription: leaf.keyDescription,
      warnings: facts?.warnings ?? [],
      problem,
    };
  }

  /** Facts read without judging (for a certificate that no longer passes the checks). */
  private looseFacts(c: StoredRecipientCertificate): Pick<CertificateFacts, 'subject' | 'issuer' | 'emails' | 'notBefore' | 'notAfter' | 'keyDescription'> {
    const leaf = readCertificates(c.certPem)[0]!;
    const alg = leaf.publicKey.algorithm as { name: string; modulusLength?: number; namedCurve?: string };
    return {
      subject: leaf.subject,
      issuer: leaf.issuer,
      emails: [],
      notBefore: leaf.notBefore.toISOString(),
      notAfter: leaf.notAfter.toISOString(),
      keyDescription: alg.modulusLength ? `RSA ${alg.modulusLength} bits` : `EC ${alg.namedCurve ?? ''}`.trim(),
    };
  }

  /**
   * Import the recipient's certificate for a release: checked now for the recipient's address (x509.ts), stored
   * unconfirmed, replacing an earlier one (audited `release.recipient_certificate_import` with fingerprint and
   * chain trust). A refusal is audited with its code, fingerprint and date and thrown.
   * @param text PEM, or base64 of a DER certificate / PKCS#7 bundle
   * @throws AppError RELEASE_NOT_READY (no recipient yet) | RELEASE_ALREADY_SENT | CERT_INVALID | CERT_EXPIRED | CERT_NOT_YET_VALID |
   *   CERT_NO_ENCRYPTION_USAGE | CERT_NO_EMAIL_PROTECTION | CERT_ADDRESS_MISMATCH | CERT_KEY_UNSUPPORTED
   * @source RFC 8550 §4.4, RFC 8551 §2.3, RFC 5280 §4.2.1.3/.6/.12; 45 CFR 164.312(e)(1)
   */
  async importRecipientCertificate(releaseId: string, text: string): Promise<void> {
    const subject = { type: 'release', id: releaseId };
    const v = this.s.require();
    let facts: CertificateFacts;
    let email: string;
    try {
      requireEditable(v.db, releaseId);
      const rec = storedRecipient(v.db, releaseId);
      if (!rec) throw new AppError('RELEASE_NOT_READY', 'Save the recipient’s name and email address first, then import their certificate.');
      email = rec.email;
      facts = await inspectRecipientCertificate(SmimeService.decode(text), email, this.s.clock.now(), this.anchors());
    } catch (e) {
      this.s.recordFailure('release.recipient_certificate_import', subject, e);
      throw e;
    }
    this.s.audited(
      'release.recipient_certificate_import',
      subject,
      (vv) => {
        requireEditable(vv.db, releaseId);
        putRecipientCertificate(vv.db, {
          releaseId,
          email: email.toLowerCase(),
          certPem: facts.certPem,
          chainPem: facts.chainPem,
          fingerprint: facts.fingerprint,
          chainTrusted: facts.chainTrusted,
          importedBy: this.s.actor(),
          importedAt: this.s.clock.now().toISOString(),
        });
      },
      () => ({ certificateFingerprint: facts.fingerprint, chainTrusted: facts.chainTrusted, keyType: facts.keyType }),
    );
  }

  /**
   * Staff confirmed the fingerprint with the recipient (audited `release.recipient_certificate_confirm`: fingerprint,
   * chain trust, untrusted accepted). The certificate is checked again now.
   * @throws AppError NOT_FOUND (no certificate) | CERT_FINGERPRINT_CHANGED (another certificate was imported since) |
   *   CERT_CHAIN_UNTRUSTED (untrusted chain without `acceptUntrusted`) | CERT_* | RELEASE_ALREADY_SENT
   */
  async confirmRecipientCertificate(releaseId: string, fingerprint: string, acceptUntrusted: boolean): Promise<void> {
    const subject = { type: 'release', id: releaseId };
    const v = this.s.require();
    let c: StoredRecipientCertificate;
    try {
      requireEditable(v.db, releaseId);
      const stored = recipientCertificate(v.db, releaseId);
      if (!stored) throw new AppError('NOT_FOUND', 'There is no certificate to confirm for this recipient. Import it first.');
      c = stored;
      if (c.fingerprint !== fingerprint)
        throw new AppError('CERT_FINGERPRINT_CHANGED', 'The certificate was replaced since you read its fingerprint. Read the new fingerprint to the recipient.', {
          certificateFingerprint: c.fingerprint,
        });
      await this.check(c, storedRecipient(v.db, releaseId)?.email ?? c.email);
      if (!c.chainTrusted && !acceptUntrusted)
        throw new AppError(
          'CERT_CHAIN_UNTRUSTED',
          'No certificate authority ReleaseDesk trusts vouches for this certificate. Confirm that the recipient read you the same fingerprint, and tick that you accept it.',
          { certificateFingerprint: c.fingerprint },
        );
    } catch (e) {
      this.s.recordFailure('release.recipient_certificate_confirm', subject, e);
      throw e;
    }
    this.s.audited(
      'release.recipient_certificate_confirm',
      subject,
      (vv) => setRecipientCertificateConfirmation(vv.db, releaseId, { by: this.s.actor(), at: this.s.clock.now().toISOString(), untrustedAccepted: !c.chainTrusted }),
      () => ({ certificateFingerprint: c.fingerprint, chainTrusted: c.chainTrusted, untrustedAccepted: !c.chainTrusted }),
    );
  }

  /** Whether the release's recipient has a confirmed certificate that can be used now (the ladder's S/MIME rung). */
  async usable(releaseId: string): Promise<boolean> {
    const db = this.s.require().db;
    const c = recipientCertificate(db, releaseId);
    const rec = storedRecipient(db, releaseId);
    if (!c?.confirmed || !rec) return false;
    try {
      await this.check(c, rec.email);
      return true;
    } catch {
      return false;
    }
  }

  /** Whether a certificate was confirmed for the release (not checked now): the send path then chooses S/MIME. */
  hasConfirmed(releaseId: string): boolean {
    return !!recipientCertificate(this.s.require().db, releaseId)?.confirmed;
  }

  /**
   * What an S/MIME send needs, checked at this moment: the recipient's confirmed certificate, valid now for the
   * recipient's address (a certificate found unusable has its confirmation withdrawn, audited
   * `release.recipient_certificate_withdrawn`), and the practice certificate (made now, self-signed, at first use).
   * @throws AppError CERT_NOT_CONFIRMED | CERT_* (reason and date) | RELEASE_NOT_READY
   * @source 45 CFR 164.312(e)(1); RFC 8550 §4.4
   */
  async forSend(releaseId: string): Promise<SmimeSendInput> {
    const v = this.s.require();
    const rec = storedRecipient(v.db, releaseId);
    const c = recipientCertificate(v.db, releaseId);
    if (!rec || !c) throw new AppError('RELEASE_NOT_READY', 'The recipient has no S/MIME certificate. Import it, or choose another delivery method.');
    if (!c.confirmed)
      throw new AppError('CERT_NOT_CONFIRMED', 'Confirm the certificate’s fingerprint with the recipient by phone or in person before sending.', { certificateFingerprint: c.fingerprint });
    try {
      await this.check(c, rec.email);
    } catch (e) {
      if (isAppError(e) && e.code.startsWith('CERT_')) {
        this.s.audited(
          'release.recipient_certificate_withdrawn',
          { type: 'release', id: releaseId },
          (vv) => setRecipientCertificateConfirmation(vv.db, releaseId, null),
          () => ({ certificateFingerprint: c.fingerprint, code: e.code }),
        );
      }
      throw e;
    }
    const practice = await this.ensurePracticeCertificate();
    return { recipientCertPem: c.certPem, recipientFingerprint: c.fingerprint, practice };
  }

  /** The active practice certificate, made now (self-signed, audited `practice_smime.create`) when there is none. */
  async ensurePracticeCertificate(): Promise<PracticeCertificate> {
    const existing = activePracticeCertificate(this.s.require().db);
    if (existing && daysUntilExpiry(existing, this.s.clock.now()) >= 0) return existing;
    return this.createPracticeCertificate();
  }

  /**
   * Make a self-signed practice S/MIME certificate for the practice's name and sending address (RSA-3072, two
   * years) and make it the active one. Audited `practice_smime.create` (fingerprint, self-signed).
   */
  async createPracticeCertificate(): Promise<PracticeCertificate> {
    const practice = requireSetting(this.s.require().db, 'practice');
    const pc = await makeSelfSignedPracticeCertificate(practice.name, practice.senderEmail, this.s.clock.now());
    this.s.audited(
      'practice_smime.create',
      { type: 'setting', id: 'practice_smime' },
      (v) => insertPracticeCertificate(v.db, pc, this.s.clock.now().toISOString()),
      () => ({ certificateFingerprint: pc.fingerprint, selfSigned: true }),
    );
    return pc;
  }

  /**
   * Import the practice certificate and private key from a PKCS#12 file (base64) with its password (used once, never
   * stored or logged) and make it the active one. Audited `practice_smime.import` (fingerprint; never the password).
   * @throws AppError PKCS12_INVALID | CERT_* (see readPkcs12PracticeCertificate)
   */
  async importPracticeCertificate(pkcs12Base64: string, password: string): Promise<PracticeCertificate> {
    const subject = { type: 'setting', id: 'practice_smime' };
    let pc: PracticeCertificate;
    try {
      this.s.require();
      const compact = pkcs12Base64.replace(/\s+/g, '');
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) throw new AppError('PKCS12_INVALID', 'This is not a PKCS#12 (.p12 / .pfx) file.');
      pc = await readPkcs12PracticeCertificate(new Uint8Array(Buffer.from(compact, 'base64')), password, this.s.clock.now());
    } catch (e) {
      this.s.recordFailure('practice_smime.import', subject, e);
      throw e;
    }
    this.s.audited(
      'practice_smime.import',
      subject,
      (v) => insertPracticeCertificate(v.db, pc, this.s.clock.now().toISOString()),
      () => ({ certificateFingerprint: pc.fingerprint, selfSigned: pc.selfSigned }),
    );
    return pc;
  }

  /** The practice certificate as Settings shows it (null when none yet). */
  practiceView(): PracticeSmimeCertificateT | null {
    const pc = activePracticeCertificate(this.s.require().db);
    return pc ? practiceCertificateView(pc, this.s.clock.now()) : null;
  }
}

/**
 * The practice certificate for Settings and the dashboard: fingerprint, subject, expiry, days left, and warnings
 * (self-made: recipients' mail programs will not trust it; expires within {@link PRACTICE_CERT_WARN_DAYS} days).
 */
export function practiceCertificateView(pc: PracticeCertificate, now: Date): PracticeSmimeCertificateT {
  const daysLeft = daysUntilExpiry(pc, now);
  const leaf = readCertificates(pc.certPem)[0]!;
  const warnings: string[] = [];
  if (pc.selfSigned) warnings.push(SELF_SIGNED_WARNING);
  if (daysLeft < 0) warnings.push(`The practice S/MIME certificate expired on ${pc.notAfter.slice(0, 10)}. A new one is made at the next S/MIME release; import a new one from your certificate authority.`);
  else if (daysLeft <= PRACTICE_CERT_WARN_DAYS)
    warnings.push(`The practice S/MIME certificate expires in ${daysLeft} day(s), on ${pc.notAfter.slice(0, 10)}. Renew it with your certificate authority and import the new one.`);
  return { fingerprint: pc.fingerprint, certPem: pc.certPem, subject: leaf.subject, notAfter: pc.notAfter, daysLeft, selfSigned: pc.selfSigned, warnings };
}
