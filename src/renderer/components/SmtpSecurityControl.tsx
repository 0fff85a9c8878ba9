import { SegmentedControl, Text } from '@mantine/core';

export type SmtpSecurity = 'starttls' | 'tls';

/**
 * The port that goes with a change of security: the standard submission ports follow the choice
 * (587 STARTTLS, RFC 6409; 465 implicit TLS, RFC 8314) unless staff typed another port.
 */
export function portForSecurity(security: SmtpSecurity, port: number | string): number | string {
  if (security === 'tls' && port === 587) return 465;
  if (security === 'starttls' && port === 465) return 587;
  return port;
}

/** The SMTP "Encryption" choice used by Setup and Settings (both modes always use verified TLS). */
export function SmtpSecurityControl({ idPrefix, value, onChange }: { idPrefix: string; value: SmtpSecurity; onChange: (v: SmtpSecurity) => void }) {
  return (
    <div>
      <Text size="sm" fw={600} id={`${idPrefix}-security-label`} mb={4}>
        Encryption
      </Text>
      <SegmentedControl
        aria-labelledby={`${idPrefix}-security-label`}
        value={value}
        onChange={(v) => onChange(v as SmtpSecurity)}
        data={[
          { value: 'starttls', label: 'STARTTLS (usually port 587)' },
          { value: 'tls', label: 'Implicit TLS (usually port 465)' },
        ]}
      />
    </div>
  );
}
