import { Button, Group, SimpleGrid, Stack, Text } from '@mantine/core';
import { useWizardStore } from '../store';
import { ErrorAlert } from '../../../components/ErrorAlert';

/** Step 1: who the records are about. Creates the release (`releases.create`). */
export function PatientStep() {
  const release = useWizardStore((s) => s.release);
  const busy = useWizardStore((s) => s.busy);
  const error = useWizardStore((s) => s.error);
  const goTo = useWizardStore((s) => s.goTo);

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

  // Since contract 79275cf a release is created from a recorded request (`releases.create({ requestId })`).
  // The request intake screens are not built yet; until then the wizard can only continue existing releases.
  return (
    <Stack gap="md">
      <Text>
        A release is now started from a recorded request for records (who asked, on what legal basis, for what). The request
        intake screen is not part of this build yet.
      </Text>
      <ErrorAlert error={error} title="The release was not created" />
      <Group justify="space-between">
        <Text size="sm" c="dark.4">Next: record the request, then start the release from it.</Text>
        <Button disabled loading={busy === 'create'}>Create release</Button>
      </Group>
    </Stack>
  );
}
