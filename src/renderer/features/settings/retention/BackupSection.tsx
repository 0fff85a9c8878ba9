import { useState } from 'react';
import { Alert, Button, Fieldset, Group, Stack, Text } from '@mantine/core';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { toApiError, type ApiError } from '../../../lib/call';
import { formatBytes, formatDateTime, plural } from '../../../lib/format';
import { useRetentionStore, type BackupResultT, type RetentionViewT } from './store';

/** The encrypted, verified backup of the whole vault (`backup.create`), when the last one was made and whether one is due. */
export function BackupSection({ view }: { view: RetentionViewT }) {
  const backupIn = useRetentionStore((s) => s.backup);
  const [backupBusy, setBackupBusy] = useState(false);
  const [backup, setBackup] = useState<BackupResultT | null>(null);
  const [backupError, setBackupError] = useState<ApiError | null>(null);

  const backupNow = async () => {
    setBackupBusy(true);
    setBackupError(null);
    setBackup(null);
    try {
      setBackup(await backupIn());
    } catch (e) {
      setBackupError(toApiError(e));
    } finally {
      setBackupBusy(false);
    }
  };

  return (
    <Fieldset legend="Backup" data-testid="backup-settings">
      <Stack gap="sm">
        <Text size="sm">
          An encrypted copy of the whole vault, checked by opening it and verifying its audit log. It opens only with the vault
          passphrase. Keep it on a drive stored away from this computer.
        </Text>
        <Text size="sm" data-testid="last-backup">
          {view.lastBackupAt ? `Last backup: ${formatDateTime(view.lastBackupAt)}.` : 'No backup has been made yet.'}
          {view.backupDue ? ` A backup is due (every ${plural(view.policy.backupReminderDays, 'day')}).` : ''}
        </Text>
        <ErrorAlert error={backupError} title="No backup was made" />
        <div aria-live="polite">
          {backup?.saved ? (
            <Alert color="green" variant="light" role="status" title="Backup made and verified" data-testid="backup-result">
              <Text size="sm">
                {formatBytes(backup.bytes)} written; {plural(backup.eventsVerified, 'audit event')} verified in the copy.
              </Text>
              {backup.folder ? (
                <Text size="xs" c="dark.4" style={{ wordBreak: 'break-all' }}>
                  Folder: {backup.folder}
                </Text>
              ) : null}
            </Alert>
          ) : backup && !backup.saved ? (
            <Text size="sm">No folder chosen; nothing was written.</Text>
          ) : null}
        </div>
        <Group>
          <Button variant="default" loading={backupBusy} onClick={() => void backupNow()}>
            Back up now…
          </Button>
        </Group>
      </Stack>
    </Fieldset>
  );
}
