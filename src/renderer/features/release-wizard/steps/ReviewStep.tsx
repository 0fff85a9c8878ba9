import { useEffect } from 'react';
import { Alert, Anchor, Button, Group, List, Paper, Stack, Text, Title } from '@mantine/core';
import type { Finding } from '../../../../shared/compliance';
import type { DeliveryMethodT } from '../../../../shared/contract';
import { effectiveMethod, notReadyReason, STEP, useWizardStore } from '../store';
import { METHOD_NAME } from '../../../lib/delivery-labels';
import { useAppStore } from '../../../lib/navigation';
import { FindingsList } from '../../authorizations/FindingsList';
import { Fingerprint } from '../../../components/Fingerprint';
import { formatDate, plural } from '../../../lib/format';
import { ApprovalPanel } from '../ApprovalPanel';
import { ReviewNext } from './ReviewNext';

/** Where each kind of finding is fixed (by code prefix). */
export function whereToFix(code: string): 'request' | 'records' | 'recipient' | null {
  if (/^(RECIPIENT_|KEY_USER_ID_)/.test(code)) return 'recipient';
  if (code === 'DOCUMENT_UNCLASSIFIED' || code.startsWith('PATIENT_')) return 'records'; // PATIENT_*: the patient check of the record files
  if (/^(AUTH_|REQUEST_|DIRECTIVE_|REPRESENTATIVE_|ACCESS_|TPO_|PART2_|UNENCRYPTED_)/.test(code)) return 'request';
  if (/^(SCOPE_|SELECTION_)/.test(code) || code.endsWith('_SEPARATE_AUTH') || code.includes('PSYCHOTHERAPY')) return 'records';
  return null;
}

/** The blocking findings (severity 'block') of a gate answer. */
export function blockingFindings(findings: readonly Finding[] | undefined): Finding[] {
  return (findings ?? []).filter((f) => f.severity === 'block');
}

/** What "How" says for each method. */
const HOW: Record<DeliveryMethodT, string[]> = {
  'openpgp-pgp-mime': [
    'Encrypted with OpenPGP (PGP/MIME) to the recipient’s key, and signed with the practice key.',
    'Sent only over a TLS-encrypted connection to your email server; if the server offers no TLS, nothing is sent.',
    'The subject line and attachment names contain no patient information.',
  ],
  smime: [
    'Encrypted with S/MIME (AES-256) to the recipient’s certificate and to the practice’s own, and signed with the practice certificate.',
    'Sent only over a TLS-encrypted connection to your email server; if the server offers no TLS, nothing is sent.',
    'The subject line and attachment names contain no patient information.',
  ],
  'password-pdf': [
    'Sent as a password-protected PDF (AES-256) with a new passphrase that ReleaseDesk generates and shows you when you send; it keeps it, encrypted, until you confirm you gave it to the recipient.',
    'You give the passphrase to the recipient by phone, text message or in person — never in an email.',
    'Sent only over a TLS-encrypted connection to your email server; the subject line and file names contain no patient information.',
  ],
  'tls-only-email': [
    'Sent as an ordinary, unencrypted email at the patient’s recorded request, after the risk warning.',
    'Protected only on the way to your email server (TLS); if the server offers no TLS, nothing is sent.',
  ],
  export: [
    'Saved as a password-protected PDF packet (AES-256) into a folder or drive you choose; the passphrase is shown to you once.',
    'Hand the drive over in person and give the passphrase separately.',
  ],
  print: ['A print-ready packet is prepared for you to print and hand over in person or mail.'],
};

/** The Send button's words for each method. */
export const ACTION_LABEL: Record<DeliveryMethodT, string> = {
  'openpgp-pgp-mime': 'Send encrypted release',
  smime: 'Send encrypted release (S/MIME)',
  'password-pdf': 'Send password-protected PDF',
  'tls-only-email': 'Send unencrypted email',
  export: 'Save to a folder or drive',
  print: 'Prepare the print packet',
};

