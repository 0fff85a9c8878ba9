import type { ReactNode } from 'react';
import { Badge, Table } from '@mantine/core';
import { OUTCOME_LABEL } from '../../../shared/audit-labels';
import { formatDateTime } from '../../lib/format';

const OUTCOME_COLOR = { success: 'green', failure: 'red', refused: 'orange' } as const;

/** A column between "When" and "Outcome": its heading, width in pixels (none: takes the rest) and cell. */
export interface AuditColumn<E> {
  title: string;
  width?: number;
  cell: (e: E) => ReactNode;
  /** Long text (names, descriptions) may break anywhere. */
  wrap?: boolean;
}

/**
 * Audit events as a table for people (45 CFR 164.312(b)): when (local date and time) first, the outcome in words
 * (never a raw code, src/shared/audit-labels.ts) last, and the panel's own columns between.
 */
export function AuditEventTable<E extends { seq: number; at: string; outcome: keyof typeof OUTCOME_COLOR }>({ label, rows, columns }: { label: string; rows: readonly E[]; columns: AuditColumn<E>[] }) {
  return (
    <Table verticalSpacing="xs" striped aria-label={label} layout="fixed">
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col" w={160}>When</Table.Th>
          {columns.map((c) => (
            <Table.Th key={c.title} scope="col" w={c.width}>{c.title}</Table.Th>
          ))}
          <Table.Th scope="col" w={100}>Outcome</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((e) => (
          <Table.Tr key={e.seq}>
            <Table.Td>{formatDateTime(e.at)}</Table.Td>
            {columns.map((c) => (
              <Table.Td key={c.title} style={c.wrap ? { overflowWrap: 'anywhere' } : undefined}>{c.cell(e)}</Table.Td>
            ))}
            <Table.Td>
              <Badge color={OUTCOME_COLOR[e.outcome]} variant="light" tt="none" styles={{ label: { overflow: 'visible' } }}>
                {OUTCOME_LABEL[e.outcome]}
              </Badge>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
