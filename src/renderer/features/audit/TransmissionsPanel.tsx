import { useEffect } from 'react';
import { Badge, Table, Text } from '@mantine/core';
import { formatDateTime } from '../../lib/format';
import { METHOD_NAME } from '../../lib/delivery-labels';
import { formatFingerprint } from '../../../shared/fingerprint';
import { BASIS_SHORT } from '../requests/labels';
import { useAuditStore } from './store';
import type { TransmissionT } from '../../../shared/contract';

/** Why a transmission was closed before all its parts were delivered, in words (the record itself is kept). */
const CLOSED_REASON: Record<NonNullable<TransmissionT['closedReason']>, string> = {
  withdrawn: 'Taken out of the outbox to be changed; parts not listed as sent were never delivered.',
  cancelled: 'Cancelled; parts not listed as sent were never delivered.',
  superseded: 'Replaced by a later delivery of the same release.',
};

/** The complete transmission (disclosure) log: every send, export and print, reportable or not. Fits 1280 px without scrolling sideways. */
export function TransmissionsPanel() {
  const { transmissions, loadTransmissions } = useAuditStore();
  useEffect(() => {
    void loadTransmissions();
  }, [loadTransmissions]);
  if (transmissions === null) return <Text>Loading…</Text>;
  if (transmissions.length === 0) return <Text c="dark.4">Nothing has been sent yet.</Text>;
  return (
    <Table verticalSpacing="xs" striped aria-label="Transmissions" layout="fixed">
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col" w={150}>Time</Table.Th>
          <Table.Th scope="col" w={130}>Release</Table.Th>
          <Table.Th scope="col">Recipient</Table.Th>
          <Table.Th scope="col" w={170}>Basis</Table.Th>
          <Table.Th scope="col" w={190}>Method</Table.Th>
          <Table.Th scope="col" w={130}>Delivered</Table.Th>
          <Table.Th scope="col">Server and TLS</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {transmissions.map((t) => (
          <Table.Tr key={t.id}>
            <Table.Td>{formatDateTime(t.at)}</Table.Td>
            <Table.Td>{t.releaseReference}</Table.Td>
            <Table.Td style={{ overflowWrap: 'anywhere' }}>
              {t.recipientName}
              <Text size="xs" c="dark.4">{t.recipientEmail}</Text>
            </Table.Td>
            <Table.Td data-testid="basis-cell" style={{ overflowWrap: 'anywhere' }}>
              {t.legalBasis ? BASIS_SHORT[t.legalBasis] : '—'}
              {t.authorizationId ? <Text size="xs" c="dark.4" data-testid="authorization-relied-on">{t.requestReference ? `Under the authorization on file for request ${t.requestReference}` : 'Under the signed authorization on file for this release’s request'}</Text> : null}
              {t.acknowledgmentId ? <Text size="xs" c="dark.4" data-testid="acknowledgment-relied-on">The patient’s recorded choice of unencrypted email</Text> : null}
            </Table.Td>
            <Table.Td data-testid="method-cell" style={{ overflowWrap: 'anywhere' }}>
              {METHOD_NAME[t.method]}
              {t.method === 'smime' && t.recipientKeyFingerprint ? (
                <Text size="xs" c="dark.4" data-testid="certificate-cell">Certificate {formatFingerprint(t.recipientKeyFingerprint)}</Text>
              ) : null}
            </Table.Td>
            <Table.Td>
              <Badge variant="light" tt="none" color={t.partsSent >= t.partsTotal ? 'green' : 'orange'} styles={{ label: { overflow: 'visible' } }}>
                {t.method === 'export' || t.method === 'print' ? 'Handed over' : `${t.partsSent} of ${t.partsTotal} parts`}
              </Badge>
              {t.closedReason ? (
                <Text size="xs" c="dark.4" data-testid="closed-reason">
                  {CLOSED_REASON[t.closedReason]}
                </Text>
              ) : null}
            </Table.Td>
            <Table.Td data-testid="tls-cell" style={{ overflowWrap: 'anywhere', fontSize: 12 }}>
              {t.tlsProtocol ? `${t.tlsProtocol} · ${t.tlsCipher}` : '—'}
              {t.smtpResponse ? <Text size="xs" c="dark.4">{t.smtpResponse}</Text> : null}
              {t.messageId ? <Text size="xs" c="dark.4">{t.messageId}</Text> : null}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
