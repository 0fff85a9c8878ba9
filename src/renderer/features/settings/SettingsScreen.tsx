import { useEffect } from 'react';
import { Fieldset, Group, Loader, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useFocusHeading } from '../../lib/focus';
import { useMayCall } from '../../lib/roles';
import { useIdleLockStore } from '../../lib/idle-lock';
import { BounceMailboxSettings } from './BounceMailboxSettings';
import { IdleLockSettings } from './IdleLockSettings';
import { MessageSizeSettings } from './MessageSizeSettings';
import { MyAccount } from './MyAccount';
import { PracticeDetailsForm } from './PracticeDetailsForm';
import { PracticeKeySettings } from './PracticeKeySettings';
import { PracticeServerSettings } from './practice-server/PracticeServerSettings';
import { RetentionSettings } from './RetentionSettings';
import { SmimeCertificateSettings } from './SmimeCertificateSettings';
import { SmtpSettings } from './SmtpSettings';
import { StaffAccounts } from './StaffAccounts';
import { useSettingsStore } from './store';
import { ScreenHeader } from '../../components/ScreenHeader';

/**
 * Settings: your account (every role); the practice (read-only) and the practice OpenPGP key (fingerprint, armored
 * PUBLIC key to copy) for everyone. The rest only for the roles that may change it, by the shared role table
 * (src/shared/roles.ts via lib/roles.ts): staff accounts, practice details, the outgoing email server, the size limit,
 * the automatic lock time, saving or importing the practice key, the S/MIME practice certificate and the bounce
 * mailbox (administrator); the practice server (status for everyone, the connection for administrators); retention, legal holds, the purge and backup (privacy officer and administrator). Each
 * section is its own component; the data and the calls to main are in ./store.ts.
 */
export function SettingsScreen() {
  const heading = useFocusHeading();
  const may = {
    staff: useMayCall('accounts.list'),
    practice: useMayCall('settings.updatePractice'),
    smtp: useMayCall('settings.updateSmtp'),
    size: useMayCall('settings.setDelivery'),
    idleLock: useMayCall('settings.setIdleLock'),
    saveKey: useMayCall('settings.exportPracticeKey'),
    importKey: useMayCall('settings.importPracticeKey'),
    smime: useMayCall('settings.createSmimeCertificate'),
    bounces: useMayCall('settings.updateBounceMailbox'),
    retention: useMayCall('retention.setPolicy'),
  };
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
      {may.staff ? <StaffAccounts /> : null}
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
          {may.practice ? <PracticeDetailsForm practice={settings.practice} /> : null}
          {may.smtp ? <SmtpSettings smtp={settings.smtp} /> : null}
          {may.size ? <MessageSizeSettings messageLimitBytes={settings.delivery.messageLimitBytes} /> : null}
          {may.idleLock ? <IdleLockSettings /> : <IdleLockNote />}
          <PracticeKeySettings settings={settings} maySaveKey={may.saveKey} mayImportKey={may.importKey} />

          {may.smime ? <SmimeCertificateSettings /> : null}

          {may.bounces ? <BounceMailboxSettings /> : null}

          <PracticeServerSettings />

          {may.retention ? <RetentionSettings /> : null}
        </>
      )}
    </Stack>
  );
}

/** The automatic lock time for roles that cannot change it: what it is and who changes it. */
function IdleLockNote() {
  const minutes = useIdleLockStore((s) => s.idleMinutes);
  return (
    <Fieldset legend="Automatic lock">
      <Text size="sm">
        ReleaseDesk locks after {minutes} {minutes === 1 ? 'minute' : 'minutes'} without activity and clears patient information from the screen. Your
        administrator sets this time.
      </Text>
    </Fieldset>
  );
}
