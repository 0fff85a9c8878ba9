/**
 * The patient notice after a failed or bounced delivery: a PHI-free letter (see delivery-failure-notice.ts) in the
 * language recorded at intake, kept in the vault and offered to staff to save or print. Making it changes nothing
 * about the release or its request: the 30-day clock (45 CFR 164.524(b)(2)) keeps running from the request.
 */
import { ACCESS_BASES, accessClock, localDate } from '../compliance';
import { renderDeliveryFailureNotice, type NoticeLanguage } from '../compliance/documents/delivery-failure-notice';
import { AppError } from '../../../shared/errors';
import { checkPdf } from '../documents/documents';
import type { FileSaver } from '../documents/saver';
import { getRequest } from '../requests/repo';
import { practiceContact } from '../requests/request-service';
import { noticeLanguageOf } from '../../../shared/languages';
import type { Session } from '../session';
import { requireSetting } from '../settings/settings';
import { newId } from '../support/ids';
import { insertReleaseNotice } from './bounce-repo';
import { listTransmissions, releaseState } from './repo';

/** What {@link makeFailureNotice} made. */
export interface FailureNotice {
  noticeId: string;
  language: NoticeLanguage;
  pageCount: number;
  pdf: Uint8Array;
  /** The request's due date printed on the notice (right of access only), or null. */
  dueDate: string | null;
}

/**
 * Make, keep and audit the delivery-failure notice of a bounced or failed release.
 * @param deps the unlocked session; fonts root
 * @param releaseId the release
 * @returns {@link FailureNotice}
 * @throws AppError STATUS_TRANSITION_INVALID unless the release is bounced or failed; NOT_FOUND; VAULT_LOCKED
 * @source 45 CFR 164.524(b)(2), (c)(2)–(3); 45 CFR 92.201 (language access)
 */
export async function makeFailureNotice(deps: { session: Session; assetsRoot?: string | undefined }, releaseId: string): Promise<FailureNotice> {
  const s = deps.session;
  const subject = { type: 'release', id: releaseId };
  const v = s.require();
  const now = s.clock.now();
  let input: Parameters<typeof renderDeliveryFailureNotice>[0];
  try {
    const rel = releaseState(v.db, releaseId);
    if (rel.status !== 'bounced' && rel.status !== 'failed')
      throw new AppError('STATUS_TRANSITION_INVALID', 'A delivery notice is only for a release whose delivery failed or bounced.');
    const practice = requireSetting(v.db, 'practice');
    const tz = practice.timeZone;
    const request = rel.requestId ? getRequest(v.db, rel.requestId).request : null;
    const sentAt = listTransmissions(v.db, releaseId)
      .filter((t) => ['openpgp-pgp-mime', 'smime', 'password-pdf', 'tls-only-email'].includes(t.method) && t.at)
      .map((t) => t.at)
      .sort()
      .at(-1);
    const dueDate = request && (ACCESS_BASES as readonly string[]).includes(request.basis) ? accessClock(request, now, tz).effectiveDueDate : undefined;
    input = {
      practice: practiceContact(practice),
      reference: rel.reference,
      attemptDate: localDate(sentAt ?? now.toISOString(), tz),
      noticeDate: localDate(now.toISOString(), tz),
      dueDate,
      language: noticeLanguageOf(request),
      assetsRoot: deps.assetsRoot,
    };
  } catch (e) {
    s.recordFailure('release.failure_notice', subject, e);
    throw e;
  }
  const pdf = await renderDeliveryFailureNotice(input);
  const { pageCount } = await checkPdf(Buffer.from(pdf));
  const noticeId = newId();
  s.audited(
    'release.failure_notice',
    subject,
    (vv) => insertReleaseNotice(vv.db, { id: noticeId, releaseId, language: input.language, pageCount, pdf, at: now.toISOString() }),
    () => ({ noticeId, language: input.language, pageCount }),
  );
  return { noticeId, language: input.language, pageCount, pdf, dueDate: input.dueDate ?? null };
}

/**
 * Make the notice and offer it to staff to save (Electron: save dialog) under a neutral name.
 * @returns the notice facts and whether it was saved
 * @throws AppError EXPORT_UNAVAILABLE when saving files is not available; as {@link makeFailureNotice}
 */
export async function saveFailureNotice(
  deps: { session: Session; assetsRoot?: string | undefined; fileSaver?: FileSaver | undefined },
  releaseId: string,
): Promise<{ noticeId: string; language: NoticeLanguage; pageCount: number; saved: boolean }> {
  if (!deps.fileSaver) throw new AppError('EXPORT_UNAVAILABLE', 'Saving files is not available here.');
  const n = await makeFailureNotice(deps, releaseId);
  const saved = await deps.fileSaver.save(`delivery-notice-${releaseState(deps.session.require().db, releaseId).reference}.pdf`, Buffer.from(n.pdf));
  return { noticeId: n.noticeId, language: n.language, pageCount: n.pageCount, saved };
}
