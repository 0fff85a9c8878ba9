/**
 * Settings → Automatic lock: the minutes without activity after which the screen locks and patient information is
 * cleared from it (1..60, default 5; `settings.setIdleLock`, audited). The desktop app uses the same time for the
 * computer's idle time and also locks when the computer sleeps or its screen locks.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { Alert, Button, Fieldset, Group, NumberInput, Stack, Text } from '@mantine/core';
import { IDLE_LOCK_MAX_MINUTES, IDLE_LOCK_MIN_MINUTES } from '../../../shared/contract';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useIdleLockStore } from '../../lib/idle-lock';

export function IdleLockSettings() {
  const stored = useIdleLockStore((s) => s.idleMinutes);
  const loaded = useIdleLockStore((s) => s.loaded);
  const saving = useIdleLockStore((s) => s.saving);
  const error = useIdleLockStore((s) => s.error);
  /** What staff typed; null shows the stored value (as read, or as saved). */
  const [draft, setDraft] = useState<number | string | null>(null);
  const minutes = draft ?? stored;
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    if (!loaded) void useIdleLockStore.getState().load();
  }, [loaded]);

  const n = Number(minutes);
  const invalid = !Number.isInteger(n) || n < IDLE_LOCK_MIN_MINUTES || n > IDLE_LOCK_MAX_MINUTES;
  const save = async (ev: FormEvent) => {
    ev.preventDefault();
    setSaved(false);
    if (invalid) {
      document.getElementById('settings-idle-minutes')?.focus();
      return;
    }
    const ok = await useIdleLockStore.getState().save(n);
    if (ok) setDraft(null);
    setSaved(ok);
  };

  return (
    <form onSubmit={(e) => void save(e)} noValidate aria-labelledby="settings-idle-legend">
      <Fieldset legend={<span id="settings-idle-legend">Automatic lock</span>} disabled={saving}>
        <Stack gap="sm">
          <Text size="sm">
            When nobody uses ReleaseDesk for this long, it locks and clears patient information from the screen. The desktop
            app also locks when the computer sleeps or its screen locks.
          </Text>
          <NumberInput
            id="settings-idle-minutes"
            label="Lock after this many minutes without activity"
            description={`From ${IDLE_LOCK_MIN_MINUTES} to ${IDLE_LOCK_MAX_MINUTES} minutes.`}
            min={IDLE_LOCK_MIN_MINUTES}
            max={IDLE_LOCK_MAX_MINUTES}
            allowDecimal={false}
            value={minutes}
            onChange={(v) => {
              setDraft(v);
              setSaved(false);
            }}
            error={invalid ? `Enter a whole number of minutes from ${IDLE_LOCK_MIN_MINUTES} to ${IDLE_LOCK_MAX_MINUTES}.` : undefined}
            aria-invalid={invalid ? true : undefined}
          />
          <ErrorAlert error={error} title="The automatic lock time was not saved" />
          <div aria-live="polite">{saved ? <Alert color="green" variant="light" role="status" title="Automatic lock time saved" /> : null}</div>
          <Group>
            <Button type="submit" variant="default" loading={saving}>
              Save lock time
            </Button>
          </Group>
        </Stack>
      </Fieldset>
    </form>
  );
}
