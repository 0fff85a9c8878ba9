import { useEffect } from 'react';
import { Alert, Badge, Button, Group, Loader, Paper, SimpleGrid, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import { useAppStore, type Screen } from '../../app/store';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useFocusHeading } from '../../lib/focus';
import { formatDate, formatDateTime } from '../../lib/format';
import { useDashboardStore, type DashboardT } from './store';
import { mayOpen, useRole } from '../../lib/roles';

type Item = DashboardT['items'][number];
type Target = Item['target'];
type Kind = Item['kind'];

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
const GROUPS: ReadonlyArray<{ id: string; title: string; kinds: readonly Kind[]; empty: string }> = [
  { id: 'requests', title: 'Requests due', kinds: ['request_overdue', 'request_due'], empty: 'No request is overdue or due in the next 7 days.' },
  {
    id: 'releases',
    title: 'Releases that need attention',
    kinds: ['release_failed', 'release_bounced', 'release_unconfirmed'],
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
const KIND_LABEL: Record<Kind, { label: string; color: string }> = {
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
};

/** Where a target is, in words ("Fix in Settings"). */
const PLACE: Record<Target['screen'], string> = {
  request: 'the request',
  wizard: 'the release',
  outbox: 'the outbox',
  settings: 'Settings',
  audit: 'the audit log',
  requests: 'Requests',
};

/** The count tiles at the top: how many items of which kinds. */
const COUNTS: ReadonlyArray<{ label: string; kinds: readonly Kind[]; testId: string }> = [
  { label: 'Requests overdue', kinds: ['request_overdue'], testId: 'count-overdue' },
  { label: 'Requests due this week', kinds: ['request_due'], testId: 'count-due' },
  { label: 'Releases needing attention', kinds: ['release_failed', 'release_bounced', 'release_unconfirmed'], testId: 'count-releases' },
  { label: 'Authorizations expiring (30 days)', kinds: ['authorization_expiring'], testId: 'count-authorizations' },
  { label: 'Waiting in the outbox', kinds: ['release_queued'], testId: 'count-outbox' },
];

function ItemRow({ item, onOpen }: { item: Item; onOpen: (t: Target) => void }) {
  const k = KIND_LABEL[item.kind];
  const canOpen = mayOpen(useRole(), screenFor(item.target).name);
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
            Tell your privacy officer.
          </Text>
        )}
      </Group>
    </Paper>
  );
}

/**
 * The compliance dashboard ("Today"), the home screen after unlock: counts, then what needs attention grouped by
 * where it is fixed (each item links there), the audit log's status and the practice's safeguards with what to fix.
 * PHI-free: references, counts and dates only. Re-read every 30 seconds while shown.
 */
