/**
 * Plain-language names of audit events, shared by the Audit screen and the report PDFs/CSVs, so a
 * privacy officer never reads a raw code like `request.view`. Pure TypeScript (runs everywhere).
 */

import { formatFingerprint } from './fingerprint';
import { ROLE_LABEL } from './roles';

/** Kinds of action a privacy officer filters by. */
export const AUDIT_ACTION_KINDS = ['access', 'disclosure', 'records', 'requests', 'authorizations', 'security', 'reports'] as const;
export type AuditActionKind = (typeof AUDIT_ACTION_KINDS)[number];

export const ACTION_KIND_LABEL: Record<AuditActionKind, string> = {
  access: 'Viewed records',
  disclosure: 'Sent, exported or printed',
  records: 'Imported or changed records',
  requests: 'Requests',
  authorizations: 'Authorizations and consents',
  security: 'Sign-in, settings and log checks',
  reports: 'Reports and accountings',
};

/**
 * Per event code: the kind, a verb phrase completing "<staff member> …" (the object is added by
 * describeAuditEvent), and whether it is an access to a patient's records (access report, 164.312(b)).
 */
export const AUDIT_ACTIONS: Record<string, { kind: AuditActionKind; verb: string; access?: 'viewed' | 'imported' | 'exported' | 'printed' | 'sent' | 'changed' }> = {
  'request.view': { kind: 'access', verb: 'opened request', access: 'viewed' },
  'release.view': { kind: 'access', verb: 'opened release', access: 'viewed' },
  'release.print_view': { kind: 'access', verb: 'opened the print packet of release', access: 'printed' },
  'release.send': { kind: 'disclosure', verb: 'sent release', access: 'sent' },
  'release.send_attempt': { kind: 'disclosure', verb: 'started sending release' },
  'release.send_interrupted': { kind: 'disclosure', verb: 'found an interrupted send of release' },
  // --- the practice server's shared outbox (issue #17) ---
  'release.pushed_to_practice': { kind: 'disclosure', verb: 'handed to the practice outbox release' },
  'release.waiting_for_server': { kind: 'disclosure', verb: 'kept on this computer until the practice server is back: release' },
  'release.practice_outcome': { kind: 'disclosure', verb: 'received the practice outbox’s result for release' },
  'release.export': { kind: 'disclosure', verb: 'exported release', access: 'exported' },
  'release.print': { kind: 'disclosure', verb: 'printed release', access: 'printed' },
  'release.packet_prepared': { kind: 'disclosure', verb: 'prepared the packet of release' },
  'release.create': { kind: 'records', verb: 'started a release for request' },
  'release.set_recipient': { kind: 'records', verb: 'set the recipient of release' },
  // --- hardening (issue 14) ---
  'release.recipient_key_withdrawn': { kind: 'records', verb: 'withdrew the confirmed recipient key (revoked or expired) of release' },
  // --- S/MIME (issue 18) ---
  'release.recipient_certificate_import': { kind: 'records', verb: 'imported the recipient’s S/MIME certificate for release' },
  'release.recipient_certificate_confirm': { kind: 'records', verb: 'confirmed the recipient’s S/MIME certificate fingerprint for release' },
  'release.recipient_certificate_withdrawn': { kind: 'records', verb: 'withdrew the confirmed S/MIME certificate (no longer valid) of release' },
  'practice_smime.create': { kind: 'security', verb: 'made the practice’s own S/MIME certificate' },
  'practice_smime.import': { kind: 'security', verb: 'imported the practice’s S/MIME certificate' },
  'practice_smime.renew': { kind: 'security', verb: 'replaced the practice’s S/MIME certificate with a new self-made one' },
  'release.recipient_certificate_check': { kind: 'records', verb: 'checked the recipient’s S/MIME certificate (dates, revocation) before sending release' },
  'smime_crl.import': { kind: 'security', verb: 'imported a certificate revocation list (CRL)' },
  'release.override_scope': { kind: 'records', verb: 'added a document outside the request’s scope to release', access: 'changed' },
  'document.import': { kind: 'records', verb: 'imported a record file into release', access: 'imported' },
  'document.remove': { kind: 'records', verb: 'removed a record file from release', access: 'changed' },
  // --- the right patient (issue #12) ---
  'document.patient_check': { kind: 'records', verb: 'compared the record files with the patient of release' },
  'document.patient_confirm': { kind: 'records', verb: 'confirmed that a record file flagged as another patient’s belongs in release', access: 'changed' },
  'document.preview': { kind: 'access', verb: 'looked at the pages of a record file in release', access: 'viewed' },
  'document.classify': { kind: 'records', verb: 'filed the record files of release', access: 'changed' },
  'document.export': { kind: 'disclosure', verb: 'saved a document of', access: 'exported' },
  'request.create': { kind: 'requests', verb: 'recorded request' },
  'request.status': { kind: 'requests', verb: 'changed the status of request' },
  'request.verify': { kind: 'requests', verb: 'recorded an identity check for request' },
  'request.extend': { kind: 'requests', verb: 'extended the deadline of request' },
  'request.deny': { kind: 'requests', verb: 'denied request' },
  'request.denial_notice': { kind: 'requests', verb: 'made the written denial notice for request' },
  'request.withdraw': { kind: 'requests', verb: 'recorded the withdrawal of request' },
  'unencrypted_email.acknowledge': { kind: 'requests', verb: 'recorded the patient’s choice of unencrypted email for request' },
  'authorization.create': { kind: 'authorizations', verb: 'recorded an authorization for request' },
  'authorization.replace': { kind: 'authorizations', verb: 'replaced an authorization for request' },
  'authorization.revoke': { kind: 'authorizations', verb: 'recorded the revocation of an authorization' },
  'authorization.form': { kind: 'authorizations', verb: 'prepared an authorization form' },
  'authorization.attach_signed_form': { kind: 'authorizations', verb: 'attached a signed authorization' },
  'part2_consent.create': { kind: 'authorizations', verb: 'recorded a Part 2 consent for request' },
  'vault.unlock': { kind: 'security', verb: 'unlocked ReleaseDesk' },
  'vault.lock': { kind: 'security', verb: 'locked ReleaseDesk' },
  'setup.complete': { kind: 'security', verb: 'set up ReleaseDesk' },
  'practice_key.generate': { kind: 'security', verb: 'created the practice’s OpenPGP key' },
  'practice_key.import': { kind: 'security', verb: 'made an existing OpenPGP key the practice’s key' },
  'settings.change': { kind: 'security', verb: 'changed settings' },
  'settings.smtp_test': { kind: 'security', verb: 'tested the mail server connection' },
  'settings.practice_key_export': { kind: 'security', verb: 'saved the practice’s public key' },
  'rpc.input_refused': { kind: 'security', verb: 'entered something ReleaseDesk could not accept' },
  'audit.verify': { kind: 'security', verb: 'checked the audit log’s integrity' },
  'audit.report_export': { kind: 'reports', verb: 'exported an audit report' },
  'audit.accounting_export': { kind: 'reports', verb: 'exported an accounting of disclosures for', access: 'exported' },
  'audit.access_report_export': { kind: 'reports', verb: 'exported an access report' },
  'audit.disclosure_record': { kind: 'reports', verb: 'recorded a disclosure made outside ReleaseDesk for', access: 'changed' },
  'audit.suspension_record': { kind: 'reports', verb: 'recorded a suspension of the accounting for' },
  'audit.receipt_check': { kind: 'security', verb: 'checked the audit log against a receipt' },
  'audit.checkpoint': { kind: 'security', verb: 'recorded a checkpoint of the audit log' },
  // --- retention, legal hold, backup (issue #13) ---
  'retention.policy_change': { kind: 'security', verb: 'changed the retention policy' },
  'retention.hold_place': { kind: 'records', verb: 'placed a legal hold' },
  'retention.hold_release': { kind: 'records', verb: 'released a legal hold' },
  'retention.purge': { kind: 'records', verb: 'purged content past its retention period' },
  'vault.backup': { kind: 'security', verb: 'made a backup of the vault' },
  'vault.restore': { kind: 'security', verb: 'restored the vault from a backup' },
  // --- end retention ---
  // --- staff accounts, MFA, two-person approval (issue #11) ---
  'user.create': { kind: 'security', verb: 'added a staff account' },
  'rpc.role_refused': { kind: 'security', verb: 'tried something their role does not allow' },
  'rpc.mfa_enrollment_refused': { kind: 'security', verb: 'tried to work before setting up the two-step sign-in the practice requires' },
  'user.role_change': { kind: 'security', verb: 'changed the role of' },
  'user.deactivate': { kind: 'security', verb: 'deactivated a staff account' },
  'user.reset_passphrase': { kind: 'security', verb: 'reset the passphrase of a staff account' },
  'user.change_passphrase': { kind: 'security', verb: 'changed their own passphrase' },
  'user.migrate': { kind: 'security', verb: 'became the first administrator (shared passphrase turned into a staff account)' },
  'user.mfa_start': { kind: 'security', verb: 'started setting up two-step sign-in' },
  'user.mfa_enroll': { kind: 'security', verb: 'turned on two-step sign-in' },
  'release.approve': { kind: 'disclosure', verb: 'approved (two-person rule) the sending of release' },
  // --- end staff accounts ---
  // --- address confirmation round trip (issue #12) ---
  'address.code_sent': { kind: 'records', verb: 'emailed an address confirmation code for release' },
  'address.confirm': { kind: 'records', verb: 'recorded the address confirmation code read back for release' },
  // --- sending, the outbox and what came back (labels for codes written since issue #5; test/unit/audit/emitted-labels.test.ts) ---
  'release.queued': { kind: 'disclosure', verb: 'queued for sending release' },
  'release.requeue': { kind: 'disclosure', verb: 'queued again for sending release' },
  'release.queue_pause': { kind: 'disclosure', verb: 'paused the sending of release' },
  'release.queue_resume': { kind: 'disclosure', verb: 'resumed the sending of release' },
  'release.part_sent': { kind: 'disclosure', verb: 'sent one message of release' },
  'release.part_unconfirmed': { kind: 'disclosure', verb: 'got no answer from the mail server (delivery unconfirmed) for one message of release' },
  'release.part_failed': { kind: 'disclosure', verb: 'could not send one message of release' },
  'release.resolve_unconfirmed': { kind: 'disclosure', verb: 'decided on the unconfirmed delivery of release' },
  'release.disclosed': { kind: 'disclosure', verb: 'recorded the disclosure of release' },
  'release.print_prepared': { kind: 'disclosure', verb: 'prepared the print packet of release' },
  'release.passphrase_view': { kind: 'security', verb: 'looked at the PDF passphrase of release' },
  'release.passphrase_given': { kind: 'security', verb: 'recorded giving the PDF passphrase to the recipient (erased from the vault) of release' },
  'release.bounced': { kind: 'disclosure', verb: 'received a bounce (not delivered) for release' },
  'release.part_bounced': { kind: 'disclosure', verb: 'received a bounce for one message of release' },
  'release.delivery_delayed': { kind: 'disclosure', verb: 'received a delayed-delivery notice for release' },
  'release.failure_notice': { kind: 'disclosure', verb: 'made the delivery failure notice for release' },
  'release.reopen': { kind: 'records', verb: 'reopened the failed release' },
  'release.cancel': { kind: 'records', verb: 'asked to cancel release' },
  'release.cancelled': { kind: 'records', verb: 'cancelled release' },
  'release.withdraw': { kind: 'records', verb: 'asked to withdraw release' },
  'release.withdrawn': { kind: 'records', verb: 'withdrew (back to draft) release' },
  'bounces.check': { kind: 'disclosure', verb: 'checked the bounce mailbox for undelivered releases' },
  'settings.bounce_mailbox_test': { kind: 'security', verb: 'tested the bounce mailbox connection' },
  // --- requests ---
  'request.amend': { kind: 'requests', verb: 'amended request' },
  'request.representative_authority': { kind: 'requests', verb: 'recorded the personal representative’s authority for request' },
  'part2_consent.revoke': { kind: 'authorizations', verb: 'recorded the revocation of a Part 2 consent' },
  // --- practice server (PostgreSQL, issue #17) ---
  'practice_server.test': { kind: 'security', verb: 'tested the connection to the practice server' },
  'practice_server.configure': { kind: 'security', verb: 'connected this workstation to the practice server' },
  'practice_server.disconnect': { kind: 'security', verb: 'disconnected this workstation from the practice server' },
  'unencrypted_email.withdraw': { kind: 'requests', verb: 'recorded that the patient withdrew the choice of unencrypted email for request' },
};

