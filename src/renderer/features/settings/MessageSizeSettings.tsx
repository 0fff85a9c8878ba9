import { useState, type FormEvent } from 'react';
import { Alert, Button, Fieldset, Group, NumberInput, Stack } from '@mantine/core';
import { ErrorAlert } from '../../components/ErrorAlert';
import { toApiError, type ApiError } from '../../lib/call';
import { useSettingsStore } from './store';

const MB = 1_000_000;

/** Settings → the largest attachment per email (`settings.setDelivery`, 0.03–100 MB); larger releases are split. */
export function MessageSizeSettings({ messageLimitBytes }: { messageLimitBytes: number }) {
  const saveMessageLimit = useSettingsStore((s) => s.saveMessageLimit);
  const [limitMb, setLimitMb] = useState<number | string>(messageLimitBytes / MB);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const limitBytes = Math.round(Number(limitMb) * MB);
  const invalid = !Number.isFinite(limitBytes) || limitBytes < 30_000 || limitBytes > 100_000_000;
  const save = async (ev: FormEvent) => {
    ev.preventDefault();
    setSaved(false);
    setError(null);
    if (invalid) {
      document.getElementById('settings-limit')?.focus();
      return;
    }
    try {
      setLimitMb((await saveMessageLimit(limitBytes)) / MB);
      setSaved(true);
    } catch (e) {
      setError(toApiError(e));
    }
  };

  return (
    <form onSubmit={(e) => void save(e)} noValidate aria-labelledby="settings-size-legend">
      <Fieldset legend={<span id="settings-size-legend">Message size limit</span>}>
        <Stack gap="sm">
          <NumberInput
            id="settings-limit"
            label="Largest attachment per email (MB)"
            description="Larger releases are split into several emails. Many email providers refuse messages over 20–25 MB."
            min={0.03}
            max={100}
            decimalScale={2}
            value={limitMb}
            onChange={setLimitMb}
            error={invalid ? 'Enter a size from 0.03 to 100 MB.' : undefined}
            aria-invalid={invalid ? true : undefined}
          />
          <ErrorAlert error={error} title="The size limit was not saved" />
          <div aria-live="polite">{saved ? <Alert color="green" variant="light" role="status" title="Size limit saved" /> : null}</div>
          <Group>
            <Button type="submit" variant="default">
              Save size limit
            </Button>
          </Group>
        </Stack>
      </Fieldset>
    </form>
  );
}
