/**
 * The delivery methods of a release (issue #4), shown to staff as a ladder from
 * strongest to weakest. Which rungs are open depends on three facts the
 * workflow already knows; the ladder itself decides nothing else.
 */

/** How a release leaves the practice. */
export type DeliveryMethod = 'openpgp-pgp-mime' | 'smime' | 'password-pdf' | 'tls-only-email' | 'export' | 'print';

/** All methods, strongest first (the order staff see). */
export const DELIVERY_METHODS: readonly DeliveryMethod[] = ['openpgp-pgp-mime', 'smime', 'password-pdf', 'tls-only-email', 'export', 'print'];

/** One rung of the ladder. */
export interface DeliveryRung {
  method: DeliveryMethod;
  /** Short plain-language name for the screen. */
  label: string;
  available: boolean;
  /** 5 = strongest (end-to-end encrypted and signed) … 1 = weakest, in the order of issue #4. */
  strength: 1 | 2 | 3 | 4 | 5;
  /** Plain language: why the method cannot be used now; null when it is available. */
  reason: string | null;
}

/** The facts the ladder depends on. */
export interface DeliveryLadderInput {
  /** The recipient has an OpenPGP key whose fingerprint staff confirmed out of band (and that can encrypt now). */
  recipientHasVerifiedKey: boolean;
  /**
   * The recipient has an S/MIME certificate whose fingerprint staff confirmed and that passes the certificate checks
   * now (issue 18). Optional: absent means no certificate.
   */
  recipientHasConfirmedCertificate?: boolean;
  /**
   * `mayUseUnencryptedEmail(...).allowed` for this release: the individual was warned of the risk,
   * still prefers unencrypted email, and the choice is recorded (45 CFR 164.524(c)(2)(ii) guidance).
   */
  unencryptedAcknowledged: boolean;
  /**
   * Why unencrypted email is refused for this release, when it is (unencryptedEmailRefusal: the legal basis
   * first, then the recorded choice). Shown as the rung's reason; without it a generic reason is shown.
   */
  unencryptedRefusal?: string | null;
  /** A valid recipient email address is on file and the practice's mail server is set up. */
  emailAvailable: boolean;
}

const NO_EMAIL = 'There is no email address for the recipient, or the practice email is not set up.';

/**
 * The delivery ladder, strongest first: OpenPGP PGP/MIME (5), S/MIME (5), password-protected PDF (4),
 * unencrypted email over TLS at the individual's request (3), export to a folder or drive (2),
 * paper for mail or pickup (1).
 *
 * Rules: PGP/MIME needs email and a verified key; S/MIME needs email and a confirmed certificate valid now. Both are
 * end-to-end encrypted and signed; OpenPGP comes first, so a recipient with both a confirmed OpenPGP key and a
 * confirmed certificate gets OpenPGP by default (the key was the practice's first end-to-end method and its
 * signature check needs no certificate authority); staff may still choose S/MIME. The password PDF needs email (the passphrase
 * then goes by phone, SMS or in person, never by email); TLS-only email needs email and the
 * recorded, still valid choice of the individual; export and print are always available.
 *
 * @returns six rungs in ladder order, each with availability and, when unavailable, the reason
 * @source 45 CFR 164.312(e)(1) (transmission security), 164.524(c)(2)(ii) (form and format;
 *   unencrypted email at the individual's request after a warning)
 */
export function deliveryLadder(input: DeliveryLadderInput): DeliveryRung[] {
  const { recipientHasVerifiedKey, unencryptedAcknowledged, emailAvailable } = input;
  const rung = (method: DeliveryMethod, label: string, strength: DeliveryRung['strength'], why: string | null): DeliveryRung => ({
    method,
    label,
    available: why === null,
    strength,
    reason: why,
  });
  return [
    rung(
      'openpgp-pgp-mime',
      'Encrypted email (OpenPGP)',
      5,
      !emailAvailable ? NO_EMAIL : !recipientHasVerifiedKey ? "The recipient has no OpenPGP key whose fingerprint was confirmed with them by phone or in person." : null,
    ),
    rung(
      'smime',
      'Encrypted email (S/MIME certificate)',
      5,
      !emailAvailable
        ? NO_EMAIL
        : !input.recipientHasConfirmedCertificate
          ? 'The recipient has no S/MIME certificate that is valid now and whose fingerprint was confirmed with them by phone or in person.'
          : null,
    ),
    rung('password-pdf', 'Password-protected PDF by email', 4, !emailAvailable ? NO_EMAIL : null),
    rung(
      'tls-only-email',
      'Unencrypted email (at the patient\'s request)',
      3,
      !emailAvailable
        ? NO_EMAIL
        : !unencryptedAcknowledged
          ? (input.unencryptedRefusal ??
            'The patient has not been warned of the risk of unencrypted email, or did not choose it, or the choice was not recorded for this release.')
          : null,
    ),
    rung('export', 'Save to a folder or USB drive (password-protected)', 2, null),
    rung('print', 'Print for mail or pickup', 1, null),
  ];
}
