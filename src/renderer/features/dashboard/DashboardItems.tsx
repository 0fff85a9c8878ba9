/**
 * What the dashboard lists and where each item leads: the groups and count tiles by kind, the kinds in words, the
 * screen a link opens, and one item's row.
 */
import { Badge, Button, Group, Paper, Stack, Text } from '@mantine/core';
import type { Screen } from '../../lib/navigation';
import { mayFix, useRole, whomToAsk } from '../../lib/roles';
import type { DashboardT } from './store';

export type Item = DashboardT['items'][number];
export type Target = Item['target'];
export type Kind = Item['kind'];

/** Where a dashboard link goes, as a screen of the app. */
export function screenFor(t: Target): Screen {
  switch (t.screen) {
    case 'request':
      return t.id ? { name: 'request', requestId: t.id } : { name: 'requests' };
    case 'wizard':
      return { name: 'wizard', releaseId: t.id };
    case 'outbox':
      return { name: 'outbox' };
    case 'settings':
      return { name: 'settings' };
    case 'audit':
      return { name: 'audit' };
    case 'requests':
      return { name: 'requests' };
  }
}

/** The dashboard's groups, in reading order: each names the kinds it shows and what "nothing here" means. */
export const GROUPS: ReadonlyArray<{ id: string; title: string; kinds: readonly Kind[]; empty: string }> = [
  { id: 'requests', title: 'Requests due', kinds: ['request_overdue', 'request_due'], empty: 'No request is overdue or due in the next 7 days.' },
  {
    id: 'releases',
    title: 'Releases that need attention',
    kinds: ['patient_confirm_waiting', 'release_failed', 'release_bounced', 'release_unconfirmed'],
    empty: 'No release failed, bounced or is waiting for confirmation.',
  },
  {
    id: 'expiring',
    title: 'Authorizations and keys expiring within 30 days',
    kinds: ['authorization_expiring', 'key_expiring'],
    empty: 'No authorization or key expires in the next 30 days.',
  },
  { id: 'outbox', title: 'Waiting in the outbox', kinds: ['release_queued'], empty: 'The outbox is empty.' },
  { id: 'safety', title: 'Backup and audit log', kinds: ['backup_due', 'chain_problem'], empty: 'The backup is recent and the audit log verifies.' },
];

/** What each kind is called in a badge (words, never colour alone). */
export const KIND_LABEL: Record<Kind, { label: string; color: string }> = {
  request_overdue: { label: 'Overdue', color: 'red' },
  request_due: { label: 'Due soon', color: 'yellow' },
  release_failed: { label: 'Not sent', color: 'red' },
  release_bounced: { label: 'Bounced', color: 'red' },
  release_unconfirmed: { label: 'Unconfirmed', color: 'orange' },
  release_queued: { label: 'Waiting', color: 'blue' },
  authorization_expiring: { label: 'Authorization expiring', color: 'yellow' },
  key_expiring: { label: 'Key expiring', color: 'yellow' },
  backup_due: { label: 'Backup due', color: 'yellow' },
  chain_problem: { label: 'Audit log problem', color: 'red' },
  patient_confirm_waiting: { label: 'Needs a privacy officer', color: 'red' },
};

/** Where a target is, in words ("Fix in Settings"). */
export const PLACE: Record<Target['screen'], string> = {
  request: 'the request',
  wizard: 'the release',
  outbox: 'the outbox',
  settings: 'Settings',
  audit: 'the audit log',
  requests: 'Requests',
};

/** The count tiles at the top: how many items of which kinds. */
export const COUNTS: ReadonlyArray<{ label: string; kinds: readonly Kind[]; testId: string }> = [
  { label: 'Requests overdue', kinds: ['request_overdue'], testId: 'count-overdue' },
  { label: 'Requests due this week', kinds: ['request_due'], testId: 'count-due' },
  { label: 'Releases needing attention', kinds: ['patient_confirm_waiting', 'release_failed', 'release_bounced', 'release_unconfirmed'], testId: 'count-releases' },
  { label: 'Authorizations expiring (30 days)', kinds: ['authorization_expiring'], testId: 'count-authorizations' },
  { label: 'Waiting in the outbox', kinds: ['release_queued'], testId: 'count-outbox' },
];

/** One item that needs attention: its kind in words, what it is, and the button to where it is fixed (or whom to tell). */
export function ItemRow({ item, onOpen }: { item: Item; onOpen: (t: Target) => void }) {
  const k = KIND_LABEL[item.kind];
  const canOpen = mayFix(useRole(), { screen: screenFor(item.target).name, needs: item.target.needs });
  return (
    <Paper withBorder radius="sm" p="sm" component="li" data-kind={item.kind} style={{ listStyle: 'none' }}>
      <Group justify="space-between" align="flex-start" wrap="nowrap" gap="md">
        <Stack gap={4} style={{ minWidth: 0 }}>
          <Group gap="xs" wrap="wrap">
            <Badge color={k.color} c={k.color === 'yellow' ? 'dark.9' : undefined} variant={item.severity === 'critical' ? 'filled' : 'light'} tt="none">
              {k.label}
            </Badge>
            <Text fw={600}>{item.title}</Text>
          </Group>
          <Text size="sm" c="dark.5">
            {item.detail}
          </Text>
        </Stack>
        {canOpen ? (
          <Button size="xs" variant="light" onClick={() => onOpen(item.target)} style={{ flexShrink: 0 }}>
            {item.action}
          </Button>
        ) : (
          <Text size="sm" c="dark.5" style={{ flexShrink: 0 }}>
            {whomToAsk(item.target)}
          </Text>
        )}
      </Group>
    </Paper>
  );
}
