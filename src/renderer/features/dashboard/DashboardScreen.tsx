import { useEffect } from 'react';
import { Alert, Button, Group, Loader, Paper, SimpleGrid, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import { useAppStore } from '../../lib/navigation';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useFocusHeading } from '../../lib/focus';
import { formatDate, formatDateTime } from '../../lib/format';
import { useDashboardStore } from './store';
import { ScreenHeader } from '../../components/ScreenHeader';
import { mayFix, mayOpen, useRole, whomToAsk } from '../../lib/roles';

import { COUNTS, GROUPS, ItemRow, PLACE, screenFor, type Kind, type Target } from './DashboardItems';

export { screenFor };

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
      <ScreenHeader
        title="Today"
        headingRef={heading}
        subtitleColor="dark.5"
        subtitle={data
          ? `${formatDate(data.asOf)} · ${attention === 0 ? 'Nothing needs attention.' : `${attention} ${attention === 1 ? 'thing needs' : 'things need'} attention.`}`
          : 'What needs attention today.'}
      />
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
                        {p.target && mayFix(role, { screen: screenFor(p.target).name, needs: p.target.needs }) ? (
                          <Button size="compact-xs" variant="subtle" onClick={() => open(p.target!)}>
                            Fix in {PLACE[p.target.screen]}
                          </Button>
                        ) : p.target ? (
                          <Text size="sm" c="dark.5">
                            {whomToAsk(p.target)}
                          </Text>
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
