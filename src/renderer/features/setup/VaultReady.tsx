import { Button, Container, Group, Stack, Text, Title } from '@mantine/core';
import type { KeyInfoT } from '../../../shared/contract';
import { Fingerprint } from '../../components/Fingerprint';
import { useAppStore } from '../../lib/navigation';

/** After setup: the vault exists; shows the practice key's fingerprint and says what comes next (the requests list). */
export function VaultReady({ practiceKey }: { practiceKey: KeyInfoT }) {
  const refresh = useAppStore((s) => s.refresh);
  const navigate = useAppStore((s) => s.navigate);
  return (
    <Container size="sm" py="xl">
      <Stack gap="lg">
        <Title order={1}>Your vault is ready</Title>
        <Text>
          ReleaseDesk created the encrypted vault and the practice’s OpenPGP key. Records you release are signed with this
          key, so recipients can check they really come from your practice.
        </Text>
        <div>
          <Text fw={600} mb={4} id="practice-fpr-label">
            Practice key fingerprint
          </Text>
          <Fingerprint value={practiceKey.fingerprint} label="Practice key fingerprint" />
          <Text size="sm" c="dimmed" mt={6}>
            Recipients may ask you to read this out to them. You can see it again, and save the key file for recipients, under Settings.
          </Text>
        </div>
        <Text>
          <strong>Next:</strong> record the first request for records, then start its release.
        </Text>
        <Group>
          <Button
            size="md"
            onClick={() => {
              navigate({ name: 'requests' });
              void refresh();
            }}
          >
            Continue to requests
          </Button>
        </Group>
      </Stack>
    </Container>
  );
}
