import { useEffect, useState } from 'react';
import { Alert, Badge, Button, Collapse, Group, Select, SimpleGrid, Stack, Table, Text, TextInput, Textarea, Title } from '@mantine/core';
import type { ChannelInput, ChannelOutput } from '../../../shared/contract';
import { toApiError, type ApiError } from '../../lib/call';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useAuditStore } from './store';

type Patient = ChannelOutput<'audit.patients'>[number];
type Accounting = ChannelOutput<'audit.accounting'>;
type Entry = Accounting['entries'][number];

const today = () => new Date().toLocaleDateString('en-CA');

const CATEGORY_OPTIONS: Array<{ value: ChannelInput<'audit.recordDisclosure'>['category']; label: string }> = [
  { value: 'public_health', label: 'Public health report (164.512(b))' },
  { value: 'abuse_neglect', label: 'Abuse, neglect or domestic violence report (164.512(c))' },
  { value: 'health_oversight', label: 'Health oversight (164.512(d))' },
  { value: 'legal_process', label: 'Court order or subpoena (164.512(e))' },
  { value: 'law_enforcement', label: 'Law enforcement (164.512(f))' },
  { value: 'decedents', label: 'Coroner, medical examiner, funeral director (164.512(g))' },
  { value: 'organ_donation', label: 'Organ or tissue donation (164.512(h))' },
  { value: 'research', label: 'Research under a waiver (164.512(i))' },
  { value: 'serious_threat', label: 'Serious threat to health or safety (164.512(j))' },
  { value: 'workers_compensation', label: 'Workers’ compensation (164.512(l))' },
  { value: 'required_by_law', label: 'Other disclosure required by law (164.512(a))' },
];

/** Picks a patient known to the vault, by name or MRN. */
export function PatientPicker({ label, value, onChange }: { label: string; value: Patient | null; onChange: (p: Patient | null) => void }) {
  const [search, setSearch] = useState('');
  const [options, setOptions] = useState<Patient[]>([]);
  const patients = useAuditStore((s) => s.patients);
  useEffect(() => {
    let live = true;
    patients(search)
      .then((r) => live && setOptions(r))
      .catch(() => live && setOptions([]));
    return () => {
      live = false;
    };
  }, [search, patients]);
  const all = value && !options.some((o) => o.mrn === value.mrn) ? [value, ...options] : options;
  return (
    <Select
      label={label}
      searchable
      clearable
      nothingFoundMessage="No patient with that name or MRN"
      searchValue={search}
      onSearchChange={setSearch}
      data={all.map((p) => ({ value: p.mrn, label: `${p.name} (born ${p.dateOfBirth}, ${p.mrn})` }))}
      value={value?.mrn ?? null}
      onChange={(mrn) => onChange(all.find((p) => p.mrn === mrn) ?? null)}
    />
  );
}

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
  const { exportAccounting, accounting, exporting } = useAuditStore();
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

