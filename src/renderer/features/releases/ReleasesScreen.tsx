import { useEffect } from 'react';
import { Button, Paper, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useReleasesStore } from './store';
import { useAppStore } from '../../lib/navigation';
import { ErrorAlert } from '../../components/ErrorAlert';
import { StatusBadge } from '../../components/StatusBadge';
import { formatDateTime } from '../../lib/format';
import { workstationLabel } from '../../lib/workstation';
import { ScreenHeader } from '../../components/ScreenHeader';
import { TableHead } from '../../components/TableHead';

/** Home: every release with its status; start a new one or continue a draft. */
export function ReleasesScreen() {
  const { releases, error, load } = useReleasesStore();
  const navigate = useAppStore((s) => s.navigate);
  useEffect(() => {
    void load();
  }, [load]);

  return (
    <Stack gap="lg">
      <ScreenHeader
        title="Releases"
        subtitle="Each release delivers one patient’s records, for one request, to one recipient, by the delivery method you choose for it."
        actions={<Button size="md" variant="outline" onClick={() => navigate({ name: 'requests' })}>Requests</Button>}
      />
      <ErrorAlert error={error} />
      {releases === null ? (
        <Text>Loading releases…</Text>
      ) : releases.length === 0 ? (
        <Paper withBorder p="xl" radius="md">
          <Stack gap="xs" align="flex-start">
            <Title order={2} size="h4">
              No releases yet
            </Title>
            <Text>A release is started from a request: open Requests, record or open the request, and choose “Start release”.</Text>
          </Stack>
        </Paper>
      ) : (
        <Table striped highlightOnHover verticalSpacing="sm" aria-label="Releases">
          <TableHead columns={['Reference', 'Request', 'Patient', 'Recipient', 'Documents', 'Created', 'Status', <VisuallyHidden key="action">Action</VisuallyHidden>]} />
          <Table.Tbody>
            {releases.map((r) => (
              <Table.Tr key={r.id}>
                <Table.Td>{r.reference}</Table.Td>
                <Table.Td>{r.requestReference ?? '—'}</Table.Td>
                <Table.Td>{r.patientName}</Table.Td>
                <Table.Td>{r.recipientName ?? <Text span c="dark.3">not chosen yet</Text>}</Table.Td>
                <Table.Td>{r.documentCount}</Table.Td>
                <Table.Td>{formatDateTime(r.createdAt)}</Table.Td>
                <Table.Td>
                  <StatusBadge status={r.status} />
                  {r.status === 'waiting_for_server' ? (
                    <Text size="sm" mt={4}>
                      Kept on this computer; sent when the practice server is back.
                    </Text>
                  ) : r.sentByWorkstation ? (
                    <Text size="sm" mt={4} data-testid="sent-by-workstation">
                      Sent by the workstation “{workstationLabel(r.sentByWorkstation, releases.map((x) => x.sentByWorkstation))}”
                    </Text>
                  ) : null}
                </Table.Td>
                <Table.Td>
                  <Button
                    variant="light"
                    size="xs"
                    onClick={() => navigate({ name: 'wizard', releaseId: r.id })}
                    aria-label={`${r.status === 'sent' ? 'View' : 'Continue'} release ${r.reference}`}
                  >
                    {r.status === 'sent' ? 'View' : 'Continue'}
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