/** Step 5: one calm summary — who, what, how (the chosen delivery method), the compliance check, and what happens next. */
export function ReviewStep() {
  const release = useWizardStore((s) => s.release);
  const evaluation = useWizardStore((s) => s.evaluation);
  const request = useWizardStore((s) => s.request);
  const goTo = useWizardStore((s) => s.goTo);
  const send = useWizardStore((s) => s.send);
  const evaluate = useWizardStore((s) => s.evaluate);
  const busy = useWizardStore((s) => s.busy);
  const chosen = useWizardStore((s) => s.method);
  const delivery = useWizardStore((s) => s.delivery);
  const loadDelivery = useWizardStore((s) => s.loadDelivery);
  const navigate = useAppStore((s) => s.navigate);
  const releaseId = release?.id;
  useEffect(() => {
    // Ask the gate again whenever the review is shown: the request or its authorization may have changed meanwhile.
    if (releaseId) void evaluate();
  }, [releaseId, evaluate]);
  const needLadder = releaseId !== undefined && delivery === null && chosen === null;
  useEffect(() => {
    // Opened straight at Review (an existing release): the ladder gives the default method.
    if (needLadder) void loadDelivery();
  }, [needLadder, loadDelivery]);
  if (!release) return null;
  const pages = release.documents.reduce((n, d) => n + d.pageCount, 0);
  const blocks = blockingFindings(evaluation?.findings);
  const method = effectiveMethod({ method: chosen, release, delivery });
  const blocker =
    notReadyReason(release) ??
    (method === null ? 'Choose how the records are delivered (Delivery step).' : null) ??
    (evaluation === null
      ? 'Checking the release against the request and the rules…'
      : blocks.length > 0 && blocks.every((f) => f.code === 'PATIENT_OFFICER_APPROVAL_REQUIRED')
        ? 'A privacy officer must approve a file that shows another patient before it can be sent.'
        : blocks.length > 0 && blocks.every((f) => f.code === 'APPROVAL_REQUIRED')
        ? 'Needs approval by a privacy officer before it can be sent.'
        : blocks.length > 0 ? `${blocks.length === 1 ? 'One finding blocks' : `${blocks.length} findings block`} this release. Fix ${blocks.length === 1 ? 'it' : 'them'} first.` : null);
  const fixIn = new Set(blocks.map((f) => whereToFix(f.code)));
  const r = release.recipient;

  return (
    <Stack gap="md">
      <Paper withBorder p="md" radius="md" component="section" aria-labelledby="review-who">
        <Title order={2} size="h5" id="review-who" mb={6}>Who</Title>
        <Text>
          Records of <strong>{release.patient.name}</strong> (born {formatDate(release.patient.dateOfBirth)}, MRN {release.patient.mrn})
        </Text>
        <Text>
          go to {r ? <><strong>{r.name}</strong> &lt;{r.email}&gt;</> : <em>no recipient yet</em>}.
        </Text>
      </Paper>
      <Paper withBorder p="md" radius="md" component="section" aria-labelledby="review-what">
        <Title order={2} size="h5" id="review-what" mb={6}>What</Title>
        <Text mb={4}>{plural(release.documents.length, 'document')}, {plural(pages, 'page')} in total:</Text>
        <List size="sm">
          {release.documents.map((d) => (
            <List.Item key={d.id}>
              {d.originalName} — {plural(d.pageCount, 'page')}
              {method === 'openpgp-pgp-mime' || method === 'smime' ? <>, attached as “{d.label}”</> : method ? ', inside the release packet' : null}
            </List.Item>
          ))}
        </List>
      </Paper>
      <Paper withBorder p="md" radius="md" component="section" aria-labelledby="review-how">
        <Title order={2} size="h5" id="review-how" mb={6}>How</Title>
        {method ? (
          <>
            <Group gap="xs" mb={6}>
              <Text data-testid="review-method"><strong>{METHOD_NAME[method]}</strong></Text>
              {release.status !== 'partly_sent' ? (
                <Anchor component="button" type="button" size="sm" onClick={() => goTo(STEP.delivery)}>Change</Anchor>
              ) : null}
            </Group>
            <List size="sm" spacing={4}>
              {HOW[method].map((line) => <List.Item key={line}>{line}</List.Item>)}
            </List>
          </>
        ) : (
          <Text size="sm">No delivery method chosen yet.</Text>
        )}
        {release.recipientCertificate && method === 'smime' ? (
          <Stack gap={4} mt="sm">
            <Text size="sm" c="dark.4">Recipient certificate fingerprint (SHA-256){release.recipientCertificate.confirmed ? ' (confirmed)' : ''}</Text>
            <Fingerprint value={release.recipientCertificate.fingerprint} label="Recipient certificate fingerprint" />
          </Stack>
        ) : null}
        {r?.key && method === 'openpgp-pgp-mime' ? (
          <Stack gap={4} mt="sm">
            <Text size="sm" c="dark.4">Recipient key fingerprint{r.fingerprintConfirmed ? ' (confirmed)' : ''}</Text>
            <Fingerprint value={r.key.fingerprint} label="Recipient key fingerprint" />
          </Stack>
        ) : null}
      </Paper>
      <Paper withBorder p="md" radius="md" component="section" aria-labelledby="review-check">
        <Title order={2} size="h5" id="review-check" mb={6}>Compliance check</Title>
        {evaluation ? (
          <Stack gap="xs">
            <FindingsList findings={evaluation.findings} label="Compliance findings" emptyText="Nothing blocks this release: the request, its basis and every selected document check out." />
            {blocks.length > 0 ? (
              <Text size="sm">
                <strong>What to fix:</strong>{' '}
                {fixIn.has('request') && request ? (
                  <>
                    the request{' '}
                    <Anchor component="button" type="button" size="sm" onClick={() => navigate({ name: 'request', requestId: request.id })}>
                      (open request {request.reference})
                    </Anchor>
                    {fixIn.has('records') ? ' and ' : ''}
                  </>
                ) : null}
                {fixIn.has('records') ? (
                  <Anchor component="button" type="button" size="sm" onClick={() => goTo(STEP.records)}>the selected records</Anchor>
                ) : null}
                {fixIn.has('recipient') ? (
                  <>
                    {fixIn.has('request') || fixIn.has('records') ? ' and ' : ''}
                    <Anchor component="button" type="button" size="sm" onClick={() => goTo(STEP.recipient)}>the recipient</Anchor>
                  </>
                ) : null}
                {!fixIn.has('request') && !fixIn.has('records') && !fixIn.has('recipient') ? 'each item above.' : '. Then come back here: the check runs again.'}
              </Text>
            ) : null}
            {r && evaluation.findings.some((f) => f.code === 'RECIPIENT_NOT_IN_REQUEST') ? (
              <Alert color="red" variant="light" title="Recipient address differs from the request" data-testid="recipient-mismatch">
                <Text size="sm">This release goes to &lt;{r.email}&gt;. The request says to send to:</Text>
                <List size="sm">{(request?.request.recipients ?? []).map((x, i) => <List.Item key={`${i}-${x.destination}`}>{x.name}: {x.destination}</List.Item>)}</List>
              </Alert>
            ) : null}
            {r?.key && evaluation.findings.some((f) => f.code === 'KEY_USER_ID_MISMATCH') ? (
              <Alert color="yellow" variant="light" title="The key does not name this address" data-testid="key-uid-mismatch">
                <Text size="sm">Recipient address: &lt;{r.email}&gt;. The key’s user IDs:</Text>
                <List size="sm">{r.key.userIds.map((u) => <List.Item key={u}>{u}</List.Item>)}</List>
              </Alert>
            ) : null}
            {evaluation.notices.map((n) => (
              <Alert key={`${n.category}-${n.title}`} color="blue" variant="light" title={n.title}>
                <Text size="sm">This notice is included in the encrypted message ({n.citation}).</Text>
              </Alert>
            ))}
          </Stack>
        ) : (
          <Text size="sm">Checking…</Text>
        )}
      </Paper>
      <ReviewNext method={method} />
      <ApprovalPanel />
      {blocker ? <Alert color="orange" variant="light" title="Not ready to send" data-testid="send-blocker">{blocker}</Alert> : null}
      <Group justify="space-between">
        <Button variant="default" onClick={() => goTo(STEP.delivery)}>Back</Button>
        <Button size="md" onClick={() => void send()} disabled={blocker !== null} loading={busy === 'send'}>
          {method ? ACTION_LABEL[method] : 'Send'}
        </Button>
      </Group>
    </Stack>
  );
}