function ManualDisclosureForm({ patient, onSaved }: { patient: Patient | null; onSaved: () => void }) {
  const [f, setF] = useState({ disclosedOn: today(), recipientName: '', recipientAddress: '', description: '', purpose: '', category: 'public_health' as ChannelInput<'audit.recordDisclosure'>['category'] });
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);
  const recordDisclosure = useAuditStore((s) => s.recordDisclosure);
  const save = async () => {
    if (!patient) return;
    try {
      await recordDisclosure({
        patient: { name: patient.name, dateOfBirth: patient.dateOfBirth, mrn: patient.mrn },
        disclosedOn: f.disclosedOn,
        recipientName: f.recipientName,
        ...(f.recipientAddress.trim() ? { recipientAddress: f.recipientAddress } : {}),
        description: f.description,
        purpose: f.purpose,
        category: f.category,
      });
      setSaved(true);
      setError(null);
      onSaved();
    } catch (e) {
      setError(toApiError(e));
    }
  };
  return (
    <Stack gap="sm" p="sm" style={{ border: '1px solid var(--mantine-color-gray-3)', borderRadius: 8 }}>
      <Text size="sm">
        For a disclosure the law requires you to account for that did not go through ReleaseDesk — a phone report to public
        health, a subpoena answered on paper. {patient ? `It is recorded for ${patient.name}.` : 'Choose the patient above first.'}
      </Text>
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="sm">
        <TextInput type="date" label="Date of the disclosure" value={f.disclosedOn} onChange={(e) => setF({ ...f, disclosedOn: e.currentTarget.value })} />
        <Select label="Kind of disclosure" data={CATEGORY_OPTIONS} value={f.category} onChange={(v) => v && setF({ ...f, category: v as typeof f.category })} allowDeselect={false} />
        <TextInput label="Recipient" value={f.recipientName} onChange={(e) => setF({ ...f, recipientName: e.currentTarget.value })} />
        <TextInput label="Recipient’s address (if known)" value={f.recipientAddress} onChange={(e) => setF({ ...f, recipientAddress: e.currentTarget.value })} />
        <Textarea label="What information was disclosed" value={f.description} onChange={(e) => setF({ ...f, description: e.currentTarget.value })} />
        <Textarea label="Purpose" value={f.purpose} onChange={(e) => setF({ ...f, purpose: e.currentTarget.value })} />
      </SimpleGrid>
      <ErrorAlert error={error} />
      {saved ? <Alert color="green" variant="light" role="status" title="Disclosure recorded">It now appears in this patient’s accounting.</Alert> : null}
      <Group>
        <Button onClick={() => void save()} disabled={!patient || !f.recipientName.trim() || f.description.trim().length < 3 || f.purpose.trim().length < 3}>
          Record disclosure
        </Button>
      </Group>
    </Stack>
  );
}

function SuspensionForm({ patient, onSaved }: { patient: Patient | null; onSaved: () => void }) {
  const [f, setF] = useState({ agency: '', agencyKind: 'health_oversight' as 'health_oversight' | 'law_enforcement', statement: 'written' as 'written' | 'oral', startsOn: today(), endsOn: '' });
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);
  const recordSuspension = useAuditStore((s) => s.recordSuspension);
  const save = async () => {
    if (!patient) return;
    try {
      await recordSuspension({ mrn: patient.mrn, ...f });
      setSaved(true);
      setError(null);
      onSaved();
    } catch (e) {
      setError(toApiError(e));
    }
  };
  return (
    <Stack gap="sm" p="sm" style={{ border: '1px solid var(--mantine-color-gray-3)', borderRadius: 8 }}>
      <Text size="sm">
        A health oversight agency or law enforcement official may ask you to hold back their disclosures from this patient’s
        accounting for a stated time (164.528(a)(2)). An oral request holds for at most 30 days.
      </Text>
      <SimpleGrid cols={{ base: 1, md: 3 }} spacing="sm">
        <TextInput label="Agency or official" value={f.agency} onChange={(e) => setF({ ...f, agency: e.currentTarget.value })} />
        <Select label="Kind" allowDeselect={false} data={[{ value: 'health_oversight', label: 'Health oversight agency' }, { value: 'law_enforcement', label: 'Law enforcement official' }]} value={f.agencyKind} onChange={(v) => v && setF({ ...f, agencyKind: v as typeof f.agencyKind })} />
        <Select label="Their statement was" allowDeselect={false} data={[{ value: 'written', label: 'Written' }, { value: 'oral', label: 'Oral (at most 30 days)' }]} value={f.statement} onChange={(v) => v && setF({ ...f, statement: v as typeof f.statement })} />
        <TextInput type="date" label="Starts" value={f.startsOn} onChange={(e) => setF({ ...f, startsOn: e.currentTarget.value })} />
        <TextInput type="date" label="Ends" value={f.endsOn} onChange={(e) => setF({ ...f, endsOn: e.currentTarget.value })} />
      </SimpleGrid>
      <ErrorAlert error={error} />
      {saved ? <Alert color="green" variant="light" role="status" title="Suspension recorded">Disclosures to this agency are held back until the end date.</Alert> : null}
      <Group>
        <Button onClick={() => void save()} disabled={!patient || !f.agency.trim() || !f.endsOn}>
          Record suspension
        </Button>
      </Group>
    </Stack>
  );
}
