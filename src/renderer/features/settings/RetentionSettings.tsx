import { useEffect } from 'react';
import { Alert, Stack, Text, Title } from '@mantine/core';
import { RETENTION_MINIMUM_YEARS } from '../../../shared/contract';
import { ErrorAlert } from '../../components/ErrorAlert';
import { BackupSection } from './retention/BackupSection';
import { LegalHolds } from './retention/LegalHolds';
import { PurgeSection } from './retention/PurgeSection';
import { RetentionPolicyForm } from './retention/RetentionPolicyForm';
import { useRetentionStore } from './retention/store';

/**
 * Retention (privacy officer): the policy (documentation and audit log at least 6 years, 45 CFR 164.530(j); record
 * files of completed releases kept N days or kept), legal holds on a patient or a request, "Purge expired records
 * now" with a confirmation and a summary of kinds and counts, and the encrypted, verified backup.
 */
export function RetentionSettings() {
  const view = useRetentionStore((s) => s.view);
  const form = useRetentionStore((s) => s.form);
  const loadError = useRetentionStore((s) => s.loadError);
  const load = useRetentionStore((s) => s.load);
  useEffect(() => {
    void load();
  }, [load]);

  if (loadError) return <ErrorAlert error={loadError} title="Retention settings could not be loaded" />;
  if (!view || !form) return null;
  const locked = !view.canChange;

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
          <RetentionPolicyForm view={view} form={form} locked={locked} />
          <LegalHolds view={view} locked={locked} />
          <PurgeSection view={view} locked={locked} />
        </Stack>
      </section>
      <BackupSection view={view} />
    </>
  );
}
