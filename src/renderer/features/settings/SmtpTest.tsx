import { useState } from 'react';
import { Alert, Button, Stack } from '@mantine/core';
import type { ChannelInput, ChannelOutput } from '../../../shared/contract';
import { useAction } from '../../lib/form';
import { useSettingsStore } from './store';
import { ErrorAlert } from '../../components/ErrorAlert';

/**
 * "Test connection" for SMTP settings: `settings.testSmtp` connects with the same verified TLS and login as
 * sending, then disconnects — no email is sent. Shows the TLS version on success, the plain explanation
 * (with its error code) on failure. `read` returns the settings to test, or null when the form is not
 * complete (the form then shows its own field errors). `where`: 'setup' during first setup (no Settings screen yet:
 * the fix is in the fields above), else 'settings'.
 */
export function SmtpTestButton({ read, disabled, where = 'settings' }: { read: () => ChannelInput<'settings.testSmtp'> | null; disabled?: boolean; where?: 'settings' | 'setup' }) {
  const testSmtp = useSettingsStore((s) => s.testSmtp);
  const { busy, error, setError, run } = useAction();
  const [result, setResult] = useState<ChannelOutput<'settings.testSmtp'> | null>(null);
  const test = () => {
    const input = read();
    setResult(null);
    setError(null);
    if (input) void run(async () => setResult(await testSmtp(input)));
  };
  return (
    <Stack gap="xs">
      <div>
        <Button variant="default" onClick={test} loading={busy !== null} disabled={disabled}>
          Test connection
        </Button>
      </div>
      <div aria-live="polite">
        {result ? (
          <Alert color="green" variant="light" title="Connection works" role="status" data-testid="smtp-test-ok">
            Signed in to the email server over {result.tlsProtocol.replace('TLSv', 'TLS ')} ({result.tlsCipher}). No email was sent.
          </Alert>
        ) : null}
      </div>
      <ErrorAlert error={error} title="The connection test failed" hideFixLink where={where} />
    </Stack>
  );
}
