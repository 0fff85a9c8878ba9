import { useEffect, useState } from 'react';
import { Alert, Badge, Button, Group, Menu, Paper, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import type { OutboxEntryT } from '../../../shared/contract';
import { useAppStore } from '../../lib/navigation';
import { ErrorAlert } from '../../components/ErrorAlert';
import { METHOD_NAME } from '../../lib/delivery-labels';
import { explain } from '../../lib/explain';
import { formatDateTime } from '../../lib/format';
import { ConfirmWithdraw } from './ConfirmWithdraw';
import { useOutboxStore } from './store';

const STATE: Record<OutboxEntryT['status'], { label: string; color: string }> = {
  queued: { label: 'Waiting to send', color: 'blue' },
  sending: { label: 'Sending now', color: 'blue' },
  unconfirmed: { label: 'May have been delivered — check', color: 'orange' },
  failed: { label: 'Not sent — needs attention', color: 'red' },
  partly_sent: { label: 'Partly sent', color: 'yellow' },
  bounced: { label: 'Bounced — not delivered', color: 'red' },
  waiting_for_server: { label: 'Waiting for the practice server', color: 'blue' },
  with_practice_server: { label: 'In the practice outbox', color: 'blue' },
};

/** "Next try" in words. */
function nextTry(e: OutboxEntryT): string {
  if (e.status === 'sending' || e.sendingNow) return 'Now';
  if (e.status === 'waiting_for_server') return 'When the practice server is back';
  if (e.status === 'with_practice_server') return 'By a workstation of the practice';
  if (e.status !== 'queued') return '—';
  if (e.paused) return 'Paused';
  return e.nextAttemptAt ? formatDateTime(e.nextAttemptAt) : 'In a moment';
}

/**
 * The outbox: every release that has not fully left yet or needs a decision, most urgent first, refreshed every
 * 5 seconds. Staff can try now, pause, take a release out to change it, cancel it, or decide on an unconfirmed one.
 */
export function OutboxScreen() {
  const entries = useOutboxStore((s) => s.entries);
  const error = useOutboxStore((s) => s.error);
  const busyId = useOutboxStore((s) => s.busyId);
  const { load, tryNow, pause, resolve, withdraw } = useOutboxStore.getState();
  const navigate = useAppStore((s) => s.navigate);
  const [confirm, setConfirm] = useState<{ entry: OutboxEntryT; how: 'withdraw' | 'cancel' } | null>(null);
  useEffect(() => {
    void load();
    const t = setInterval(() => void load(), 5000);
    return () => clearInterval(t);
  }, [load]);

  return (
    <Stack gap="md">
      <Title order={1} tabIndex={-1}>Outbox</Title>
      <Text>
        Releases that have not fully left the practice yet. ReleaseDesk keeps the exact encrypted messages here and sends them by
        itself when your email server can be reached; nothing is ever sent twice unless you choose to.
      </Text>
      {error ? <ErrorAlert error={error} /> : null}
      {entries && entries.length === 0 ? (
        <Alert color="green" variant="light" title="The outbox is empty" role="status">
          Every release has been delivered or is still a draft. Next: start a release from a request.
        </Alert>
      ) : null}
      {entries && entries.length > 0 ? (
        <Paper withBorder radius="md">
          <Table verticalSpacing="sm" aria-label="Releases in the outbox" data-testid="outbox-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Release</Table.Th>
                <Table.Th scope="col">Patient · recipient</Table.Th>
                <Table.Th scope="col">State</Table.Th>
                <Table.Th scope="col">Next try</Table.Th>
                <Table.Th scope="col">What happened</Table.Th>
                <Table.Th scope="col"><VisuallyHidden>Actions</VisuallyHidden></Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {entries.map((e) => {
                const st = STATE[e.status];
                const last = e.lastError ? explain(e.lastError.code, e.lastError.message) : null;
                const busy = busyId === e.releaseId;
                const nothingLeft = e.partsSent === 0 && e.partsUnconfirmed === 0;
                return (
                  <Table.Tr key={e.releaseId} data-release={e.reference} data-status={e.status}>
                    <Table.Td>
                      <Button variant="subtle" px={4} onClick={() => navigate({ name: 'wizard', releaseId: e.releaseId })}>{e.reference}</Button>
                      <Text size="xs" c="dark.4">{e.method ? METHOD_NAME[e.method] : ''}{e.partsTotal > 1 ? ` · ${e.partsSent} of ${e.partsTotal} parts sent` : ''}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{e.patientName}</Text>
                      <Text size="xs" c="dark.4">to {e.recipientName ?? '—'}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Badge color={st.color} variant="light" tt="none" size="lg"
                        styles={{ root: { height: 'auto', paddingBlock: 4 }, label: { whiteSpace: 'normal', overflow: 'visible', textOverflow: 'clip' } }}>
                        {st.label}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{nextTry(e)}</Text>
                      {e.attempts > 0 ? <Text size="xs" c="dark.4">{e.attempts} {e.attempts === 1 ? 'try' : 'tries'} so far</Text> : null}
                    </Table.Td>
                    <Table.Td maw={320}>
                      {last ? (
                        <Text size="sm" data-code={e.lastError?.code}>{last.title} <Text span size="sm" c="dark.4">{last.next}</Text></Text>
                      ) : (
                        <Text size="sm" c="dark.4">Waiting for its first try.</Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      {e.status === 'bounced' ? (
                        <Button size="xs" onClick={() => navigate({ name: 'wizard', releaseId: e.releaseId })}>Letter and send again</Button>
                      ) : e.status === 'with_practice_server' ? (
                        <Group gap={4} wrap="nowrap">
                          <Text size="sm" c="dark.4">Nothing to do: the result appears here by itself.</Text>
                          {nothingLeft ? (
                            <Menu position="bottom-end" withinPortal>
                              <Menu.Target>
                                <Button size="xs" variant="default" aria-label={`More actions for ${e.reference}`} disabled={busy}>More</Button>
                              </Menu.Target>
                              <Menu.Dropdown>
                                <Menu.Item onClick={() => setConfirm({ entry: e, how: 'withdraw' })}>Take out to change it</Menu.Item>
                                <Menu.Item color="red" onClick={() => setConfirm({ entry: e, how: 'cancel' })}>Cancel this release</Menu.Item>
                              </Menu.Dropdown>
                            </Menu>
                          ) : null}
                        </Group>
                      ) : e.status === 'unconfirmed' ? (
                        <Stack gap={4}>
                          <Button size="xs" loading={busy} onClick={() => void resolve(e.releaseId, 'recipient_confirmed')}>The recipient has it</Button>
                          <Button size="xs" variant="outline" loading={busy} onClick={() => void resolve(e.releaseId, 'resend')}>Send the same message again</Button>
                        </Stack>
                      ) : (
                        <Group gap={4} wrap="nowrap">
                          <Button size="xs" loading={busy} disabled={e.status === 'sending' || e.sendingNow} onClick={() => void tryNow(e.releaseId)}>
                            {e.status === 'queued' || e.status === 'waiting_for_server' ? 'Try now' : e.status === 'partly_sent' ? 'Send the rest' : 'Try again'}
                          </Button>
                          <Menu position="bottom-end" withinPortal>
                            <Menu.Target>
                              <Button size="xs" variant="default" aria-label={`More actions for ${e.reference}`} disabled={busy || e.status === 'sending'}>More</Button>
                            </Menu.Target>
                            <Menu.Dropdown>
                              {e.status === 'queued' ? (
                                <Menu.Item onClick={() => void pause(e.releaseId, !e.paused)}>{e.paused ? 'Resume automatic sending' : 'Pause automatic sending'}</Menu.Item>
                              ) : null}
                              {nothingLeft && (e.status === 'queued' || e.status === 'failed' || e.status === 'waiting_for_server') ? (
                                <Menu.Item onClick={() => setConfirm({ entry: e, how: 'withdraw' })}>Take out to change it</Menu.Item>
                              ) : null}
                              <Menu.Item color="red" onClick={() => setConfirm({ entry: e, how: 'cancel' })}>Cancel this release</Menu.Item>
                            </Menu.Dropdown>
                          </Menu>
                        </Group>
                      )}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Paper>
      ) : null}
      <ConfirmWithdraw
        how={confirm?.how ?? null}
        reference={confirm?.entry.reference ?? ''}
        passwordPdf={confirm?.entry.method === 'password-pdf'}
        onClose={() => setConfirm(null)}
        onConfirm={() => {
          const c = confirm;
          setConfirm(null);
          if (c) void withdraw(c.entry.releaseId, c.how);
        }}
      />
    </Stack>
  );
}
