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
import type { RecipientCertificateT } from '../../../shared/contract';
import { AppError, isAppError } from '../../../shared/errors';
import { requireEditable, storedRecipient } from '../releases/repo';
import type { PracticeCertificate } from './practice-certificate';
import {
  insertCrl,
  putRecipientCertificate,
  recipientCertificate,
  setRecipientCertificateConfirmation,
  setRecipientRevocation,
  storedCrls,
  type StoredRecipientCertificate,
} from './repo';
import type { SmimeContentEncryption } from './cms';
import { httpCrlFetch, type CrlFetch, type StoredCrl } from './revocation';
import { inspectRecipientCertificate, readCertificates, type CertificateFacts } from './x509';
import { SmimePracticeService } from './practice-service';

export { PRACTICE_CERT_WARN_DAYS, SELF_SIGNED_WARNING, practiceCertificateView, type CrlView, type SmimeServiceDeps } from './practice-service';

/** What the send workflow needs to compose an S/MIME release. */
export interface SmimeSendInput {
  recipientCertPem: string;
  /** SHA-256 of the recipient certificate (64 hex). */
  recipientFingerprint: string;
  practice: PracticeCertificate;
  /** 'gcm-oaep' when staff recorded that the recipient reads AuthEnvelopedData / RSA-OAEP, else 'cbc'. */
  encryption: SmimeContentEncryption;
}

/** See the module comment. */
export class SmimeService extends SmimePracticeService {
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

  private fetcher(): CrlFetch | null {
    return this.d.crlFetch === undefined ? httpCrlFetch(5000) : this.d.crlFetch;
  }

  /**
   * Check a stored certificate now for `email`, revocation included (CRLs in the vault; with `online`, the
   * distribution point's CRL is fetched when none current is cached — the caller stores `facts.revocation.fetched`).
   * @throws AppError CERT_* (CERT_REVOKED included)
   */
  private check(c: StoredRecipientCertificate, email: string, online: boolean): Promise<CertificateFacts> {
    return inspectRecipientCertificate([c.certPem, ...c.chainPem].join('\n'), email, this.s.clock.now(), this.anchors(), this.sources(online));
  }

  /** The vault's CRLs and (online) the fetcher; a fetched CRL is cached at once, even when the check then refuses. */
  private sources(online: boolean) {
    const db = this.s.require().db;
    return {
      crls: storedCrls(db),
      fetch: online ? this.fetcher() : null,
      onFetched: (crl: StoredCrl) => {
        db.transaction(() => insertCrl(db, crl, 'ReleaseDesk', this.s.clock.now().toISOString()))();
      },
    };
  }

