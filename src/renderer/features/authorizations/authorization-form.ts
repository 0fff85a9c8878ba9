/**
 * The authorization form's values (as typed: optional text as '', lists one entry per line) and how they become the
 * `authorizations.save` input (45 CFR 164.508), validated by the shared schema main parses (AuthorizationInput).
 */
import type { FormErrors } from '@mantine/form';
import type { Authorization, DocumentCategory } from '../../../shared/compliance';
import { AuthorizationInput } from '../../../shared/contract';
import { zodValidate } from '../../lib/form';

/** The authorization as saved (no id). */
export type AuthorizationDraft = Omit<Authorization, 'id'>;

/** The fields of the form. Text that may be left out is '' when empty; the three lists are one entry per line. */
export interface AuthorizationValues {
  informationDescription: string;
  categories: DocumentCategory[];
  from: string;
  to: string;
  disclosers: string;
  recipients: string;
  purposes: string;
  initiatedBy: '' | NonNullable<Authorization['initiatedBy']>;
  research: boolean;
  expiration: { date: string; event: string; eventOccurredOn: string; none: boolean };
  signature: { signed: boolean; date: string; signerRole: Authorization['signature']['signerRole']; representativeAuthority: string };
  statements: Authorization['statements'];
  combinedWith: Authorization['combinedWith'];
  conditionsTreatment: boolean;
  knownFalse: boolean;
  copyGivenToIndividual: boolean;
}

/** What the form does not edit but a save must carry on: the revocation and the verified representative's authority. */
export interface KeptFacts {
  revocation?: Authorization['revocation'];
  authorityEvidence?: Authorization['signature']['authorityEvidence'];
}

const lines = (s: string) => s.split('\n').map((x) => x.trim()).filter(Boolean);
/** Trimmed text, or nothing when empty (the optional fields of the schema). */
const opt = (s: string) => (s.trim() ? s.trim() : undefined);

/** The form's values for an authorization on file (or an empty form). */
export function authorizationValues(a?: Partial<AuthorizationDraft>): AuthorizationValues {
  return {
    informationDescription: a?.informationDescription ?? '',
    categories: a?.categories ?? [],
    from: a?.from ?? '',
    to: a?.to ?? '',
    disclosers: (a?.disclosers ?? []).join('\n'),
    recipients: (a?.recipients ?? []).join('\n'),
    purposes: (a?.purposes ?? []).join('\n'),
    initiatedBy: a?.initiatedBy ?? '',
    research: a?.research ?? false,
    expiration: { date: a?.expiration?.date ?? '', event: a?.expiration?.event ?? '', eventOccurredOn: a?.expiration?.eventOccurredOn ?? '', none: a?.expiration?.none ?? false },
    signature: {
      signed: a?.signature?.signed ?? false,
      date: a?.signature?.date ?? '',
      signerRole: a?.signature?.signerRole ?? 'patient',
      representativeAuthority: a?.signature?.representativeAuthority ?? '',
    },
    statements: a?.statements ?? { rightToRevoke: false, conditioning: false, redisclosure: false },
    combinedWith: a?.combinedWith ?? [],
    conditionsTreatment: a?.conditionsTreatment ?? false,
    knownFalse: a?.knownFalse ?? false,
    copyGivenToIndividual: a?.copyGivenToIndividual ?? false,
  };
}

/** The values as the authorization main saves: text trimmed, empty optionals left out, lists split by line. */
export function toAuthorization(v: AuthorizationValues, kept: KeptFacts = {}): AuthorizationDraft {
  const x = v.expiration;
  const s = v.signature;
  return {
    informationDescription: v.informationDescription,
    categories: v.categories,
    ...(opt(v.from) ? { from: opt(v.from) } : {}),
    ...(opt(v.to) ? { to: opt(v.to) } : {}),
    disclosers: lines(v.disclosers),
    recipients: lines(v.recipients),
    purposes: lines(v.purposes),
    ...(v.initiatedBy ? { initiatedBy: v.initiatedBy } : {}),
    ...(v.research ? { research: true } : {}),
    expiration: {
      ...(x.none ? { none: true } : {}),
      ...(opt(x.date) ? { date: opt(x.date) } : {}),
      ...(opt(x.event) ? { event: opt(x.event) } : {}),
      ...(opt(x.eventOccurredOn) ? { eventOccurredOn: opt(x.eventOccurredOn) } : {}),
    },
    signature: {
      signed: s.signed,
      ...(opt(s.date) ? { date: opt(s.date) } : {}),
      signerRole: s.signerRole,
      ...(opt(s.representativeAuthority) ? { representativeAuthority: opt(s.representativeAuthority) } : {}),
      ...(kept.authorityEvidence ? { authorityEvidence: kept.authorityEvidence } : {}),
    },
    statements: v.statements,
    combinedWith: v.combinedWith,
    conditionsTreatment: v.conditionsTreatment,
    ...(kept.revocation ? { revocation: kept.revocation } : {}),
    knownFalse: v.knownFalse,
    copyGivenToIndividual: v.copyGivenToIndividual,
  };
}

const TOO_LONG_OR_UNUSUAL = 'Shorten this text or remove unusual characters (such as control or invisible characters).';

/** The schema main parses (AuthorizationInput), worded for staff; an error in a list line is shown under its box. */
const checkAuthorization = zodValidate<AuthorizationValues>(AuthorizationInput, (v) => toAuthorization(v), {
  informationDescription: TOO_LONG_OR_UNUSUAL,
  'disclosers.*': TOO_LONG_OR_UNUSUAL,
  'recipients.*': TOO_LONG_OR_UNUSUAL,
  'purposes.*': TOO_LONG_OR_UNUSUAL,
  disclosers: 'List at most 20, one per line.',
  recipients: 'List at most 20, one per line.',
  purposes: 'List at most 20, one per line.',
  from: 'Enter a real date.',
  to: 'Enter a real date.',
  'expiration.date': 'Enter a real date.',
  'expiration.event': TOO_LONG_OR_UNUSUAL,
  'expiration.eventOccurredOn': 'Enter a real date.',
  'signature.date': 'Enter a real date.',
  'signature.representativeAuthority': TOO_LONG_OR_UNUSUAL,
});

/** Field errors of the values ({} when main would accept them); list errors land on the list's box. */
export function validateAuthorization(v: AuthorizationValues): FormErrors {
  const errors: FormErrors = {};
  for (const [path, message] of Object.entries(checkAuthorization(v))) {
    const field = path.replace(/^(disclosers|recipients|purposes)\.\d+$/, '$1');
    if (!(field in errors)) errors[field] = message;
  }
  return errors;
}
