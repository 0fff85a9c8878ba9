import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, Fieldset, Group, PasswordInput, Stack, Text } from '@mantine/core';
import { useForm } from '@mantine/form';
import type { ChannelOutput } from '../../../shared/contract';
import { ErrorAlert } from '../../components/ErrorAlert';
import { toApiError, type ApiError } from '../../lib/call';
import { ROLE_LABEL } from '../../../shared/roles';
import { MfaEnrollment } from '../unlock/MfaEnrollment';
import { useSettingsStore } from './store';

type Me = ChannelOutput<'accounts.me'>;

/**
 * Your own account (every role): change your passphrase (the current one is checked) and turn on two-step sign-in —
 * scan the QR code with an authenticator app, type the code it shows, and keep the recovery codes (shown once).
 */
export function MyAccount() {
  const [me, setMe] = useState<Me | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const readMe = useSettingsStore((s) => s.me);
  const changePassphrase = useSettingsStore((s) => s.changePassphrase);
  const load = useCallback(() => readMe().then(setMe, (e: unknown) => setError(toApiError(e))), [readMe]);
  useEffect(() => {
    void load();
  }, [load]);

  const pass = useForm({
    mode: 'controlled',
    initialValues: { current: '', next: '', confirm: '' },
    validate: (v) => ({
      current: v.current ? null : 'Enter your current passphrase.',
      next: v.next.length < 12 ? 'Use at least 12 characters, for example four unrelated words.' : null,
      confirm: v.confirm !== v.next ? 'The two passphrases do not match.' : null,
    }),
  });
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
            changePassphrase({ current: { passphrase: v.current }, next: { passphrase: v.next } }).then(
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
          <MfaEnrollment enrolled={me.user.mfaEnrolled} onConfirmed={() => void load()} />
        </Stack>
        {notice ? <Text role="status" size="sm">{notice}</Text> : null}
        <ErrorAlert error={error} />
      </Stack>
    </Fieldset>
  );
}
