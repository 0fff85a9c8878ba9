import { useEffect } from 'react';
import { Fieldset, Group, Loader, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useFocusHeading } from '../../lib/focus';
import { useAppStore } from '../../lib/navigation';
import { BounceMailboxSettings } from './BounceMailboxSettings';
import { IdleLockSettings } from './IdleLockSettings';
import { MessageSizeSettings } from './MessageSizeSettings';
import { MyAccount } from './MyAccount';
import { PracticeDetailsForm } from './PracticeDetailsForm';
import { PracticeKeySettings } from './PracticeKeySettings';
import { RetentionSettings } from './RetentionSettings';
import { SmimeCertificateSettings } from './SmimeCertificateSettings';
import { SmtpSettings } from './SmtpSettings';
import { StaffAccounts } from './StaffAccounts';
import { useSettingsStore } from './store';
import { ScreenHeader } from '../../components/ScreenHeader';

/**
 * Settings: the signed-in person's account, staff accounts (administrators), the practice (read-only) and its
 * details, the outgoing email server, the message size limit, the idle lock, the practice OpenPGP key, the practice
 * S/MIME certificate, the bounce mailbox, and retention, legal holds, the purge and backup. Each section is its own
 * component; the data and the calls to main are in ./store.ts.
 */
export function SettingsScreen() {
  const heading = useFocusHeading();
  const isAdmin = useAppStore((st) => st.info?.user?.role === 'administrator');
  const settings = useSettingsStore((s) => s.settings);
  const loadError = useSettingsStore((s) => s.loadError);
  const load = useSettingsStore((s) => s.load);

  useEffect(() => {
    void load(true);
  }, [load]);

  return (
    <Stack gap="lg">
      <ScreenHeader title="Settings" headingRef={heading} />
      <MyAccount />
      {isAdmin ? <StaffAccounts /> : null}
      <ErrorAlert error={loadError} title="Settings could not be loaded" />
      {!settings ? (
        loadError ? null : (
          <Group>
            <Loader size="sm" aria-hidden />
            <Text>Loading settings…</Text>
          </Group>
        )
      ) : (
        <>
          <Fieldset legend="Practice">
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
              <TextInput label="Practice name" value={settings.practice.name} readOnly />
              <TextInput label="Time zone" value={settings.practice.timeZone} readOnly />
              <TextInput label="Sender name" value={settings.practice.senderName} readOnly />
              <TextInput label="Sender email" value={settings.practice.senderEmail} readOnly />
            </SimpleGrid>
            <Text size="sm" mt="xs" c="dark.4">
              These were set when ReleaseDesk was set up.
            </Text>
          </Fieldset>
          <PracticeDetailsForm practice={settings.practice} />
          <SmtpSettings smtp={settings.smtp} />
          <MessageSizeSettings messageLimitBytes={settings.delivery.messageLimitBytes} />
          <IdleLockSettings />
          <PracticeKeySettings settings={settings} />

          <SmimeCertificateSettings />

          <BounceMailboxSettings />

          <RetentionSettings />
        </>
      )}
    </Stack>
  );
}
