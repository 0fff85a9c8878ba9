import { useState, type FormEvent } from 'react';
import { Button, Group, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useWizardStore } from '../store';
import { ErrorAlert } from '../../../components/ErrorAlert';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Step 1: who the records are about. Creates the release (`releases.create`). */
export function PatientStep() {
  const release = useWizardStore((s) => s.release);
  const busy = useWizardStore((s) => s.busy);
  const error = useWizardStore((s) => s.error);
  const createRelease = useWizardStore((s) => s.createRelease);
  const goTo = useWizardStore((s) => s.goTo);
  const [name, setName] = useState('');
  const [dob, setDob] = useState('');
  const [mrn, setMrn] = useState('');
  const [submitted, setSubmitted] = useState(false);

  if (release) {
    return (
      <Stack gap="md">
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <div>
            <Text size="sm" c="dark.4">Patient</Text>
            <Text fw={600}>{release.patient.name}</Text>
          </div>
          <div>
            <Text size="sm" c="dark.4">Date of birth</Text>
            <Text fw={600}>{release.patient.dateOfBirth}</Text>
          </div>
          <div>
            <Text size="sm" c="dark.4">Medical record number (MRN)</Text>
            <Text fw={600}>{release.patient.mrn}</Text>
          </div>
        </SimpleGrid>
        <Group justify="flex-end">
          <Button onClick={() => goTo(1)}>Next: add records</Button>
        </Group>
      </Stack>
    );
  }

  const errors = {
    name: name.trim() ? undefined : 'Enter the patient’s full name.',
    dob: ISO_DATE.test(dob) && dob <= new Date().toISOString().slice(0, 10) ? undefined : 'Enter a valid date of birth.',
    mrn: mrn.trim() ? undefined : 'Enter the medical record number.',
  };
  const onSubmit = (ev: FormEvent) => {
    ev.preventDefault();
    setSubmitted(true);
    const first = errors.name ? 'patient-name' : errors.dob ? 'patient-dob' : errors.mrn ? 'patient-mrn' : null;
    if (first) {
      document.getElementById(first)?.focus();
      return;
    }
    void createRelease({ name: name.trim(), dateOfBirth: dob, mrn: mrn.trim() });
  };

  return (
    <form onSubmit={onSubmit} noValidate aria-label="Patient">
      <Stack gap="md">
        <Text>Whose records are being released? Check the name and date of birth against the signed request.</Text>
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
          <TextInput id="patient-name" label="Patient’s full name" required autoComplete="off" value={name}
            onChange={(e) => setName(e.currentTarget.value)} error={submitted ? errors.name : undefined} />
          <TextInput id="patient-dob" label="Date of birth" type="date" required value={dob}
            onChange={(e) => setDob(e.currentTarget.value)} error={submitted ? errors.dob : undefined} />
          <TextInput id="patient-mrn" label="Medical record number (MRN)" required autoComplete="off" value={mrn}
            onChange={(e) => setMrn(e.currentTarget.value)} error={submitted ? errors.mrn : undefined} />
        </SimpleGrid>
        <ErrorAlert error={error} title="The release was not created" />
        <Group justify="space-between">
          <Text size="sm" c="dark.4">Next: add the PDF records to send.</Text>
          <Button type="submit" loading={busy === 'create'}>Create release</Button>
        </Group>
      </Stack>
    </form>
  );
}
