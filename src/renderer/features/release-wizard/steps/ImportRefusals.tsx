import { useState } from 'react';
import { Alert, Button, Group, List, PasswordInput, Stack, Text } from '@mantine/core';
import { plural } from '../../../lib/format';
import { useWizardStore, type Rejected } from '../store';

/**
 * A protected PDF waiting for its password (`passwordRequestId`): staff type it once, it opens that file
 * (`documents.unlockPdf`) and is then forgotten; "Skip this file" lets the waiting copy go (`documents.discardPending`).
 */
function PasswordPrompt({ item }: { item: Rejected[number] & { passwordRequestId: string } }) {
  const unlockPdf = useWizardStore((s) => s.unlockPdf);
  const skipProtectedPdf = useWizardStore((s) => s.skipProtectedPdf);
  const busy = useWizardStore((s) => s.busy);
  const [password, setPassword] = useState('');
  const id = item.passwordRequestId;
  const submit = () => {
    if (!password) return;
    const typed = password;
    setPassword('');
    void unlockPdf(id, typed);
  };
  const skip = () => void skipProtectedPdf(id);
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <Group align="flex-end" gap="xs" wrap="wrap">
        <PasswordInput
          label={`Password for ${item.fileName}`}
          description="Used once to open this file; ReleaseDesk does not keep it."
          autoComplete="off"
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
          style={{ minWidth: 260 }}
          data-autofocus
        />
        <Button type="submit" disabled={!password} loading={busy === 'pick'}>
          Open and add
        </Button>
        <Button variant="subtle" onClick={skip} disabled={busy === 'pick'}>
          Skip this file
        </Button>
      </Group>
    </form>
  );
}

/** The files of the last import that were not added, each with its reason; protected PDFs ask for their password. */
export function ImportRefusals() {
  const rejected = useWizardStore((s) => s.rejected);
  if (rejected.length === 0) return null;
  const waiting = rejected.filter((r): r is Rejected[number] & { passwordRequestId: string } => Boolean(r.passwordRequestId));
  const refused = rejected.filter((r) => !r.passwordRequestId);
  return (
    <Stack gap="sm" data-testid="import-refusals">
      {waiting.length > 0 ? (
        <Alert color="blue" variant="light" title={`${plural(waiting.length, 'PDF is', 'PDFs are')} protected by a password`}>
          <Stack gap="sm">
            {waiting.map((r) => (
              <Stack key={r.passwordRequestId} gap={4}>
                <Text size="sm">
                  <strong>{r.fileName}</strong>: {r.message}
                </Text>
                <PasswordPrompt item={r} />
              </Stack>
            ))}
          </Stack>
        </Alert>
      ) : null}
      {refused.length > 0 ? (
        <Alert color="orange" variant="light" title={`${plural(refused.length, 'file was', 'files were')} not added`} role="alert">
          <List size="sm" spacing={4}>
            {refused.map((r, i) => (
              <List.Item key={`${r.fileName}-${i}`}>
                <strong>{r.fileName}</strong>: {r.message}
              </List.Item>
            ))}
          </List>
        </Alert>
      ) : null}
    </Stack>
  );
}
