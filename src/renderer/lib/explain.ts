/**
 * Plain-language explanations of error codes for front-desk staff: what
 * happened and what to do next. Codes come from src/shared/errors.ts.
 */
import { findProviderPolicy, SMTP_PROVIDER_POLICIES } from '../../shared/smtp-failures';
import explanations from '../../shared/explanations.json';

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

/**
 * Where an explanation is read, which decides where the email server settings are: 'app' (anywhere once set up:
 * under Settings), 'settings' (the Settings screen itself: on this page), 'setup' (first setup: the fields above —
 * there is no Settings screen yet).
 */
export type ExplainWhere = 'app' | 'settings' | 'setup';

/** What to do about the email server settings, per {@link ExplainWhere}. */
const SMTP_FIX: Record<ExplainWhere, string> = {
  app: 'Check the email server settings under Settings (use “Test connection”) with whoever manages your practice’s email, then try again.',
  settings: 'Check the email server settings on this page with whoever manages your practice’s email, then press “Test connection” again.',
  setup: 'Check the server name, port, encryption, username and password above with whoever manages your practice’s email, then press “Test connection” again.',
};

/**
 * Per error code, what happened (`title`) and what to do next (`next`). The table is data (explanations.json, one code
 * a line); "{smtpFix}" in a `next` stands for {@link SMTP_FIX} of where it is read.
 */
const EXPLANATIONS: Readonly<Record<string, Explanation>> = explanations;

/** Send failures that are not fixed in the email server settings (the server or the message decides). */
const NOT_FIXED_IN_SETTINGS = new Set(['SMTP_REJECTED', 'SMTP_TEMPORARY_FAILURE', 'SMTP_MESSAGE_REJECTED', 'SMTP_MESSAGE_TOO_LARGE', 'SMTP_NO_REPLY']);

/**
 * Explains `code` for staff.
 * @param code an ERROR_CODES value (unknown codes get a generic explanation).
 * @param message the PHI-free message from main, used as the title when the code has no entry.
 * @param detail the error's detail when the caller has it (e.g. a queued send's last error): for
 *   SMTP_AUTH_POLICY its `provider` and `reason` select the provider's fix and link. Without it the
 *   policy is recognised from the fix text and link main put in `message` (constants of SMTP_PROVIDER_POLICIES).
 * @param where where it is read (see {@link ExplainWhere}); decides where the email server settings are said to be.
 */
export function explain(code: string, message?: string, detail?: Record<string, unknown>, where: ExplainWhere = 'app'): Explanation {
  const known = EXPLANATIONS[code];
  let ex: Explanation = known
    ? { title: known.title, next: known.next.replace('{smtpFix}', SMTP_FIX[where]) }
    : { title: message ?? 'Something went wrong.', next: 'Check the details and try again.' };
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
  // Main's email-server and TLS messages say the same as the table's title, often more precisely (which certificate
  // problem): one of them is shown, not both. (A provider policy's message carries its fix, which `next` already says.)
  if (/^(TLS_|SMTP_)/.test(code) && code !== 'SMTP_AUTH_POLICY' && message) ex = { ...ex, title: message };
  // Email-server and TLS problems are fixed in Settings → Outgoing email server (during setup: in the form itself).
  return /^(TLS_|SMTP_)/.test(code) && !NOT_FIXED_IN_SETTINGS.has(code) && where !== 'setup' ? { ...ex, fixIn: 'settings' } : ex;
}

/**
 * True for send failures after which nothing was sent and the release can be retried unchanged.
 * Not SMTP_NO_REPLY: that message may have been delivered (staff decide: ask the recipient or resend the same copy).
 */
export function isRetryableSendFailure(code: string): boolean {
  return (/^(TLS_|SMTP_)/.test(code) && code !== 'SMTP_NO_REPLY') || code === 'INTERNAL' || code === 'SEND_GAVE_UP' || code === 'SEND_INTERRUPTED';
}
