/**
 * The recipient step's form (RecipientStep): its values, the `releases.setRecipient` input they make, and what is
 * still wrong with them. The rules are the schema main parses (the channel's input) plus the step's own
 * misdirected-email safeguards, which depend on what main said of the address and the key.
 */
import { channels, type ChannelInput, type KeyInfoT, type ReleaseDetailT, type RequestDetailT } from '../../../../shared/contract';
import type { EmailCheckT } from '../../../components/EmailCheckAlerts';
import type { ApiError } from '../../../lib/call';
import { zodValidate } from '../../../lib/form';
import { sameTyped } from '../../requests/DestinationCheck';

/** The recipient's fields. `emailAgain` is the second entry of an address typed here (never prefilled). */
export interface RecipientValues {
  name: string;
  email: string;
  emailAgain: string;
  /** "I confirmed this exact address with the recipient" (sent as `addressConfirmed`). */
  addressConfirmed: boolean;
  hasKey: boolean;
  /** The recipient's OpenPGP public key, ASCII-armored. */
  armored: string;
  /** "I confirmed this fingerprint with the recipient" (sent as `fingerprintConfirmed`). */
  confirmed: boolean;
}

/** A request destination that is an email address (not a postal address). */
const isEmailLike = (s: string) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s.trim());

/** The form's start: the saved recipient, else the request's first recipient (its destination when it is an email address). */
export function recipientValues(existing: ReleaseDetailT['recipient'], request: RequestDetailT | null): RecipientValues {
  const first = request?.request.recipients[0];
  return {
    name: existing?.name ?? first?.name ?? '',
    email: existing?.email ?? (first && isEmailLike(first.destination) ? first.destination.trim() : ''),
    emailAgain: '',
    addressConfirmed: false,
    hasKey: existing ? existing.key !== null : true,
    armored: '',
    confirmed: false,
  };
}

/** What `releases.setRecipient` takes for the open release (without its id). */
export type RecipientInput = Omit<ChannelInput<'releases.setRecipient'>, 'releaseId' | 'fingerprintConfirmed'> & { fingerprintConfirmed: boolean };

/** The values as `releases.setRecipient` takes them: without a key, no fingerprint confirmation. */
export function toRecipient(v: RecipientValues): RecipientInput {
  const who = { name: v.name.trim(), email: v.email.trim(), addressConfirmed: v.addressConfirmed };
  return v.hasKey ? { ...who, armoredKey: v.armored, fingerprintConfirmed: v.confirmed } : { ...who, fingerprintConfirmed: false };
}

const checkSchema = zodValidate<RecipientValues>(channels['releases.setRecipient'].input.omit({ releaseId: true }), toRecipient, {
  name: 'Shorten the name or remove unusual characters (such as control or invisible characters).',
  email: 'This address is too long to be an email address.',
  armoredKey: 'This is not a public key block: paste it exactly as the recipient sent it.',
});

/** What the step knows of the values besides themselves: main's answers about the address and the key. */
export interface RecipientFacts {
  /** The address the form started with (typed addresses must be typed twice). */
  startEmail: string;
  /** Main's check of the address in the field, or null while there is none. */
  check: EmailCheckT | null;
  /** The address needs staff's "I confirmed this exact address" (mismatch with the request, suggestion or look-alike). */
  needsConfirm: boolean;
  key: KeyInfoT | null;
  keyError: ApiError | null;
  checkingKey: boolean;
}

/** The errors, by field; a field without a key is fine. */
export type RecipientErrors = Partial<Record<keyof RecipientValues, string>>;

/** True when the address was typed here (not the one the request or the saved recipient gave). */
export const typedNew = (v: RecipientValues, startEmail: string) => v.email.trim() !== '' && !sameTyped(v.email, startEmail);

/** What is still wrong before the recipient can be saved (45 CFR 164.530(c): safeguards against a misdirected disclosure). */
export function recipientErrors(v: RecipientValues, f: RecipientFacts): RecipientErrors {
  const s = checkSchema(v);
  const keyProblem = !v.armored.trim() ? 'Paste the recipient’s public key.' : (s.armoredKey ?? f.keyError?.message ?? (!f.key && !f.checkingKey ? 'Check the key first.' : undefined));
  return {
    name: v.name.trim() ? s.name : 'Enter the recipient’s name.',
    email: !v.email.trim() ? 'Enter the recipient’s email address.' : f.check && !f.check.valid ? (f.check.problem ?? 'This address is not valid.') : s.email,
    emailAgain: !typedNew(v, f.startEmail) || sameTyped(v.emailAgain, v.email) ? undefined : 'The two entries differ. Type the address again, exactly as the recipient gave it.',
    addressConfirmed: !f.needsConfirm || v.addressConfirmed ? undefined : 'Confirm this exact address with the recipient, or correct it.',
    armored: v.hasKey ? keyProblem : undefined,
    confirmed: !v.hasKey || v.confirmed ? undefined : 'Confirm the fingerprint with the recipient before sending anything.',
  };
}

/** The element id of each field, in the order the step shows them (the first with an error takes the focus). */
export const FIELD_IDS: readonly (readonly [keyof RecipientValues, string])[] = [
  ['name', 'recipient-name'],
  ['email', 'recipient-email'],
  ['emailAgain', 'recipient-email-confirm'],
  ['addressConfirmed', 'recipient-address-confirm'],
  ['armored', 'recipient-key'],
  ['confirmed', 'recipient-confirm'],
];
