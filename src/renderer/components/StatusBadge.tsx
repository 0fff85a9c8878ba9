import { Badge } from '@mantine/core';
import type { ReleaseSummaryT } from '../../shared/contract';

const LABELS: Record<ReleaseSummaryT['status'], { label: string; color: string }> = {
  draft: { label: 'Draft — not sent', color: 'gray' },
  sending: { label: 'Sending…', color: 'blue' },
  sent: { label: 'Sent', color: 'green' },
  partly_sent: { label: 'Partly sent — retry the rest', color: 'yellow' },
  failed: { label: 'Not sent — needs attention', color: 'red' },
};

/** A release's status in words (never color alone). */
export function StatusBadge({ status }: { status: ReleaseSummaryT['status'] }) {
  const s = LABELS[status];
  return (
    <Badge color={s.color} variant="light" size="lg" tt="none" data-status={status}>
      {s.label}
    </Badge>
  );
}
