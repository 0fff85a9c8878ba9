import { Code } from '@mantine/core';
import { formatFingerprint } from '../../shared/fingerprint';

/** Shows an OpenPGP fingerprint in groups of four (RFC 4880 §12.2), easy to read aloud. */
export function Fingerprint({ value, label }: { value: string; label?: string }) {
  return (
    <Code
      block
      aria-label={label ?? 'Fingerprint'}
      data-testid="fingerprint"
      style={{ fontSize: '1.05rem', letterSpacing: '0.04em', whiteSpace: 'normal', wordSpacing: '0.3em' }}
    >
      {formatFingerprint(value)}
    </Code>
  );
}
