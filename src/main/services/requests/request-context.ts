import type { RequestStatus, RulePack } from '../../../shared/compliance';
import { isAppError } from '../../../shared/errors';
import type { FilePicker } from '../documents/picker';
import type { FileSaver } from '../documents/saver';
import type { ReferenceIssuer } from '../practice/reference-issuer';
import type { Session } from '../session';

export interface RequestServiceDeps {
  session: Session;
  /** Where a scanned signed authorization comes from (same picker as documents.pick). */
  filePicker: FilePicker;
  /** Where exported documents go; absent → documents.export answers EXPORT_UNAVAILABLE. */
  fileSaver?: FileSaver;
  /** Sensitive-category rule packs (default: DEFAULT_RULE_PACKS). */
  rulePacks?: readonly RulePack[];
  /** Assets root for PDF fonts (default `<cwd>/assets`). */
  assetsRoot?: string;
}

/** What the request steps (request-intake, -notices, -authorizations, -authority, -views) share: RequestService's deps, clock and zone. */
export interface RequestContext {
  readonly session: Session;
  readonly deps: RequestServiceDeps;
  /** The session clock's now. */
  now(): Date;
  /** The practice's IANA time zone (setting `practice.timeZone`). @throws AppError VAULT_LOCKED | NOT_FOUND */
  timeZone(): string;
  /** Issues practice-wide references for new requests (absent or null answer: the vault's own numbering). */
  referenceIssuer?: ReferenceIssuer | undefined;
}

/** Statuses in which a request is still owed (its clock runs). */
export const OPEN: readonly RequestStatus[] = ['received', 'verifying', 'ready', 'partly_sent', 'failed'];

/** Run `check` (may throw AppError); an AppError is audited as refused under `action` and rethrown. */
export function refuseAudited<T>(ctx: RequestContext, action: string, subject: { type: string; id: string | null }, check: () => T): T {
  try {
    return check();
  } catch (e) {
    if (isAppError(e)) ctx.session.recordFailure(action, subject, e);
    throw e;
  }
}
