/**
 * The setup form's values, the `setup.createVault` input made from them, and their validation: the shared schema
 * (the one main parses) first, then the rules only the form knows (passphrase strength and confirmation, a real
 * email address shape, the details printed on forms and notices).
 */
import type { FormErrors } from '@mantine/form';
import { channels, type ChannelInput } from '../../../shared/contract';
import { SMTP_MESSAGES, type SmtpValues } from '../../components/SmtpFields';
import { mergeErrors, zodValidate } from '../../lib/form';

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface SetupValues {
  passphrase: string;
  confirm: string;
  staffName: string;
  practice: {
    name: string;
    senderName: string;
    senderEmail: string;
    timeZone: string;
    address: string;
    phone: string;
    privacyOfficer: { name: string; phone: string; email: string };
  };
  smtp: SmtpValues;
}

/** The practice's time zone as the computer reports it (America/New_York when it cannot tell). */
export function defaultTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'America/New_York';
  } catch {
    return 'America/New_York';
  }
}

export function initialSetupValues(): SetupValues {
  return {
    passphrase: '',
    confirm: '',
    staffName: '',
    practice: { name: '', senderName: '', senderEmail: '', timeZone: defaultTimeZone(), address: '', phone: '', privacyOfficer: { name: '', phone: '', email: '' } },
    smtp: { host: '', port: 587, security: 'starttls', username: '', password: '' },
  };
}

/** The `setup.createVault` input: text trimmed, optional privacy officer phone and email left out when empty. */
export function toCreateVaultInput(v: SetupValues): ChannelInput<'setup.createVault'> {
  const p = v.practice;
  const po = p.privacyOfficer;
  return {
    passphrase: v.passphrase,
    staffName: v.staffName.trim(),
    practice: {
      name: p.name.trim(),
      senderName: p.senderName.trim(),
      senderEmail: p.senderEmail.trim(),
      timeZone: p.timeZone,
      address: p.address.trim(),
      phone: p.phone.trim(),
      privacyOfficer: { name: po.name.trim(), ...(po.phone.trim() ? { phone: po.phone.trim() } : {}), ...(po.email.trim() ? { email: po.email.trim() } : {}) },
    },
    smtp: { host: v.smtp.host.trim(), port: Number(v.smtp.port), security: v.smtp.security, username: v.smtp.username.trim(), password: v.smtp.password },
  };
}

const checkSchema = zodValidate<SetupValues>(channels['setup.createVault'].input, toCreateVaultInput, {
  passphrase: 'Choose a passphrase.',
  staffName: 'Enter your name.',
  'practice.name': 'Enter the practice name.',
  'practice.senderName': 'Enter the sender name.',
  'practice.senderEmail': 'Enter a valid email address, like records@example.com.',
  'practice.timeZone': 'Choose the practice’s time zone.',
  // Printed on authorization forms (where to send a revocation, 164.508(c)(2)(i)) and notices.
  'practice.address': 'Enter the practice’s postal address; forms tell patients to write to it.',
  'practice.phone': 'Enter the practice’s phone number.',
  'practice.privacyOfficer.name': 'Enter who handles privacy questions (the privacy officer).',
  'practice.privacyOfficer.email': 'Enter a valid email address, or leave it empty.',
  ...Object.fromEntries(Object.entries(SMTP_MESSAGES).map(([k, m]) => [`smtp.${k}`, m])),
});

/**
 * Errors of the setup form by field path.
 * @param passphraseAcceptable main's verdict on the current passphrase (null while it is being checked)
 */
export function validateSetup(v: SetupValues, passphraseAcceptable: boolean | null): FormErrors {
  const own: FormErrors = {};
  if (v.passphrase && passphraseAcceptable === false) own.passphrase = 'This passphrase is too easy to guess. Add more words.';
  if (v.confirm !== v.passphrase) own.confirm = 'The two passphrases do not match.';
  if (!EMAIL_RE.test(v.practice.senderEmail.trim())) own['practice.senderEmail'] = 'Enter a valid email address, like records@example.com.';
  const privacyEmail = v.practice.privacyOfficer.email.trim();
  if (privacyEmail && !EMAIL_RE.test(privacyEmail)) own['practice.privacyOfficer.email'] = 'Enter a valid email address, or leave it empty.';
  return mergeErrors(checkSchema(v), own);
}
