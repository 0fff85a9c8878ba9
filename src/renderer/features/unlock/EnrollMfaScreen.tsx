import { Button, Container, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useAppStore } from '../../app/store';
import { useIdleLock } from '../../app/idle-lock';
import { useFocusHeading } from '../../lib/focus';
import { MfaEnrollment } from './MfaEnrollment';

/**
 * Forced two-step sign-in enrollment (45 CFR 164.312(d)): shown right after unlock, instead of every other screen, when
 * the practice requires two-step sign-in and this account has none (`app.info` mfaEnrollmentDue). Main refuses every
 * other channel with MFA_ENROLLMENT_REQUIRED until the code is confirmed; the app opens once staff say they kept the
 * recovery codes. Locking stays possible, and the idle lock keeps running.
 */
export function EnrollMfaScreen() {
  const heading = useFocusHeading();
  const info = useAppStore((s) => s.info);
  const lock = useAppStore((s) => s.lock);
  const refresh = useAppStore((s) => s.refresh);
  useIdleLock();
  return (
    <Container size={560} py={60}>
      <Paper withBorder p="xl" radius="md">
        <Stack gap="md">
          <Title order={1} size="h2" ref={heading} tabIndex={-1}>
            Set up two-step sign-in
          </Title>
          <Text>
            {info?.practiceName ?? 'Your practice'} requires two-step sign-in for every staff account. You ({info?.staffName}) have not set it up yet, so
            ReleaseDesk opens only after you do. It takes a minute: you need your phone with an authenticator app.
          </Text>
          <Text size="sm" c="dark.5">
            What happens next: from your next sign-in on, ReleaseDesk asks for your passphrase and the 6-digit code the app shows.
          </Text>
          <MfaEnrollment enrolled={false} onKept={() => void refresh()} />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => void lock()} aria-label="Lock ReleaseDesk">
              Lock
            </Button>
          </Group>
        </Stack>
      </Paper>
    </Container>
  );
}
