import { useEffect } from 'react';
import { Alert, Badge, Button, Group, ScrollArea, Stack, Table, Tabs, Text, Title } from '@mantine/core';
import { useAuditStore } from './store';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatDateTime } from '../../lib/format';
import { METHOD_NAME } from '../../lib/delivery-labels';
import { BASIS_SHORT } from '../requests/labels';

const OUTCOME_COLOR = { success: 'green', failure: 'red', refused: 'orange' } as const;

function detailText(detail: Record<string, string | number | boolean>): string {
  return Object.entries(detail)
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join(', ');
}

/** Audit controls (45 CFR 164.312(b)): what was done, what was sent, and whether the log is intact. */
export function AuditScreen() {
  const { events, transmissions, verify, verifying, error, load, runVerify } = useAuditStore();
  useEffect(() => {
    void load();
  }, [load]);

  return (
    <Stack gap="lg">
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={1}>Audit log</Title>
          <Text c="dark.4">Every action and every transmission, in a tamper-evident log.</Text>
        </div>
        <Button variant="outline" onClick={() => void runVerify()} loading={verifying}>
          Verify log integrity
        </Button>
      </Group>
      <div aria-live="polite">
        {verify ? (
          verify.intact ? (
            <Alert color="green" variant="light" title="The log is intact" role="status">
              All {verify.checked} entries were checked; none was changed or removed.
            </Alert>
          ) : (
            <Alert color="red" variant="light" title="The log was altered" role="alert">
              Entry {verify.firstBrokenSeq ?? '?'} does not match the chain. What to do next: do not delete anything; tell your
              privacy officer today.
            </Alert>
          )
        ) : null}
      </div>
      <ErrorAlert error={error} />
      <Tabs defaultValue="transmissions" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="transmissions">Transmissions{transmissions ? ` (${transmissions.length})` : ''}</Tabs.Tab>
          <Tabs.Tab value="events">Events{events ? ` (${events.length})` : ''}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="transmissions" pt="md">
          {transmissions === null ? (
            <Text>Loading…</Text>
          ) : transmissions.length === 0 ? (
            <Text c="dark.4">Nothing has been sent yet.</Text>
          ) : (
            <ScrollArea type="auto" viewportProps={{ tabIndex: 0 }}>
              <Table verticalSpacing="xs" striped aria-label="Transmissions" miw={1150}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Time</Table.Th>
                    <Table.Th scope="col">Release</Table.Th>
                    <Table.Th scope="col">Recipient</Table.Th>
                    <Table.Th scope="col">Basis and authorization</Table.Th>
                    <Table.Th scope="col">Method</Table.Th>
                    <Table.Th scope="col">Documents</Table.Th>
                    <Table.Th scope="col">TLS</Table.Th>
                    <Table.Th scope="col">Message ID</Table.Th>
                    <Table.Th scope="col">Server response</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {transmissions.map((t) => (
                    <Table.Tr key={t.id}>
                      <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(t.at)}</Table.Td>
                      <Table.Td>{t.releaseReference}</Table.Td>
                      <Table.Td>
                        {t.recipientName}
                        <Text size="xs" c="dark.4">{t.recipientEmail}</Text>
                      </Table.Td>
                      <Table.Td data-testid="basis-cell">
                        {t.legalBasis ? BASIS_SHORT[t.legalBasis] : '—'}
                        {t.authorizationId ? (
                          <Text size="xs" c="dark.4" style={{ wordBreak: 'break-all' }}>Authorization {t.authorizationId}</Text>
                        ) : null}
                        {t.acknowledgmentId ? (
                          <Text size="xs" c="dark.4" style={{ wordBreak: 'break-all' }}>Unencrypted-email choice {t.acknowledgmentId}</Text>
                        ) : null}
                      </Table.Td>
                      <Table.Td>{METHOD_NAME[t.method]}</Table.Td>
                      <Table.Td>
                        {t.documents.length} ({t.documents.reduce((n, d) => n + d.pageCount, 0)} pages)
                      </Table.Td>
                      <Table.Td data-testid="tls-cell">
                        {t.tlsProtocol}
                        <Text size="xs" c="dark.4" style={{ wordBreak: 'break-all' }}>{t.tlsCipher}</Text>
                      </Table.Td>
                      <Table.Td style={{ wordBreak: 'break-all', fontSize: 12 }}>{t.messageId}</Table.Td>
                      <Table.Td style={{ wordBreak: 'break-word', fontSize: 12 }}>{t.smtpResponse}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </ScrollArea>
          )}
        </Tabs.Panel>
        <Tabs.Panel value="events" pt="md">
          {events === null ? (
            <Text>Loading…</Text>
          ) : (
            <ScrollArea type="auto" viewportProps={{ tabIndex: 0 }}>
              <Table verticalSpacing="xs" striped aria-label="Audit events" miw={800}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Time</Table.Th>
                    <Table.Th scope="col">Actor</Table.Th>
                    <Table.Th scope="col">Action</Table.Th>
                    <Table.Th scope="col">Outcome</Table.Th>
                    <Table.Th scope="col">Detail</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {events.map((e) => (
                    <Table.Tr key={e.seq}>
                      <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(e.at)}</Table.Td>
                      <Table.Td>{e.actor}</Table.Td>
                      <Table.Td><code>{e.action}</code></Table.Td>
                      <Table.Td>
                        <Badge color={OUTCOME_COLOR[e.outcome]} variant="light" tt="none">{e.outcome}</Badge>
                      </Table.Td>
                      <Table.Td style={{ fontSize: 13 }}>{detailText(e.detail)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </ScrollArea>
          )}
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
