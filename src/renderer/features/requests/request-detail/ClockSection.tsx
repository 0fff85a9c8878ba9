import { useState } from 'react';
import { Alert, Button, Group, SimpleGrid, Stack, Text, TextInput, Textarea } from '@mantine/core';
import type { RequestDetailT } from '../../../../shared/contract';
import { languageLabel, noticeLanguageOf } from '../../../../shared/languages';
import { useRequestsStore } from '../store';
import { clockText } from '../labels';
import { DueBadges } from '../RequestsScreen';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { formatDate, plural } from '../../../lib/format';
import { Fact, OPEN, Section, useActionError } from './parts';

/** The 30-day clock (164.524(b)(2)) and its one extension, with the written notice. */
export function ClockSection({ d }: { d: RequestDetailT }) {
  const { extend, exportDocument } = useRequestsStore.getState();
  const busy = useRequestsStore((s) => s.busy);
  const notice = useRequestsStore((s) => s.notice);
  const exported = useRequestsStore((s) => s.exported);
  const error = useActionError('extend');
  const exportError = useActionError('export');
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [date, setDate] = useState('');
  if (d.dueDate === null) return null;
  const ext = d.request.extensions[0];
  const isOpen = OPEN.includes(d.status);
  const noticeDoc = notice ?? d.documents.find((x) => x.kind === 'extension_notice') ?? null;
  return (
    <Section id="clock-title" title="The 30-day clock">
      <Stack gap="sm">
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <Fact label="Due date">{formatDate(d.dueDate)}</Fact>
          <Fact label={isOpen ? 'Days left' : 'Outcome'}><span data-testid="days-left">{clockText(d)}</span></Fact>
          <Fact label="Flags">{d.overdue || d.dueThisWeek || d.extended ? <DueBadges r={d} /> : <Text span c="dark.4">None</Text>}</Fact>
        </SimpleGrid>
        {d.overdue ? (
          <Alert color="red" variant="light" title="Overdue — still owed">The request is past its due date. This does not block the release: send it as soon as you can.</Alert>
        ) : null}
        {ext ? (
          <Text size="sm">Extended on {formatDate(ext.noticeDate)} to {formatDate(ext.newDueDate)}. Reason: {ext.reason}</Text>
        ) : isOpen && !open ? (
          <Group><Button variant="outline" onClick={() => setOpen(true)}>Extend by up to 30 days</Button></Group>
        ) : null}
        {open && !ext ? (
          <Stack gap="xs">
            <Text size="sm">One extension only, given in writing within the first 30 days, stating the reason and the new date (at most day 60) — 45 CFR 164.524(b)(2)(ii).</Text>
            <Text size="sm" data-testid="notice-language">
              The notice is written in {languageLabel(noticeLanguageOf(d.request))}, the language recorded at intake.
              {noticeLanguageOf(d.request) !== 'en' ? ' The reason is printed as you type it: write it in that language if you can.' : ''}
            </Text>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <Textarea id="extend-reason" label="Reason for the delay" autosize minRows={2} value={reason} onChange={(e) => setReason(e.currentTarget.value)} />
              <TextInput id="extend-date" type="date" label="New due date" value={date} onChange={(e) => setDate(e.currentTarget.value)} />
            </SimpleGrid>
            <Group>
              <Button loading={busy === 'extend'} disabled={!reason.trim() || !date} onClick={() => void extend(reason, date).then((ok) => ok && setOpen(false))}>
                Extend and make the notice
              </Button>
              <Button variant="subtle" onClick={() => setOpen(false)}>Cancel</Button>
            </Group>
          </Stack>
        ) : null}
        <ErrorAlert error={error} title="The extension was not granted" />
        {noticeDoc ? (
          <Group gap="sm">
            <Text size="sm">Written extension notice: {noticeDoc.label} ({plural(noticeDoc.pageCount, 'page')}). Send it to the requester.</Text>
            <Button size="xs" loading={busy === 'export'} onClick={() => void exportDocument(noticeDoc.id)}>Save notice PDF…</Button>
          </Group>
        ) : null}
        {exported ? <Text size="sm" role="status">The notice was saved.</Text> : null}
        <ErrorAlert error={exportError} title="The notice could not be saved" />
      </Stack>
    </Section>
  );
}

