import { useState } from 'react';
import { Alert, Button, Code, Image, List, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import QRCode from 'qrcode';
import { ErrorAlert } from '../../components/ErrorAlert';
import { toApiError, type ApiError } from '../../lib/call';
import { useUnlockStore } from './store';

/**
 * Two-step sign-in enrollment (TOTP, RFC 6238), used from Settings → Your account and by the forced enrollment screen:
 * start (`accounts.startMfa`), scan the QR code drawn here from the otpauth:// URI (or type the key), type the code
 * the app shows (`accounts.confirmMfa`), then keep the ten one-time recovery codes, shown only once.
 * @param enrolled whether the account already has MFA (the start button then offers a new phone)
 * @param onConfirmed called once main confirmed the code (recovery codes now on screen)
 * @param onKept called when staff press "I have kept them"
 */
export function MfaEnrollment({ enrolled, onConfirmed, onKept }: { enrolled: boolean; onConfirmed?: () => void; onKept?: () => void }) {
  const { startMfa: start, confirmMfa } = useUnlockStore.getState();
  const [enroll, setEnroll] = useState<{ secret: string; qr: string } | null>(null);
  const [recovery, setRecovery] = useState<string[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const code = useForm({ mode: 'controlled', initialValues: { code: '' }, validate: { code: (c) => (/^\d{6}$/.test(c.trim()) ? null : 'Type the 6-digit code from the app.') } });

  const startMfa = async () => {
    setError(null);
    setRecovery(null);
    try {
      const r = await start();
      setEnroll({ secret: r.secret, qr: await QRCode.toDataURL(r.otpauthUri, { margin: 1, width: 200 }) });
    } catch (e) {
      setError(toApiError(e));
    }
  };

  return (
    <Stack gap="xs">
      {!enroll && !recovery ? (
        <Button w="fit-content" variant={enrolled ? 'default' : 'filled'} onClick={() => void startMfa()}>
          {enrolled ? 'Set up again on a new phone' : 'Turn on two-step sign-in'}
        </Button>
      ) : null}
      {enroll ? (
        <form
          aria-label="Confirm two-step sign-in"
          onSubmit={code.onSubmit((v) => {
            setError(null);
            confirmMfa(v.code).then(
              (r) => {
                setRecovery(r.recoveryCodes);
                setEnroll(null);
                code.reset();
                onConfirmed?.();
              },
              (e: unknown) => setError(toApiError(e)),
            );
          })}
        >
          <Stack gap="xs">
            <Text size="sm">1. Scan this code with an authenticator app (for example Google Authenticator, Microsoft Authenticator or 1Password).</Text>
            <Image src={enroll.qr} alt="QR code to add ReleaseDesk to your authenticator app" w={200} h={200} />
            <Text size="sm">
              Cannot scan? Type this key into the app: <Code data-testid="mfa-secret">{enroll.secret}</Code>
            </Text>
            <TextInput id="mfa-code" label="2. Type the 6-digit code the app shows" autoComplete="one-time-code" inputMode="numeric" w={260} {...code.getInputProps('code')} />
            <Button type="submit" w="fit-content">Turn on</Button>
          </Stack>
        </form>
      ) : null}
      {recovery ? (
        <Alert color="blue" variant="light" title="Your recovery codes — shown only now" data-testid="recovery-codes">
          <Text size="sm">Each code works once if you lose your phone. Print or write them down and keep them somewhere safe, not on this computer.</Text>
          <List size="sm" mt="xs" ff="monospace">
            {recovery.map((c) => <List.Item key={c}>{c}</List.Item>)}
          </List>
          <Button
            mt="sm"
            size="xs"
            variant="default"
            onClick={() => {
              setRecovery(null);
              onKept?.();
            }}
          >
            I have kept them
          </Button>
        </Alert>
      ) : null}
      <ErrorAlert error={error} />
    </Stack>
  );
}
