import { useState } from 'react';
import { Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import type { AuthorizationRecordT, RequestDocumentT } from '../../../shared/contract';
import { ErrorAlert } from '../../components/ErrorAlert';
import { toApiError, type ApiError } from '../../lib/call';
import { formatDateTime, plural } from '../../lib/format';
import { FindingsList } from './FindingsList';
import { useAuthorizationsStore } from './store';

/**
 * Beside the authorization form: the linter's findings with their CFR citations (or what to do first), whether the
 * last edit is saved, the signed form on file (attach or replace: `onAttachSigned`, called inside the click), and the
 * blank or prefilled authorization form to print (`authorizations.form`, saved with `documents.export`).
 */
export function AuthorizationCheckPanel({
  requestId,
  record,
  checking,
  error,
  onAttachSigned,
}: {
  requestId: string;
  record: AuthorizationRecordT | null;
  /** A save is pending or in flight. */
  checking: boolean;
  /** The last save's refusal. */
  error: ApiError | null;
  onAttachSigned: () => void;
}) {
  const api = useAuthorizationsStore.getState();
  const [form, setForm] = useState<RequestDocumentT | null>(null);
  const [formBusy, setFormBusy] = useState(false);
  const [formMsg, setFormMsg] = useState<{ error: ApiError | null; saved: boolean | null }>({ error: null, saved: null });

  const makeForm = async (prefill: boolean) => {
    setFormBusy(true);
    setFormMsg({ error: null, saved: null });
    try {
      setForm(await api.makeForm({ requestId, prefill, psychotherapyNotesOnly: false }));
    } catch (e) {
      setFormMsg({ error: toApiError(e), saved: null });
    } finally {
      setFormBusy(false);
    }
  };
  const exportForm = async (doc: RequestDocumentT) => {
    try {
      const { saved } = await api.exportDocument({ documentId: doc.id });
      setFormMsg({ error: null, saved });
    } catch (e) {
      setFormMsg({ error: toApiError(e), saved: null });
    }
  };

  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="auth-findings-title" style={{ position: 'sticky', top: 8 }}>
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={3} size="h5" id="auth-findings-title">Authorization check</Title>
          <Text size="xs" c="dark.4" aria-live="polite">{checking ? 'Checking…' : record ? `Saved ${formatDateTime(record.updatedAt)}` : 'Not saved yet'}</Text>
        </Group>
        <div aria-live="polite">
          {record ? (
            <FindingsList findings={record.findings} label="Authorization findings"
              emptyText="Valid: every element and statement of 45 CFR 164.508(c) is present." />
          ) : (
            <Text size="sm">Fill in the authorization as written on the signed form. Each missing element or statement is listed here with its citation as you type.</Text>
          )}
        </div>
        <ErrorAlert error={error} title="The authorization was not saved" />
        {record ? (
          <Group gap="xs">
            <Text size="sm">{record.signedFormDocumentId ? 'Signed form on file (kept 6 years, 164.508(b)(6)).' : 'No scan of the signed form yet.'}</Text>
            <Button size="xs" variant="outline" onClick={onAttachSigned}>{record.signedFormDocumentId ? 'Replace signed form (PDF)' : 'Attach signed form (PDF)'}</Button>
          </Group>
        ) : null}
        <Text fw={600} size="sm" mt="xs">Authorization form</Text>
        <Group gap="xs">
          <Button size="xs" variant="outline" loading={formBusy} onClick={() => void makeForm(false)}>Print blank form</Button>
          <Button size="xs" variant="outline" loading={formBusy} onClick={() => void makeForm(true)}>Print prefilled form</Button>
        </Group>
        {form ? (
          <Group gap="xs">
            <Text size="sm">{form.label} ({plural(form.pageCount, 'page')})</Text>
            <Button size="xs" onClick={() => void exportForm(form)}>Save PDF…</Button>
          </Group>
        ) : null}
        {formMsg.saved ? <Text size="sm" role="status">The form was saved.</Text> : null}
        <ErrorAlert error={formMsg.error} title="The form could not be saved" />
      </Stack>
    </Paper>
  );
}
