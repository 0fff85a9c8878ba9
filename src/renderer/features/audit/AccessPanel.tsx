import { useState } from 'react';
import { Button, Group, Select, Stack, Text, TextInput } from '@mantine/core';
import type { ChannelOutput } from '../../../shared/contract';
import { AUDIT_ACTIONS } from '../../../shared/audit-labels';
import { toApiError, type ApiError } from '../../lib/call';
import { ErrorAlert } from '../../components/ErrorAlert';
import { AuditEventTable } from './AuditEventTable';
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
            <AuditEventTable
              label="Accesses to records"
              rows={rows.events}
              columns={[
                { title: 'Staff member', width: 170, wrap: true, cell: (e) => e.actor },
                { title: 'Access', width: 100, cell: (e) => AUDIT_ACTIONS[e.action]?.access ?? '' },
                { title: 'Patient', width: 200, wrap: true, cell: (e) => e.patientName },
                { title: 'What happened', wrap: true, cell: (e) => e.description },
              ]}
            />
          </>
        )
      ) : null}
    </Stack>
  );
}
