import { finding, type Finding, type RepresentativeAuthorityEvidence } from './types';

/** Citation of the representative-authority rule: who is a personal representative, and verifying their authority. */
export const C_REPRESENTATIVE = '45 CFR 164.514(h)(1), 164.502(g)';

/**
 * Is a personal representative's authority verified (45 CFR 164.502(g), 164.514(h)(1), (h)(2)(i))?
 *
 * A typed description ("son", "POA") is never enough. Verified means one of:
 * - `copy_attached`: a copy of the document that establishes the authority is stored with the request
 *   (`documentId` set);
 * - `original_inspected`: a staff member saw the original (or a certified copy) and recorded which document,
 *   who and when;
 * - `practice_records`: for the parent or guardian of an unemancipated minor only, the practice's own
 *   registration records already name this person as parent or guardian.
 * Who verified and when must be recorded in every case.
 * @param evidence the recorded verification, or undefined when none was recorded
 * @param code the finding code to use (request requester or authorization signer)
 * @returns one blocking finding naming what is missing, or [] when verified
 */
export function representativeAuthorityFindings(evidence: RepresentativeAuthorityEvidence | undefined, code: string): Finding[] {
  const block = (message: string) => [finding(code, 'block', C_REPRESENTATIVE, message)];
  if (!evidence)
    return block(
      "The personal representative's authority is not verified: attach a copy of the document that gives it (for example a power of attorney or guardianship order) or record that you saw the original.",
    );
  if (evidence.verifiedBy.trim().length === 0) return block("The verification of the representative's authority must record which staff member checked it.");
  if (evidence.method === 'copy_attached' && !evidence.documentId)
    return block("The copy of the representative's authority document is not on file: attach it, or record that you saw the original.");
  if (evidence.method === 'practice_records' && evidence.document !== 'parent_of_minor')
    return block(
      "Practice records can confirm only a parent or guardian of a minor. For a power of attorney, guardianship, executor or other authority, attach the document or record that you saw the original.",
    );
  return [];
}
