import { useEffect } from 'react';
import { AppShell, Box, Button, Container, Group, Loader, Text, Title } from '@mantine/core';
import { useAppStore, type Screen } from './store';
import { SetupScreen } from '../features/setup/SetupScreen';
import { UnlockScreen } from '../features/unlock/UnlockScreen';
import { ReleasesScreen } from '../features/releases/ReleasesScreen';
import { WizardScreen } from '../features/release-wizard/WizardScreen';
import { AuditScreen } from '../features/audit/AuditScreen';
import { RequestsScreen } from '../features/requests/RequestsScreen';
import { IntakeScreen } from '../features/requests/IntakeScreen';
import { RequestDetailScreen } from '../features/requests/RequestDetailScreen';
import { ErrorAlert } from '../components/ErrorAlert';

/** Shown on every screen of the browser preview so nobody mistakes it for the desktop app. */
export function PreviewBanner() {
  return (
    <Box component="aside" aria-label="Development preview" bg="yellow.3" c="dark.9" px="md" py={6} ta="center" fw={700} fz="sm">
      Development preview — not the desktop app. Use synthetic data only.
    </Box>
  );
}

function Shell() {
  const info = useAppStore((s) => s.info);
  const screen = useAppStore((s) => s.screen);
  const navigate = useAppStore((s) => s.navigate);
  const lock = useAppStore((s) => s.lock);
  const section = (s: Screen['name']): 'requests' | 'releases' | 'audit' =>
    s === 'intake' || s === 'request' || s === 'requests' ? 'requests' : s === 'wizard' || s === 'releases' ? 'releases' : 'audit';
  const nav = (name: 'requests' | 'releases' | 'audit', label: string) => (
    <Button
      variant={section(screen.name) === name ? 'light' : 'subtle'}
      aria-current={screen.name === name ? 'page' : undefined}
      onClick={() => navigate({ name })}
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
                {nav('requests', 'Requests')}
                {nav('releases', 'Releases')}
                {nav('audit', 'Audit log')}
              </Group>
            </nav>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <Text size="sm" c="dark.4" visibleFrom="sm">
              {info?.practiceName}
              {info?.staffName ? ` · ${info.staffName}` : ''}
            </Text>
            <Button variant="default" onClick={() => void lock()} aria-label="Lock ReleaseDesk">
              Lock
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Main pt="md">
        <Container size="lg">
          {screen.name === 'requests' ? <RequestsScreen /> : null}
          {screen.name === 'intake' ? <IntakeScreen /> : null}
          {screen.name === 'request' ? <RequestDetailScreen requestId={screen.requestId} /> : null}
          {screen.name === 'releases' ? <ReleasesScreen /> : null}
          {screen.name === 'wizard' ? <WizardScreen releaseId={screen.releaseId} /> : null}
          {screen.name === 'audit' ? <AuditScreen /> : null}
        </Container>
      </AppShell.Main>
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
