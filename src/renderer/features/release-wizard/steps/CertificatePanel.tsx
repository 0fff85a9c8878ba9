import { useState, type ChangeEvent } from 'react';
import { Alert, Button, Checkbox, Group, Input, Paper, SimpleGrid, Stack, Text, Textarea, Title } from '@mantine/core';
import type { RecipientCertificateT } from '../../../../shared/contract';
import { useWizardStore } from '../store';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { Fingerprint } from '../../../components/Fingerprint';
import { formatDateTime } from '../../../lib/format';

/** The file's content as the channel takes it: PEM text as is, anything else (DER, .p7b) as base64. */
async function certificateText(f: File): Promise<string> {
  const bytes = new Uint8Array(await f.arrayBuffer());
  let latin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) latin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return latin.includes('-----BEGIN') ? latin : btoa(latin);
}

/** What the certificate says, its SHA-256 fingerprint in groups of four, and its warnings or problem. */
function CertificateFacts({ c }: { c: RecipientCertificateT }) {
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label="Recipient S/MIME certificate">
      <Stack gap="xs">
        <Text fw={600}>Certificate fingerprint (SHA-256)</Text>
        <Fingerprint value={c.fingerprint} label="Recipient certificate fingerprint" />
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
          <div><Text size="sm" c="dark.4">Issued to</Text><Text size="sm" style={{ wordBreak: 'break-word' }}>{c.subject}</Text></div>
          <div><Text size="sm" c="dark.4">Issued by</Text><Text size="sm" style={{ wordBreak: 'break-word' }}>{c.issuer}</Text></div>
          <div><Text size="sm" c="dark.4">Email addresses</Text><Text size="sm">{c.emails.join(', ') || '—'}</Text></div>
          <div><Text size="sm" c="dark.4">Key</Text><Text size="sm">{c.keyDescription}</Text></div>
          <div><Text size="sm" c="dark.4">Valid</Text><Text size="sm">{formatDateTime(c.notBefore)} to {formatDateTime(c.notAfter)}</Text></div>
          <div><Text size="sm" c="dark.4">Imported</Text><Text size="sm">by {c.importedBy}, {formatDateTime(c.importedAt)}</Text></div>
        </SimpleGrid>
        <Text size="sm" data-testid="certificate-revocation">
          {c.revocation.status === 'good'
            ? `Not revoked: checked against its issuer’s current revocation list${c.revocation.checkedAt ? `, ${formatDateTime(c.revocation.checkedAt)}` : ''}.`
            : c.revocation.status === 'unknown'
              ? `Revocation could not be checked${c.revocation.unknownAccepted ? ' (accepted when confirmed)' : ''}.`
              : 'Revocation: its issuer publishes no revocation list ReleaseDesk knows of (you can import one in Settings).'}
          {' '}It is checked again when the release is sent.
        </Text>
        {c.confirmed ? (
          <Text size="sm">
            Encryption: {c.modernAlgorithms ? 'AES-256-GCM with RSA-OAEP (the recipient’s program reads it)' : 'AES-256-CBC with RSA PKCS#1 v1.5 (read by every S/MIME program)'}.
          </Text>
        ) : null}
        {c.warnings.map((w) => (
          <Alert key={w.code} color="yellow" variant="light" p="xs" role="status"
            title={w.code === 'CERT_REVOCATION_UNKNOWN' ? 'Revocation could not be checked' : 'Not vouched for by a trusted certificate authority'}>
            <Text size="sm">{w.message}</Text>
          </Alert>
        ))}
        {c.problem ? (
          <Alert color="red" variant="light" p="xs" role="alert" title="This certificate cannot be used now">
            <Text size="sm">{c.problem.message}</Text>
          </Alert>
        ) : null}
      </Stack>
    </Paper>
  );
}

/**
 * The recipient's S/MIME certificate for a recipient without an OpenPGP key (issue 18): import a .pem/.cer/.crt/.der
 * or .p7b/.p7c file (or paste PEM), read the SHA-256 fingerprint to the recipient by phone, confirm it. A certificate
 * whose chain no trusted authority vouches for needs a second, explicit acceptance, and so does one whose revocation
 * could not be checked (CRL unreachable or out of date). Staff may record that the recipient's program reads RSA-OAEP
 * and AES-GCM. Refusals (revoked: the serial number) name the reason and date.
 */
