import type { ReactNode } from 'react';
import { Table } from '@mantine/core';

/**
 * The header row of a data table: one column header (`scope="col"`, WCAG 1.3.1) per entry of `columns`, in order.
 * A column whose header is not shown (an action button column) passes a <VisuallyHidden> name.
 */
export function TableHead({ columns }: { columns: readonly ReactNode[] }) {
  return (
    <Table.Thead>
      <Table.Tr>
        {columns.map((c, i) => (
          <Table.Th scope="col" key={i}>
            {c}
          </Table.Th>
        ))}
      </Table.Tr>
    </Table.Thead>
  );
}
