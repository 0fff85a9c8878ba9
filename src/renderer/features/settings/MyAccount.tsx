import { useEffect, useState } from 'react';
import { Alert, Button, Code, Fieldset, Group, Image, List, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import QRCode from 'qrcode';
import type { ChannelOutput } from '../../../shared/contract';
import { ErrorAlert } from '../../components/ErrorAlert';
import { call, toApiError, type ApiError } from '../../lib/call';
import { ROLE_LABEL } from './StaffAccounts';

type Me = ChannelOutput<'accounts.me'>;

/**
 * Your own account (every role): change your passphrase (the current one is checked) and turn on two-step sign-in —
 * scan the QR code with an authenticator app, type the code it shows, and keep the recovery codes (shown once).
 */
export function MyAccount() {
  const [me, setMe] = useState<Me | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [enroll, setEnroll] = useState<{ secret: string; qr: string } | null>(null);
  const [recovery, setRecovery] = useState<string[] | null>(null);
  const load = () => call('accounts.me', {}).then(setMe, (e: unknown) => setError(toApiError(e)));
  useEffect(() => {
    void load();
  }, []);

  const pass = useForm({
    mode: 'controlled',
    initialValues: { current: '', next: '', confirm: '' },
    validate: (v) => ({
      current: v.current ? null : 'Enter your current passphrase.',
      next: v.next.length < 12 ? 'Use at least 12 characters, for example four unrelated words.' : null,
      confirm: v.confirm !== v.next ? 'The two passphrases do not match.' : null,
    }),
  });
  const code = useForm({ mode: 'controlled', initialValues: { code: '' }, validate: { code: (c) => (/^\d{6}$/.test(c.trim()) ? null : 'Type the 6-digit code from the app.') } });

  const startMfa = async () => {
    setError(null);
    setRecovery(null);
    try {
      const r = await call('accounts.startMfa', {});
      setEnroll({ secret: r.secret, qr: await QRCode.toDataURL(r.otpauthUri, { margin: 1, width: 200 }) });
    } catch (e) {
      setError(toApiError(e));
    }
  };

  if (!me) return <ErrorAlert error={error} />;
  return (
    <Fieldset legend="Your account">
      <Stack gap="sm">
        <Text>
          Signed in as <strong>{me.user.name}</strong> ({ROLE_LABEL[me.user.role]}). Two-step sign-in is <strong>{me.user.mfaEnrolled ? 'on' : 'off'}</strong>
          {me.user.mfaEnrolled ? ` (${me.recoveryCodesLeft} recovery codes left)` : ''}.
        </Text>
        {me.requireMfa && !me.user.mfaEnrolled ? (
          <Alert color="orange" variant="light" title="Your practice requires two-step sign-in">
            Turn it on below before you continue working.
          </Alert>
        ) : null}
        <form
          aria-label="Change your passphrase"
          onSubmit={pass.onSubmit((v) => {
            setError(null);
            setNotice(null);
            call('accounts.changePassphrase', { current: { passphrase: v.current }, next: { passphrase: v.next } }).then(
              () => {
                pass.reset();
                setNotice('Your passphrase was changed. Use the new one next time you unlock.');
              },
              (e: unknown) => setError(toApiError(e)),
            );
          })}
        >
          <Stack gap="xs">
            <Text fw={600}>Change your passphrase</Text>
            <Group grow align="flex-start">
              <PasswordInput id="me-current" label="Current passphrase" autoComplete="current-password" {...pass.getInputProps('current')} />
              <PasswordInput id="me-next" label="New passphrase" autoComplete="new-password" {...pass.getInputProps('next')} />
              <PasswordInput id="me-confirm" label="Type it again" autoComplete="new-password" {...pass.getInputProps('confirm')} />
            </Group>
            <Button type="submit" w="fit-content" variant="default">Change passphrase</Button>
          </Stack>
        </form>
        <Stack gap="xs">
          <Text fw={600}>Two-step sign-in</Text>
          {!enroll && !recovery ? (
            <Button w="fit-content" variant="default" onClick={() => void startMfa()}>
              {me.user.mfaEnrolled ? 'Set up again on a new phone' : 'Turn on two-step sign-in'}
            </Button>
          ) : null}
          {enroll ? (
            <form
              aria-label="Confirm two-step sign-in"
              onSubmit={code.onSubmit((v) => {
                setError(null);
                call('accounts.confirmMfa', { code: v.code.trim() }).then(
                  (r) => {
                    setRecovery(r.recoveryCodes);
                    setEnroll(null);
                    code.reset();
                    void load();
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
              <Button mt="sm" size="xs" variant="default" onClick={() => setRecovery(null)}>I have kept them</Button>
            </Alert>
          ) : null}
        </Stack>
        {notice ? <Text role="status" size="sm">{notice}</Text> : null}
        <ErrorAlert error={error} />
      </Stack>
    </Fieldset>
  );
}
