/**
 * Settings → Practice server, the link (issue #17): whether this workstation shares its requests and audit trail with
 * the practice server right now, in plain language ("Connected", "Working offline — …"), its name and the last time
 * it shared; for administrators, joining the workstation to the practice (their passphrase and a name for this
 * workstation); "Share now"; and "Needs a decision": each request changed both on this workstation and on the
 * practice server, the fields that differ side by side, and the two choices (keep the practice server's version /
 * keep this workstation's version). Nothing is merged on its own; every decision is recorded with who made it.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { Alert, Button, Card, Group, PasswordInput, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { useForm } from '@mantine/form';
import { channels } from '../../../../shared/contract';
import { toApiError } from '../../../lib/call';
import { useAction, useFormCheck, zodValidate } from '../../../lib/form';
import { formatDateTime } from '../../../lib/format';
import { useMayCall } from '../../../lib/roles';
import { usePracticeServerStore, type PracticeConflictView, type PracticeServerStatusView, type PracticeSyncView } from './store';

type Link = PracticeServerStatusView['link'];

/** The link state in one plain sentence (and what happens next). */
export function linkSentence(link: Link): { title: string; detail: string; color: string } {
  switch (link.state) {
    case 'online':
      return { title: 'Connected', detail: 'Requests and the audit trail are shared with the practice server every 30 seconds.', color: 'green' };
    case 'offline':
      return { title: 'Working offline', detail: 'Changes are kept on this computer and shared when the server is back. You can keep working.', color: 'yellow' };
    case 'not_joined':
      return { title: 'Not joined yet', detail: 'An administrator joins this workstation to the practice once, with their passphrase. Until then nothing is shared.', color: 'blue' };
    default:
      return { title: 'Not shared', detail: 'This workstation keeps everything in its own encrypted vault.', color: 'gray' };
  }
}

/** See the module comment. Shown while a practice server is active. */
export function PracticeLinkPanel({ status }: { status: PracticeServerStatusView }) {
  const link = status.link;
  const mayJoin = useMayCall('practiceServer.join');
  const conflicts = usePracticeServerStore((s) => s.conflicts);
  const api = usePracticeServerStore.getState(); // the store's calls (actions never change)
  const loadConflicts = usePracticeServerStore((s) => s.loadConflicts);
  const { busy, error, errorTitle, setError, run: act } = useAction<string>();
  const [synced, setSynced] = useState<PracticeSyncView | null>(null);
  const [decided, setDecided] = useState<string | null>(null);
  const sentence = linkSentence(link);

  useEffect(() => {
    if (link.state === 'online' || link.state === 'offline') void loadConflicts().catch((e: unknown) => setError(toApiError(e), 'The conflicts could not be read'));
  }, [loadConflicts, link.state]); // eslint-disable-line react-hooks/exhaustive-deps

  /** Run one of the panel's actions (`kind`: what is busy; `title`: what did not happen, if it fails). */
  const run = (kind: string, title: string, fn: () => Promise<void>) => {
    setSynced(null);
    setDecided(null);
    return act(fn, kind, title);
  };

  return (
    <Stack gap="sm" data-testid="practice-link">
      <Title order={2} size="h5">
        This workstation and the practice
      </Title>
      <Alert color={sentence.color} variant="light" title={sentence.title} data-testid="practice-link-state">
        {sentence.detail}
        {link.workstationLabel ? ` This workstation is “${link.workstationLabel}”.` : ''}
        {link.state === 'online' || link.state === 'offline' ? ` Last shared: ${link.lastSyncAt ? formatDateTime(link.lastSyncAt) : 'not yet'}.` : ''}
      </Alert>
      {link.state === 'not_joined' && mayJoin ? <JoinForm busy={busy === 'join'} onJoin={(input) => run('join', 'This workstation did not join the practice. Nothing was changed.', async () => void (await api.join(input)))} /> : null}
      {link.state === 'not_joined' && !mayJoin ? <Text size="sm">An administrator joins this workstation to the practice.</Text> : null}
      {link.state === 'online' || link.state === 'offline' ? (
        <Group>
          <Button variant="default" loading={busy === 'sync'} onClick={() => void run('sync', 'Sharing did not finish. Nothing was lost: it is tried again every 30 seconds.', async () => setSynced(await api.sync()))}>
            Share now
          </Button>
        </Group>
      ) : null}
      <div aria-live="polite">
        {synced ? (
          <Alert color="green" variant="light" role="status" title="Shared with the practice server" data-testid="practice-link-synced">
            {synced.pushed} sent, {synced.pulled} received{synced.conflicts ? `, ${synced.conflicts} need a decision below` : ''}.
          </Alert>
        ) : null}
        {decided ? (
          <Alert color="green" variant="light" role="status" title="Decision recorded" data-testid="practice-link-decided">
            {decided} Both versions stay on record.
          </Alert>
        ) : null}
      </div>
      <ErrorAlert error={error} title={errorTitle ?? undefined} hideFixLink />
      {conflicts && conflicts.length > 0 ? (
        <Stack gap="sm" data-testid="practice-conflicts">
          <Title order={3} size="h6">
            Needs a decision ({conflicts.length})
          </Title>
          <Text size="sm">
            These requests were changed on this workstation and on the practice server since they last agreed. Nothing was merged. Choose which version to keep;
            the other stays on record.
          </Text>
          {conflicts.map((c) => (
            <ConflictCard
              key={c.id}
              conflict={c}
              busy={busy === c.id}
              disabled={busy !== null}
              onKeep={(keep) =>
                void run(c.id, 'The decision was not recorded.', async () => {
                  await api.resolve({ conflictId: c.id, keep });
                  setDecided(keep === 'server' ? `Request ${c.reference} now has the practice server’s version on this workstation.` : `This workstation’s version of request ${c.reference} is now the practice server’s.`);
                })
              }
            />
          ))}
        </Stack>
      ) : null}
    </Stack>
  );
}

