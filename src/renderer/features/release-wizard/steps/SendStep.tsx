import { Alert, Button, Group, Loader, Paper, Progress, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useWizardStore } from '../store';
import { useAppStore } from '../../../app/store';
import { explain, isRetryableSendFailure } from '../../../lib/explain';
import { formatDateTime } from '../../../lib/format';
import { FindingsList } from '../../authorizations/FindingsList';

const OPERATION_LABEL: Record<string, string> = {
  import: 'Reading the records',
  encrypt: 'Encrypting and signing',
  send: 'Sending to the email server',
};

/** Step 5: sending (`releases.send`) with progress, then the result or the failure and what to do next. */
export function SendStep() {
  const release = useWizardStore((s) => s.release);
  const busy = useWizardStore((s) => s.busy);
  const progress = useWizardStore((s) => s.progress);
  const sendError = useWizardStore((s) => s.sendError);
  const evaluation = useWizardStore((s) => s.evaluation);
  const send = useWizardStore((s) => s.send);
  const goTo = useWizardStore((s) => s.goTo);
  const navigate = useAppStore((s) => s.navigate);
  if (!release) return null;

  if (busy === 'send') {
    const pct = progress && progress.total > 0 ? Math.round((progress.done / progress.total) * 100) : null;
    return (
      <Stack gap="md" role="status" aria-live="polite">
        <Group gap="sm">
          <Loader size="sm" aria-hidden />
          <Text fw={600}>{progress ? OPERATION_LABEL[progress.operation] ?? 'Working' : 'Encrypting, signing and sending'}…</Text>
        </Group>
        <Progress value={pct ?? 100} animated striped={pct === null} aria-label="Sending progress" size="lg" />
        <Text size="sm" c="dark.4">Keep ReleaseDesk open. This usually takes a few seconds.</Text>
      </Stack>
    );
  }

  const transmission = release.transmissions.at(-1) ?? null;
  if (release.status === 'sent' && transmission) {
    return (
      <Stack gap="md">
        <Alert color="green" variant="light" title="Sent" role="status">
          The records were encrypted, signed and handed to your email server over a TLS connection. The transmission is in
          the audit log.
        </Alert>
        <Paper withBorder p="md" radius="md" component="section" aria-labelledby="sent-details">
          <Title order={2} size="h5" id="sent-details" mb="xs">Transmission</Title>
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
            <div><Text size="sm" c="dark.4">Sent at</Text><Text data-testid="sent-at">{formatDateTime(transmission.at)}</Text></div>
            <div><Text size="sm" c="dark.4">To</Text><Text>{transmission.recipientName} &lt;{transmission.recipientEmail}&gt;</Text></div>
            <div><Text size="sm" c="dark.4">Connection</Text><Text data-testid="sent-tls">{transmission.tlsProtocol} ({transmission.tlsCipher})</Text></div>
            <div><Text size="sm" c="dark.4">Message ID</Text><Text style={{ wordBreak: 'break-all' }} data-testid="sent-message-id">{transmission.messageId}</Text></div>
            <div><Text size="sm" c="dark.4">Server response</Text><Text style={{ wordBreak: 'break-all' }}>{transmission.smtpResponse}</Text></div>
          </SimpleGrid>
        </Paper>
        <Text size="sm">Next: nothing else is needed for this release. You can start another one.</Text>
        <Group>
          <Button onClick={() => navigate({ name: 'releases' })}>Back to releases</Button>
          <Button variant="outline" onClick={() => navigate({ name: 'audit' })}>Open audit log</Button>
        </Group>
      </Stack>
    );
  }

  if (sendError) {
    const ex = explain(sendError.code, sendError.message);
    const retry = isRetryableSendFailure(sendError.code);
    return (
      <Stack gap="md">
        <Alert color="red" variant="light" title="Not sent" role="alert" data-code={sendError.code}>
          <Text size="sm">{ex.title}</Text>
          {sendError.message !== ex.title ? <Text size="sm" mt={4}>{sendError.message}</Text> : null}
          <Text size="sm" mt={6}><strong>What to do next:</strong> {ex.next}</Text>
          <Text size="xs" mt={6} c="dark.3">Error code: {sendError.code}</Text>
        </Alert>
        {sendError.code === 'RELEASE_BLOCKED' && evaluation ? (
          <FindingsList findings={evaluation.findings.filter((f) => f.severity === 'block')} label="Findings that block this release"
            emptyText="The check now finds nothing blocking: go back to review and send again." />
        ) : null}
        <Text size="sm">
          The release is still here, unsent, with its documents and recipient. Nothing was lost and nothing left this computer
          unencrypted.
        </Text>
        <Group>
          <Button variant="default" onClick={() => goTo(3)}>Back to review</Button>
          {retry ? <Button onClick={() => void send()}>Try again</Button> : null}
          <Button variant="subtle" onClick={() => navigate({ name: 'releases' })}>Back to releases</Button>
        </Group>
      </Stack>
    );
  }

  return (
    <Stack gap="md">
      <Text>Review the release first, then send it from the review step.</Text>
      <Group><Button onClick={() => goTo(3)}>Go to review</Button></Group>
    </Stack>
  );
}
