import type { ReactNode } from 'react';
import { NumberInput, PasswordInput, SimpleGrid, TextInput } from '@mantine/core';
import { portForSecurity, SmtpSecurityControl, type SmtpSecurity } from './SmtpSecurityControl';

/** The SMTP submission server as typed in a form (the port as NumberInput gives it; `security` always verified TLS). */
export interface SmtpValues {
  host: string;
  port: number | string;
  security: SmtpSecurity;
  username: string;
  password: string;
}

/** What each SMTP field's error says, for any problem the shared schema (SmtpSettingsInput) finds in it. */
export const SMTP_MESSAGES: Readonly<Record<keyof SmtpValues, string>> = {
  host: 'Enter the email server name.',
  port: 'Enter a port between 1 and 65535.',
  security: 'Choose the encryption.',
  username: 'Enter the email username.',
  password: 'Enter the email password.',
};

/**
 * The outgoing email server's fields, shared by Setup and Settings: server name, port, encryption (the port follows
 * a change of encryption between 587 and 465, RFC 6409 / RFC 8314), username and password. Element ids are
 * `${idPrefix}-smtpHost`, `-smtpPort`, `-smtpUser`, `-smtpPassword`, so a form can focus its first invalid field.
 * @param errors per field, shown under it (and marked aria-invalid)
 * @param onChange receives only what changed
 * @param passwordRequired Setup: required; Settings: empty keeps the stored password (`passwordDescription` says so)
 */
export function SmtpFields(props: {
  idPrefix: string;
  values: SmtpValues;
  errors: Partial<Record<keyof SmtpValues, ReactNode>>;
  onChange: (patch: Partial<SmtpValues>) => void;
  onBlur?: (field: keyof SmtpValues) => void;
  passwordRequired: boolean;
  passwordDescription?: string;
  hostPlaceholder?: string;
}) {
  const { idPrefix, values, errors, onChange, onBlur } = props;
  const invalid = (k: keyof SmtpValues) => ({ error: errors[k], 'aria-invalid': errors[k] ? true : undefined, onBlur: () => onBlur?.(k) });
  return (
    <>
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
        <TextInput id={`${idPrefix}-smtpHost`} label="Server name" placeholder={props.hostPlaceholder} required
          value={values.host} onChange={(e) => onChange({ host: e.currentTarget.value })} {...invalid('host')} />
        <NumberInput id={`${idPrefix}-smtpPort`} label="Port" required min={1} max={65535} allowDecimal={false} hideControls
          value={values.port} onChange={(port) => onChange({ port })} {...invalid('port')} />
      </SimpleGrid>
      <SmtpSecurityControl idPrefix={idPrefix} value={values.security}
        onChange={(security) => onChange({ security, port: portForSecurity(security, values.port) })} />
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
        <TextInput id={`${idPrefix}-smtpUser`} label="Username" required autoComplete="username"
          value={values.username} onChange={(e) => onChange({ username: e.currentTarget.value })} {...invalid('username')} />
        <PasswordInput id={`${idPrefix}-smtpPassword`} label="Password" required={props.passwordRequired} description={props.passwordDescription}
          autoComplete="current-password" value={values.password} onChange={(e) => onChange({ password: e.currentTarget.value })} {...invalid('password')} />
      </SimpleGrid>
    </>
  );
}
