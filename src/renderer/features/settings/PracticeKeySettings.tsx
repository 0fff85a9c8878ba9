import { useState } from 'react';
import { Alert, Button, CopyButton, Fieldset, Group, Stack, Text, Textarea } from '@mantine/core';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Fingerprint } from '../../components/Fingerprint';
import { toApiError, type ApiError } from '../../lib/call';
import { ImportPracticeKey } from './ImportPracticeKey';
import { useSettingsStore, type Settings } from './store';

/**
 * Settings → the practice OpenPGP key: its fingerprint (read to recipients by phone or in person), the armored PUBLIC
 * key to copy or save as practice-key.asc, and importing a key the practice already has (saving and importing only
 * for the roles that may: `maySaveKey`, `mayImportKey`).
 */
export function PracticeKeySettings({ settings, maySaveKey, mayImportKey }: { settings: Settings; maySaveKey: boolean; mayImportKey: boolean }) {
  const exportPracticeKey = useSettingsStore((s) => s.exportPracticeKey);
  const load = useSettingsStore((s) => s.load);
  const [saved, setSaved] = useState<boolean | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  const saveKey = async () => {
    setSaved(null);
    setError(null);
    try {
      setSaved(await exportPracticeKey());
    } catch (e) {
      setError(toApiError(e));
    }
  };

  return (
    <Fieldset legend="Practice OpenPGP key">
      <Stack gap="sm">
        <Text size="sm">
          Every release sent with OpenPGP is signed with this key, and the key travels inside each encrypted message.
          Give recipients the key file below, and read them the fingerprint by phone or in person so they can check it.
        </Text>
        <div>
          <Text fw={600} mb={4}>
            Fingerprint
          </Text>
          <Fingerprint value={settings.practiceKey.fingerprint} label="Practice key fingerprint" />
        </div>
        <Textarea
          label="Public key (safe to share)"
          value={settings.practicePublicKeyArmored}
          readOnly
          autosize
          minRows={4}
          maxRows={10}
          styles={{ input: { fontFamily: 'ui-monospace, monospace', fontSize: 12 } }}
          data-testid="practice-public-key"
        />
        <Group>
          <CopyButton value={settings.practicePublicKeyArmored}>
            {({ copied, copy }) => (
              <Button variant="default" onClick={copy} aria-live="polite">
                {copied ? 'Copied' : 'Copy public key'}
              </Button>
            )}
          </CopyButton>
          {maySaveKey ? (
            <Button variant="default" onClick={() => void saveKey()}>
              Save key file (practice-key.asc)…
            </Button>
          ) : null}
        </Group>
        <div aria-live="polite">
          {saved === true ? (
            <Alert color="green" variant="light" role="status" title="Key file saved as practice-key.asc" />
          ) : saved === false ? (
            <Text size="sm">Not saved.</Text>
          ) : null}
        </div>
        <ErrorAlert error={error} title="The key file was not saved" />
        {mayImportKey ? <ImportPracticeKey onImported={() => void load()} /> : null}
      </Stack>
    </Fieldset>
  );
}
