import { useState, type FormEvent } from 'react';
import { Alert, Button, Group, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { useAppStore } from '../../lib/navigation';
import { ErrorAlert } from '../../components/ErrorAlert';
import { toApiError, type ApiError } from '../../lib/call';
import { plural } from '../../lib/format';
import { useSetupStore } from './store';

/**
 * Restore a backup instead of setting up (a new or repaired computer). Only offered before setup: the service restores
 * into an empty data folder and never over a vault (RESTORE_TARGET_NOT_EMPTY). The backup is verified with the
 * passphrase (audit chain and checkpoints) before anything is copied; then the vault opens and Today is shown.
 */
export function RestoreBackup() {
  const refresh = useAppStore((s) => s.refresh);
  const navigate = useAppStore((s) => s.navigate);
  const restoreBackup = useSetupStore((s) => s.restoreBackup);
  const [open, setOpen] = useState(false);
  const [passphrase, setPassphrase] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [cancelled, setCancelled] = useState(false);
  const [done, setDone] = useState<string | null>(null);

  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    if (!passphrase) {
      document.getElementById('restore-passphrase')?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    setCancelled(false);
    try {
      const r = await restoreBackup(passphrase);
      setPassphrase('');
      if (!r.restored) {
        setCancelled(true);
        return;
      }
      setDone(`Restored and verified: ${plural(r.requests, 'request')}, ${plural(r.releases, 'release')}, ${plural(r.eventsVerified, 'audit event')}.`);
      navigate({ name: 'dashboard' });
      await refresh();
    } catch (e) {
      setPassphrase('');
      setError(toApiError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Paper withBorder radius="md" p="lg" mt="xl" component="section" aria-labelledby="restore-title" data-testid="restore-backup">
      <Stack gap="sm">
        <Title order={2} size="h4" id="restore-title">
          Moving to this computer? Restore a backup instead
        </Title>
        <Text size="sm">
          If your practice already uses ReleaseDesk, restore its encrypted backup here instead of setting up. ReleaseDesk checks the
          backup with the vault passphrase before using it. A backup is only restored on a computer without a vault.
        </Text>
        {!open ? (
          <Group>
            <Button variant="default" onClick={() => setOpen(true)}>
              Restore from a backup…
            </Button>
          </Group>
        ) : (
          <form onSubmit={(e) => void submit(e)} noValidate aria-label="Restore from a backup">
            <Stack gap="sm">
              <PasswordInput
                id="restore-passphrase"
                label="Vault passphrase of the backup"
                autoComplete="current-password"
                value={passphrase}
                onChange={(e) => setPassphrase(e.currentTarget.value)}
                maw={420}
                autoFocus
              />
              <ErrorAlert error={error} title="The backup was not restored" />
              <div aria-live="polite">
                {cancelled ? <Text size="sm">No folder chosen; nothing changed.</Text> : null}
                {done ? <Alert color="green" variant="light" role="status" title={done} /> : null}
              </div>
              <Group>
                <Button type="submit" loading={busy} disabled={!passphrase}>
                  Choose the backup folder and restore
                </Button>
              </Group>
            </Stack>
          </form>
        )}
      </Stack>
    </Paper>
  );
}