interface JoinValues {
  workstationLabel: string;
  passphrase: string;
}

/** The join form's rules: the channel's own schema, with sentences staff understand. */
const validateJoin = zodValidate<JoinValues>(channels['practiceServer.join'].input, (v) => ({ ...v, workstationLabel: v.workstationLabel.trim() }), {
  workstationLabel: 'Give this workstation a short name, like “Front desk 2” (at most 60 characters, no patient details).',
  passphrase: 'Enter your passphrase.',
});

function JoinForm({ busy, onJoin }: { busy: boolean; onJoin: (input: { passphrase: string; workstationLabel: string }) => void }) {
  const form = useForm<JoinValues>({ mode: 'controlled', initialValues: { workstationLabel: '', passphrase: '' }, validate: validateJoin });
  const { formRef, check, restart } = useFormCheck(form);
  const submit = (ev: FormEvent) => {
    ev.preventDefault();
    if (!check()) return;
    const v = form.getValues();
    onJoin({ passphrase: v.passphrase, workstationLabel: v.workstationLabel.trim() });
    // Used once: the field is emptied, and not flagged as missing while the answer (or its refusal) is shown.
    form.setFieldValue('passphrase', '');
    restart();
  };
  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-label="Join this workstation to the practice">
      <Stack gap="sm">
        <Text size="sm">
          The first workstation to join creates the practice key that encrypts patient details; the others open it with the name and passphrase of the
          administrator who joined the first one (sign in here as that administrator). The key is kept only in this computer’s encrypted vault.
        </Text>
        <TextInput id="practice-link-label" label="Name of this workstation" description="Shown to staff, like “Front desk 2”. No patient details." required maxLength={60} autoComplete="off" {...form.getInputProps('workstationLabel')} />
        <PasswordInput id="practice-link-passphrase" label="Your passphrase" required autoComplete="current-password" {...form.getInputProps('passphrase')} />
        <Group>
          <Button type="submit" loading={busy}>
            Join the practice
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function ConflictCard({ conflict, busy, disabled, onKeep }: { conflict: PracticeConflictView; busy: boolean; disabled: boolean; onKeep: (keep: 'server' | 'workstation') => void }) {
  const headingId = `conflict-${conflict.id}`;
  return (
    <Card withBorder padding="sm" component="section" aria-labelledby={headingId} data-testid="practice-conflict">
      <Stack gap="xs">
        <Text fw={600} id={headingId}>
          Request {conflict.reference} — {conflict.patientName}
        </Text>
        <Text size="xs" c="dark.4">
          Found {formatDateTime(conflict.detectedAt)}
        </Text>
        <Table verticalSpacing="xs" aria-label={`What differs in request ${conflict.reference}`}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Field</Table.Th>
              <Table.Th scope="col">On this workstation</Table.Th>
              <Table.Th scope="col">On the practice server</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {conflict.fields.map((f) => (
              <Table.Tr key={f.label}>
                <Table.Th scope="row">{f.label}</Table.Th>
                <Table.Td>{f.workstation || '—'}</Table.Td>
                <Table.Td>{f.server || '—'}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        <Group>
          <Button variant="default" loading={busy} disabled={disabled && !busy} onClick={() => onKeep('server')} aria-label={`Keep the practice server’s version of request ${conflict.reference}`}>
            Keep the practice server’s version
          </Button>
          <Button variant="default" disabled={disabled} onClick={() => onKeep('workstation')} aria-label={`Keep this workstation’s version of request ${conflict.reference}`}>
            Keep this workstation’s version
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
