import { useEffect } from 'react';
import { Alert, Anchor, Button, Group, List, Paper, Stack, Text, Title } from '@mantine/core';
import type { Finding } from '../../../../shared/compliance';
import { notReadyReason, useWizardStore } from '../store';
import { useAppStore } from '../../../app/store';
import { FindingsList } from '../../authorizations/FindingsList';
import { Fingerprint } from '../../../components/Fingerprint';
import { plural } from '../../../lib/format';

/** Where each kind of finding is fixed (by code prefix). */
export function whereToFix(code: string): 'request' | 'records' | null {
  if (/^(AUTH_|REQUEST_|DIRECTIVE_|REPRESENTATIVE_|ACCESS_|TPO_|PART2_|UNENCRYPTED_)/.test(code)) return 'request';
  if (/^(SCOPE_|SELECTION_)/.test(code) || code.endsWith('_SEPARATE_AUTH') || code.includes('PSYCHOTHERAPY')) return 'records';
  return null;
}

/** The blocking findings (severity 'block') of a gate answer. */
export function blockingFindings(findings: readonly Finding[] | undefined): Finding[] {
  return (findings ?? []).filter((f) => f.severity === 'block');
}

/** Step 4: one calm summary — who, what, how, the compliance check, and what happens next. */
export function ReviewStep() {
  const release = useWizardStore((s) => s.release);
  const evaluation = useWizardStore((s) => s.evaluation);
  const request = useWizardStore((s) => s.request);
  const goTo = useWizardStore((s) => s.goTo);
  const send = useWizardStore((s) => s.send);
  const evaluate = useWizardStore((s) => s.evaluate);
  const busy = useWizardStore((s) => s.busy);
  const navigate = useAppStore((s) => s.navigate);
  const releaseId = release?.id;
  useEffect(() => {
    // Ask the gate again whenever the review is shown: the request or its authorization may have changed meanwhile.
    if (releaseId) void evaluate();
  }, [releaseId, evaluate]);
  if (!release) return null;
  const pages = release.documents.reduce((n, d) => n + d.pageCount, 0);
  const blocks = blockingFindings(evaluation?.findings);
  const blocker =
    notReadyReason(release) ??
    (evaluation === null ? 'Checking the release against the request and the rules…' : blocks.length > 0 ? `${blocks.length === 1 ? 'One finding blocks' : `${blocks.length} findings block`} this release. Fix ${blocks.length === 1 ? 'it' : 'them'} first.` : null);
  const fixIn = new Set(blocks.map((f) => whereToFix(f.code)));
  const r = release.recipient;

  return (
    <Stack gap="md">
      <Paper withBorder p="md" radius="md" component="section" aria-labelledby="review-who">
        <Title order={2} size="h5" id="review-who" mb={6}>Who</Title>
        <Text>
          Records of <strong>{release.patient.name}</strong> (born {release.patient.dateOfBirth}, MRN {release.patient.mrn})
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
              {d.originalName} — {plural(d.pageCount, 'page')}, attached as “{d.label}”
            </List.Item>
          ))}
        </List>
      </Paper>
      <Paper withBorder p="md" radius="md" component="section" aria-labelledby="review-how">
        <Title order={2} size="h5" id="review-how" mb={6}>How</Title>
        <List size="sm" spacing={4}>
          <List.Item>Encrypted with OpenPGP (PGP/MIME) to the recipient’s key, and signed with the practice key.</List.Item>
          <List.Item>Sent only over a TLS-encrypted connection to your email server; if the server offers no TLS, nothing is sent.</List.Item>
          <List.Item>The subject line and attachment names contain no patient information.</List.Item>
        </List>
        {r?.key ? (
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
                  <Anchor component="button" type="button" size="sm" onClick={() => goTo(1)}>the selected records</Anchor>
                ) : null}
                {!fixIn.has('request') && !fixIn.has('records') ? 'each item above.' : '. Then come back here: the check runs again.'}
              </Text>
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
      <Paper withBorder p="md" radius="md" component="section" aria-labelledby="review-next">
        <Title order={2} size="h5" id="review-next" mb={6}>What happens next</Title>
        <Text size="sm">
          When you press Send, ReleaseDesk encrypts and signs the records, sends them, and records the transmission in the audit
          log. If sending fails, nothing is lost: the release stays here, unsent, and you can try again.
        </Text>
      </Paper>
      {blocker ? <Alert color="orange" variant="light" title="Not ready to send" data-testid="send-blocker">{blocker}</Alert> : null}
      <Group justify="space-between">
        <Button variant="default" onClick={() => goTo(2)}>Back</Button>
        <Button size="md" onClick={() => void send()} disabled={blocker !== null} loading={busy === 'send'}>
          Send encrypted release
        </Button>
      </Group>
    </Stack>
  );
}
