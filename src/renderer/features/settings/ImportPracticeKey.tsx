import { Alert, Button, Group, PasswordInput, Stack, Text, Textarea } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import type { ChannelOutput } from '../../../shared/contract';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Fingerprint } from '../../components/Fingerprint';
import { toApiError, type ApiError } from '../../lib/call';
import { useSettingsStore } from './store';

type KeyInfo = ChannelOutput<'settings.importPracticeKey'>['practiceKey'];

/**
 * "Use the practice's existing key": paste the armored private key (and its passphrase, used once, never stored);
 * on success the new key becomes the practice key and `onImported` reloads the settings. The previous key is kept
 * in the vault, inactive. Nothing changes when the key is refused; the refusal names the fingerprint and why.
 */
export function ImportPracticeKey({ onImported }: { onImported: (key: KeyInfo) => void }) {
  const importPracticeKey = useSettingsStore((s) => s.importPracticeKey);
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [imported, setImported] = useState<KeyInfo | null>(null);
  const form = useForm({
    initialValues: { armoredPrivateKey: '', passphrase: '' },
    validate: {
      armoredPrivateKey: (v) => (/-----BEGIN PGP PRIVATE KEY BLOCK-----/.test(v) ? null : 'Paste the whole private key block, from “-----BEGIN PGP PRIVATE KEY BLOCK-----” to the END line.'),
    },
  });

  const submit = form.onSubmit(async (values) => {
    setError(null);
    setBusy(true);
    try {
      const r = await importPracticeKey({ armoredPrivateKey: values.armoredPrivateKey.trim(), ...(values.passphrase ? { passphrase: values.passphrase } : {}) });
      form.reset();
      setOpen(false);
      setImported(r.practiceKey);
      onImported(r.practiceKey);
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(false);
    }
  });

  if (!open) {
    return (
      <Stack gap="xs">
        {imported ? (
          <Alert color="green" variant="light" role="status" title="The practice now uses the imported key">
            <Fingerprint value={imported.fingerprint} label="Imported key fingerprint" />
            <Text size="sm" mt="xs">
              Give recipients the new public key and read them the new fingerprint. Releases already sent still verify with the previous key.
            </Text>
          </Alert>
        ) : null}
        <Group>
          <Button variant="subtle" onClick={() => setOpen(true)}>
            Use the practice’s existing key instead…
          </Button>
        </Group>
      </Stack>
    );
  }
  return (
    <form onSubmit={submit} noValidate aria-label="Use the practice’s existing key">
      <Stack gap="sm">
        <Text size="sm">
          If the practice already has an OpenPGP key that recipients know, paste its private key here (for example the output of “gpg --export-secret-keys --armor”). It is
          kept only inside the encrypted vault; its passphrase is used once to open it and is not stored. From then on releases are signed with it.
        </Text>
        <Textarea
          label="Private key"
          autosize
          minRows={4}
          maxRows={10}
          styles={{ input: { fontFamily: 'ui-monospace, monospace', fontSize: 12 } }}
          data-testid="import-practice-key"
          {...form.getInputProps('armoredPrivateKey')}
        />
        <PasswordInput label="The key’s passphrase (if it has one)" autoComplete="off" {...form.getInputProps('passphrase')} />
        <ErrorAlert error={error} title="The key was not imported; the practice key is unchanged" />
        <Group>
          <Button type="submit" loading={busy}>
            Use this key
          </Button>
          <Button variant="default" onClick={() => (setOpen(false), setError(null), form.reset())}>
            Cancel
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
