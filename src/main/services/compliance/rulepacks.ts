import { AppError } from '../../../shared/errors';
import { RulePack, type DocumentCategory, type LegalBasis, type Requirement } from './types';

/**
 * Notice to accompany each disclosure of Part 2 records, 42 CFR 2.32(a)(1)
 * (2024 final rule text; compliance date 16 Feb 2026). Data, so a practice can
 * update it without a code change; have the privacy officer confirm it against eCFR.
 */
export const PART2_NOTICE_TEXT =
  'This record which has been disclosed to you is protected by Federal confidentiality rules (42 CFR part 2). ' +
  'These rules prohibit you from using or disclosing this record, or testimony that describes the information contained in this record, ' +
  'in any civil, criminal, administrative, or legislative proceedings by any Federal, State, or local authority, against the patient, ' +
  'unless authorized by the consent of the patient, except as provided at 42 CFR 2.12(c)(5) or as authorized by a court in accordance with 42 CFR 2.64 or 2.65. ' +
  'In addition, the Federal rules prohibit you from making any other use or disclosure of this record unless at least one of the following applies: ' +
  '(A) Further use or disclosure is expressly permitted by the written consent of the individual whose information is being disclosed in this record or as otherwise permitted by 42 CFR part 2. ' +
  '(B) You are a covered entity or business associate and have received the record for treatment, payment, or health care operations, or ' +
  '(C) You have received the record from a covered entity or business associate as permitted by 45 CFR part 164, subparts A and E. ' +
  'A general authorization for the release of medical or other information is NOT sufficient to meet the required elements of written consent to further use or redisclose the record (see 42 CFR 2.31).';

const ALL_BASES: LegalBasis[] = ['right_of_access', 'patient_directed', 'authorization', 'tpo', 'required_by_law', 'hhs'];

/** Federal sensitive categories: psychotherapy notes (45 CFR 164.508(a)(2), 164.524(a)(1)(i)) and Part 2 records (42 CFR 2.31, 2.32). */
export const FEDERAL_PACK: RulePack = {
  id: 'us-federal',
  name: 'US federal sensitive categories',
  version: '2026.1',
  jurisdiction: 'US-federal',
  rules: [
    {
      category: 'psychotherapy_notes',
      sensitive: true,
      requirements: [
        {
          kind: 'excluded_for_bases',
          bases: ['right_of_access', 'patient_directed'],
          citation: '45 CFR 164.524(a)(1)(i)',
          code: 'PSYCHOTHERAPY_NOTES_NOT_IN_ACCESS',
          message: 'Psychotherapy notes are excluded from the right of access; remove them from this release.',
        },
        {
          kind: 'dedicated_authorization',
          bases: ['authorization', 'tpo'],
          citation: '45 CFR 164.508(a)(2)',
          code: 'PSYCHOTHERAPY_NOTES_NEED_SEPARATE_AUTHORIZATION',
          message: 'Psychotherapy notes may be disclosed only under their own separate authorization, not a general one.',
        },
      ],
    },
    {
      category: 'substance_use_disorder',
      sensitive: true,
      requirements: [
        {
          kind: 'part2_consent',
          bases: ['patient_directed', 'authorization', 'tpo'],
          citation: '42 CFR 2.31',
          code: 'PART2_CONSENT_REQUIRED',
          message: 'Substance use disorder records need a valid written Part 2 consent that covers them.',
        },
        {
          kind: 'excluded_for_bases',
          bases: ['required_by_law', 'hhs'],
          citation: '42 CFR 2.61-2.67',
          code: 'PART2_COURT_ORDER_REQUIRED',
          message: 'Without consent, substance use disorder records may be disclosed only under a qualifying court order; refer this to the privacy officer.',
        },
        {
          kind: 'attach_notice',
          bases: ALL_BASES.filter((b) => b !== 'right_of_access'),
          citation: '42 CFR 2.32',
          title: 'Notice of prohibition on redisclosure (42 CFR 2.32)',
          text: PART2_NOTICE_TEXT,
        },
      ],
    },
  ],
};

/** State pack modeled on California HSC §120980: HIV test results only under a written authorization that names them. */
export const CALIFORNIA_HIV_PACK: RulePack = {
  id: 'us-ca-hiv',
  name: 'California HIV test results',
  version: '2026.1',
  jurisdiction: 'US-CA',
  rules: [
    {
      category: 'hiv_sti_results',
      sensitive: true,
      requirements: [
        {
          kind: 'named_in_authorization',
          bases: ['patient_directed', 'authorization', 'tpo'],
          citation: 'Cal. Health & Safety Code §120980(g)',
          code: 'HIV_RESULTS_NEED_NAMING_AUTHORIZATION',
          message: 'HIV test results may be disclosed only with a written authorization that names them.',
        },
      ],
    },
  ],
};

/** The packs used when a practice has configured none. */
export const DEFAULT_RULE_PACKS: readonly RulePack[] = [FEDERAL_PACK, CALIFORNIA_HIV_PACK];

/**
 * Validate rule packs loaded from configuration (JSON).
 * @param input unknown JSON value: an array of packs
 * @returns the parsed packs
 * @throws AppError RULE_PACK_INVALID (detail.issues: count) when the data does not match the RulePack schema or two packs share an id
 */
export function parseRulePacks(input: unknown): RulePack[] {
  const r = RulePack.array().safeParse(input);
  if (!r.success) throw new AppError('RULE_PACK_INVALID', 'A sensitive-category rule pack is not valid.', { issues: r.error.issues.length });
  const ids = new Set<string>();
  for (const p of r.data) {
    if (ids.has(p.id)) throw new AppError('RULE_PACK_INVALID', 'Two rule packs have the same id.', { issues: 1 });
    ids.add(p.id);
  }
  return r.data;
}

/** Every requirement the packs put on `category` for `basis`. */
export function requirementsFor(packs: readonly RulePack[], category: DocumentCategory, basis: LegalBasis): Requirement[] {
  return packs.flatMap((p) => p.rules.filter((r) => r.category === category).flatMap((r) => r.requirements.filter((q) => q.bases.includes(basis))));
}

/** True when any pack marks `category` sensitive. */
export function isSensitive(packs: readonly RulePack[], category: DocumentCategory): boolean {
  return packs.some((p) => p.rules.some((r) => r.category === category && r.sensitive));
}