export function CertificatePanel({ editable }: { editable: boolean }) {
  const release = useWizardStore((s) => s.release);
  const busy = useWizardStore((s) => s.busy);
  const error = useWizardStore((s) => s.certificateError);
  const { importCertificate, confirmCertificate } = useWizardStore.getState();
  const [pasted, setPasted] = useState('');
  const [confirmed, setConfirmed] = useState(false);
  const [accepted, setAccepted] = useState(false);
  const [acceptedRevocation, setAcceptedRevocation] = useState(false);
  const [modern, setModern] = useState(false);
  const [tried, setTried] = useState(false);
  const c = release?.recipientCertificate ?? null;
  if (!release) return null;

  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const f = e.currentTarget.files?.[0];
    e.currentTarget.value = '';
    if (!f) return;
    setConfirmed(false);
    setAccepted(false);
    setAcceptedRevocation(false);
    setModern(false);
    setTried(false);
    await importCertificate(await certificateText(f));
  };
  const needsAccept = c !== null && !c.chainTrusted;
  const needsRevocationAccept = c !== null && c.revocation.status === 'unknown';
  const onConfirm = async () => {
    setTried(true);
    if (!c || !confirmed || (needsAccept && !accepted) || (needsRevocationAccept && !acceptedRevocation)) {
      const first = !confirmed ? 'certificate-confirm' : needsAccept && !accepted ? 'certificate-accept-untrusted' : 'certificate-accept-revocation-unknown';
      document.getElementById(first)?.focus();
      return;
    }
    await confirmCertificate(c.fingerprint, needsAccept && accepted, { acceptRevocationUnknown: needsRevocationAccept && acceptedRevocation, modernAlgorithms: modern });
  };

  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="certificate-title">
      <Stack gap="sm">
        <Title order={2} size="h5" id="certificate-title">S/MIME certificate</Title>
        <Text size="sm">
          Hospitals, law firms and insurers often use an S/MIME certificate instead of an OpenPGP key. If the recipient sent you theirs,
          import it: ReleaseDesk then encrypts the records to it, and only the recipient can open them.
        </Text>
        {c ? <CertificateFacts c={c} /> : null}
        {c?.confirmed ? (
          <Text size="sm" data-testid="certificate-confirmed">
            Fingerprint confirmed with the recipient by {c.confirmed.by}, {formatDateTime(c.confirmed.at)}.
          </Text>
        ) : null}
        {c && !c.confirmed && !c.problem && editable ? (
          <Stack gap="xs">
            <Checkbox id="certificate-confirm" checked={confirmed} onChange={(e) => setConfirmed(e.currentTarget.checked)}
              label="I confirmed this fingerprint with the recipient by phone or in person"
              description="Read the groups of four aloud and have the recipient compare them with their own. Your name and the time are recorded."
              error={tried && !confirmed ? 'Confirm the fingerprint with the recipient before anything is encrypted to it.' : undefined} />
            {needsAccept ? (
              <Checkbox id="certificate-accept-untrusted" checked={accepted} onChange={(e) => setAccepted(e.currentTarget.checked)}
                label="I accept this certificate although no trusted certificate authority vouches for it"
                error={tried && !accepted ? 'Accept the certificate, or ask the recipient for one issued by a certificate authority.' : undefined} />
            ) : null}
            {needsRevocationAccept ? (
              <Checkbox id="certificate-accept-revocation-unknown" checked={acceptedRevocation} onChange={(e) => setAcceptedRevocation(e.currentTarget.checked)}
                label="I accept that ReleaseDesk could not check whether this certificate was revoked"
                description="Better: import the issuer’s current revocation list (CRL) in Settings, then confirm again. Your acceptance is recorded."
                error={tried && !acceptedRevocation ? 'Accept the risk, or import the issuer’s current revocation list in Settings.' : undefined} />
            ) : null}
            <Checkbox id="certificate-modern-algorithms" checked={modern} onChange={(e) => setModern(e.currentTarget.checked)}
              label="The recipient’s mail program reads RSA-OAEP and AES-GCM (AuthEnvelopedData)"
              description="Tick only if the recipient told you so. Otherwise ReleaseDesk uses AES-256-CBC with RSA PKCS#1 v1.5, which every S/MIME program reads (GnuPG 2.2 reads only that)." />
            <Group>
              <Button onClick={() => void onConfirm()} loading={busy === 'certificate'}>Confirm certificate</Button>
            </Group>
          </Stack>
        ) : null}
        {editable ? (
          <Stack gap="xs">
            <Input.Wrapper id="certificate-file" label={c ? 'Replace with another certificate file' : 'Certificate file'}
              description="A .pem, .cer, .crt or .der certificate, or a .p7b / .p7c chain, as the recipient sent it.">
              <input id="certificate-file" type="file" accept=".pem,.cer,.crt,.der,.p7b,.p7c,application/pkix-cert,application/x-pkcs7-certificates"
                aria-describedby="certificate-file-description" onChange={(e) => void onFile(e)} disabled={busy === 'certificate'}
                style={{ display: 'block', marginTop: 6 }} />
            </Input.Wrapper>
            <Textarea id="certificate-pem" label="Or paste the certificate (PEM)" description="Starts with “-----BEGIN CERTIFICATE-----”."
              autosize minRows={2} maxRows={6} value={pasted} onChange={(e) => setPasted(e.currentTarget.value)}
              styles={{ input: { fontFamily: 'monospace', fontSize: 12 } }} />
            <Group>
              <Button variant="outline" disabled={!pasted.trim()} loading={busy === 'certificate'}
                onClick={() => { setConfirmed(false); setAccepted(false); setTried(false); void importCertificate(pasted).then((ok) => ok && setPasted('')); }}>
                Import pasted certificate
              </Button>
            </Group>
          </Stack>
        ) : null}
        <ErrorAlert error={error} title="This certificate cannot be used" />
      </Stack>
    </Paper>
  );
}
