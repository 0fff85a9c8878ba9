/** Synthetic test data for the compliance engine (invented people and places). */
import type { z } from 'zod';
import {
  Authorization,
  Part2Consent,
  ReleaseRequest,
  UnencryptedEmailAcknowledgment,
  type ComplianceDocument,
} from '../../../src/shared/compliance';
import { DEFAULT_RULE_PACKS } from '../../../src/main/services/compliance/rulepacks';
import type { ReleaseInput } from '../../../src/main/services/compliance/release-gate';

export const TZ = 'America/New_York';
/** Day 0 of the default request: 2026-03-01 (local). */
export const RECEIVED_AT = '2026-03-01T10:00:00-05:00';
/** Day 4 (2026-03-05), midday local. */
export const NOW = new Date('2026-03-05T12:00:00-05:00');

export function request(over: Partial<z.input<typeof ReleaseRequest>> = {}): ReleaseRequest {
  return ReleaseRequest.parse({
    id: 'req_000001',
    basis: 'authorization',
    receivedAt: RECEIVED_AT,
    requester: { role: 'third_party', name: 'Qwerty Insurance Co' },
    recipients: [{ name: 'Qwerty Insurance Co', destination: 'claims@qwerty-insurance.example' }],
    scope: { categories: ['visit_notes', 'lab_results'], from: '2025-01-01', to: '2025-12-31' },
    form: { format: 'pdf', electronic: true },
    status: 'ready',
    ...over,
  });
}

export function accessRequest(over: Partial<z.input<typeof ReleaseRequest>> = {}): ReleaseRequest {
  return request({ basis: 'right_of_access', requester: { role: 'patient', name: 'Zyxwv Testpatient' }, recipients: [{ name: 'Zyxwv Testpatient', destination: 'zyxwv@patient.example' }], ...over });
}

export function authorization(over: Partial<z.input<typeof Authorization>> = {}): Authorization {
  return Authorization.parse({
    id: 'auth_00001',
    informationDescription: 'Visit notes and lab results from 2025',
    categories: ['visit_notes', 'lab_results'],
    from: '2025-01-01',
    to: '2025-12-31',
    disclosers: ['Maplewood Family Practice'],
    recipients: ['Qwerty Insurance Co'],
    purposes: ['Life insurance application'],
    expiration: { date: '2026-12-31' },
    signature: { signed: true, date: '2026-02-20', signerRole: 'patient' },
    statements: { rightToRevoke: true, conditioning: true, redisclosure: true },
    copyGivenToIndividual: true,
    ...over,
  });
}

export function consent(over: Partial<z.input<typeof Part2Consent>> = {}): Part2Consent {
  return Part2Consent.parse({
    id: 'p2c_000001',
    patientNamed: true,
    discloser: 'Maplewood Family Practice',
    informationDescription: 'Substance use disorder treatment records, 2025, including diagnosis and medications',
    categories: ['substance_use_disorder'],
    recipients: ['Qwerty Insurance Co'],
    purpose: 'Life insurance application',
    revocationStatement: true,
    expiration: { date: '2026-12-31' },
    signature: { signed: true, date: '2026-02-20' },
    ...over,
  });
}

export function ack(over: Partial<z.input<typeof UnencryptedEmailAcknowledgment>> = {}): UnencryptedEmailAcknowledgment {
  return UnencryptedEmailAcknowledgment.parse({
    id: 'ack_000001',
    warningShown: 'Unencrypted email can be read by others while in transit. v1',
    prefersUnencrypted: true,
    chosenBy: 'patient',
    recordedBy: 'staff_front_desk_1',
    recordedAt: '2026-03-01T10:05:00-05:00',
    scope: 'standing',
    ...over,
  });
}

export const DOCS: ComplianceDocument[] = [
  { id: 'doc_visit1', category: 'visit_notes', date: '2025-06-01' },
  { id: 'doc_lab001', category: 'lab_results', date: '2025-07-01' },
  { id: 'doc_lab_old', category: 'lab_results', date: '2024-05-01' },
  { id: 'doc_billing', category: 'billing', date: '2025-06-01' },
  { id: 'doc_psych1', category: 'psychotherapy_notes', date: '2025-06-01' },
  { id: 'doc_sud001', category: 'substance_use_disorder', date: '2025-06-01' },
  { id: 'doc_hiv001', category: 'hiv_sti_results', date: '2025-06-01' },
  { id: 'doc_gene01', category: 'genetic_testing', date: '2025-06-01' },
];

/** A valid authorization-based release of two in-scope documents at {@link NOW}. */
export function input(over: Partial<ReleaseInput> = {}): ReleaseInput {
  return {
    request: request(),
    authorization: authorization(),
    consents: [],
    documents: DOCS,
    selection: ['doc_visit1', 'doc_lab001'],
    overrides: [],
    now: NOW,
    timeZone: TZ,
    rulePacks: DEFAULT_RULE_PACKS,
    ...over,
  };
}
