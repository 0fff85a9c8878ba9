import { useEffect, useState } from 'react';
import { Badge, Button, Group, Paper, Stack, Table, Text, Title, UnstyledButton, VisuallyHidden } from '@mantine/core';
import { sortRequests, useRequestsStore, type SortDir, type SortKey } from './store';
import { BASIS_SHORT, REQUEST_STATUS_LABELS, clockText } from './labels';
import { useAppStore } from '../../lib/navigation';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatDate, formatDateTime } from '../../lib/format';
import type { RequestSummaryT } from '../../../shared/contract';
import { useFocusHeading } from '../../lib/focus';
import { ScreenHeader } from '../../components/ScreenHeader';

/** Due badges: "Overdue" (a warning, never a block — 164.524(b)(2)) and "Due this week". */
export function DueBadges({ r }: { r: Pick<RequestSummaryT, 'overdue' | 'dueThisWeek' | 'extended'> }) {
  return (
    <Group gap={4} wrap="nowrap">
      {r.overdue ? <Badge color="red" variant="filled" tt="none">Overdue</Badge> : null}
      {r.dueThisWeek ? <Badge color="yellow" c="dark.9" variant="filled" tt="none">Due this week</Badge> : null}
      {r.extended ? <Badge color="gray" variant="light" tt="none">Extended</Badge> : null}
    </Group>
  );
}

export function RequestStatusBadge({ status }: { status: RequestSummaryT['status'] }) {
  const s = REQUEST_STATUS_LABELS[status];
  return (
    <Badge color={s.color} c="dark.8" variant="light" size="lg" tt="none" data-status={status}>
      {s.label}
    </Badge>
  );
}

/** A sortable column header: a button inside the th, aria-sort on the th. */
function SortHeader(props: { label: string; k: SortKey; sort: { key: SortKey; dir: SortDir }; onSort: (k: SortKey) => void }) {
  const active = props.sort.key === props.k;
  return (
    <Table.Th scope="col" aria-sort={active ? props.sort.dir : 'none'}>
      <UnstyledButton onClick={() => props.onSort(props.k)} fw={700} fz="sm">
        {props.label} <span aria-hidden>{active ? (props.sort.dir === 'ascending' ? '▲' : '▼') : '↕'}</span>
      </UnstyledButton>
    </Table.Th>
  );
}

/** Table of requests with their 30-day clocks; sortable by due date and received date. */
export function RequestsTable({ requests, onOpen }: { requests: readonly RequestSummaryT[]; onOpen: (id: string) => void }) {
  const [sort, setSort] = useState<{ key: SortKey; dir: SortDir }>({ key: 'due', dir: 'ascending' });
  const onSort = (k: SortKey) =>
    setSort((s) => (s.key === k ? { key: k, dir: s.dir === 'ascending' ? 'descending' : 'ascending' } : { key: k, dir: 'ascending' }));
  const rows = sortRequests(requests, sort.key, sort.dir);
  return (
    <Table striped highlightOnHover verticalSpacing="sm" aria-label="Requests">
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">Reference</Table.Th>
          <Table.Th scope="col">Patient</Table.Th>
          <Table.Th scope="col">Basis</Table.Th>
          <SortHeader label="Received" k="received" sort={sort} onSort={onSort} />
          <SortHeader label="Due date" k="due" sort={sort} onSort={onSort} />
          <Table.Th scope="col">Days left</Table.Th>
          <Table.Th scope="col">Status</Table.Th>
          <Table.Th scope="col"><VisuallyHidden>Action</VisuallyHidden></Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((r) => (
          <Table.Tr key={r.id} data-testid="request-row">
            <Table.Td>{r.reference}</Table.Td>
            <Table.Td>{r.patientName}</Table.Td>
            <Table.Td>{BASIS_SHORT[r.basis]}</Table.Td>
            <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(r.receivedAt)}</Table.Td>
            <Table.Td style={{ whiteSpace: 'nowrap' }}>{r.dueDate ? formatDate(r.dueDate) : '—'}</Table.Td>
            <Table.Td>
              <Stack gap={4}>
                <Text size="sm">{clockText(r)}</Text>
                <DueBadges r={r} />
              </Stack>
            </Table.Td>
            <Table.Td><RequestStatusBadge status={r.status} /></Table.Td>
            <Table.Td>
              <Button variant="light" size="xs" onClick={() => onOpen(r.id)} aria-label={`Open request ${r.reference}`}>
                Open
              </Button>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** Home: every request with its clock; record a new one or open one. */
export function RequestsScreen() {
  const list = useRequestsStore((s) => s.list);
  const error = useRequestsStore((s) => s.listError);
  const loadList = useRequestsStore((s) => s.loadList);
  const navigate = useAppStore((s) => s.navigate);
  const heading = useFocusHeading();
  useEffect(() => {
    void loadList();
  }, [loadList]);

  return (
    <Stack gap="lg">
      <ScreenHeader
        title="Requests"
        headingRef={heading}
        subtitle="Requests for records and their 30-day clocks. Overdue requests are still owed: release them as soon as you can."
        actions={<Button size="md" onClick={() => navigate({ name: 'intake' })}>New request</Button>}
      />
      <ErrorAlert error={error} />
      {list === null ? (
        <Text>Loading requests…</Text>
      ) : list.length === 0 ? (
        <Paper withBorder p="xl" radius="md">
          <Stack gap="xs" align="flex-start">
            <Title order={2} size="h4">No requests yet</Title>
            <Text>Start with “New request”: record who asked, on what legal basis, and for which records. Then verify their identity and start the release.</Text>
          </Stack>
        </Paper>
      ) : (
        <RequestsTable requests={list} onOpen={(id) => navigate({ name: 'request', requestId: id })} />
      )}
    </Stack>
  );
}
