/**
 * Plain-language explanations of error codes for front-desk staff: what
 * happened and what to do next. Codes come from src/shared/errors.ts.
 */
import { findProviderPolicy, SMTP_PROVIDER_POLICIES } from '../../shared/smtp-failures';

export interface Explanation {
  /** One short sentence: what happened. */
  title: string;
  /** What staff can do next. */
  next: string;
  /** Where in the app it is fixed ('settings': the email server settings), when it is fixed in the app. */
  fixIn?: 'settings';
  /** The provider's own help page for the fix (known providers only, e.g. Microsoft 365, Gmail). */
  link?: { label: string; url: string };
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
  // Bounces (issue 8).
  DELIVERY_BOUNCED: {
    title: 'The recipient’s mail server returned the email: the records were not delivered.',
    next: 'Make a letter for the patient, confirm a working address with them, and send the release again (for example as a password-protected PDF).',
  },
  IMAP_UNREACHABLE: { title: 'The bounce mailbox could not be reached.', next: 'Check the server name and port (usually 993) under Settings, and the network.' },
  IMAP_AUTH_FAILED: { title: 'The bounce mailbox refused the user name or password.', next: 'Check the bounce mailbox sign-in under Settings with whoever manages your practice’s email.' },
  IMAP_FAILED: { title: 'Reading the bounce mailbox failed.', next: 'Try “Check for bounces now” again later; if it keeps failing, check the bounce mailbox under Settings.' },
  BOUNCE_MAILBOX_NOT_SET: { title: 'No bounce mailbox is set up.', next: 'Add the mailbox that receives returned emails under Settings.' },
  // Retention, legal holds, backup and restore (issue 13).
  RETENTION_TOO_SHORT: {
    title: 'The retention policy was not saved: documentation and the audit log must be kept at least 6 years.',
    next: 'Enter 6 or more years (45 CFR 164.530(j)); a longer period is fine if your state requires it.',
  },
  BACKUP_FAILED: { title: 'The backup could not be written. Nothing was kept.', next: 'Check that the folder or drive is writable and has space, then try again.' },
  BACKUP_INVALID: { title: 'The backup copy did not verify, so it was not kept (or not restored).', next: 'Make a new backup, or choose another backup folder.' },
  BACKUP_NOT_FOUND: { title: 'That folder does not hold a ReleaseDesk backup.', next: 'Choose the folder named “releasedesk-backup-…” that a backup made.' },
  RESTORE_TARGET_NOT_EMPTY: {
    title: 'A backup is restored only on a computer without a vault; this one already has one.',
    next: 'Nothing was changed. To move to a new computer, restore there before setting it up.',
  },
  PRINT_CANCELLED: { title: 'Printing was cancelled. Nothing was recorded as disclosed.', next: 'Print again when you are ready.' },
  PRINT_FAILED: { title: 'The release could not be printed. Nothing was recorded as disclosed.', next: 'Check the printer and try again.' },
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
    next: 'A release waiting in the Outbox is tried again by itself. If it keeps failing, check the internet connection, then the server name and port.',
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
  CERT_NOT_CONFIRMED: {
    title: 'The recipient’s S/MIME certificate fingerprint has not been confirmed.',
    next: 'In the Recipient step, read the fingerprint to the recipient by phone or in person and tick the confirmation.',
  },
  CERT_CHAIN_UNTRUSTED: {
    title: 'No certificate authority ReleaseDesk trusts vouches for this certificate.',
    next: 'Compare the fingerprint with the recipient by phone or in person, then tick that you accept this certificate.',
  },
  CERT_REVOKED: {
    title: 'The recipient’s S/MIME certificate was revoked by its issuer.',
    next: 'Ask the recipient for their new certificate and import it, or choose another delivery method.',
  },
  CERT_REVOCATION_UNKNOWN: {
    title: 'ReleaseDesk could not check whether the recipient’s certificate was revoked.',
    next: 'Import the issuer’s current revocation list (CRL) in Settings, or confirm the certificate again and tick that you accept the risk.',
  },
  CRL_INVALID: {
    title: 'This file is not a certificate revocation list ReleaseDesk can read.',
    next: 'Ask the certificate authority for its CRL as a .crl or .pem file.',
  },
  PRACTICE_CERT_EXPIRED: {
    title: 'The practice S/MIME certificate has expired.',
    next: 'An administrator renews it in Settings → Practice S/MIME certificate (or imports a new one); then send again.',
  },
  PRACTICE_CERT_RENEWAL_UNCONFIRMED: {
    title: 'Confirm which practice certificate you are replacing.',
    next: 'Open Settings → Practice S/MIME certificate and use “Replace with a new self-made certificate”.',
  },
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
  VAULT_LOCKED: { title: 'ReleaseDesk is locked.', next: 'Unlock it with your name and passphrase.' },
  // --- staff accounts, MFA, two-person approval (issue #11) ---
  ROLE_NOT_PERMITTED: { title: 'Your role does not allow this.', next: 'Ask a colleague with the right role (administrator or privacy officer) to do it.' },
  APPROVAL_REQUIRED: {
    title: 'This release needs approval by a privacy officer before it can be sent.',
    next: 'Ask a privacy officer who did not prepare it to sign in on this computer, open the release and approve it.',
  },
  APPROVAL_NOT_PERMITTED: { title: 'You cannot approve this release.', next: 'A privacy officer other than the person who prepared it must approve it.' },
  APPROVAL_NOT_NEEDED: { title: 'This release does not need a second person’s approval.', next: 'No action is needed.' },
  MFA_REQUIRED: { title: 'This account uses two-step sign-in.', next: 'Type the 6-digit code from your authenticator app, or one of your recovery codes.' },
  MFA_INVALID: { title: 'That code is not valid or was already used.', next: 'Type the newest code from your authenticator app; check that your phone’s clock is right.' },
  ACCOUNT_INACTIVE: { title: 'This staff account is not active.', next: 'Ask your administrator.' },
  USER_EXISTS: { title: 'A staff account with that name already exists.', next: 'Use a different name, for example add an initial.' },
  LAST_ADMINISTRATOR: { title: 'This is the last administrator.', next: 'Add another administrator first.' },
  ROLE_CHANGE_SELF: { title: 'You cannot change your own role.', next: 'Ask another administrator to change it.' },
  MFA_ENROLLMENT_REQUIRED: { title: 'Your practice requires two-step sign-in.', next: 'Set it up on the screen shown now; then ReleaseDesk opens.' },
  // --- hardening (issue 14) ---
  VAULT_DAMAGED: {
    title: 'The vault is damaged, so ReleaseDesk cannot open it.',
    next: 'ReleaseDesk has not changed the vault. Restore vault.db and vault.kdf.json together from your backup; call whoever manages this computer.',
  },
  VAULT_NOT_A_VAULT: {
    title: 'The file in the vault’s place is not a ReleaseDesk vault.',
    next: 'ReleaseDesk has not changed it. Move that file away and put the vault back from your backup.',
  },
  KEY_UNSUPPORTED: {
    title: 'This key uses an algorithm ReleaseDesk cannot use.',
    next: 'Ask the recipient for a key made with RSA (3072 bits or more) or Curve25519, or send by another method.',
  },
  KEY_REVOCATION_UNMATCHED: {
    title: 'This revocation certificate is for a key ReleaseDesk does not hold for this recipient.',
    next: 'Check that you pasted the certificate the recipient sent for this key.',
  },
  // The address confirmation round trip (issue #12).
  ADDRESS_ALREADY_CONFIRMED: { title: 'This address is already confirmed for this patient.', next: 'No code is needed. Continue with the release.' },
  ADDRESS_CODE_NOT_SENT: { title: 'No code has been sent to this address yet.', next: 'Press “Send a confirmation code” first.' },
  ADDRESS_CODE_WRONG: {
    title: 'That is not the code that was sent.',
    next: 'Ask the recipient to read the code again, digit by digit, from the newest email. If it still does not match, check the address and send a new code.',
  },
  ADDRESS_CODE_EXPIRED: { title: 'The code has expired (codes work for 24 hours).', next: 'Send a new code and ask the recipient to read it back.' },
  ADDRESS_CODE_LOCKED: { title: 'Too many wrong tries for this code.', next: 'Check the address with the recipient, then send a new code.' },
  ADDRESS_NEEDS_FIX: {
    title: 'The address has something extra around it.',
    next: 'Use the suggested address, or type it again.',
  },
  SMTPUTF8_REQUIRED: {
    title: 'The practice’s email server cannot send to an address with non-English letters before the @.',
    next: 'Ask the recipient for another address, or send by another method (password PDF on a drive, or print).',
  },
  // SMTP failure classes (src/shared/smtp-failures.ts)
  SMTP_TLS_MODE_MISMATCH: {
    title: 'The security setting does not match the email server’s port, so nothing was sent.',
    next: 'Port 465 uses TLS and port 587 uses STARTTLS. In Settings, choose the security that matches the port (or change the port), then use “Test connection”.',
  },
  TLS_CERT_EXPIRED: {
    title: 'The email server’s certificate has expired or is not valid yet, so nothing was sent.',
    next: 'Check that this computer’s date and time are right. If they are, whoever runs the email server must renew its certificate.',
  },
  TLS_CERT_WRONG_HOST: {
    title: 'The email server’s certificate belongs to a different server name, so nothing was sent.',
    next: 'In Settings, enter the exact server name your email provider gives (for example smtp.example.com), then use “Test connection”.',
  },
  TLS_CERT_WEAK: {
    title: 'The email server’s certificate uses outdated security (a weak key or SHA-1), so nothing was sent.',
    next: 'Records are only sent over current encryption. Ask whoever runs the email server to replace its certificate; until then, choose another way to deliver.',
  },
  SMTP_AUTH_POLICY: {
    title: 'The email provider blocked the sign-in by policy; the password may well be right.',
    next: 'Your email administrator must allow this mailbox to send from apps (or give you an app password), then enter it in Settings.',
  },
  SMTP_TEMPORARY_FAILURE: {
    title: 'The email server could not take the message right now. It was not delivered.',
    next: 'This usually passes: try again in a few minutes. If it keeps happening, ask your email administrator.',
  },
  SMTP_MESSAGE_REJECTED: {
    title: 'The email server refused the message after receiving it. It was not delivered.',
    next: 'Ask your email administrator why the server refused it (its filters may block the attachment), or choose another delivery method.',
  },
  SMTP_MESSAGE_TOO_LARGE: {
    title: 'The message is larger than the email server accepts. It was not sent.',
    next: 'Lower “Largest attachment per email” in Settings, then press “Try again”: the records go in smaller parts. Or save the release to a folder or drive instead.',
  },
  SMTP_NO_REPLY: {
    title: 'The email server received the whole message but never confirmed it. It may have been delivered.',
    next: 'Do not simply send again. Ask the recipient whether it arrived, or resend the same stored message (the same copy, not a new one).',
  },
  SEND_INTERRUPTED: {
    title: 'ReleaseDesk stopped while this release was being sent.',
    next: 'Nothing is lost: what may have arrived is marked for you to check, the rest is sent from the outbox by itself.',
  },
  OUTBOX_INTEGRITY: {
    title: 'A prepared message of this release was found damaged in the vault, so it was not sent.',
    next: 'Nothing of that message reached the recipient. Prepare and send the release again; if it happens again, contact support.',
  },
  QUEUE_CLAIM_LOST: {
    title: 'Another workstation took over sending this release.',
    next: 'Nothing was sent twice. Open the practice outbox: the release shows what the other workstation did with it.',
  },
  SEND_GAVE_UP: {
    title: 'ReleaseDesk tried many times and stopped trying by itself.',
    next: `Check the internet connection and the email server settings, then press “Try again”. ${SMTP_FIX}`,
  },
  RELEASE_QUEUED: {
    title: 'This release is waiting in the outbox.',
    next: 'To change it, take it out of the outbox first (Outbox → “Take out to change”).',
  },
  RELEASE_UNCONFIRMED: {
    title: 'This release may already have been delivered.',
    next: 'Ask the recipient whether it arrived, then record the answer in the release or the outbox.',
  },
  RELEASE_CANCELLED: { title: 'This release was cancelled.', next: 'Start a new release from the request if the records must still go out.' },
  // The practice server (PostgreSQL, issue #17): main's message names the case; these say what to do next.
  PRACTICE_SERVER_UNREACHABLE: {
    title: 'The practice server could not be reached.',
    next: 'Check the server name and port with your IT provider, that the server is running, and that this computer is on the practice network.',
  },
  PRACTICE_SERVER_TIMEOUT: { title: 'The practice server did not answer in time.', next: 'Check that the server is running and reachable from this computer, then test again.' },
  PRACTICE_SERVER_NO_TLS: {
    title: 'The practice server offered no encrypted connection, so ReleaseDesk did not connect.',
    next: 'Check the server name and port. Then ask your IT provider to turn on TLS in PostgreSQL (ssl = on, “hostssl” lines in pg_hba.conf): ReleaseDesk never connects without it.',
  },
  PRACTICE_SERVER_TLS_UNTRUSTED: {
    title: 'The practice server’s certificate could not be verified, so ReleaseDesk did not connect.',
    next: 'Check with your IT provider that the CA certificate pasted here is the one that signed the server’s certificate, and that the server name is the one on that certificate.',
  },
  PRACTICE_SERVER_AUTH_FAILED: {
    title: 'The practice server did not accept the user name and password.',
    next: 'Check the user name and password with your IT provider (and that pg_hba.conf lets this user connect from this computer), then test again.',
  },
  PRACTICE_SERVER_DATABASE_MISSING: { title: 'The practice server has no database with that name.', next: 'Check the database name with your IT provider.' },
  PRACTICE_SERVER_CA_INVALID: { title: 'The CA certificate could not be used.', next: 'Paste the CA certificate your IT provider gave you (a .crt or .pem file opened as text).' },
  PRACTICE_SERVER_FAILED: { title: 'Connecting to the practice server failed.', next: 'Test again; if it keeps failing, ask your IT provider to look at the server’s log.' },
  PRACTICE_SERVER_NOT_SET: { title: 'This workstation is not connected to a practice server.', next: 'Nothing needs to be done.' },
  PRACTICE_SYNC_CONFLICT_STALE: {
    title: 'The practice server’s version of this request changed again while you decided.',
    next: 'Nothing was changed. Look at the request in “Needs a decision” again and choose once more.',
  },
  INTERNAL: { title: 'Something unexpected went wrong.', next: 'Try again. If it keeps happening, contact support.' },
};

