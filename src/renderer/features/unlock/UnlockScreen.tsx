import { useState, type FormEvent } from 'react';
import { Button, Container, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { useUnlockStore } from './store';
import { useAppStore } from '../../app/store';
import { ErrorAlert } from '../../components/ErrorAlert';
import { LockNotice } from './LockNotice';

/** Opens the encrypted vault with the practice's passphrase. */
export function UnlockScreen() {
  const { busy, error, unlock, clearError } = useUnlockStore();
  const info = useAppStore((s) => s.info);
  const refresh = useAppStore((s) => s.refresh);
  const [passphrase, setPassphrase] = useState('');

  const wrong = error?.code === 'WRONG_PASSPHRASE';
  const onSubmit = async (ev: FormEvent) => {
    ev.preventDefault();
    if (!passphrase) return;
    if (await unlock(passphrase)) {
      setPassphrase('');
      await refresh();
    } else {
      setPassphrase('');
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
              {info?.practiceName ? `${info.practiceName}. ` : ''}Enter the vault passphrase to open the records vault.
            </Text>
            <PasswordInput
              id="unlock-passphrase"
              label="Vault passphrase"
              required
              autoFocus
              autoComplete="current-password"
              value={passphrase}
              onChange={(e) => {
                setPassphrase(e.currentTarget.value);
                if (error) clearError();
              }}
              aria-invalid={wrong}
              error={wrong ? 'That passphrase is not correct. Check Caps Lock and try again.' : undefined}
            />
            {error && !wrong ? <ErrorAlert error={error} /> : null}
            <Button type="submit" size="md" loading={busy} disabled={!passphrase}>
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
