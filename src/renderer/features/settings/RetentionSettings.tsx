import { useEffect, useState, type FormEvent } from 'react';
import { Alert, Badge, Button, Fieldset, Group, List, NumberInput, Radio, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { RETENTION_MINIMUM_YEARS, type ChannelOutput } from '../../../shared/contract';
import { call, toApiError, type ApiError } from '../../lib/call';
import { ErrorAlert } from '../../components/ErrorAlert';
import { DialogModal } from '../../components/DialogModal';
import { formatBytes, formatDateTime, plural } from '../../lib/format';

type RetentionViewT = ChannelOutput<'retention.get'>;
type PurgeResultT = ChannelOutput<'retention.purge'>;
type BackupResultT = ChannelOutput<'backup.create'>;

interface PolicyForm {
  documentationYears: number | string;
  auditYears: number | string;
  keepRecordFiles: 'keep' | 'days';
  recordFileDays: number | string;
  backupReminderDays: number | string;
}

const toForm = (p: RetentionViewT['policy']): PolicyForm => ({
  documentationYears: p.documentationYears,
  auditYears: p.auditYears,
  keepRecordFiles: p.recordFileDays === null ? 'keep' : 'days',
  recordFileDays: p.recordFileDays ?? 90,
  backupReminderDays: p.backupReminderDays,
});

/** A whole number in [min, max] or null. */
const whole = (v: number | string, min: number, max: number): number | null => {
  const n = Number(v);
  return Number.isInteger(n) && n >= min && n <= max ? n : null;
};

/** Kinds and counts of one purge, in words (no PHI: the service returns numbers only). */
export function purgeSummary(r: PurgeResultT): string[] {
  return [
    `${plural(r.recordFiles, 'record file')} of completed releases`,
    `${plural(r.documentation, 'documentation file')} past ${r.documentation === 1 ? 'its' : 'their'} retention`,
    `${plural(r.packets, 'prepared packet')}`,
    `${plural(r.outboxMessages, 'stored outgoing message')}`,
  ];
}

function PurgeResultView({ r, title }: { r: PurgeResultT; title: string }) {
  const total = r.recordFiles + r.documentation + r.packets + r.outboxMessages;
  return (
    <Alert color={total > 0 ? 'green' : 'gray'} variant="light" title={title} role="status" data-testid="purge-result">
      <Text size="sm">{total === 0 ? 'Nothing had expired; nothing was removed.' : `Removed ${formatBytes(r.bytes)}:`}</Text>
      <List size="sm" mt={4} aria-label="Removed, by kind">
        {purgeSummary(r).map((line) => (
          <List.Item key={line}>{line}</List.Item>
        ))}
      </List>
      {r.heldBack > 0 ? (
        <Text size="sm" mt={4}>
          {plural(r.heldBack, 'expired item')} kept because a legal hold covers {r.heldBack === 1 ? 'it' : 'them'}.
        </Text>
      ) : null}
      <Text size="xs" c="dark.4" mt={4}>
        {formatDateTime(r.at)}. The audit log, requests, releases and the record of what was sent are never removed.
      </Text>
    </Alert>
  );
}

/**
 * Retention (privacy officer): the policy (documentation and audit log at least 6 years, 45 CFR 164.530(j); record
 * files of completed releases kept N days or kept), legal holds on a patient or a request, "Purge expired records
 * now" with a confirmation and a summary of kinds and counts, and the encrypted, verified backup.
 */
export function RetentionSettings() {
  const [view, setView] = useState<RetentionViewT | null>(null);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [form, setForm] = useState<PolicyForm | null>(null);
  const [policyError, setPolicyError] = useState<ApiError | null>(null);
  const [policySaved, setPolicySaved] = useState(false);
  const [policyBusy, setPolicyBusy] = useState(false);
  const [holdScope, setHoldScope] = useState<'request' | 'patient'>('request');
  const [holdTarget, setHoldTarget] = useState('');
  const [holdReason, setHoldReason] = useState('');
  const [holdSubmitted, setHoldSubmitted] = useState(false);
  const [holdError, setHoldError] = useState<ApiError | null>(null);
  const [holdMessage, setHoldMessage] = useState<string | null>(null);
  const [lifting, setLifting] = useState<RetentionViewT['holds'][number] | null>(null);
  const [purgeOpen, setPurgeOpen] = useState(false);
  const [purgeBusy, setPurgeBusy] = useState(false);
  const [purgeResult, setPurgeResult] = useState<PurgeResultT | null>(null);
  const [purgeError, setPurgeError] = useState<ApiError | null>(null);
  const [backupBusy, setBackupBusy] = useState(false);
  const [backup, setBackup] = useState<BackupResultT | null>(null);
  const [backupError, setBackupError] = useState<ApiError | null>(null);

  const apply = (v: RetentionViewT) => {
    setView(v);
    setForm(toForm(v.policy));
  };
  useEffect(() => {
    call('retention.get', {})
      .then(apply)
      .catch((e: unknown) => setLoadError(toApiError(e)));
  }, []);

  if (loadError) return <ErrorAlert error={loadError} title="Retention settings could not be loaded" />;
  if (!view || !form) return null;
  const locked = !view.canChange;

  // The service refuses under six years (RETENTION_TOO_SHORT); the field it names is marked after the refusal.
  const tooShort = policyError?.code === 'RETENTION_TOO_SHORT';
  const shortField = (k: 'documentationYears' | 'auditYears') =>
    tooShort && Number(form[k]) < RETENTION_MINIMUM_YEARS ? `At least ${RETENTION_MINIMUM_YEARS} years.` : undefined;
  const invalid = {
    documentationYears: whole(form.documentationYears, 1, 100) === null ? 'Enter a whole number of years.' : shortField('documentationYears'),
    auditYears: whole(form.auditYears, 1, 100) === null ? 'Enter a whole number of years.' : shortField('auditYears'),
    recordFileDays: form.keepRecordFiles === 'days' && whole(form.recordFileDays, 1, 36_500) === null ? 'Enter a number of days (1 or more).' : undefined,
    backupReminderDays: whole(form.backupReminderDays, 1, 365) === null ? 'Enter 1 to 365 days.' : undefined,
  };

  const savePolicy = async (ev: FormEvent) => {
    ev.preventDefault();
    setPolicySaved(false);
    setPolicyError(null);
    if (invalid.documentationYears || invalid.auditYears || invalid.recordFileDays || invalid.backupReminderDays) return;
    setPolicyBusy(true);
    try {
      apply(
        await call('retention.setPolicy', {
          documentationYears: Number(form.documentationYears),
          auditYears: Number(form.auditYears),
          recordFileDays: form.keepRecordFiles === 'keep' ? null : Number(form.recordFileDays),
          backupReminderDays: Number(form.backupReminderDays),
        }),
      );
      setPolicySaved(true);
    } catch (e) {
      setPolicyError(toApiError(e));
    } finally {
      setPolicyBusy(false);
    }
  };

  const holdFieldError = holdSubmitted && !holdTarget.trim() ? (holdScope === 'request' ? 'Enter the request reference, e.g. Q-2026-00001.' : 'Enter the patient’s MRN.') : undefined;
  const holdReasonError = holdSubmitted && !holdReason.trim() ? 'Say why (for example the matter or the letter received).' : undefined;
  const placeHold = async (ev: FormEvent) => {
    ev.preventDefault();
    setHoldSubmitted(true);
    setHoldError(null);
    setHoldMessage(null);
    if (!holdTarget.trim() || !holdReason.trim()) {
      document.getElementById(!holdTarget.trim() ? 'hold-target' : 'hold-reason')?.focus();
      return;
    }
    try {
      apply(
        await call('retention.placeHold', {
          scope: holdScope,
          ...(holdScope === 'request' ? { requestReference: holdTarget.trim() } : { mrn: holdTarget.trim() }),
          reason: holdReason.trim(),
        }),
      );
      setHoldMessage(`Legal hold placed on ${holdScope === 'request' ? `request ${holdTarget.trim()}` : 'the patient'}. Nothing it covers is purged until it is lifted.`);
      setHoldTarget('');
      setHoldReason('');
      setHoldSubmitted(false);
    } catch (e) {
      setHoldError(toApiError(e));
    }
  };
  const liftHold = async () => {
    const h = lifting;
    setLifting(null);
    if (!h) return;
    setHoldError(null);
    setHoldMessage(null);
    try {
      apply(await call('retention.releaseHold', { holdId: h.id }));
      setHoldMessage('Legal hold lifted. Expired items it kept are removed at the next purge.');
    } catch (e) {
      setHoldError(toApiError(e));
    }
  };

  const purgeNow = async () => {
    setPurgeOpen(false);
    setPurgeBusy(true);
    setPurgeError(null);
    setPurgeResult(null);
    try {
      setPurgeResult(await call('retention.purge', {}));
      apply(await call('retention.get', {}));
    } catch (e) {
      setPurgeError(toApiError(e));
    } finally {
      setPurgeBusy(false);
    }
  };

  const backupNow = async () => {
    setBackupBusy(true);
    setBackupError(null);
    setBackup(null);
    try {
      const r = await call('backup.create', {});
      setBackup(r);
      if (r.saved) apply(await call('retention.get', {}));
    } catch (e) {
      setBackupError(toApiError(e));
    } finally {
      setBackupBusy(false);
    }
  };

  const recordFilesText =
    view.policy.recordFileDays === null
      ? 'Record files of completed releases are kept (no period chosen yet).'
      : `Record files of completed releases are removed ${plural(view.policy.recordFileDays, 'day')} after the release is completed.`;

  return (
    <>
      <section aria-labelledby="retention-heading" data-testid="retention-settings">
        <Title order={2} size="h3" id="retention-heading" mb="xs">
          Retention and legal holds
        </Title>
        <Text size="sm" mb="sm">
          For the privacy officer. Documentation (requests, authorizations, notices) and the audit log are kept at least{' '}
          {RETENTION_MINIMUM_YEARS} years (45 CFR 164.530(j)). Copies of record files made for a release are not the medical record
          (that stays in your EHR); choose how long ReleaseDesk keeps them after a release is completed.
        </Text>
        {locked ? (
          <Alert color="gray" variant="light" mb="sm" title="Only the privacy officer can change these settings" />
        ) : null}
        <Stack gap="lg">
          <form onSubmit={(e) => void savePolicy(e)} noValidate aria-labelledby="retention-policy-legend">
            <Fieldset legend={<span id="retention-policy-legend">Retention policy</span>} disabled={locked || policyBusy}>
              <Stack gap="sm">
                {!view.policySet ? (
                  <Text size="sm" c="dark.5" data-testid="policy-not-set">
                    No policy saved yet: the values below are the defaults, and nothing is removed until a policy is saved.
                  </Text>
                ) : null}
                <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
                  <NumberInput
                    id="retention-documentationYears"
                    label="Keep documentation (years)"
                    description={`From creation or the last day it was in effect; at least ${RETENTION_MINIMUM_YEARS}.`}
                    min={1}
                    max={100}
                    allowDecimal={false}
                    value={form.documentationYears}
                    onChange={(v) => setForm({ ...form, documentationYears: v })}
                    error={invalid.documentationYears}
                    aria-invalid={invalid.documentationYears ? true : undefined}
                  />
                  <NumberInput
                    id="retention-auditYears"
                    label="Keep the audit log (years)"
                    description={`At least ${RETENTION_MINIMUM_YEARS}. ReleaseDesk never deletes audit events.`}
                    min={1}
                    max={100}
                    allowDecimal={false}
                    value={form.auditYears}
                    onChange={(v) => setForm({ ...form, auditYears: v })}
                    error={invalid.auditYears}
                    aria-invalid={invalid.auditYears ? true : undefined}
                  />
                </SimpleGrid>
                <Radio.Group
                  label="Record files of completed releases"
                  value={form.keepRecordFiles}
                  onChange={(v) => setForm({ ...form, keepRecordFiles: v as PolicyForm['keepRecordFiles'] })}
                >
                  <Stack gap={6} mt={6}>
                    <Radio value="keep" label="Keep them" />
                    <Radio value="days" label="Remove them a number of days after the release is completed" />
                  </Stack>
                </Radio.Group>
                {form.keepRecordFiles === 'days' ? (
                  <NumberInput
                    id="retention-recordFileDays"
                    label="Days after completion"
                    description="Counted in calendar days in the practice’s time zone. Items under a legal hold are kept."
                    min={1}
                    max={36_500}
                    allowDecimal={false}
                    value={form.recordFileDays}
                    onChange={(v) => setForm({ ...form, recordFileDays: v })}
                    error={invalid.recordFileDays}
                    aria-invalid={invalid.recordFileDays ? true : undefined}
                    maw={320}
                  />
                ) : null}
                <NumberInput
                  id="retention-backupReminderDays"
                  label="Remind me to back up after (days)"
                  min={1}
                  max={365}
                  allowDecimal={false}
                  value={form.backupReminderDays}
                  onChange={(v) => setForm({ ...form, backupReminderDays: v })}
                  error={invalid.backupReminderDays}
                  aria-invalid={invalid.backupReminderDays ? true : undefined}
                  maw={320}
                />
                <ErrorAlert error={policyError} title={tooShort ? 'Not saved: too short' : 'The retention policy was not saved'} id="retention-policy-error" />
                <div aria-live="polite">{policySaved ? <Alert color="green" variant="light" role="status" title="Retention policy saved" /> : null}</div>
                <Group>
                  <Button type="submit" loading={policyBusy}>
                    Save retention policy
                  </Button>
                </Group>
              </Stack>
            </Fieldset>
          </form>

          <Fieldset legend="Legal holds" disabled={locked}>
            <Stack gap="sm">
              <Text size="sm">A legal hold keeps everything for a patient or a request, even after its retention ends, until the hold is lifted.</Text>
              {view.holds.length === 0 ? (
                <Text size="sm" c="dark.5">
                  No legal holds.
                </Text>
              ) : (
                <Table aria-label="Legal holds" verticalSpacing="xs" data-testid="holds-table">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">Covers</Table.Th>
                      <Table.Th scope="col">Reason</Table.Th>
                      <Table.Th scope="col">Placed</Table.Th>
                      <Table.Th scope="col">Action</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {view.holds.map((h) => (
                      <Table.Tr key={h.id}>
                        <Table.Td>
                          <Badge variant="light" color="grape" tt="none" mr={6}>
                            {h.scope === 'request' ? 'Request' : 'Patient'}
                          </Badge>
                          {h.scope === 'request' ? h.requestReference : `${h.patientName ?? 'Patient'} (MRN ${h.patientMrn ?? '—'})`}
                        </Table.Td>
                        <Table.Td>{h.reason}</Table.Td>
                        <Table.Td>
                          <Text size="sm">{formatDateTime(h.placedAt)}</Text>
                          <Text size="xs" c="dark.4">
                            by {h.placedBy}
                          </Text>
                        </Table.Td>
                        <Table.Td>
                          <Button size="xs" variant="default" onClick={() => setLifting(h)}>
                            Lift hold
                          </Button>
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              )}
              <form onSubmit={(e) => void placeHold(e)} noValidate aria-label="Place a legal hold">
                <Stack gap="sm">
                  <Radio.Group label="Place a hold on" value={holdScope} onChange={(v) => setHoldScope(v as 'request' | 'patient')}>
                    <Group gap="lg" mt={6}>
                      <Radio value="request" label="A request" />
                      <Radio value="patient" label="A patient (every request and release)" />
                    </Group>
                  </Radio.Group>
                  <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
                    <TextInput
                      id="hold-target"
                      label={holdScope === 'request' ? 'Request reference' : 'Patient MRN'}
                      placeholder={holdScope === 'request' ? 'Q-2026-00001' : undefined}
                      value={holdTarget}
                      onChange={(e) => setHoldTarget(e.currentTarget.value)}
                      error={holdFieldError}
                      aria-invalid={holdFieldError ? true : undefined}
                      maxLength={holdScope === 'request' ? 40 : 64}
                    />
                    <TextInput
                      id="hold-reason"
                      label="Reason"
                      description="Kept in the vault; never written to the audit log or logs."
                      value={holdReason}
                      onChange={(e) => setHoldReason(e.currentTarget.value)}
                      error={holdReasonError}
                      aria-invalid={holdReasonError ? true : undefined}
                      maxLength={500}
                    />
                  </SimpleGrid>
                  <ErrorAlert error={holdError} title="The legal hold was not changed" />
                  <div aria-live="polite">{holdMessage ? <Alert color="green" variant="light" role="status" title={holdMessage} /> : null}</div>
                  <Group>
                    <Button type="submit" variant="default">
                      Place legal hold
                    </Button>
                  </Group>
                </Stack>
              </form>
            </Stack>
          </Fieldset>

          <Fieldset legend="Purge expired records" disabled={locked}>
            <Stack gap="sm">
              <Text size="sm">
                {recordFilesText} ReleaseDesk purges at every unlock; you can also purge now. Removed content is overwritten and the
                vault file compacted, so it cannot be recovered from the file.
              </Text>
              <ErrorAlert error={purgeError} title="The purge did not run" />
              <div aria-live="polite">
                {purgeResult ? (
                  <PurgeResultView r={purgeResult} title="Purge finished" />
                ) : view.lastPurge ? (
                  <PurgeResultView r={view.lastPurge} title="Last purge" />
                ) : null}
              </div>
              <Group>
                <Button color="red" variant="outline" loading={purgeBusy} onClick={() => setPurgeOpen(true)}>
                  Purge expired records now…
                </Button>
              </Group>
            </Stack>
          </Fieldset>
        </Stack>
      </section>

      <Fieldset legend="Backup" data-testid="backup-settings">
        <Stack gap="sm">
          <Text size="sm">
            An encrypted copy of the whole vault, checked by opening it and verifying its audit log. It opens only with the vault
            passphrase. Keep it on a drive stored away from this computer.
          </Text>
          <Text size="sm" data-testid="last-backup">
            {view.lastBackupAt ? `Last backup: ${formatDateTime(view.lastBackupAt)}.` : 'No backup has been made yet.'}
            {view.backupDue ? ` A backup is due (every ${plural(view.policy.backupReminderDays, 'day')}).` : ''}
          </Text>
          <ErrorAlert error={backupError} title="No backup was made" />
          <div aria-live="polite">
            {backup?.saved ? (
              <Alert color="green" variant="light" role="status" title="Backup made and verified" data-testid="backup-result">
                <Text size="sm">
                  {formatBytes(backup.bytes)} written; {plural(backup.eventsVerified, 'audit event')} verified in the copy.
                </Text>
                {backup.folder ? (
                  <Text size="xs" c="dark.4" style={{ wordBreak: 'break-all' }}>
                    Folder: {backup.folder}
                  </Text>
                ) : null}
              </Alert>
            ) : backup && !backup.saved ? (
              <Text size="sm">No folder chosen; nothing was written.</Text>
            ) : null}
          </div>
          <Group>
            <Button variant="default" loading={backupBusy} onClick={() => void backupNow()}>
              Back up now…
            </Button>
          </Group>
        </Stack>
      </Fieldset>

      <DialogModal opened={purgeOpen} onClose={() => setPurgeOpen(false)} title="Purge expired records now?">
        <Stack gap="sm">
          <Text size="sm">ReleaseDesk removes, for good, what the retention policy no longer requires:</Text>
          <List size="sm">
            <List.Item>
              {view.policy.recordFileDays === null
                ? 'no record files (your policy keeps them)'
                : `record files of releases completed ${plural(view.policy.recordFileDays, 'day')} ago or more`}
            </List.Item>
            <List.Item>documentation older than {plural(view.policy.documentationYears, 'year')} after it was last in effect</List.Item>
          </List>
          <Text size="sm">
            Never removed: anything under a legal hold, the audit log, requests, releases and the record of what was sent.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setPurgeOpen(false)} data-autofocus>
              Cancel
            </Button>
            <Button color="red" onClick={() => void purgeNow()}>
              Purge now
            </Button>
          </Group>
        </Stack>
      </DialogModal>
      <DialogModal opened={lifting !== null} onClose={() => setLifting(null)} title="Lift this legal hold?">
        <Stack gap="sm">
          <Text size="sm">
            {lifting?.scope === 'request' ? `Request ${lifting.requestReference ?? ''}` : 'This patient'} will follow the retention policy
            again: anything already expired is removed at the next purge.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setLifting(null)} data-autofocus>
              Keep the hold
            </Button>
            <Button color="red" onClick={() => void liftHold()}>
              Lift hold
            </Button>
          </Group>
        </Stack>
      </DialogModal>
    </>
  );
}
