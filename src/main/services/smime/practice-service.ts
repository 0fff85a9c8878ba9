/**
 * The practice's own S/MIME certificate (self-made at first use, renewed, or imported from PKCS#12) and the CRLs
 * kept in the vault, as Settings and the dashboard show them. {@link SmimeService} (service.ts) builds on this with
 * the recipient certificates of releases.
 */
import type { PracticeSmimeCertificateT } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import type { Session } from '../session';
import { requireSetting } from '../settings/settings';
import { daysUntilExpiry, makeSelfSignedPracticeCertificate, readPkcs12PracticeCertificate, type PracticeCertificate } from './practice-certificate';
import { activePracticeCertificate, insertCrl, insertPracticeCertificate, storedCrls } from './repo';
import { readCrl, type CrlFetch, type StoredCrl } from './revocation';
import { readCertificates } from './x509';

/** Days ahead the practice certificate's expiry is warned (Settings, dashboard). */
export const PRACTICE_CERT_WARN_DAYS = 30;

/** What Settings says about a self-made practice certificate. */
export const SELF_SIGNED_WARNING =
  'ReleaseDesk made this certificate itself. Recipients’ mail programs will not trust it: they show the signature as ' +
  'unverified until the recipient accepts it after comparing its fingerprint with you. Import a certificate from a ' +
  'certificate authority to be trusted everywhere.';

/** A CRL as Settings lists it. */
export interface CrlView {
  sha256: string;
  issuer: string;
  thisUpdate: string;
  nextUpdate: string | null;
  source: 'import' | 'fetch';
  url: string | null;
  addedBy: string;
  addedAt: string;
  /** Past its nextUpdate now (a newer one is needed to check certificates of this issuer). */
  stale: boolean;
}

export interface SmimeServiceDeps {
  session: Session;
  /** Roots a recipient's chain may end in (PEM); default: the roots Node trusts. */
  trustAnchors?: readonly string[] | undefined;
  /**
   * How to fetch a CRL from a certificate's distribution point; `null` = offline (only imported or cached CRLs are
   * used). Default: HTTP(S) with a 5-second timeout.
   */
  crlFetch?: CrlFetch | null | undefined;
}

/** The practice certificate and the CRLs kept in the vault (see the module comment). */
export class SmimePracticeService {
  constructor(protected readonly d: SmimeServiceDeps) {}

  protected get s() {
    return this.d.session;
  }

  /**
   * The active practice certificate; made now (self-signed, audited `practice_smime.create`) only when there is none.
   * An expired one is never replaced here: recipients would see a new fingerprint without anyone deciding it.
   * @throws AppError PRACTICE_CERT_EXPIRED — the active certificate has expired (an administrator renews it in Settings)
   * @source RFC 5280 §4.1.2.5; RFC 8551 §2.5 (signing with a valid certificate)
   */
  async ensurePracticeCertificate(): Promise<PracticeCertificate> {
    const existing = activePracticeCertificate(this.s.require().db);
    if (!existing) return this.createPracticeCertificate(null);
    if (daysUntilExpiry(existing, this.s.clock.now()) < 0 || new Date(existing.notAfter).getTime() < this.s.clock.now().getTime())
      throw new AppError(
        'PRACTICE_CERT_EXPIRED',
        `The practice S/MIME certificate expired on ${existing.notAfter.slice(0, 10)}. An administrator must renew it in Settings (or import a new one) before S/MIME releases can be sent.`,
        { certificateFingerprint: existing.fingerprint },
      );
    return existing;
  }

