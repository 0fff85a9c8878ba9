/**
 * Fixed notice texts printed on the packet's cover sheet.
 */

/**
 * Redisclosure statement required in an authorization, 45 CFR 164.508(c)(2)(iii), repeated
 * on the cover so the recipient sees it with the records.
 */
export const REDISCLOSURE_NOTICE =
  'Redisclosure notice: information disclosed under a HIPAA authorization may be redisclosed by the recipient and may then no longer be protected by the federal privacy regulations (45 CFR Part 164).';

/** Confidentiality notice for the cover sheet (practice, not a single CFR paragraph). */
export const CONFIDENTIALITY_NOTICE =
  'CONFIDENTIAL: This packet contains protected health information (PHI) released at the request stated above. It is intended only for the named recipient. If you received it in error, do not read, copy or forward it; notify the sender and delete or destroy all copies.';

/**
 * The notice that must accompany each disclosure of substance use disorder records,
 * 42 CFR 2.32(a)(1) as amended by the 2024 final rule (89 FR 12472; compliance date 16 Feb 2026).
 */
export const PART2_NOTICE =
  'Notice under 42 CFR 2.32: This record which has been disclosed to you is protected by Federal confidentiality rules (42 CFR part 2). ' +
  'These rules prohibit you from using or disclosing this record, or testimony that describes the information contained in this record, in any civil, criminal, administrative, or legislative proceedings by any Federal, State, or local authority, against the patient, unless authorized by the consent of the patient, except as provided at 42 CFR 2.12(c)(5) or as authorized by a court in accordance with 42 CFR 2.64 or 2.65. ' +
  'In addition, the Federal rules prohibit you from making any other use or disclosure of this record unless at least one of the following applies: ' +
  '(i) further use or disclosure is expressly permitted by the written consent of the individual whose information is being disclosed in this record or as otherwise permitted by 42 CFR part 2; ' +
  '(ii) you are a covered entity or business associate and have received the record for treatment, payment, or health care operations; or ' +
  '(iii) you have received the record from a covered entity or business associate as permitted by 45 CFR part 164, subparts A and E. ' +
  'A general authorization for the release of medical or other information is NOT sufficient to meet the required elements of written consent to further use or redisclose the record (see 42 CFR 2.31).';