  /** Keep CRLs fetched during a check (inside the caller's transaction). */
  private cacheCrls(db: Parameters<typeof insertCrl>[0], fetched: readonly StoredCrl[]): void {
    for (const crl of fetched) insertCrl(db, crl, 'ReleaseDesk', this.s.clock.now().toISOString());
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
      modernAlgorithms: c.modernAlgorithms,
    };
    let facts: CertificateFacts | null = null;
    let problem: RecipientCertificateT['problem'] = null;
    try {
      facts = await this.check(c, rec?.email ?? c.email, false);
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
      revocation: {
        status: facts?.revocation.status ?? c.revocationStatus,
        reason: facts?.revocation.reason ?? null,
        checkedAt: facts ? this.s.clock.now().toISOString() : c.revocationCheckedAt,
        unknownAccepted: c.revocationUnknownAccepted,
      },
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
   *   CERT_NO_ENCRYPTION_USAGE | CERT_NO_EMAIL_PROTECTION | CERT_ADDRESS_MISMATCH | CERT_KEY_UNSUPPORTED | CERT_REVOKED
   *   (revocation checked against the vault's CRLs and, online, the distribution point's; fetched CRLs are cached in
   *   the same transaction; an unknown status is stored and warned)
   * @source RFC 8550 §4.4, RFC 8551 §2.3, RFC 5280 §4.2.1.3/.6/.12/.13, §6.3; 45 CFR 164.312(e)(1)
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
      facts = await inspectRecipientCertificate(SmimeService.decode(text), email, this.s.clock.now(), this.anchors(), this.sources(true));
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
          revocationStatus: facts.revocation.status,
          revocationCheckedAt: this.s.clock.now().toISOString(),
        });
        this.cacheCrls(vv.db, facts.revocation.fetched);
      },
      () => ({
        certificateFingerprint: facts.fingerprint,
        chainTrusted: facts.chainTrusted,
        keyType: facts.keyType,
        revocationStatus: facts.revocation.status,
        ...(facts.revocation.crlSha256 ? { crlSha256: facts.revocation.crlSha256 } : {}),
        crlsFetched: facts.revocation.fetched.length,
      }),
    );
  }

  /**
   * Staff confirmed the fingerprint with the recipient (audited `release.recipient_certificate_confirm`: fingerprint,
   * chain trust, untrusted accepted, revocation status and whether its being unknown was accepted, algorithms).
   * The certificate is checked again now, revocation included (online).
   * @param acceptRevocationUnknown staff accept that revocation could not be checked (CRL unreachable or stale)
   * @param modernAlgorithms the recipient's program reads RSA-OAEP and AES-GCM (AuthEnvelopedData, RFC 5083/5084)
   * @throws AppError NOT_FOUND (no certificate) | CERT_FINGERPRINT_CHANGED (another certificate was imported since) |
   *   CERT_CHAIN_UNTRUSTED (untrusted chain without `acceptUntrusted`) | CERT_REVOCATION_UNKNOWN (unknown revocation
   *   status without `acceptRevocationUnknown`) | CERT_REVOKED | CERT_* | RELEASE_ALREADY_SENT
   */
  async confirmRecipientCertificate(releaseId: string, fingerprint: string, acceptUntrusted: boolean, acceptRevocationUnknown = false, modernAlgorithms = false): Promise<void> {
    const subject = { type: 'release', id: releaseId };
    const v = this.s.require();
    let c: StoredRecipientCertificate;
    let facts: CertificateFacts;
    try {
      requireEditable(v.db, releaseId);
      const stored = recipientCertificate(v.db, releaseId);
      if (!stored) throw new AppError('NOT_FOUND', 'There is no certificate to confirm for this recipient. Import it first.');
      c = stored;
      if (c.fingerprint !== fingerprint)
        throw new AppError('CERT_FINGERPRINT_CHANGED', 'The certificate was replaced since you read its fingerprint. Read the new fingerprint to the recipient.', {
          certificateFingerprint: c.fingerprint,
        });
      facts = await this.check(c, storedRecipient(v.db, releaseId)?.email ?? c.email, true);
      if (!c.chainTrusted && !acceptUntrusted)
        throw new AppError(
          'CERT_CHAIN_UNTRUSTED',
          'No certificate authority ReleaseDesk trusts vouches for this certificate. Confirm that the recipient read you the same fingerprint, and tick that you accept it.',
          { certificateFingerprint: c.fingerprint },
        );
      if (facts.revocation.status === 'unknown' && !acceptRevocationUnknown)
        throw new AppError(
          'CERT_REVOCATION_UNKNOWN',
          `ReleaseDesk could not check whether this certificate was revoked (${facts.revocation.reason ?? 'no current revocation list'}). Import the issuer’s current CRL in Settings, or tick that you accept the risk.`,
          { certificateFingerprint: c.fingerprint },
        );
    } catch (e) {
      this.s.recordFailure('release.recipient_certificate_confirm', subject, e);
      throw e;
    }
    const rev = facts.revocation;
    this.s.audited(
      'release.recipient_certificate_confirm',
      subject,
      (vv) => {
        // The status first (the row is still unconfirmed), then the confirmation with what staff accepted.
        setRecipientRevocation(vv.db, releaseId, rev.status, this.s.clock.now().toISOString());
        setRecipientCertificateConfirmation(vv.db, releaseId, {
          by: this.s.actor(),
          at: this.s.clock.now().toISOString(),
          untrustedAccepted: !c.chainTrusted,
          revocationUnknownAccepted: rev.status === 'unknown',
          modernAlgorithms,
        });
      },
      () => ({
        certificateFingerprint: c.fingerprint,
        chainTrusted: c.chainTrusted,
        untrustedAccepted: !c.chainTrusted,
        revocationStatus: rev.status,
        revocationUnknownAccepted: rev.status === 'unknown',
        ...(rev.crlSha256 ? { crlSha256: rev.crlSha256 } : {}),
        encryption: modernAlgorithms ? 'gcm-oaep' : 'cbc',
      }),
    );
  }

  /** Whether the release's recipient has a confirmed certificate that can be used now (the ladder's S/MIME rung). */
  async usable(releaseId: string): Promise<boolean> {
    const db = this.s.require().db;
    const c = recipientCertificate(db, releaseId);
    const rec = storedRecipient(db, releaseId);
    if (!c?.confirmed || !rec) return false;
    try {
      await this.check(c, rec.email, false);
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
   * recipient's address and not revoked (CRLs in the vault; online, the distribution point's, cached), and the
   * practice certificate (made at first use; an expired one is refused, never replaced silently). A certificate found
   * unusable — or whose revocation status became unknown without staff having accepted that — has its confirmation
   * withdrawn (audited `release.recipient_certificate_withdrawn`). Every check is audited
   * (`release.recipient_certificate_check`: fingerprint, revocation status, CRL, unknown accepted, algorithms).
   * @throws AppError CERT_NOT_CONFIRMED | CERT_REVOKED | CERT_REVOCATION_UNKNOWN | CERT_* (reason and date) |
   *   PRACTICE_CERT_EXPIRED | RELEASE_NOT_READY
   * @source 45 CFR 164.312(e)(1); RFC 8550 §4.4; RFC 5280 §6.3
   */
  async forSend(releaseId: string): Promise<SmimeSendInput> {
    const v = this.s.require();
    const rec = storedRecipient(v.db, releaseId);
    const c = recipientCertificate(v.db, releaseId);
    if (!rec || !c) throw new AppError('RELEASE_NOT_READY', 'The recipient has no S/MIME certificate. Import it, or choose another delivery method.');
    if (!c.confirmed)
      throw new AppError('CERT_NOT_CONFIRMED', 'Confirm the certificate’s fingerprint with the recipient by phone or in person before sending.', { certificateFingerprint: c.fingerprint });
    const subject = { type: 'release', id: releaseId };
    const withdraw = (code: string, fetched: readonly StoredCrl[], status?: StoredRecipientCertificate['revocationStatus']) =>
      this.s.audited(
        'release.recipient_certificate_withdrawn',
        subject,
        (vv) => {
          setRecipientCertificateConfirmation(vv.db, releaseId, null);
          if (status) setRecipientRevocation(vv.db, releaseId, status, this.s.clock.now().toISOString());
          this.cacheCrls(vv.db, fetched);
        },
        () => ({ certificateFingerprint: c.fingerprint, code }),
      );
    let facts: CertificateFacts;
    try {
      facts = await this.check(c, rec.email, true);
    } catch (e) {
      if (isAppError(e) && e.code.startsWith('CERT_')) withdraw(e.code, []);
      throw e;
    }
    const rev = facts.revocation;
    if (rev.status === 'unknown' && !c.revocationUnknownAccepted) {
      withdraw('CERT_REVOCATION_UNKNOWN', rev.fetched, 'unknown');
      throw new AppError(
        'CERT_REVOCATION_UNKNOWN',
        `ReleaseDesk could not check whether the recipient’s certificate was revoked (${rev.reason ?? 'no current revocation list'}). Import the issuer’s current CRL in Settings, or confirm the certificate again accepting the risk.`,
        { certificateFingerprint: c.fingerprint },
      );
    }
    const practice = await this.ensurePracticeCertificate();
    this.s.audited(
      'release.recipient_certificate_check',
      subject,
      (vv) => {
        setRecipientRevocation(vv.db, releaseId, rev.status, this.s.clock.now().toISOString());
        this.cacheCrls(vv.db, rev.fetched);
      },
      () => ({
        certificateFingerprint: c.fingerprint,
        revocationStatus: rev.status,
        revocationUnknownAccepted: rev.status === 'unknown',
        ...(rev.crlSha256 ? { crlSha256: rev.crlSha256 } : {}),
        encryption: c.modernAlgorithms ? 'gcm-oaep' : 'cbc',
      }),
    );
    return { recipientCertPem: c.certPem, recipientFingerprint: c.fingerprint, practice, encryption: c.modernAlgorithms ? 'gcm-oaep' : 'cbc' };
  }

}
