/** Building blocks of the request detail screen: a titled section, a labelled fact, an action's last failure. */
import { Paper, Text, Title } from '@mantine/core';
import { useRequestsStore, type RequestAction } from '../store';
import { formatDate } from '../../../lib/format';

/** "Any dates" / "from 2024-01-01" / "2024-01-01 to 2024-12-31". */
export function scopeDates(scope: { from?: string; to?: string }): string {
  if (scope.from && scope.to) return `${formatDate(scope.from)} to ${formatDate(scope.to)}`;
  if (scope.from) return `From ${formatDate(scope.from)}`;
  if (scope.to) return `Up to ${formatDate(scope.to)}`;
  return 'Any dates';
}

/** Request statuses in which the request is still owed (the clock runs, actions are offered). */
export const OPEN = ['received', 'verifying', 'ready', 'partly_sent', 'failed'];

export function Section({ id, title, children }: { id: string; title: string; children: React.ReactNode }) {
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby={id}>
      <Title order={2} size="h4" id={id} mb="sm">{title}</Title>
      {children}
    </Paper>
  );
}

/** The failure of `action`, if that is what failed last. */
export function useActionError(action: Exclude<RequestAction, null>) {
  const e = useRequestsStore((s) => s.error);
  return e && e.action === action ? e.error : null;
}

export function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <Text size="sm" c="dark.4">{label}</Text>
      <Text fw={600} component="div">{children}</Text>
    </div>
  );
}

