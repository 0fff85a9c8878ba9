import { ACCESS_BASES, finding, type Finding, type ReleaseRequest, type UnencryptedEmailAcknowledgment } from './types';

const C_ACCESS = '45 CFR 164.524(c)(2)(ii)';

const BASIS_PHRASE: Partial<Record<ReleaseRequest['basis'], string>> = {
  authorization: 'a disclosure to a third party under an authorization',
  tpo: 'a disclosure for treatment, payment or health care operations',
  required_by_law: 'a disclosure required by law',
  hhs: 'a disclosure to HHS',
};

/**
 * The one plain-language reason unencrypted email cannot be used for this release, or null when it can:
 * the message of the first blocking finding of {@link mayUseUnencryptedEmail} (the legal basis first, then
 * the recorded choice). For the delivery ladder's "why not" text.
 */
export function unencryptedEmailRefusal(request: Pick<ReleaseRequest, 'id' | 'basis'>, acknowledgment: UnencryptedEmailAcknowledgment | undefined): string | null {
  const d = mayUseUnencryptedEmail(request, acknowledgment);
  return d.allowed ? null : (d.findings.find((x) => x.severity === 'block')?.message ?? null);
}

/**
 * May this release go by unencrypted email at the individual's request?
 *
 * A release that is not a right-of-access release gets exactly one finding, UNENCRYPTED_NOT_ACCESS, naming
 * the legal basis (the individual's choice cannot change that).
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
  if (!(ACCESS_BASES as readonly string[]).includes(request.basis)) {
    // The legal basis alone decides: a recorded choice (or its absence) is beside the point, so say only that.
    block('UNENCRYPTED_NOT_ACCESS', '45 CFR 164.312(e)(1)', `Unencrypted email is an option only when individuals receive their own records (right of access). This is ${BASIS_PHRASE[request.basis] ?? 'not a right-of-access release'}, so it must be encrypted.`);
    return { allowed: false, findings: f };
  }
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