/** The plain name of an event code; an unknown code becomes readable words, never the raw code. */
export function actionVerb(action: string): string {
  return AUDIT_ACTIONS[action]?.verb ?? action.replace(/[._]/g, ' ');
}

/** The kind of an event code ('security' for unknown codes). */
export function actionKind(action: string): AuditActionKind {
  return AUDIT_ACTIONS[action]?.kind ?? 'security';
}

/** Event codes of one kind (for filtering in SQL). */
export function actionsOfKind(kind: AuditActionKind): string[] {
  return Object.entries(AUDIT_ACTIONS)
    .filter(([, v]) => v.kind === kind)
    .map(([k]) => k);
}

export const OUTCOME_LABEL = { success: 'Done', failure: 'Failed', refused: 'Refused' } as const;

export const METHOD_PHRASE: Record<string, string> = {
  'openpgp-pgp-mime': 'by OpenPGP email',
  smime: 'by S/MIME encrypted email',
  'password-pdf': 'by password-protected PDF',
  'tls-only-email': 'by unencrypted email (patient’s choice)',
  export: 'to a folder or drive',
  print: 'on paper',
};

/** Facts about an event's subject resolved from the vault (never from the event's detail). */
export interface AuditEventContext {
  releaseReference?: string | null;
  requestReference?: string | null;
  recipientName?: string | null;
  patientName?: string | null;
}

