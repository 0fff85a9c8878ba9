import { useEffect, useState, type ReactNode } from 'react';
import { AppShell, Badge, Box, Button, Container, Group, Loader, Modal, Stack, Text, Title } from '@mantine/core';
import { useAppStore, type Screen } from './store';
import { useIdleLock } from './idle-lock';
import { SetupScreen } from '../features/setup/SetupScreen';
import { UnlockScreen } from '../features/unlock/UnlockScreen';
import { ReleasesScreen } from '../features/releases/ReleasesScreen';
import { WizardScreen } from '../features/release-wizard/WizardScreen';
import { AuditScreen } from '../features/audit/AuditScreen';
import { RequestsScreen } from '../features/requests/RequestsScreen';
import { IntakeScreen } from '../features/requests/IntakeScreen';
import { RequestDetailScreen } from '../features/requests/RequestDetailScreen';
import { ErrorAlert } from '../components/ErrorAlert';
import { SettingsScreen } from '../features/settings/SettingsScreen';
import { useWizardStore } from '../features/release-wizard/store';
import { OutboxScreen } from '../features/outbox/OutboxScreen';
import { needsAttention, useOutboxStore } from '../features/outbox/store';
import { DashboardScreen } from '../features/dashboard/DashboardScreen';
import { EnrollMfaScreen } from '../features/unlock/EnrollMfaScreen';
import { mayOpen } from '../lib/roles';

/** Shown on every screen of the browser preview so nobody mistakes it for the desktop app. */
export function PreviewBanner() {
  return (
    <Box component="aside" aria-label="Development preview" bg="yellow.3" c="dark.9" px="md" py={6} ta="center" fw={700} fz="sm">
      Development preview — not the desktop app. Use synthetic data only.
    </Box>
  );
}

/** What needs confirming because a one-time passphrase would be lost: locking, or leaving the wizard. */
type PendingLeave = { kind: 'lock' } | { kind: 'navigate'; to: Screen };

