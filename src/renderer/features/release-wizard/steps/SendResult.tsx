/**
 * What the Send step shows around a delivery: its progress, the one-time passphrase panel, the transmission's
 * details and a partly sent release's parts.
 */
import { useState } from 'react';
import { Alert, Button, Checkbox, Group, Loader, Paper, Progress, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import type { TransmissionT } from '../../../../shared/contract';
import { type OneTimePassphrase } from '../store';

import { formatDateTime } from '../../../lib/format';

import { METHOD_NAME } from '../../../lib/delivery-labels';
import { formatFingerprint } from '../../../../shared/fingerprint';

/** The phase of long work, in words (contract `progress` event operations). */
export const OPERATION_LABEL: Record<string, string> = {
  import: 'Reading the records',
  assemble: 'Putting the packet together',
  encrypt: 'Encrypting',
  send: 'Sending to the email server',
};

/** Percent (0–100, rounded) of a progress event, or null when its total is unknown. */
export function progressPercent(p: { done: number; total: number } | null): number | null {
  if (!p || p.total <= 0) return null;
  return Math.max(0, Math.min(100, Math.round((p.done / p.total) * 100)));
}

/**
 * The one-time passphrase panel: the passphrase main returned once (password-protected PDF or export), large and
 * grouped by word for reading aloud, with what to do. Done needs the acknowledgment; afterwards the passphrase is
 * gone from memory (store `dismissOneTime`) and cannot be shown again.
 */
export function OneTimePassphrasePanel({ value, onDone }: { value: OneTimePassphrase; onDone: () => void }) {
  const [ack, setAck] = useState(false);
  const words = value.passphrase.split('-');
  return (
    <Paper withBorder p="lg" radius="md" component="section" aria-labelledby="one-time-title"
      style={{ borderColor: 'var(--mantine-color-orange-7)', borderWidth: 2 }} data-testid="one-time-panel">
      <Stack gap="sm">
        <Title order={2} size="h4" id="one-time-title">{value.via === 'send' ? 'Passphrase for the recipient' : 'Passphrase for the recipient — shown only now'}</Title>
        <Text size="sm">
          {value.via === 'send'
            ? 'The PDF goes without its passphrase. The recipient needs this passphrase to open it. ReleaseDesk keeps it, encrypted, only until you confirm below.'
            : 'The saved packet is protected with this passphrase. The recipient needs it to open the PDF.'}
        </Text>
        <Text component="p" data-testid="one-time-passphrase" aria-label={`Passphrase: ${words.join(', ')}`}
          ff="monospace" fz={28} fw={700} lh={1.5} m={0} style={{ wordBreak: 'break-word' }}>
          {words.map((w, i) => (
            <span key={i}>
              {i > 0 ? <span aria-hidden style={{ color: 'var(--mantine-color-gray-7)', margin: '0 0.25em' }}>-</span> : null}
              <span style={{ background: 'var(--mantine-color-gray-1)', borderRadius: 6, padding: '0 0.3em' }}>{w}</span>
            </span>
          ))}
        </Text>
        <Text size="sm" c="dark.4">{words.length} words, lower case, joined by hyphens. Read them out one by one.</Text>
        {value.staffInstructions ? (
          <Alert color="orange" variant="light" title="What to do with it">
            <Text size="sm">{value.staffInstructions}</Text>
          </Alert>
        ) : null}
        <Checkbox id="one-time-ack" checked={ack} onChange={(e) => setAck(e.currentTarget.checked)}
          label={value.via === 'send'
            ? 'I gave the passphrase to the recipient, or wrote it down to tell them by phone or in person — ReleaseDesk may forget it now'
            : 'I have written down / will tell the recipient by phone or in person — I understand it will not be shown again'} />
        <Group>
          <Button onClick={onDone} disabled={!ack}>Done</Button>
        </Group>
      </Stack>
    </Paper>
  );
}

/** The progress of the delivery under way (assemble → encrypt → send), from `progress` events. */
export function DeliveryProgress({ progress }: { progress: { done: number; total: number; operation: string } | null }) {
  const pct = progressPercent(progress);
  const phase = progress ? OPERATION_LABEL[progress.operation] ?? 'Working' : 'Preparing';
  return (
    <Stack gap="md" role="status" aria-live="polite">
      <Group gap="sm">
        <Loader size="sm" aria-hidden />
        <Text fw={600} data-testid="progress-phase">{phase}…{pct !== null ? ` ${pct} %` : ''}</Text>
      </Group>
      <Progress value={pct ?? 100} animated striped={pct === null} aria-label={`${phase}: progress`} size="lg" data-testid="progress-bar" />
      <Text size="sm" c="dark.4">Keep ReleaseDesk open. This usually takes a few seconds.</Text>
    </Stack>
  );
}

export function TransmissionDetails({ t }: { t: TransmissionT }) {
  const email = t.method === 'openpgp-pgp-mime' || t.method === 'smime' || t.method === 'password-pdf' || t.method === 'tls-only-email';
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="sent-details">
      <Title order={2} size="h5" id="sent-details" mb="xs">Transmission</Title>
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
        <div><Text size="sm" c="dark.4">{email ? 'Sent at' : 'Recorded at'}</Text><Text data-testid="sent-at">{formatDateTime(t.at)}</Text></div>
        <div><Text size="sm" c="dark.4">To</Text><Text>{t.recipientName} &lt;{t.recipientEmail}&gt;</Text></div>
        <div><Text size="sm" c="dark.4">Method</Text><Text data-testid="sent-method">{METHOD_NAME[t.method]}</Text></div>
        {t.method === 'smime' && t.recipientKeyFingerprint ? (
          <div><Text size="sm" c="dark.4">Recipient certificate (SHA-256)</Text><Text data-testid="sent-certificate" style={{ wordBreak: 'break-word' }}>{formatFingerprint(t.recipientKeyFingerprint)}</Text></div>
        ) : null}
        {email ? (
          <>
            <div><Text size="sm" c="dark.4">Connection</Text><Text data-testid="sent-tls">{t.tlsProtocol} ({t.tlsCipher})</Text></div>
            <div><Text size="sm" c="dark.4">Message ID</Text><Text style={{ wordBreak: 'break-all' }} data-testid="sent-message-id">{t.messageId}</Text></div>
            <div><Text size="sm" c="dark.4">Server response</Text><Text style={{ wordBreak: 'break-all' }}>{t.smtpResponse}</Text></div>
            {t.partsTotal > 1 ? <div><Text size="sm" c="dark.4">Messages</Text><Text>{t.partsSent} of {t.partsTotal} accepted</Text></div> : null}
          </>
        ) : null}
      </SimpleGrid>
    </Paper>
  );
}

/** The parts of a split email release and what happened to each. */
export function PartsTable({ t }: { t: TransmissionT }) {
  const STATUS = {
    sent: 'Sent',
    failed: 'Not delivered',
    pending: 'Not sent yet',
    sending: 'Sending now',
    unconfirmed: 'May have been delivered (no answer from the server)',
    bounced: 'Bounced',
  } as const;
  return (
    <Table aria-label="Parts of this release" verticalSpacing="xs" withTableBorder>
      <Table.Thead>
        <Table.Tr><Table.Th scope="col">Part</Table.Th><Table.Th scope="col">Status</Table.Th><Table.Th scope="col">Accepted at</Table.Th></Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {t.parts.map((p) => (
          <Table.Tr key={p.part} data-part-status={p.status}>
            <Table.Td>{p.part} of {p.of}</Table.Td>
            <Table.Td>{STATUS[p.status]}{p.errorCode ? ` (${p.errorCode})` : ''}</Table.Td>
            <Table.Td>{p.at ? formatDateTime(p.at) : '—'}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