  /**
   * Make a self-signed practice S/MIME certificate for the practice's name and sending address (RSA-3072, two
   * years) and make it the active one. The first is audited `practice_smime.create`; replacing an active one is a
   * renewal that must name the certificate it replaces (`replaceFingerprint`, what the administrator saw) and is
   * audited `practice_smime.renew` with the previous and new fingerprints. The previous certificate is kept, inactive.
   * @throws AppError PRACTICE_CERT_RENEWAL_UNCONFIRMED — an active certificate exists and `replaceFingerprint` is not its fingerprint
   */
  async createPracticeCertificate(replaceFingerprint: string | null = null): Promise<PracticeCertificate> {
    const subject = { type: 'setting', id: 'practice_smime' };
    const previous = activePracticeCertificate(this.s.require().db);
    if (previous && previous.fingerprint !== replaceFingerprint) {
      const e = new AppError(
        'PRACTICE_CERT_RENEWAL_UNCONFIRMED',
        'A practice S/MIME certificate is already in use. Replacing it changes the fingerprint recipients know: confirm which certificate you are replacing.',
        { certificateFingerprint: previous.fingerprint },
      );
      this.s.recordFailure('practice_smime.renew', subject, e);
      throw e;
    }
    const practice = requireSetting(this.s.require().db, 'practice');
    const pc = await makeSelfSignedPracticeCertificate(practice.name, practice.senderEmail, this.s.clock.now());
    this.s.audited(
      previous ? 'practice_smime.renew' : 'practice_smime.create',
      subject,
      (v) => insertPracticeCertificate(v.db, pc, this.s.clock.now().toISOString()),
      () => ({
        certificateFingerprint: pc.fingerprint,
        selfSigned: true,
        notAfter: pc.notAfter,
        ...(previous ? { previousFingerprint: previous.fingerprint, previousNotAfter: previous.notAfter } : {}),
      }),
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
      () => {
        const previous = activePracticeCertificate(this.s.require().db);
        return { certificateFingerprint: pc.fingerprint, selfSigned: pc.selfSigned, ...(previous && previous.fingerprint !== pc.fingerprint ? { previousFingerprint: previous.fingerprint } : {}) };
      },
    );
    return pc;
  }

  /** The CRLs in the vault as Settings lists them, newest first. */
  crls(): CrlView[] {
    const now = this.s.clock.now().getTime();
    return storedCrls(this.s.require().db).map((c) => ({
      sha256: c.sha256,
      issuer: c.issuer,
      thisUpdate: c.thisUpdate,
      nextUpdate: c.nextUpdate,
      source: c.source,
      url: c.url,
      addedBy: c.addedBy,
      addedAt: c.addedAt,
      stale: !c.nextUpdate || new Date(c.nextUpdate).getTime() < now,
    }));
  }

  /**
   * Import a CRL the practice obtained from a certificate authority (PEM, or base64 of DER) into the vault. Audited
   * `smime_crl.import` (SHA-256, issuer, thisUpdate, nextUpdate); the same CRL again changes nothing but is audited.
   * Its signature is checked when it is used, against the issuer of the certificate being checked.
   * @throws AppError CRL_INVALID
   * @source RFC 5280 §5
   */
  importCrl(text: string): CrlView[] {
    const subject = { type: 'setting', id: 'smime_crls' };
    let crl: StoredCrl;
    try {
      this.s.require();
      if (text.includes('-----BEGIN')) crl = readCrl(text, 'import', null);
      else {
        const compact = text.replace(/\s+/g, '');
        if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) throw new AppError('CRL_INVALID', 'This file is not a certificate revocation list (CRL) ReleaseDesk can read.');
        crl = readCrl(new Uint8Array(Buffer.from(compact, 'base64')), 'import', null);
      }
    } catch (e) {
      this.s.recordFailure('smime_crl.import', subject, e);
      throw e;
    }
    this.s.audited(
      'smime_crl.import',
      subject,
      (v) => insertCrl(v.db, crl, this.s.actor(), this.s.clock.now().toISOString()),
      (isNew) => ({ crlSha256: crl.sha256, crlIssuer: crl.issuer, thisUpdate: crl.thisUpdate, nextUpdate: crl.nextUpdate ?? 'none', alreadyKept: !isNew }),
    );
    return this.crls();
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
  const renew = pc.selfSigned
    ? 'An administrator renews it here with “Replace with a new self-made certificate” (recipients then see a new fingerprint), or imports one from a certificate authority.'
    : 'Renew it with your certificate authority and import the new one here.';
  if (daysLeft < 0) warnings.push(`The practice S/MIME certificate expired on ${pc.notAfter.slice(0, 10)}. S/MIME releases are refused until it is renewed. ${renew}`);
  else if (daysLeft <= PRACTICE_CERT_WARN_DAYS)
    warnings.push(`The practice S/MIME certificate expires in ${daysLeft} day(s), on ${pc.notAfter.slice(0, 10)}. ReleaseDesk does not replace it by itself. ${renew}`);
  return { fingerprint: pc.fingerprint, certPem: pc.certPem, subject: leaf.subject, notAfter: pc.notAfter, daysLeft, selfSigned: pc.selfSigned, warnings };
}
