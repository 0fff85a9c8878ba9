import { useState } from 'react';
import { Alert, Badge, Button, Collapse, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import type { ChannelOutput } from '../../../shared/contract';
import { toApiError, type ApiError } from '../../lib/call';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useAuditStore } from './store';
import { PatientPicker, type Patient } from './PatientPicker';
import { ManualDisclosureForm, SuspensionForm } from './AccountingRecordForms';

type Accounting = ChannelOutput<'audit.accounting'>;
type Entry = Accounting['entries'][number];

const today = () => new Date().toLocaleDateString('en-CA');

function EntriesTable({ entries, label, showRule }: { entries: Entry[]; label: string; showRule?: boolean }) {
  return (
    <Table verticalSpacing="xs" striped aria-label={label} layout="fixed">
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col" w={110}>Date</Table.Th>
          <Table.Th scope="col">Recipient</Table.Th>
          <Table.Th scope="col">Information</Table.Th>
          <Table.Th scope="col">{showRule ? 'Why it is not listed' : 'Purpose'}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {entries.map((e, i) => (
          <Table.Tr key={i}>
            <Table.Td>{e.date}</Table.Td>
            <Table.Td style={{ overflowWrap: 'anywhere' }}>
              {e.recipientName}
              {e.recipientAddress ? <Text size="xs" c="dark.4">{e.recipientAddress}</Text> : null}
              {e.source === 'manual' ? <Badge size="sm" variant="light" color="gray" tt="none" mt={2} styles={{ label: { overflow: 'visible' } }}>Entered by hand</Badge> : null}
              {e.unconfirmed ? <Badge size="sm" variant="light" color="orange" tt="none" mt={2} styles={{ label: { overflow: 'visible' } }}>May have been delivered</Badge> : null}
            </Table.Td>
            <Table.Td style={{ overflowWrap: 'anywhere' }}>{e.description}</Table.Td>
            <Table.Td style={{ overflowWrap: 'anywhere' }}>{showRule ? `${e.reason} (${e.citation})` : e.purpose}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** The accounting of disclosures (164.528) for one patient, disclosures entered by hand, and (a)(2) suspensions. */
export function AccountingPanel() {
  const { exportAccounting, exportPatientCopy, accounting, exporting } = useAuditStore();
  const [patient, setPatient] = useState<Patient | null>(null);
  const [asOf, setAsOf] = useState(today());
  const [acc, setAcc] = useState<Accounting | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [showEntry, setShowEntry] = useState(false);
  const [showSuspension, setShowSuspension] = useState(false);

  const load = async () => {
    if (!patient) return;
    try {
      setAcc(await accounting({ mrn: patient.mrn, asOf }));
      setError(null);
    } catch (e) {
      setError(toApiError(e));
    }
  };

  return (
    <Stack gap="md">
      <Text size="sm">
        The accounting lists, for one patient, the disclosures of the six years before the date of their request that the law
        requires (45 CFR 164.528). Disclosures for treatment, payment or operations, to the patient, or under their
        authorization are not listed; they stay in the transmission log.
      </Text>
      <Group align="flex-end" wrap="wrap">
        <div style={{ minWidth: 440 }}>
          <PatientPicker label="Patient" value={patient} onChange={(p) => (setPatient(p), setAcc(null))} />
        </div>
        <TextInput type="date" label="Date the patient asked" value={asOf} onChange={(e) => setAsOf(e.currentTarget.value)} />
        <Button onClick={() => void load()} disabled={!patient}>
          Show accounting
        </Button>
        <Button
          variant="outline"
          disabled={!patient}
          loading={exporting === 'Accounting of disclosures'}
          onClick={() => patient && void exportAccounting({ mrn: patient.mrn, asOf })}
        >
          Export accounting (PDF and CSV)
        </Button>
        <Button
          variant="outline"
          disabled={!patient}
          loading={exporting === 'Accounting of disclosures (patient copy)'}
          onClick={() => patient && void exportPatientCopy({ mrn: patient.mrn, asOf, copy: 'patient' })}
        >
          Export patient copy (no integrity receipt)
        </Button>
      </Group>
      <ErrorAlert error={error} />
      {acc ? (
        <Stack gap="sm">
          <Title order={2} size="h4">
            {acc.entries.length} {acc.entries.length === 1 ? 'disclosure' : 'disclosures'} to list, {acc.from} to {acc.asOf}
          </Title>
          {acc.entries.length ? <EntriesTable entries={acc.entries} label="Disclosures listed in the accounting" /> : <Text size="sm">Nothing to list in this period.</Text>}
          {acc.withheld.length ? (
            <Alert color="orange" variant="light" title="Held back under a suspension (164.528(a)(2))">
              {acc.withheld.map((w, i) => (
                <Text size="sm" key={i}>
                  {w.date}: to {w.agency}, held back until {w.suspendedUntil}. It will appear in accountings made after that date.
                </Text>
              ))}
            </Alert>
          ) : null}
          {acc.excluded.length ? (
            <>
              <Title order={3} size="h5">
                Not listed ({acc.excluded.length}) — kept in the transmission log
              </Title>
              <EntriesTable entries={acc.excluded} label="Disclosures not listed in the accounting" showRule />
            </>
          ) : null}
        </Stack>
      ) : null}
      <Group>
        <Button variant="light" onClick={() => setShowEntry((x) => !x)} aria-expanded={showEntry}>
          Record a disclosure made outside ReleaseDesk
        </Button>
        <Button variant="light" onClick={() => setShowSuspension((x) => !x)} aria-expanded={showSuspension}>
          Record a suspension requested by an agency
        </Button>
      </Group>
      <Collapse expanded={showEntry}>
        <ManualDisclosureForm patient={patient} onSaved={() => void load()} />
      </Collapse>
      <Collapse expanded={showSuspension}>
        <SuspensionForm patient={patient} onSaved={() => void load()} />
      </Collapse>
    </Stack>
  );
}
