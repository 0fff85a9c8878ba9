import { useState } from 'react';
import { Alert, Button, Checkbox, Group, Paper, Stack, Text, TextInput } from '@mantine/core';
import type { RequestDetailT } from '../../../shared/contract';
import { languageLabel, noticeLanguageOf } from '../../../shared/languages';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useAction } from '../../lib/form';
import { useRequestsStore } from './store';

/** Right-of-access bases (45 CFR 164.524): a denial of these is given in writing. */
const ACCESS = ['right_of_access', 'patient_directed'];

/**
 * The written denial of a denied right-of-access request (`requests.denialNotice`, 164.524(d)(2)–(3)): staff say
 * whether the ground can be reviewed and, if the practice does not keep the records, who does; the PDF (in the
 * language recorded at intake, with the practice's address, phone and privacy officer) is offered to save or print.
 */
export function DenialNoticePanel({ d }: { d: RequestDetailT }) {
  const denialNotice = useRequestsStore((s) => s.denialNotice);
  const [reviewable, setReviewable] = useState(true);
  const [elsewhere, setElsewhere] = useState('');
  const { busy, error, run } = useAction();
  const [done, setDone] = useState<{ saved: boolean; pageCount: number } | null>(null);
  if (d.status !== 'denied' || !ACCESS.includes(d.request.basis)) return null;

  // Called within the click: the save dialog needs the user gesture.
  const make = () => {
    setDone(null);
    void run(async () => setDone(await denialNotice({ requestId: d.id, reviewable, ...(elsewhere.trim() ? { elsewhere: elsewhere.trim() } : {}) })));
  };

  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="denial-notice-title">
      <Stack gap="xs">
        <Text fw={600} id="denial-notice-title">Written denial for the patient</Text>
        <Text size="sm">
          A denial must be given to the patient in writing, in plain language (45 CFR 164.524(d)(2)). The letter states your reason
          above, how to complain to the practice’s privacy officer or to HHS, and the practice’s address and phone. It is written in{' '}
          {languageLabel(noticeLanguageOf(d.request))}, the language recorded at intake.
        </Text>
        <Checkbox id="denial-reviewable" checked={reviewable} onChange={(e) => setReviewable(e.currentTarget.checked)}
          label="The patient can ask for a review of this denial"
          description="Most denials can be reviewed (for example, when a licensed professional judged access could endanger someone). Untick only for the grounds the law does not allow to be reviewed, such as psychotherapy notes or records compiled for a lawsuit (164.524(a)(2))." />
        <TextInput id="denial-elsewhere" label="If we do not keep these records: who does (optional)" value={elsewhere}
          description="For example “Springfield Imaging Center, (217) 555-0199”. Printed so the patient knows where to ask." maxLength={300}
          onChange={(e) => setElsewhere(e.currentTarget.value)} />
        <Group>
          <Button loading={busy !== null} onClick={make}>Make the denial letter…</Button>
        </Group>
        <ErrorAlert error={error} title="The denial letter was not made" />
        {done ? (
          <Alert color={done.saved ? 'teal' : 'gray'} variant="light" role="status">
            {done.saved ? `The denial letter (${done.pageCount} ${done.pageCount === 1 ? 'page' : 'pages'}) was saved. Print it or send it to the patient.` : 'Saving was cancelled.'}
          </Alert>
        ) : null}
      </Stack>
    </Paper>
  );
}
