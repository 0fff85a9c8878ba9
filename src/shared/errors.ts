/**
 * Coded, PHI-free errors shared by main and renderer.
 *
 * Every failure that crosses the IPC boundary is an {@link AppError}: a stable
 * machine code (what the UI and tests branch on) and a human message written
 * by us — never a library's message, which may echo an address, a file name or
 * a server's reply that contains PHI.
 */

export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'VAULT_NOT_INITIALIZED',
  'VAULT_ALREADY_INITIALIZED',
  'VAULT_LOCKED',
  'WRONG_PASSPHRASE',
  'UNLOCK_THROTTLED',
  'WEAK_PASSPHRASE',
  'NOT_FOUND',
  'INVALID_EMAIL',
  'HEADER_INJECTION',
  'KEY_INVALID',
  'KEY_NO_ENCRYPTION_SUBKEY',
  'KEY_EXPIRED',
  'KEY_REVOKED',
  'KEY_NOT_CONFIRMED',
  'FILE_EMPTY',
  'FILE_NOT_PDF',
  'FILE_TOO_LARGE',
  'FILE_UNREADABLE',
  'RELEASE_NOT_READY',
  'RELEASE_ALREADY_SENT',
  'RELEASE_SEND_IN_PROGRESS',
  'TLS_REQUIRED',
  'TLS_CERT_UNTRUSTED',
  'TLS_PROTOCOL_TOO_OLD',
  'SMTP_UNREACHABLE',
  'SMTP_AUTH_FAILED',
  'SMTP_REJECTED',
  'SMTP_FAILED',
  'UNAUTHORIZED_SENDER',
  'INTERNAL',
  'EXTENSION_REFUSED',
  'STATUS_TRANSITION_INVALID',
  'RULE_PACK_INVALID',
  'PDF_PASSWORD_REQUIRED',
  'PDF_PASSWORD_INCORRECT',
  'PDF_DAMAGED',
  'PDF_ENCRYPTION_FAILED',
  'IMAGE_UNSUPPORTED',
  'MEDIA_TYPE_UNSUPPORTED',
  'PAGE_COUNT_MISMATCH',
  'PACKET_PAGE_TOO_LARGE',
  'FONT_MISSING',
  'SIGNING_FAILED',
  'RELEASE_BLOCKED',
  'SCOPE_OVERRIDE_REFUSED',
  'EXPORT_UNAVAILABLE',
  'UNENCRYPTED_NOT_ACKNOWLEDGED',
  'EXPORT_FAILED',
  'ATTACHMENT_TOO_LARGE',
  'OPENPGP_ENCRYPTION_FAILED',
  'ADDRESS_NOT_CONFIRMED',
  // Exactly-once releases: the outbox and the release state machine.
  'RELEASE_QUEUED',
  'RELEASE_UNCONFIRMED',
  'RELEASE_CANCELLED',
  'SEND_INTERRUPTED',
  'OUTBOX_INTEGRITY',
  'SMTP_NO_REPLY',
  'SEND_GAVE_UP',
  // the practice server's shared queue (issue #17): another workstation recovered a release whose claim lapsed
  'QUEUE_CLAIM_LOST',
  // SMTP failure classes (table in src/shared/smtp-failures.ts; SMTP_NO_REPLY is above)
  'SMTP_TLS_MODE_MISMATCH',
  'TLS_CERT_EXPIRED',
  'TLS_CERT_WRONG_HOST',
  'TLS_CERT_WEAK',
  'SMTP_AUTH_POLICY',
  'SMTP_TEMPORARY_FAILURE',
  'SMTP_MESSAGE_REJECTED',
  'SMTP_MESSAGE_TOO_LARGE',
  // record file import (issue 14): an image above the pre-flight limits; a protected PDF's password request that expired
  'IMAGE_TOO_LARGE',
  'IMPORT_EXPIRED',
  'PATIENT_CHECK_PENDING',
  'PATIENT_CHECK_NOT_NEEDED',
  // Bounces (issue 8): the bounce mailbox and a release returned as undeliverable.
  'IMAP_UNREACHABLE',
  'IMAP_AUTH_FAILED',
  'IMAP_FAILED',
  'BOUNCE_MAILBOX_NOT_SET',
  'DELIVERY_BOUNCED',
  'PRINT_CANCELLED',
  'PRINT_FAILED',
  // --- hardening (issue 14: keys, addresses, vault files, boundaries) ---
  'VAULT_DAMAGED',
  'VAULT_NOT_A_VAULT',
  'KEY_UNSUPPORTED',
  'KEY_REVOCATION_UNMATCHED',
  'ADDRESS_NEEDS_FIX',
  'SMTPUTF8_REQUIRED',
  // --- S/MIME (issue 18) ---
  'CERT_INVALID',
  'CERT_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_NO_ENCRYPTION_USAGE',
  'CERT_NO_EMAIL_PROTECTION',
  'CERT_ADDRESS_MISMATCH',
  'CERT_KEY_UNSUPPORTED',
  'CERT_NOT_CONFIRMED',
  'CERT_CHAIN_UNTRUSTED',
  'CERT_FINGERPRINT_CHANGED',
  'PKCS12_INVALID',
  'SMIME_ENCRYPTION_FAILED',
  'CERT_REVOKED',
  'CERT_REVOCATION_UNKNOWN',
  'CRL_INVALID',
  'PKCS12_LEGACY_RC2',
  'PRACTICE_CERT_EXPIRED',
  'PRACTICE_CERT_RENEWAL_UNCONFIRMED',
  // --- retention, legal hold, backup (issue #13) ---
  'RETENTION_TOO_SHORT',
  'BACKUP_FAILED',
  'BACKUP_INVALID',
  'BACKUP_NOT_FOUND',
  'RESTORE_TARGET_NOT_EMPTY',
  // --- end retention ---
  // staff accounts, MFA and two-person approval (issue #11)
  'ACCOUNT_INACTIVE',
  'MFA_REQUIRED',
  'MFA_INVALID',
  'USER_EXISTS',
  'ROLE_NOT_PERMITTED',
  'LAST_ADMINISTRATOR',
  'ROLE_CHANGE_SELF',
  'MFA_ENROLLMENT_REQUIRED',
  'APPROVAL_REQUIRED',
  'APPROVAL_NOT_PERMITTED',
  'APPROVAL_NOT_NEEDED',
  // --- a confirmed file that shows another patient needs a privacy officer (45 CFR 164.502(a), 164.530(c)) ---
  'PATIENT_OFFICER_APPROVAL_REQUIRED',
  'PATIENT_CONFIRM_NOT_WAITING',
  // --- address confirmation round trip (issue #12) ---
  'ADDRESS_ALREADY_CONFIRMED',
  'ADDRESS_CODE_NOT_SENT',
  'ADDRESS_CODE_WRONG',
  'ADDRESS_CODE_EXPIRED',
  'ADDRESS_CODE_LOCKED',
  // --- packaging worker thread (issue #16) ---
  'PACKAGING_FAILED',
  'PACKAGING_CANCELLED',
  // --- practice server store (issue #17, practice/engine.ts, sealing.ts) ---
  'PRACTICE_DB_FAILED',
  'PRACTICE_DB_CONFLICT',
  'PRACTICE_DB_UNAVAILABLE',
  'PRACTICE_SCHEMA_NEWER',
  'PRACTICE_KEY_WRONG',
  'PRACTICE_KEY_NOT_WRAPPED',
  'PRACTICE_WORKSTATION_NAME_TAKEN',
  'PRACTICE_DATA_TAMPERED',
  // --- end practice server store ---
  // --- practice server (PostgreSQL, issue #17): connection settings and test ---
  'PRACTICE_SERVER_UNREACHABLE',
  'PRACTICE_SERVER_TIMEOUT',
  'PRACTICE_SERVER_NO_TLS',
  'PRACTICE_SERVER_TLS_UNTRUSTED',
  'PRACTICE_SERVER_AUTH_FAILED',
  'PRACTICE_SERVER_DATABASE_MISSING',
  'PRACTICE_SERVER_CA_INVALID',
  'PRACTICE_SERVER_FAILED',
  'PRACTICE_SERVER_NOT_SET',
  // --- practice link: synchronisation of requests (issue #17, practice/sync-requests.ts) ---
  'PRACTICE_SYNC_CONFLICT_STALE',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The JSON shape of an error on the wire: `{ code, message }`, message PHI-free. */
export interface WireError {
  code: ErrorCode;
  message: string;
}

/**
 * A failure with a stable code and a PHI-free message.
 *
 * Throw it from services for every expected failure; `dispatch` passes code and
 * message to the renderer unchanged. Anything else thrown becomes `INTERNAL`.
 * `detail` is for the audit log only: codes and numbers, never PHI.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly detail: Record<string, string | number | boolean> | undefined;

  constructor(code: ErrorCode, message: string, detail?: Record<string, string | number | boolean>) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.detail = detail;
  }

  toWire(): WireError {
    return { code: this.code, message: this.message };
  }
}

/** True when `e` is an {@link AppError} (also across realms, by shape). */
export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError || (typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'AppError' && typeof (e as { code?: unknown }).code === 'string');
}

/**
 * What `window.api` throws (src/shared/api-client.ts): the wire error of a refused call, as an Error with its code.
 * Built in the page's own world, so `instanceof ApiError` and `code` hold (an Error thrown across Electron's
 * contextBridge keeps only its message). `message` is PHI-free, written by us.
 */
export class ApiError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
  }

  /** The error as it crossed the wire, `{ code, message }`. */
  toWire(): WireError {
    return { code: this.code, message: this.message };
  }
}
