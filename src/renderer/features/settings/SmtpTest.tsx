import { useState } from 'react';
import { Alert, Button, Stack } from '@mantine/core';
import type { ChannelInput, ChannelOutput } from '../../../shared/contract';
import { toApiError, type ApiError } from '../../lib/call';
import { useSettingsStore } from './store';
import { ErrorAlert } from '../../components/ErrorAlert';

/**
 * "Test connection" for SMTP settings: `settings.testSmtp` connects with the same verified TLS and login as
 * sending, then disconnects — no email is sent. Shows the TLS version on success, the plain explanation
 * (with its error code) on failure. `read` returns the settings to test, or null when the form is not
 * complete (the form then shows its own field errors).
 */
export function SmtpTestButton({ read, disabled }: { read: () => ChannelInput<'settings.testSmtp'> | null; disabled?: boolean }) {
  const testSmtp = useSettingsStore((s) => s.testSmtp);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ChannelOutput<'settings.testSmtp'> | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const run = async () => {
    const input = read();
    setResult(null);
    setError(null);
    if (!input) return;
    setBusy(true);
    try {
      setResult(await testSmtp(input));
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Stack gap="xs">
      <div>
        <Button variant="default" onClick={() => void run()} loading={busy} disabled={disabled}>
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
      <ErrorAlert error={error} title="The connection test failed" hideFixLink />
    </Stack>
  );
}
