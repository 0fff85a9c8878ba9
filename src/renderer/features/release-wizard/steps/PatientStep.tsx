import { Anchor, Button, Group, SimpleGrid, Stack, Text } from '@mantine/core';
import { formatDate } from '../../../lib/format';
import { STEP, useWizardStore } from '../store';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { useAppStore } from '../../../lib/navigation';

/** Step 1: who the records are about, and the request the release is made for. */
export function PatientStep() {
  const release = useWizardStore((s) => s.release);
  const busy = useWizardStore((s) => s.busy);
  const error = useWizardStore((s) => s.error);
  const goTo = useWizardStore((s) => s.goTo);
  const request = useWizardStore((s) => s.request);
  const navigate = useAppStore((s) => s.navigate);

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
            <Text fw={600}>{formatDate(release.patient.dateOfBirth)}</Text>
          </div>
          <div>
            <Text size="sm" c="dark.4">Medical record number (MRN)</Text>
            <Text fw={600}>{release.patient.mrn}</Text>
          </div>
        </SimpleGrid>
        {request ? (
          <Text size="sm">
            For request <strong>{request.reference}</strong> from {request.request.requester.name}.{' '}
            <Anchor component="button" type="button" size="sm" onClick={() => navigate({ name: 'request', requestId: request.id })}>
              Open the request
            </Anchor>
          </Text>
        ) : null}
        <Group justify="flex-end">
          <Button onClick={() => goTo(STEP.records)}>Next: add records</Button>
        </Group>
      </Stack>
    );
  }

  // A release is always made for a recorded request (`releases.create({ requestId })`), from the request's screen.
  return (
    <Stack gap="md">
      {busy === 'load' || busy === 'create' ? <Text>Loading…</Text> : (
        <Text>
          A release is started from a recorded request for records (who asked, on what legal basis, for what). Open the request
          and choose “Start release”.
        </Text>
      )}
      <ErrorAlert error={error} title="The release was not opened" />
      <Group>
        <Button onClick={() => navigate({ name: 'requests' })}>Go to requests</Button>
      </Group>
    </Stack>
  );
}
