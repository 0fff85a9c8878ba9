/** On the unlock screen after an idle lock: why the screen locked (the practice's idle time) and that nothing is lost. */
import { Alert } from '@mantine/core';
import { useAppStore } from '../../lib/navigation';
import { idleLockMessage } from '../../lib/idle-lock';

export function LockNotice() {
  const notice = useAppStore((s) => s.lockNotice);
  if (!notice) return null;
  return (
    <Alert color="blue" variant="light" role="status" title={idleLockMessage(notice.idleMinutes)} data-testid="lock-notice">
      Patient information was cleared from the screen. Saved work is kept in the vault: enter the passphrase to continue.
    </Alert>
  );
}
