import { ACCESS_BASES, finding, type Finding, type ReleaseRequest, type UnencryptedEmailAcknowledgment } from './types';

const C_ACCESS = '45 CFR 164.524(c)(2)(ii)';

/**
 * May this release go by unencrypted email at the individual's request?
 *
 * Allowed only when (HHS right-of-access guidance on 164.524(c)(2); otherwise
 * transmission security 164.312(e)(1) applies): the request is a right-of-access
 * request (to the individual or a copy they direct); the individual (or personal
 * representative) was warned of the risk and still prefers unencrypted email; a
 * staff member recorded who chose, when and the scope; the choice was not
 * withdrawn; a 'this_release' choice belongs to this very request ('standing'
 * covers every release to the individual until withdrawn).
 * @returns `{ allowed, findings }` — blocking findings explain each refusal; when allowed,
 *   one warning reminds staff to confirm the address (reasonable safeguards)
 */
export function mayUseUnencryptedEmail(
  request: Pick<ReleaseRequest, 'id' | 'basis'>,
  acknowledgment: UnencryptedEmailAcknowledgment | undefined,
): { allowed: boolean; findings: Finding[] } {
  const f: Finding[] = [];
  const block = (code: string, cite: string, msg: string) => f.push(finding(code, 'block', cite, msg));
  if (!(ACCESS_BASES as readonly string[]).includes(request.basis))
    block('UNENCRYPTED_NOT_ACCESS', '45 CFR 164.312(e)(1)', 'Unencrypted email is an option only when individuals receive their own records; this release must be encrypted.');
  if (!acknowledgment) {
    block('UNENCRYPTED_NO_ACKNOWLEDGMENT', C_ACCESS, "There is no recorded choice of unencrypted email: warn the individual of the risk and record their answer first.");
  } else {
    if (acknowledgment.warningShown.trim().length === 0) block('UNENCRYPTED_NOT_WARNED', C_ACCESS, 'The record does not show the risk warning given to the individual.');
    if (!acknowledgment.prefersUnencrypted) block('UNENCRYPTED_NOT_CHOSEN', C_ACCESS, 'The individual did not choose unencrypted email after the warning.');
    if (acknowledgment.recordedBy.trim().length === 0) block('UNENCRYPTED_NOT_RECORDED', '45 CFR 164.530(j)', 'The choice must record which staff member took it.');
    if (acknowledgment.withdrawnAt) block('UNENCRYPTED_WITHDRAWN', C_ACCESS, 'The individual withdrew the choice of unencrypted email.');
    if (acknowledgment.scope === 'this_release' && acknowledgment.requestId !== request.id)
      block('UNENCRYPTED_OTHER_REQUEST', C_ACCESS, 'The recorded choice applies to a different request; record the choice for this one.');
  }
  const allowed = f.length === 0;
  if (allowed) f.push(finding('UNENCRYPTED_CONFIRM_ADDRESS', 'warn', '45 CFR 164.530(c)', 'Sending unencrypted at the individual\'s request: confirm the email address with them before sending.'));
  return { allowed, findings: f };
}
