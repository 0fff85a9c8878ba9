import { useState } from 'react';
import { Badge, Button, Group, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import type { ChannelOutput } from '../../../shared/contract';
import { AUDIT_ACTIONS, OUTCOME_LABEL } from '../../../shared/audit-labels';
import { toApiError, type ApiError } from '../../lib/call';
import { formatDateTime } from '../../lib/format';
import { ErrorAlert } from '../../components/ErrorAlert';
import { OUTCOME_COLOR } from './EventsPanel';
import { useAuditStore } from './store';

/** Who viewed, imported, exported, printed or sent a patient's records — or what one staff member accessed (164.312(b)). */
export function AccessPanel() {
  const { exportAccessReport, accessReport, exporting, result } = useAuditStore();
  const [patient, setPatient] = useState('');
  const [actor, setActor] = useState<string | null>(null);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [rows, setRows] = useState<ChannelOutput<'audit.accessReport'> | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const input = () => ({ ...(patient.trim() ? { patient: patient.trim() } : {}), ...(actor ? { actor } : {}), ...(from ? { from } : {}), ...(to ? { to } : {}) });
  const ready = Boolean(patient.trim() || actor);
  const show = async () => {
    try {
      setRows(await accessReport(input()));
      setError(null);
    } catch (e) {
      setError(toApiError(e));
    }
  };
  return (
    <Stack gap="md">
      <Text size="sm">Name a patient (name or MRN) or a staff member. The report lists every time their records were opened, imported, changed, exported, printed or sent.</Text>
      <Group align="flex-end" wrap="wrap">
        <TextInput label="Patient (name or MRN)" value={patient} onChange={(e) => (setPatient(e.currentTarget.value), setRows(null))} />
        <Select label="Staff member" clearable data={result?.actors ?? []} value={actor} onChange={(v) => (setActor(v), setRows(null))} />
        <TextInput type="date" label="From" value={from} onChange={(e) => setFrom(e.currentTarget.value)} />
        <TextInput type="date" label="To" value={to} onChange={(e) => setTo(e.currentTarget.value)} />
        <Button onClick={() => void show()} disabled={!ready}>
          Show accesses
        </Button>
        <Button variant="outline" disabled={!ready} loading={exporting === 'Access report'} onClick={() => void exportAccessReport(input())}>
          Export access report (PDF and CSV)
        </Button>
      </Group>
      <ErrorAlert error={error} />
      {rows ? (
        rows.events.length === 0 ? (
          <Text size="sm">No access is recorded for this choice.</Text>
        ) : (
          <>
            <Text size="sm" c="dark.4">{rows.total} {rows.total === 1 ? 'access' : 'accesses'}{rows.total > rows.events.length ? ` (the newest ${rows.events.length} shown; the export has all)` : ''}.</Text>
            <Table verticalSpacing="xs" striped aria-label="Accesses to records" layout="fixed">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col" w={160}>When</Table.Th>
                  <Table.Th scope="col" w={170}>Staff member</Table.Th>
                  <Table.Th scope="col" w={100}>Access</Table.Th>
                  <Table.Th scope="col" w={200}>Patient</Table.Th>
                  <Table.Th scope="col">What happened</Table.Th>
                  <Table.Th scope="col" w={100}>Outcome</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.events.map((e) => (
                  <Table.Tr key={e.seq}>
                    <Table.Td>{formatDateTime(e.at)}</Table.Td>
                    <Table.Td style={{ overflowWrap: 'anywhere' }}>{e.actor}</Table.Td>
                    <Table.Td>{AUDIT_ACTIONS[e.action]?.access ?? ''}</Table.Td>
                    <Table.Td style={{ overflowWrap: 'anywhere' }}>{e.patientName}</Table.Td>
                    <Table.Td style={{ overflowWrap: 'anywhere' }}>{e.description}</Table.Td>
                    <Table.Td>
                      <Badge color={OUTCOME_COLOR[e.outcome]} variant="light" tt="none" styles={{ label: { overflow: 'visible' } }}>
                        {OUTCOME_LABEL[e.outcome]}
                      </Badge>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </>
        )
      ) : null}
    </Stack>
  );
}