export function DashboardScreen() {
  const heading = useFocusHeading();
  const navigate = useAppStore((s) => s.navigate);
  const data = useDashboardStore((s) => s.data);
  const error = useDashboardStore((s) => s.error);
  useEffect(() => {
    const { load } = useDashboardStore.getState();
    void load();
    const t = setInterval(() => void load(), 30_000);
    return () => clearInterval(t);
  }, []);
  const open = (t: Target) => navigate(screenFor(t));
  const role = useRole();
  const canAudit = mayOpen(role, 'audit');
  const count = (kinds: readonly Kind[]) => data?.items.filter((i) => kinds.includes(i.kind)).length ?? 0;
  const attention = data ? data.items.filter((i) => i.kind !== 'release_queued').length : 0;

  return (
    <Stack gap="lg">
      <div>
        <Title order={1} ref={heading} tabIndex={-1}>
          Today
        </Title>
        <Text c="dark.5">
          {data
            ? `${formatDate(data.asOf)} · ${attention === 0 ? 'Nothing needs attention.' : `${attention} ${attention === 1 ? 'thing needs' : 'things need'} attention.`}`
            : 'What needs attention today.'}
        </Text>
      </div>
      <ErrorAlert error={error} title="The dashboard could not be loaded" />
      {!data ? (
        error ? null : (
          <Group>
            <Loader size="sm" aria-hidden />
            <Text>Loading…</Text>
          </Group>
        )
      ) : (
        <>
          <SimpleGrid cols={{ base: 2, sm: 3, md: 5 }} spacing="sm" component="ul" aria-label="Counts" p={0} m={0}>
            {COUNTS.map((c) => {
              const n = count(c.kinds);
              return (
                <Paper key={c.testId} withBorder radius="md" p="sm" component="li" style={{ listStyle: 'none' }}>
                  <Text fz={28} fw={700} lh={1.1} c={n > 0 && c.testId !== 'count-outbox' ? 'red.9' : 'dark.7'} data-testid={c.testId}>
                    {n}
                  </Text>
                  <Text size="sm" c="dark.5">
                    {c.label}
                  </Text>
                </Paper>
              );
            })}
          </SimpleGrid>

          {GROUPS.map((g) => {
            const items = data.items.filter((i) => g.kinds.includes(i.kind));
            return (
              <section key={g.id} aria-labelledby={`dash-${g.id}`} data-testid={`dash-${g.id}`}>
                <Title order={2} size="h4" id={`dash-${g.id}`} mb="xs">
                  {g.title}
                  {items.length > 0 ? ` (${items.length})` : ''}
                </Title>
                {items.length === 0 ? (
                  <Text size="sm" c="dark.5">
                    {g.empty}
                  </Text>
                ) : (
                  <Stack gap="xs" component="ul" p={0} m={0}>
                    {items.map((item, i) => (
                      <ItemRow key={`${item.kind}-${item.target.id ?? i}-${i}`} item={item} onOpen={open} />
                    ))}
                  </Stack>
                )}
              </section>
            );
          })}

          <section aria-labelledby="dash-chain" data-testid="dash-chain">
            <Title order={2} size="h4" id="dash-chain" mb="xs">
              Audit log
            </Title>
            {data.chain.intact ? (
              <Alert color="green" variant="light" title="The audit log verifies">
                {data.chain.lastSeq} {data.chain.lastSeq === 1 ? 'event' : 'events'} chained without a gap.
                {data.chain.latestCheckpointAt ? ` Last checkpoint ${formatDateTime(data.chain.latestCheckpointAt)}.` : ' No checkpoint yet.'}
              </Alert>
            ) : (
              <Alert color="red" variant="light" title="The audit log does not verify">
                {canAudit ? (
                  <>
                    <Text size="sm">Open the audit log to see which events changed.</Text>
                    <Button size="xs" variant="light" mt={8} onClick={() => navigate({ name: 'audit' })}>
                      Open the audit log
                    </Button>
                  </>
                ) : (
                  <Text size="sm">Tell your privacy officer: they can open the audit log and see which events changed.</Text>
                )}
              </Alert>
            )}
          </section>

          <section aria-labelledby="dash-posture" data-testid="dash-posture">
            <Title order={2} size="h4" id="dash-posture" mb="xs">
              Safeguards
            </Title>
            <Stack gap={6} component="ul" p={0} m={0}>
              {data.posture.map((p) => (
                <Group key={p.key} component="li" gap="sm" wrap="nowrap" align="flex-start" style={{ listStyle: 'none' }} data-posture={p.key} data-ok={p.ok}>
                  <ThemeIcon size="sm" radius="xl" color={p.ok ? 'green.8' : 'orange.8'} aria-hidden mt={2}>
                    <span style={{ fontSize: 11, fontWeight: 700 }}>{p.ok ? '✓' : '!'}</span>
                  </ThemeIcon>
                  <Stack gap={2} style={{ flex: 1 }}>
                    <Text size="sm">
                      <Text span fw={600} size="sm">
                        {p.ok ? 'Set: ' : 'To do: '}
                      </Text>
                      {p.label}
                    </Text>
                    {!p.ok && p.fix ? (
                      <Group gap="xs">
                        <Text size="sm" c="dark.5">
                          {p.fix}
                        </Text>
                        {p.target && mayOpen(role, screenFor(p.target).name) ? (
                          <Button size="compact-xs" variant="subtle" onClick={() => open(p.target!)}>
                            Fix in {PLACE[p.target.screen]}
                          </Button>
                        ) : null}
                      </Group>
                    ) : null}
                  </Stack>
                </Group>
              ))}
            </Stack>
          </section>
        </>
      )}
    </Stack>
  );
}
