/**
 * Plain-language names of audit events, shared by the Audit screen and the report PDFs/CSVs, so a
 * privacy officer never reads a raw code like `request.view`. Pure TypeScript (runs everywhere).
 */

import { z } from 'zod';
import auditActions from './audit-actions.json';
import auditChannels from './audit-channels.json';
import auditReasons from './audit-reasons.json';
import explanations from './explanations.json';
import type { ErrorCode } from './errors';
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

/** What a person's access to a patient's records was, for the access report (45 CFR 164.312(b)). */
export const RECORD_ACCESSES = ['viewed', 'imported', 'exported', 'printed', 'sent', 'changed'] as const;

/**
 * What the table says of one event code: its kind, a verb phrase completing "<staff member> …" (the object is added
 * by describeAuditEvent), and whether it is an access to a patient's records (access report, 164.312(b)).
 */
const AuditAction = z.object({ kind: z.enum(AUDIT_ACTION_KINDS), verb: z.string().min(1), access: z.enum(RECORD_ACCESSES).optional() }).strict();

/**
 * Per event code, its kind, verb phrase and record access. The table is data (audit-actions.json, one code a line;
 * test/unit/audit/emitted-labels.test.ts checks every emitted code has a line), checked against {@link AuditAction}
 * when loaded, so a wrong kind fails at start-up rather than mislabelling the log.
 */
export const AUDIT_ACTIONS: Readonly<Record<string, z.output<typeof AuditAction>>> = z.record(z.string(), AuditAction).parse(auditActions);

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

const CHANNEL_PHRASE: Readonly<Record<string, string>> = z.record(z.string(), z.string().min(1)).parse(auditChannels);
const EXPLANATION_TITLE: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(explanations).map(([code, ex]) => [code, ex.title]));
const REASON: Readonly<Record<string, string>> = z.record(z.string(), z.string().min(1)).parse(auditReasons);

/** What a channel does, in plain words ("export the practice’s signing key"), for refusals audited under the channel. */
export function channelPhrase(channel: string): string {
  return CHANNEL_PHRASE[channel] ?? `work on ${channel.split('.')[0]!.replace(/([a-z])([A-Z0-9])/g, '$1 $2').toLowerCase()}`;
}

/**
 * Why an attempt failed or was refused, as one plain sentence for staff and the privacy officer: the staff
 * explanation's title (src/shared/explanations.json) or, for codes staff never see explained, audit-reasons.json.
 * Every ErrorCode has one (test/unit/audit/labels.test.ts); an unknown code gets a generic sentence, never the code.
 */
export function reasonFor(code: ErrorCode | string): string {
  return EXPLANATION_TITLE[code] ?? REASON[code] ?? 'ReleaseDesk recorded why, by its internal reason code.';
}

/**
 * One sentence for an event (an attempt that did not happen starts with "Refused:" or "Failed:" and ends with its
 * reason), e.g. "Dana Frontdesk sent release R-2026-00004 to Acme Life by password-protected PDF", or "Refused: Sam
 * Frontdesk tried something their role does not allow: export the practice’s signing key. Your role does not allow
 * this."
 * @param e the event (actor, action, outcome, detail; subject when the event is about a channel)
 * @param ctx references resolved for its subject
 */
export function describeAuditEvent(
  e: {
    actor: string;
    action: string;
    outcome: 'success' | 'failure' | 'refused';
    detail: Record<string, string | number | boolean>;
    subjectType?: string | null;
    subjectId?: string | null;
  },
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
  } else if (e.subjectType === 'channel' && e.subjectId) {
    // A refusal at the door (role, two-step sign-in, input): what was tried, in plain words.
    s += `: ${channelPhrase(e.subjectId)}`;
  } else if (needsObject) s += ` ${ref || (ctx.patientName ? `${ctx.patientName}’s records` : 'a record no longer in the vault')}`;
  if ((e.action === 'release.send' || e.action === 'release.export') && ctx.recipientName && e.outcome === 'success') s += ` to ${ctx.recipientName}`;
  const method = typeof e.detail.method === 'string' ? METHOD_PHRASE[e.detail.method] : undefined;
  if (method && e.action.startsWith('release.')) s += ` ${method}`;
  // S/MIME: the recipient certificate the release was encrypted to (or that was imported, confirmed, withdrawn).
  if (typeof e.detail.certificateFingerprint === 'string' && (e.action.startsWith('release.') || e.action.startsWith('practice_smime.')))
    s += `, certificate ${formatFingerprint(e.detail.certificateFingerprint)}`;
  s = s.replace(/ {2,}/g, ' ').trim();
  if (e.outcome !== 'success' && typeof e.detail.code === 'string') s += `. ${reasonFor(e.detail.code)}`;
  return s;
}
