import { ActionIcon, Alert, Button, Group, List, Stack, Table, Text, Tooltip } from '@mantine/core';
import { useWizardStore } from '../store';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { formatBytes, plural } from '../../../lib/format';

/** Step 2: the PDF records to send (`documents.pick`, `documents.remove`). */
export function RecordsStep() {
  const release = useWizardStore((s) => s.release);
  const busy = useWizardStore((s) => s.busy);
  const error = useWizardStore((s) => s.error);
  const rejected = useWizardStore((s) => s.rejected);
  const pickDocuments = useWizardStore((s) => s.pickDocuments);
  const removeDocument = useWizardStore((s) => s.removeDocument);
  const goTo = useWizardStore((s) => s.goTo);
  if (!release) return null;
  const docs = release.documents;
  const pages = docs.reduce((n, d) => n + d.pageCount, 0);
  const editable = release.status === 'draft' || release.status === 'failed';

  return (
    <Stack gap="md">
      <Text>
        Add the PDF files to release. They are copied into the encrypted vault; the originals stay where they are.
      </Text>
      {editable ? (
        <Group>
          {/* pickDocuments must be called directly in the click: the preview's file chooser needs the gesture. */}
          <Button variant="outline" onClick={() => void pickDocuments()} loading={busy === 'pick'}>
            Add PDF files
          </Button>
        </Group>
      ) : null}

      {rejected.length > 0 ? (
        <Alert color="orange" variant="light" title={`${plural(rejected.length, 'file was', 'files were')} not added`} role="alert">
          <List size="sm" spacing={4}>
            {rejected.map((r, i) => (
              <List.Item key={`${r.fileName}-${i}`}>
                <strong>{r.fileName}</strong>: {r.message}
              </List.Item>
            ))}
          </List>
        </Alert>
      ) : null}
      <ErrorAlert error={error} />

      {docs.length === 0 ? (
        <Text c="dark.4">No documents yet.</Text>
      ) : (
        <Table verticalSpacing="xs" aria-label="Documents in this release">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">File</Table.Th>
              <Table.Th scope="col">Sent as</Table.Th>
              <Table.Th scope="col">Pages</Table.Th>
              <Table.Th scope="col">Size</Table.Th>
              {editable ? <Table.Th scope="col">Remove</Table.Th> : null}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {docs.map((d) => (
              <Table.Tr key={d.id}>
                <Table.Td style={{ wordBreak: 'break-all' }}>{d.originalName}</Table.Td>
                <Table.Td>{d.label}</Table.Td>
                <Table.Td>{d.pageCount}</Table.Td>
                <Table.Td>{formatBytes(d.sizeBytes)}</Table.Td>
                {editable ? (
                  <Table.Td>
                    <Tooltip label="Remove from this release">
                      <ActionIcon
                        variant="subtle"
                        color="red"
                        aria-label={`Remove ${d.originalName}`}
                        onClick={() => void removeDocument(d.id)}
                        disabled={busy === 'remove'}
                      >
                        <span aria-hidden>✕</span>
                      </ActionIcon>
                    </Tooltip>
                  </Table.Td>
                ) : null}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Group justify="space-between">
        <Button variant="default" onClick={() => goTo(0)}>Back</Button>
        <Group gap="md">
          <Text size="sm" c="dark.4" aria-live="polite">
            {plural(docs.length, 'document')}, {plural(pages, 'page')}. Next: choose the recipient.
          </Text>
          <Button onClick={() => goTo(2)} disabled={docs.length === 0}>Next: recipient</Button>
        </Group>
      </Group>
    </Stack>
  );
}
