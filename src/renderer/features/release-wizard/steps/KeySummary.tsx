import { Alert, List, Paper, SimpleGrid, Stack, Text } from '@mantine/core';
import type { KeyInfoT } from '../../../../shared/contract';
import { Fingerprint } from '../../../components/Fingerprint';
import { formatDateTime } from '../../../lib/format';

/** What `recipients.inspectKey` found: fingerprint (groups of four), user ids, algorithm, expiry. */
export function KeySummary({ info }: { info: KeyInfoT }) {
  return (
    <Paper withBorder p="md" radius="md" aria-label="Recipient key" component="section">
      <Stack gap="xs">
        <Text fw={600}>Key fingerprint</Text>
        <Fingerprint value={info.fingerprint} label="Recipient key fingerprint" />
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="xs">
          <div>
            <Text size="sm" c="dark.4">User IDs</Text>
            <List size="sm">{info.userIds.map((u) => <List.Item key={u}>{u}</List.Item>)}</List>
          </div>
          <div>
            <Text size="sm" c="dark.4">Algorithm</Text>
            <Text size="sm">{info.algorithm}</Text>
          </div>
          <div>
            <Text size="sm" c="dark.4">Expires</Text>
            <Text size="sm">{info.expiresAt ? formatDateTime(info.expiresAt) : 'Never'}</Text>
          </div>
        </SimpleGrid>
        {info.warnings?.length ? (
          <Alert color="yellow" variant="light" p="xs" role="status" title="Part of this key is ignored">
            <List size="sm">{info.warnings.map((w) => <List.Item key={w}>{w}</List.Item>)}</List>
          </Alert>
        ) : null}
      </Stack>
    </Paper>
  );
}