function Shell() {
  const info = useAppStore((s) => s.info);
  const screen = useAppStore((s) => s.screen);
  const navigate = useAppStore((s) => s.navigate);
  const lock = useAppStore((s) => s.lock);
  // Automatic logoff after the practice's idle time (app/idle-lock.ts): stores emptied, vault closed.
  useIdleLock();
  // An export's one-time passphrase on screen and not yet acknowledged (Done): locking or leaving loses it for good.
  // (A sent password PDF's passphrase is kept in the vault until staff gave it, so leaving loses nothing.)
  const oneTimeShown = useWizardStore((s) => s.oneTime?.via === 'export') && screen.name === 'wizard';
  const outbox = useOutboxStore((s) => s.entries);
  useEffect(() => {
    const { load } = useOutboxStore.getState();
    void load();
    const t = setInterval(() => void load(), 10_000);
    return () => clearInterval(t);
  }, []);
  const outboxCount = outbox?.length ?? 0;
  const outboxAttention = outbox?.some(needsAttention) ?? false;
  const [pending, setPending] = useState<PendingLeave | null>(null);
  const requestLock = () => (oneTimeShown ? setPending({ kind: 'lock' }) : void lock());
  const requestNavigate = (to: Screen) => (oneTimeShown ? setPending({ kind: 'navigate', to }) : navigate(to));
  const confirmPending = () => {
    const p = pending;
    setPending(null);
    if (p?.kind === 'lock') void lock();
    else if (p?.kind === 'navigate') navigate(p.to);
  };
  type Section = 'dashboard' | 'requests' | 'releases' | 'outbox' | 'audit' | 'settings';
  const section = (s: Screen['name']): Section =>
    s === 'dashboard'
      ? 'dashboard'
      : s === 'intake' || s === 'request' || s === 'requests'
      ? 'requests'
      : s === 'wizard' || s === 'releases'
        ? 'releases'
        : s === 'settings' || s === 'outbox'
          ? s
          : 'audit';
  const nav = (name: Section, label: string, badge?: ReactNode) => (
    <Button
      variant={section(screen.name) === name ? 'light' : 'subtle'}
      aria-current={screen.name === name ? 'page' : undefined}
      onClick={() => requestNavigate({ name })}
      rightSection={badge}
    >
      {label}
    </Button>
  );
  return (
    <AppShell header={{ height: 60 }} padding="md">
      <AppShell.Header pos="static">
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="lg" wrap="nowrap">
            <Text fw={800} size="lg" c="blue.9">ReleaseDesk</Text>
            <nav aria-label="Main">
              <Group gap={4} wrap="nowrap">
                {nav('dashboard', 'Today')}
                {nav('requests', 'Requests')}
                {nav('releases', 'Releases')}
                {nav(
                  'outbox',
                  'Outbox',
                  outboxCount > 0 ? (
                    <Badge size="sm" circle color={outboxAttention ? 'red' : 'blue'} aria-label={`${outboxCount} ${outboxCount === 1 ? 'release' : 'releases'}${outboxAttention ? ', needs attention' : ''}`} data-testid="outbox-count">
                      {outboxCount}
                    </Badge>
                  ) : undefined,
                )}
                {mayOpen(info?.user?.role, 'audit') ? nav('audit', 'Audit log') : null}
                {nav('settings', 'Settings')}
              </Group>
            </nav>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <Text size="sm" c="dark.4" visibleFrom="sm">
              {info?.practiceName}
              {info?.staffName ? ` · ${info.staffName}` : ''}
            </Text>
            <Button variant="default" onClick={requestLock} aria-label="Lock ReleaseDesk">
              Lock
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Main pt="md">
        <Container size="lg">
          {screen.name === 'dashboard' ? <DashboardScreen /> : null}
          {screen.name === 'requests' ? <RequestsScreen /> : null}
          {screen.name === 'intake' ? <IntakeScreen /> : null}
          {screen.name === 'request' ? <RequestDetailScreen requestId={screen.requestId} /> : null}
          {screen.name === 'releases' ? <ReleasesScreen /> : null}
          {screen.name === 'outbox' ? <OutboxScreen /> : null}
          {screen.name === 'wizard' ? <WizardScreen releaseId={screen.releaseId} /> : null}
          {screen.name === 'audit' && mayOpen(info?.user?.role, 'audit') ? <AuditScreen /> : null}
          {screen.name === 'settings' ? <SettingsScreen /> : null}
        </Container>
      </AppShell.Main>
      <Modal
        opened={pending !== null}
        onClose={() => setPending(null)}
        title={pending?.kind === 'lock' ? 'Lock while the passphrase is shown?' : 'Leave while the passphrase is shown?'}
        centered
        data-testid="lose-passphrase-confirm"
      >
        <Stack gap="md">
          <Text>
            The passphrase will be lost; the recipient could not open the PDF. ReleaseDesk does not keep it and cannot show it
            again.
          </Text>
          <Text size="sm">Write it down or give it to the recipient first, then press Done.</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setPending(null)} data-autofocus>
              Cancel
            </Button>
            <Button color="red" onClick={confirmPending}>
              {pending?.kind === 'lock' ? 'Lock anyway' : 'Leave anyway'}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </AppShell>
  );
}

/** Root: gate on the vault state (uninitialized → setup, locked → unlock, unlocked → app). */
export function App() {
  const info = useAppStore((s) => s.info);
  const error = useAppStore((s) => s.error);
  const refresh = useAppStore((s) => s.refresh);
  useEffect(() => {
    void refresh();
  }, [refresh]);

  let body;
  if (!info) {
    body = error ? (
      <Container size="sm" py="xl" component="main">
        <Title order={1} mb="md">ReleaseDesk could not start</Title>
        <ErrorAlert error={error} />
      </Container>
    ) : (
      <Container size="sm" py="xl" component="main">
        <Group><Loader size="sm" aria-hidden /><Text>Starting…</Text></Group>
      </Container>
    );
  } else if (info.vault === 'uninitialized') {
    body = <Box component="main"><SetupScreen /></Box>;
  } else if (info.vault === 'locked') {
    body = <Box component="main"><UnlockScreen /></Box>;
  } else if (info.mfaEnrollmentDue) {
    // The practice requires two-step sign-in and this account has none: nothing else until it is set up.
    body = <Box component="main"><EnrollMfaScreen /></Box>;
  } else {
    body = <Shell />;
  }
  return (
    <>
      {info?.mode === 'preview' ? <PreviewBanner /> : null}
      {body}
    </>
  );
}
