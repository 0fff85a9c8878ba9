import { useState } from 'react';
import { Alert, Button, Fieldset, Group, List, Stack, Text } from '@mantine/core';
import { DialogModal } from '../../../components/DialogModal';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { toApiError, type ApiError } from '../../../lib/call';
import { formatBytes, formatDateTime, plural } from '../../../lib/format';
import { useRetentionStore, type PurgeResultT, type RetentionViewT } from './store';

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
 * "Purge expired records now" (`retention.purge`), after a confirmation that says what goes and what never does;
 * then a summary of kinds and counts (or the last purge's).
 */
export function PurgeSection({ view, locked }: { view: RetentionViewT; locked: boolean }) {
  const purge = useRetentionStore((s) => s.purge);
  const [purgeOpen, setPurgeOpen] = useState(false);
  const [purgeBusy, setPurgeBusy] = useState(false);
  const [purgeResult, setPurgeResult] = useState<PurgeResultT | null>(null);
  const [purgeError, setPurgeError] = useState<ApiError | null>(null);

  const purgeNow = async () => {
    setPurgeOpen(false);
    setPurgeBusy(true);
    setPurgeError(null);
    setPurgeResult(null);
    try {
      setPurgeResult(await purge());
    } catch (e) {
      setPurgeError(toApiError(e));
    } finally {
      setPurgeBusy(false);
    }
  };

  const recordFilesText =
    view.policy.recordFileDays === null
      ? 'Record files of completed releases are kept (no period chosen yet).'
      : `Record files of completed releases are removed ${plural(view.policy.recordFileDays, 'day')} after the release is completed.`;

  return (
    <>
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
    </>
  );
}
