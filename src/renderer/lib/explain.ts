/**
 * Plain-language explanations of error codes for front-desk staff: what
 * happened and what to do next. Codes come from src/shared/errors.ts.
 */

export interface Explanation {
  /** One short sentence: what happened. */
  title: string;
  /** What staff can do next. */
  next: string;
  /** Where in the app it is fixed ('settings': the email server settings), when it is fixed in the app. */
  fixIn?: 'settings';
}

const SMTP_FIX = 'Check the email server settings under Settings (use “Test connection”) with whoever manages your practice’s email, then try again.';

const EXPLANATIONS: Record<string, Explanation> = {
  PATIENT_CHECK_PENDING: {
    title: 'ReleaseDesk has not finished comparing this file with the patient.',
    next: 'Wait a moment on the Records step until the patient check shows a result, then try again.',
  },
  PATIENT_CHECK_NOT_NEEDED: {
    title: 'This file names the patient; there is nothing to confirm.',
    next: 'No action is needed for this file.',
  },
  TLS_REQUIRED: {
    title: 'The email server did not offer an encrypted connection (STARTTLS), so nothing was sent.',
    next: `ReleaseDesk only sends over TLS. ${SMTP_FIX}`,
  },
  TLS_CERT_UNTRUSTED: {
    title: 'The email server’s certificate is not trusted, so nothing was sent.',
    next: SMTP_FIX,
  },
  TLS_PROTOCOL_TOO_OLD: {
    title: 'The email server only offers an outdated TLS version, so nothing was sent.',
    next: SMTP_FIX,
  },
  SMTP_UNREACHABLE: {
    title: 'The email server could not be reached.',
    next: 'Check the internet connection and try again in a few minutes. If it keeps failing, check the server name and port.',
  },
  SMTP_AUTH_FAILED: {
    title: 'The email server did not accept the username or password.',
    next: SMTP_FIX,
  },
  SMTP_REJECTED: {
    title: 'The email server refused the message.',
    next: 'Check the recipient’s address. If it is right, try again later or ask your email administrator.',
  },
  SMTP_FAILED: {
    title: 'Sending failed at the email server.',
    next: 'Try again later. If it keeps failing, ask your email administrator.',
  },
  RELEASE_NOT_READY: {
    title: 'This release is not ready to send yet.',
    next: 'Go back and add at least one document and a confirmed recipient.',
  },
  RELEASE_ALREADY_SENT: { title: 'This release was already sent.', next: 'Open the audit log to see the transmission.' },
  RELEASE_SEND_IN_PROGRESS: { title: 'This release is being sent right now.', next: 'Wait a moment, then refresh.' },
  KEY_NOT_CONFIRMED: {
    title: 'The recipient’s key fingerprint has not been confirmed.',
    next: 'Confirm the fingerprint with the recipient by phone or in person, then tick the box.',
  },
  RELEASE_BLOCKED: {
    title: 'The compliance check blocks this release, so nothing was sent.',
    next: 'Fix each finding listed on the review step (the request, its authorization or the selected records), then send again.',
  },
  EXTENSION_REFUSED: {
    title: 'The extension was not granted.',
    next: 'A request can be extended once, by written notice within the first 30 days, to at most day 60 (45 CFR 164.524(b)(2)). Act on the request now instead.',
  },
  SCOPE_OVERRIDE_REFUSED: {
    title: 'This document cannot be added beyond the request’s scope.',
    next: 'Remove it from the release, or amend the request if the individual asked for it.',
  },
  STATUS_TRANSITION_INVALID: {
    title: 'The request cannot move to that status now.',
    next: 'Record the identity check first, or check that the request is still open.',
  },
  EXPORT_UNAVAILABLE: {
    title: 'Saving files is not available in this window.',
    next: 'Open ReleaseDesk (the desktop app) to save the PDF to a folder.',
  },
  UNENCRYPTED_NOT_ACKNOWLEDGED: {
    title: 'Unencrypted email needs the patient’s recorded choice.',
    next: 'Record the patient’s choice on the request after the risk warning, or choose an encrypted delivery method.',
  },
  EXPORT_FAILED: {
    title: 'The release could not be saved to that folder.',
    next: 'Choose an empty folder or drive that is not write-protected and has space, then try again.',
  },
  PDF_ENCRYPTION_FAILED: {
    title: 'The password-protected PDF could not be made.',
    next: 'Try again. If it keeps happening, choose another delivery method and contact support.',
  },
  PACKET_PAGE_TOO_LARGE: {
    title: 'A page is too large to send in one email.',
    next: 'Save the release to a folder or drive, or print it, instead.',
  },
  ATTACHMENT_TOO_LARGE: {
    title: 'The records are too large for email.',
    next: 'Save the release to a folder or drive, or print it, instead.',
  },
  VAULT_LOCKED: { title: 'ReleaseDesk is locked.', next: 'Unlock it with the vault passphrase.' },
  INTERNAL: { title: 'Something unexpected went wrong.', next: 'Try again. If it keeps happening, contact support.' },
};

/**
 * Explains `code` for staff.
 * @param code an ERROR_CODES value (unknown codes get a generic explanation).
 * @param message the PHI-free message from main, used as the title when the code has no entry.
 */
export function explain(code: string, message?: string): Explanation {
  const ex = EXPLANATIONS[code] ?? {
    title: message ?? 'Something went wrong.',
    next: 'Check the details and try again.',
  };
  // Email-server and TLS problems are fixed in Settings → Outgoing email server.
  return /^(TLS_|SMTP_)/.test(code) && code !== 'SMTP_REJECTED' ? { ...ex, fixIn: 'settings' } : ex;
}

/** True for send failures after which nothing was sent and the release can be retried unchanged. */
export function isRetryableSendFailure(code: string): boolean {
  return /^(TLS_|SMTP_)/.test(code) || code === 'INTERNAL';
}
