import { useState } from 'react';
import { Alert, Button, Group, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { channels, type RestoreResultT } from '../../../shared/contract';
import { useAppStore } from '../../lib/navigation';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useCheckedSubmit, zodValidate } from '../../lib/form';
import { plural } from '../../lib/format';
import { useSetupStore } from './store';

interface RestoreValues {
  passphrase: string;
}
/** The rule main parses (`backup.restore`): a passphrase is given. */
const validateRestore = zodValidate<RestoreValues>(channels['backup.restore'].input, (v) => v, { passphrase: 'Enter the vault passphrase of the backup.' });

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
  const form = useForm<RestoreValues>({ mode: 'controlled', initialValues: { passphrase: '' }, validate: validateRestore });
  const { formRef, busy, error, submit, restart } = useCheckedSubmit(form);
  const [cancelled, setCancelled] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const passphrase = form.values.passphrase;

  // The passphrase is used once: the field is emptied whether the restore worked, was cancelled or failed.
  const restore = submit(async () => {
    setCancelled(false);
    let r: RestoreResultT;
    try {
      r = await restoreBackup(form.getValues().passphrase);
    } finally {
      form.reset();
      restart();
    }
    if (!r.restored) {
      setCancelled(true);
      return;
    }
    setDone(`Restored and verified: ${plural(r.requests, 'request')}, ${plural(r.releases, 'release')}, ${plural(r.eventsVerified, 'audit event')}.`);
    navigate({ name: 'dashboard' });
    await refresh();
  });

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
          <form ref={formRef} onSubmit={(e) => void restore(e)} noValidate aria-label="Restore from a backup">
            <Stack gap="sm">
              <PasswordInput
                id="restore-passphrase"
                label="Vault passphrase of the backup"
                autoComplete="current-password"
                {...form.getInputProps('passphrase')}
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