/**
 * One sentence for an event (an attempt that did not happen starts with "Refused:" or "Failed:"), e.g. "Dana Frontdesk sent release R-2026-00004 to Acme Life by password-protected PDF".
 * @param e the event (actor, action, outcome, detail)
 * @param ctx references resolved for its subject
 */
export function describeAuditEvent(
  e: { actor: string; action: string; outcome: 'success' | 'failure' | 'refused'; detail: Record<string, string | number | boolean> },
  ctx: AuditEventContext,
): string {
  const verb = actionVerb(e.action);
  const ref = (verb.endsWith(' request') ? ctx.requestReference : verb.endsWith(' release') ? ctx.releaseReference : null) ?? ctx.releaseReference ?? ctx.requestReference ?? '';
  const needsObject = / (release|request|of|for|into release|from release)$/.test(verb);
  let s = `${e.outcome === 'success' ? '' : `${OUTCOME_LABEL[e.outcome]}: `}${e.actor} ${verb}`;
  if (e.action === 'user.role_change') {
    // Whose account (a staff name, never PHI) and the roles before and after.
    const role = (r: unknown) => (typeof r === 'string' && r in ROLE_LABEL ? ROLE_LABEL[r as keyof typeof ROLE_LABEL] : 'another role');
    s += ` ${typeof e.detail.accountName === 'string' ? e.detail.accountName : 'a staff account'}`;
    if (e.detail.from !== undefined || e.detail.to !== undefined) s += ` from ${role(e.detail.from)} to ${role(e.detail.to)}`;
  } else if (needsObject) s += ` ${ref || (ctx.patientName ? `${ctx.patientName}’s records` : 'a record no longer in the vault')}`;
  if ((e.action === 'release.send' || e.action === 'release.export') && ctx.recipientName && e.outcome === 'success') s += ` to ${ctx.recipientName}`;
  const method = typeof e.detail.method === 'string' ? METHOD_PHRASE[e.detail.method] : undefined;
  if (method && e.action.startsWith('release.')) s += ` ${method}`;
  // S/MIME: the recipient certificate the release was encrypted to (or that was imported, confirmed, withdrawn).
  if (typeof e.detail.certificateFingerprint === 'string' && (e.action.startsWith('release.') || e.action.startsWith('practice_smime.')))
    s += `, certificate ${formatFingerprint(e.detail.certificateFingerprint)}`;
  if (e.outcome !== 'success' && typeof e.detail.code === 'string') s += ` (${e.detail.code.toLowerCase().replace(/_/g, ' ')})`;
  return s.replace(/ {2,}/g, ' ').trim();
}
