import { useState, type FormEvent } from 'react';
import { Alert, Button, Fieldset, Group, NumberInput, Radio, SimpleGrid, Stack, Text } from '@mantine/core';
import { RETENTION_MINIMUM_YEARS } from '../../../../shared/contract';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { toApiError, type ApiError } from '../../../lib/call';
import { useRetentionStore, type PolicyForm, type RetentionViewT } from './store';

/** A whole number in [min, max] or null. */
const whole = (v: number | string, min: number, max: number): number | null => {
  const n = Number(v);
  return Number.isInteger(n) && n >= min && n <= max ? n : null;
};

/**
 * The retention policy (`retention.setPolicy`): documentation and the audit log at least six years (45 CFR
 * 164.530(j)), record files of completed releases kept or removed after N days, and the backup reminder.
 */
export function RetentionPolicyForm({ view, form, locked }: { view: RetentionViewT; form: PolicyForm; locked: boolean }) {
  const editPolicy = useRetentionStore((s) => s.editPolicy);
  const setPolicy = useRetentionStore((s) => s.setPolicy);
  const [policyError, setPolicyError] = useState<ApiError | null>(null);
  const [policySaved, setPolicySaved] = useState(false);
  const [policyBusy, setPolicyBusy] = useState(false);

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
      await setPolicy({
        documentationYears: Number(form.documentationYears),
        auditYears: Number(form.auditYears),
        recordFileDays: form.keepRecordFiles === 'keep' ? null : Number(form.recordFileDays),
        backupReminderDays: Number(form.backupReminderDays),
      });
      setPolicySaved(true);
    } catch (e) {
      setPolicyError(toApiError(e));
    } finally {
      setPolicyBusy(false);
    }
  };

  return (
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
              onChange={(v) => editPolicy({ documentationYears: v })}
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
              onChange={(v) => editPolicy({ auditYears: v })}
              error={invalid.auditYears}
              aria-invalid={invalid.auditYears ? true : undefined}
            />
          </SimpleGrid>
          <Radio.Group
            label="Record files of completed releases"
            value={form.keepRecordFiles}
            onChange={(v) => editPolicy({ keepRecordFiles: v as PolicyForm['keepRecordFiles'] })}
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
              onChange={(v) => editPolicy({ recordFileDays: v })}
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
            onChange={(v) => editPolicy({ backupReminderDays: v })}
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
  );
}