/** Send failures that are not fixed in the email server settings (the server or the message decides). */
const NOT_FIXED_IN_SETTINGS = new Set(['SMTP_REJECTED', 'SMTP_TEMPORARY_FAILURE', 'SMTP_MESSAGE_REJECTED', 'SMTP_MESSAGE_TOO_LARGE', 'SMTP_NO_REPLY']);

/**
 * Explains `code` for staff.
 * @param code an ERROR_CODES value (unknown codes get a generic explanation).
 * @param message the PHI-free message from main, used as the title when the code has no entry.
 * @param detail the error's detail when the caller has it (e.g. a queued send's last error): for
 *   SMTP_AUTH_POLICY its `provider` and `reason` select the provider's fix and link. Without it the
 *   policy is recognised from the fix text and link main put in `message` (constants of SMTP_PROVIDER_POLICIES).
 */
export function explain(code: string, message?: string, detail?: Record<string, unknown>): Explanation {
  let ex = EXPLANATIONS[code] ?? {
    title: message ?? 'Something went wrong.',
    next: 'Check the details and try again.',
  };
  if (code === 'SMTP_AUTH_POLICY') {
    const policy =
      findProviderPolicy(detail?.provider, detail?.reason) ??
      SMTP_PROVIDER_POLICIES.find((p) => message?.includes(p.fix)) ??
      SMTP_PROVIDER_POLICIES.find((p) => message?.includes(p.fixUrl));
    if (policy) ex = { ...ex, next: policy.fix, link: { label: `${policy.providerName} instructions`, url: policy.fixUrl } };
  }
  // A bounce's message is ours (part, status code, plain reason): it is the most precise title.
  if (code === 'DELIVERY_BOUNCED' && message) ex = { ...ex, title: message };
  // Vault-file, key, certificate and address refusals name what is wrong (file type, fingerprint and date, suggested
  // address, tries left for a confirmation code).
  if (/^(VAULT_DAMAGED|VAULT_NOT_A_VAULT|KEY_|CERT_|PKCS12_|PRACTICE_CERT_|CRL_|ADDRESS_NEEDS_FIX|ADDRESS_CODE_|SMTPUTF8_REQUIRED|RETENTION_TOO_SHORT|PRACTICE_SERVER_)/.test(code) && message)
    ex = { ...ex, title: message };
  // Email-server and TLS problems are fixed in Settings → Outgoing email server.
  return /^(TLS_|SMTP_)/.test(code) && !NOT_FIXED_IN_SETTINGS.has(code) ? { ...ex, fixIn: 'settings' } : ex;
}

/**
 * True for send failures after which nothing was sent and the release can be retried unchanged.
 * Not SMTP_NO_REPLY: that message may have been delivered (staff decide: ask the recipient or resend the same copy).
 */
export function isRetryableSendFailure(code: string): boolean {
  return (/^(TLS_|SMTP_)/.test(code) && code !== 'SMTP_NO_REPLY') || code === 'INTERNAL' || code === 'SEND_GAVE_UP' || code === 'SEND_INTERRUPTED';
}
