import type { ChangeEvent, FormEvent } from 'react';
import { Alert, Button, Checkbox, Group, Input, Paper, SimpleGrid, Stack, Text, Textarea, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { channels, type RecipientCertificateT } from '../../../../shared/contract';
import { useFormCheck, zodValidate } from '../../../lib/form';
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

/** Staff's ticks for the certificate shown: fingerprint compared, untrusted chain and unchecked revocation accepted, modern algorithms. */
interface ConfirmValues {
  confirmed: boolean;
  accepted: boolean;
  acceptedRevocation: boolean;
  modern: boolean;
}
const NOTHING_CONFIRMED: ConfirmValues = { confirmed: false, accepted: false, acceptedRevocation: false, modern: false };

/**
 * What must be ticked before certificate `c` is confirmed: the fingerprint comparison always; the acceptance of an
 * untrusted chain (else CERT_CHAIN_UNTRUSTED) and of an unchecked revocation (else CERT_REVOCATION_UNKNOWN) when
 * they apply. Staff's own rules: `releases.confirmRecipientCertificate` takes the acceptances as flags.
 */
function confirmationErrors(c: RecipientCertificateT | null, v: ConfirmValues) {
  return {
    confirmed: v.confirmed ? undefined : 'Confirm the fingerprint with the recipient before anything is encrypted to it.',
    accepted: c && !c.chainTrusted && !v.accepted ? 'Accept the certificate, or ask the recipient for one issued by a certificate authority.' : undefined,
    acceptedRevocation: c?.revocation.status === 'unknown' && !v.acceptedRevocation ? 'Accept the risk, or import the issuer’s current revocation list in Settings.' : undefined,
  };
}

interface PasteValues {
  /** The pasted PEM text. */
  certificate: string;
}
/** The pasted text against the schema main parses (`releases.importRecipientCertificate`: ASCII armor, at most 400,000 characters). */
const validatePaste = zodValidate<PasteValues>(channels['releases.importRecipientCertificate'].input.pick({ certificate: true }), (v) => v, {
  certificate: 'Paste the certificate as text: it starts with “-----BEGIN CERTIFICATE-----” and has only plain letters, digits and line breaks.',
});

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
  const c = release?.recipientCertificate ?? null;
  const confirmation = useForm<ConfirmValues>({ mode: 'controlled', initialValues: NOTHING_CONFIRMED, validate: (v) => confirmationErrors(c, v) });
  const { formRef, check, restart } = useFormCheck(confirmation);
  const paste = useForm<PasteValues>({ mode: 'controlled', initialValues: { certificate: '' }, validate: validatePaste });
  if (!release) return null;

  /** A new certificate is confirmed afresh: the ticks go, and no error shows until "Confirm certificate". */
  const importNew = async (certificate: string) => {
    confirmation.reset();
    restart();
    return importCertificate(certificate);
  };
  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const f = e.currentTarget.files?.[0];
    e.currentTarget.value = '';
    if (!f) return;
    await importNew(await certificateText(f));
  };
  const onPaste = () => {
    if (paste.validate().hasErrors) return;
    void importNew(paste.getValues().certificate).then((ok) => ok && paste.reset());
  };
  const onConfirm = (ev: FormEvent) => {
    ev.preventDefault();
    if (!c || !check()) return;
    const v = confirmation.getValues();
    void confirmCertificate(c.fingerprint, !c.chainTrusted && v.accepted, { acceptRevocationUnknown: c.revocation.status === 'unknown' && v.acceptedRevocation, modernAlgorithms: v.modern });
  };
  const box = (path: keyof ConfirmValues) => confirmation.getInputProps(path, { type: 'checkbox' });

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
          <form ref={formRef} noValidate aria-label="Confirm the certificate" onSubmit={onConfirm}>
            <Stack gap="xs">
              <Checkbox id="certificate-confirm" {...box('confirmed')}
                label="I confirmed this fingerprint with the recipient by phone or in person"
                description="Read the groups of four aloud and have the recipient compare them with their own. Your name and the time are recorded." />
              {!c.chainTrusted ? (
                <Checkbox id="certificate-accept-untrusted" {...box('accepted')}
                  label="I accept this certificate although no trusted certificate authority vouches for it" />
              ) : null}
              {c.revocation.status === 'unknown' ? (
                <Checkbox id="certificate-accept-revocation-unknown" {...box('acceptedRevocation')}
                  label="I accept that ReleaseDesk could not check whether this certificate was revoked"
                  description="Better: import the issuer’s current revocation list (CRL) in Settings, then confirm again. Your acceptance is recorded." />
              ) : null}
              <Checkbox id="certificate-modern-algorithms" {...box('modern')}
                label="The recipient’s mail program reads RSA-OAEP and AES-GCM (AuthEnvelopedData)"
                description="Tick only if the recipient told you so. Otherwise ReleaseDesk uses AES-256-CBC with RSA PKCS#1 v1.5, which every S/MIME program reads (GnuPG 2.2 reads only that)." />
              <Group>
                <Button type="submit" loading={busy === 'certificate'}>Confirm certificate</Button>
              </Group>
            </Stack>
          </form>
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
              autosize minRows={2} maxRows={6} {...paste.getInputProps('certificate')}
              styles={{ input: { fontFamily: 'monospace', fontSize: 12 } }} />
            <Group>
              <Button variant="outline" disabled={!paste.values.certificate.trim()} loading={busy === 'certificate'} onClick={onPaste}>
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
