import { Badge } from '@mantine/core';
import type { ReleaseSummaryT } from '../../shared/contract';

const LABELS: Record<ReleaseSummaryT['status'], { label: string; color: string }> = {
  draft: { label: 'Draft — not sent', color: 'gray' },
  queued: { label: 'In the outbox — waiting to send', color: 'blue' },
  sending: { label: 'Sending…', color: 'blue' },
  sent: { label: 'Sent', color: 'green' },
  partly_sent: { label: 'Partly sent — send the rest', color: 'yellow' },
  unconfirmed: { label: 'May have been delivered — check', color: 'orange' },
  failed: { label: 'Not sent — needs attention', color: 'red' },
  bounced: { label: 'Bounced — not delivered', color: 'red' },
  cancelled: { label: 'Cancelled — not sent', color: 'gray' },
  waiting_for_server: { label: 'Waiting for the practice server', color: 'blue' },
  with_practice_server: { label: 'In the practice outbox — sending', color: 'blue' },
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
