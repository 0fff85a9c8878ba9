import { useState, type ReactNode } from 'react';
import { Alert, Button, Group, Select, SimpleGrid, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { useForm } from '@mantine/form';
import type { ChannelInput } from '../../../shared/contract';
import { ErrorAlert } from '../../components/ErrorAlert';
import { toApiError, type ApiError } from '../../lib/call';
import type { Patient } from './PatientPicker';
import { useAuditStore } from './store';

const today = () => new Date().toLocaleDateString('en-CA');

type Category = ChannelInput<'audit.recordDisclosure'>['category'];

/** Each kind of disclosure outside ReleaseDesk that is accounted for, named with its paragraph of 45 CFR 164.512. */
const CATEGORY_LABEL: Record<Category, string> = {
  public_health: 'Public health report (164.512(b))',
  abuse_neglect: 'Abuse, neglect or domestic violence report (164.512(c))',
  health_oversight: 'Health oversight (164.512(d))',
  legal_process: 'Court order or subpoena (164.512(e))',
  law_enforcement: 'Law enforcement (164.512(f))',
  decedents: 'Coroner, medical examiner, funeral director (164.512(g))',
  organ_donation: 'Organ or tissue donation (164.512(h))',
  research: 'Research under a waiver (164.512(i))',
  serious_threat: 'Serious threat to health or safety (164.512(j))',
  workers_compensation: 'Workers’ compensation (164.512(l))',
  required_by_law: 'Other disclosure required by law (164.512(a))',
};
const CATEGORY_OPTIONS = Object.entries(CATEGORY_LABEL).map(([value, label]) => ({ value, label }));

/**
 * What the two record forms of the accounting share: the explanation, the fields, the refusal or the confirmation,
 * and the button (enabled once `ready`). `onRecord` runs the call; a refusal is shown, nothing else changes.
 */
function RecordForm({ intro, fields, button, ready, saved, onRecord }: {
  intro: ReactNode;
  fields: ReactNode;
  button: string;
  ready: boolean;
  /** The confirmation shown once recorded: its title and what happens next. */
  saved: { title: string; text: string };
  onRecord: () => Promise<unknown>;
}) {
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState(false);
  const record = async () => {
    try {
      await onRecord();
      setDone(true);
      setError(null);
    } catch (e) {
      setError(toApiError(e));
    }
  };
  return (
    <Stack gap="sm" p="sm" style={{ border: '1px solid var(--mantine-color-gray-3)', borderRadius: 8 }}>
      <Text size="sm">{intro}</Text>
      {fields}
      <ErrorAlert error={error} />
      {done ? <Alert color="green" variant="light" role="status" title={saved.title}>{saved.text}</Alert> : null}
      <Group>
        <Button onClick={() => void record()} disabled={!ready}>
          {button}
        </Button>
      </Group>
    </Stack>
  );
}

/** A disclosure the accounting must list that did not go through ReleaseDesk (`audit.recordDisclosure`, 164.528). */
export function ManualDisclosureForm({ patient, onSaved }: { patient: Patient | null; onSaved: () => void }) {
  const recordDisclosure = useAuditStore((s) => s.recordDisclosure);
  const form = useForm({
    mode: 'controlled',
    initialValues: { disclosedOn: today(), recipientName: '', recipientAddress: '', description: '', purpose: '', category: 'public_health' as Category },
  });
  const f = form.values;
  const field = (path: keyof typeof f) => form.getInputProps(path);
  return (
    <RecordForm
      intro={
        <>
          For a disclosure the law requires you to account for that did not go through ReleaseDesk — a phone report to public
          health, a subpoena answered on paper. {patient ? `It is recorded for ${patient.name}.` : 'Choose the patient above first.'}
        </>
      }
      fields={
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="sm">
          <TextInput type="date" label="Date of the disclosure" {...field('disclosedOn')} />
          <Select label="Kind of disclosure" data={CATEGORY_OPTIONS} allowDeselect={false} {...field('category')} />
          <TextInput label="Recipient" {...field('recipientName')} />
          <TextInput label="Recipient’s address (if known)" {...field('recipientAddress')} />
          <Textarea label="What information was disclosed" {...field('description')} />
          <Textarea label="Purpose" {...field('purpose')} />
        </SimpleGrid>
      }
      button="Record disclosure"
      ready={Boolean(patient && f.recipientName.trim() && f.description.trim().length >= 3 && f.purpose.trim().length >= 3)}
      saved={{ title: 'Disclosure recorded', text: 'It now appears in this patient’s accounting.' }}
      onRecord={async () => {
        if (!patient) return;
        const v = form.getValues();
        await recordDisclosure({
          patient: { name: patient.name, dateOfBirth: patient.dateOfBirth, mrn: patient.mrn },
          disclosedOn: v.disclosedOn,
          recipientName: v.recipientName,
          ...(v.recipientAddress.trim() ? { recipientAddress: v.recipientAddress } : {}),
          description: v.description,
          purpose: v.purpose,
          category: v.category,
        });
        onSaved();
      }}
    />
  );
}

/** An agency's request to hold its disclosures back from the accounting (`audit.recordSuspension`, 164.528(a)(2)). */
export function SuspensionForm({ patient, onSaved }: { patient: Patient | null; onSaved: () => void }) {
  const recordSuspension = useAuditStore((s) => s.recordSuspension);
  const form = useForm({
    mode: 'controlled',
    initialValues: { agency: '', agencyKind: 'health_oversight' as 'health_oversight' | 'law_enforcement', statement: 'written' as 'written' | 'oral', startsOn: today(), endsOn: '' },
  });
  const f = form.values;
  const field = (path: keyof typeof f) => form.getInputProps(path);
  return (
    <RecordForm
      intro={
        <>
          A health oversight agency or law enforcement official may ask you to hold back their disclosures from this patient’s
          accounting for a stated time (164.528(a)(2)). An oral request holds for at most 30 days.
        </>
      }
      fields={
        <SimpleGrid cols={{ base: 1, md: 3 }} spacing="sm">
          <TextInput label="Agency or official" {...field('agency')} />
          <Select label="Kind" allowDeselect={false} data={[{ value: 'health_oversight', label: 'Health oversight agency' }, { value: 'law_enforcement', label: 'Law enforcement official' }]} {...field('agencyKind')} />
          <Select label="Their statement was" allowDeselect={false} data={[{ value: 'written', label: 'Written' }, { value: 'oral', label: 'Oral (at most 30 days)' }]} {...field('statement')} />
          <TextInput type="date" label="Starts" {...field('startsOn')} />
          <TextInput type="date" label="Ends" {...field('endsOn')} />
        </SimpleGrid>
      }
      button="Record suspension"
      ready={Boolean(patient && f.agency.trim() && f.endsOn)}
      saved={{ title: 'Suspension recorded', text: 'Disclosures to this agency are held back until the end date.' }}
      onRecord={async () => {
        if (!patient) return;
        await recordSuspension({ mrn: patient.mrn, ...form.getValues() });
        onSaved();
      }}
    />
  );
}
