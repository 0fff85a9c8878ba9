import { useState, type FormEvent } from 'react';
import { Button, Container, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { lastUser, useUnlockStore } from './store';
import { useAppStore } from '../../lib/navigation';
import { ErrorAlert } from '../../components/ErrorAlert';
import { LockNotice } from './LockNotice';

/** Opens the encrypted vault as one staff member: name, own passphrase and, with two-step sign-in, a code. */
export function UnlockScreen() {
  const { busy, error, unlock, clearError } = useUnlockStore();
  const info = useAppStore((s) => s.info);
  const refresh = useAppStore((s) => s.refresh);
  const [username, setUsername] = useState(lastUser);
  const [passphrase, setPassphrase] = useState('');
  const [code, setCode] = useState('');
  const [askCode, setAskCode] = useState(false);

  const wrong = error?.code === 'WRONG_PASSPHRASE';
  const badCode = error?.code === 'MFA_INVALID';
  const onSubmit = async (ev: FormEvent) => {
    ev.preventDefault();
    if (!passphrase) return;
    if (await unlock(username, passphrase, askCode ? code : undefined)) {
      setPassphrase('');
      setCode('');
      setAskCode(false);
      await refresh();
      return;
    }
    const now = useUnlockStore.getState().error?.code;
    if (now === 'MFA_REQUIRED' || now === 'MFA_INVALID') {
      // The passphrase was right: keep it for this attempt and ask for the code.
      setAskCode(true);
      setCode('');
      setTimeout(() => document.getElementById('unlock-code')?.focus(), 0);
    } else {
      setPassphrase('');
      setAskCode(false);
      document.getElementById('unlock-passphrase')?.focus();
    }
  };

  return (
    <Container size={460} py={80}>
      <Paper withBorder p="xl" radius="md">
        <form onSubmit={(e) => void onSubmit(e)} aria-labelledby="unlock-title">
          <Stack gap="md">
            <Title order={1} id="unlock-title" size="h2">
              Unlock ReleaseDesk
            </Title>
            <LockNotice />
            <Text>
              {info?.practiceName ? `${info.practiceName}. ` : ''}Sign in with your own name and passphrase to open the records vault.
            </Text>
            <TextInput
              id="unlock-username"
              label="Your name"
              description="As your administrator set it up"
              autoComplete="username"
              autoFocus={!username}
              value={username}
              onChange={(e) => {
                setUsername(e.currentTarget.value);
                setAskCode(false);
                if (error) clearError();
              }}
            />
            <PasswordInput
              id="unlock-passphrase"
              label="Your passphrase"
              required
              autoFocus={Boolean(username)}
              autoComplete="current-password"
              value={passphrase}
              onChange={(e) => {
                setPassphrase(e.currentTarget.value);
                setAskCode(false);
                if (error) clearError();
              }}
              aria-invalid={wrong}
              error={wrong ? 'That name and passphrase do not match. Check the name, Caps Lock, and try again.' : undefined}
            />
            {askCode ? (
              <TextInput
                id="unlock-code"
                label="Code from your authenticator app"
                description="The 6-digit code, or one of your recovery codes"
                required
                autoComplete="one-time-code"
                inputMode="text"
                value={code}
                onChange={(e) => {
                  setCode(e.currentTarget.value);
                  if (error) clearError();
                }}
                aria-invalid={badCode}
                error={badCode ? 'That code is not valid or was already used. Type the newest code from the app.' : undefined}
              />
            ) : null}
            {error && !wrong && !badCode && error.code !== 'MFA_REQUIRED' ? <ErrorAlert error={error} /> : null}
            <Button type="submit" size="md" loading={busy} disabled={!passphrase || (askCode && !code.trim())}>
              Unlock
            </Button>
            <Text size="sm" c="dark.4">
              Next: Today — what needs attention. ReleaseDesk locks itself again when you press Lock or leave it unused.
            </Text>
          </Stack>
        </form>
      </Paper>
    </Container>
  );
}
