/**
 * Settings → Practice S/MIME certificate (issue 18): the certificate that signs S/MIME releases (each release is also
 * encrypted to it, so the practice can read what it sent). ReleaseDesk makes one itself at the first S/MIME release —
 * with the plain warning that recipients' mail programs will not trust it — or the practice imports one issued by a
 * certificate authority from a PKCS#12 (.p12 / .pfx) file with its password (PBES2/AES or legacy 3DES). Expiry is
 * warned 30 days ahead; ReleaseDesk never replaces the certificate by itself — replacing it is an administrator's
 * explicit, confirmed action (audited with the old and new fingerprints). Below, the certificate revocation lists
 * (CRLs) used to check recipients' certificates: import one from a CA, see which are out of date.
 */
import { useEffect, useState, type ChangeEvent } from 'react';
import { Alert, Button, CopyButton, Fieldset, Group, Input, PasswordInput, SimpleGrid, Stack, Text } from '@mantine/core';
import { useForm } from '@mantine/form';
import { channels, type ChannelInput, type PracticeSmimeCertificateT, type SmimeCrlT } from '../../../shared/contract';
import { toApiError } from '../../lib/call';
import { useAction, useFormCheck, zodValidate } from '../../lib/form';
import { useSettingsStore } from './store';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Fingerprint } from '../../components/Fingerprint';
import { formatDateTime } from '../../lib/format';

/** A file's bytes as base64 (the contract carries no raw bytes). */
async function base64Of(f: File): Promise<string> {
  const bytes = new Uint8Array(await f.arrayBuffer());
  let latin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) latin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(latin);
}

/** The import's fields: the chosen PKCS#12 file (its name and base64 content) and its password. */
interface ImportValues {
  p12: { name: string; base64: string } | null;
  password: string;
}
/** The import as `settings.importSmimeCertificate` takes it. */
const toImport = (v: ImportValues): ChannelInput<'settings.importSmimeCertificate'> => ({ pkcs12: v.p12?.base64 ?? '', password: v.password });
const checkImport = zodValidate<ImportValues>(channels['settings.importSmimeCertificate'].input, toImport, {
  pkcs12: 'This file is too large or not a certificate file. Choose the .p12 or .pfx file from your certificate authority.',
  password: 'This password is too long.',
});
/** The schema main parses (`settings.importSmimeCertificate`), a problem with the file shown under the file field. */
const validateImport = (v: ImportValues) => Object.fromEntries(Object.entries(checkImport(v)).map(([path, m]) => [path === 'pkcs12' ? 'p12' : path, m]));

export function SmimeCertificateSettings() {
  const api = useSettingsStore.getState(); // the store's calls (actions never change)
  const [cert, setCert] = useState<PracticeSmimeCertificateT | null | undefined>(undefined);
  const { busy, error, setError, run } = useAction<'create' | 'import'>();
  const [replacing, setReplacing] = useState(false);
  const form = useForm<ImportValues>({ mode: 'controlled', initialValues: { p12: null, password: '' }, validate: validateImport });
  const { formRef, check, restart } = useFormCheck(form);
  const p12 = form.values.p12;

  useEffect(() => {
    void api.smimeCertificate()
      .then(setCert)
      .catch((e: unknown) => setError(toApiError(e)));
  }, [api]); // eslint-disable-line react-hooks/exhaustive-deps -- read once; setError never changes

  /** Makes the certificate the practice's (a new self-made one, or the imported one). */
  const replaceWith = (kind: 'create' | 'import', fn: () => Promise<PracticeSmimeCertificateT>) =>
    void run(async () => {
      setCert(await fn());
      if (kind === 'import') {
        form.reset();
        restart();
      }
      setReplacing(false);
    }, kind);
  const importP12 = () => {
    if (check()) replaceWith('import', () => api.importSmimeCertificate(toImport(form.getValues())));
  };

  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const f = e.currentTarget.files?.[0];
    form.setFieldValue('p12', f ? { name: f.name, base64: await base64Of(f) } : null);
  };

  return (
    <Fieldset legend="Practice S/MIME certificate">
      <Stack gap="sm">
        <Text size="sm">
          Releases sent by S/MIME are signed with this certificate and also encrypted to it, so the practice can read what it sent.
        </Text>
        {cert === undefined && !error ? <Text size="sm">Loading…</Text> : null}
        {cert === null ? (
          <Text size="sm" data-testid="smime-none">
            None yet. ReleaseDesk makes one itself at the first S/MIME release, or you can import one from your certificate authority below.
          </Text>
        ) : null}
        {cert ? (
          <>
            <div>
              <Text fw={600} mb={4}>Fingerprint (SHA-256)</Text>
              <Fingerprint value={cert.fingerprint} label="Practice S/MIME certificate fingerprint" />
            </div>
            <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="xs">
              <div><Text size="sm" c="dark.4">Issued to</Text><Text size="sm" style={{ wordBreak: 'break-word' }}>{cert.subject}</Text></div>
              <div><Text size="sm" c="dark.4">Expires</Text><Text size="sm">{formatDateTime(cert.notAfter)} ({cert.daysLeft} days)</Text></div>
              <div><Text size="sm" c="dark.4">Made by</Text><Text size="sm">{cert.selfSigned ? 'ReleaseDesk (self-made)' : 'A certificate authority'}</Text></div>
            </SimpleGrid>
            {cert.warnings.map((w) => (
              <Alert key={w} color="yellow" variant="light" role="status" title={cert.selfSigned && w === cert.warnings[0] ? 'Recipients’ mail programs will not trust it' : 'Expiry'}>
                <Text size="sm">{w}</Text>
              </Alert>
            ))}
            <Group>
              <CopyButton value={cert.certPem}>
                {({ copied, copy }) => (
                  <Button variant="default" onClick={copy} aria-live="polite">{copied ? 'Copied' : 'Copy certificate (PEM)'}</Button>
                )}
              </CopyButton>
            </Group>
          </>
        ) : null}
        {!cert ? (
          <Group>
            <Button variant="default" loading={busy === 'create'} onClick={() => replaceWith('create', () => api.createSmimeCertificate({ replaceFingerprint: null }))}>
              Make a self-made certificate now
            </Button>
          </Group>
        ) : !replacing ? (
          <Group>
            <Button variant="default" onClick={() => setReplacing(true)}>Replace with a new self-made certificate…</Button>
          </Group>
        ) : (
          <Alert color="yellow" variant="light" role="status" title="Replace the practice certificate?">
            <Stack gap="xs">
              <Text size="sm">
                Recipients who trusted the current certificate will see a new fingerprint and must compare it with you again. The current
                certificate stops signing; it stays in the vault. Your name, the old and the new fingerprint are recorded.
              </Text>
              <Group>
                <Button color="yellow" loading={busy === 'create'}
                  onClick={() => replaceWith('create', () => api.createSmimeCertificate({ replaceFingerprint: cert.fingerprint }))}>
                  Replace the certificate
                </Button>
                <Button variant="default" onClick={() => setReplacing(false)}>Keep the current one</Button>
              </Group>
            </Stack>
          </Alert>
        )}
        <form ref={formRef} noValidate aria-label="Import the practice certificate" onSubmit={(e) => { e.preventDefault(); importP12(); }}>
          <Stack gap="sm">
            <Input.Wrapper id="smime-p12" label="Import from your certificate authority (.p12 / .pfx)" error={form.errors.p12}
              description="The file holds the certificate and its private key; ReleaseDesk keeps them in the encrypted vault. The password is used once and not stored.">
              <input id="smime-p12" type="file" accept=".p12,.pfx,application/x-pkcs12" aria-describedby={form.errors.p12 ? 'smime-p12-description smime-p12-error' : 'smime-p12-description'}
                aria-invalid={form.errors.p12 ? true : undefined} onChange={(e) => void onFile(e)} style={{ display: 'block', marginTop: 6 }} />
            </Input.Wrapper>
            {p12 ? (
              <Group align="flex-end">
                <PasswordInput id="smime-p12-password" label={`Password of ${p12.name}`} {...form.getInputProps('password')} w={320} />
                <Button type="submit" loading={busy === 'import'}>
                  Import certificate
                </Button>
              </Group>
            ) : null}
          </Stack>
        </form>
        <ErrorAlert error={error} title="The practice certificate was not changed" />
        <RevocationLists />
      </Stack>
    </Fieldset>
  );
}

/**
 * The CRLs in the vault (imported, or fetched from a certificate's distribution point and cached until their next
 * update) and an import for a CRL a certificate authority publishes. Recipient certificates are checked against them
 * at import and again at send.
 */
function RevocationLists() {
  const api = useSettingsStore.getState();
  const [crls, setCrls] = useState<SmimeCrlT[] | null>(null);
  const { busy, error, setError, run } = useAction();
  useEffect(() => {
    void api.smimeCrls()
      .then(setCrls)
      .catch((e: unknown) => setError(toApiError(e)));
  }, [api]); // eslint-disable-line react-hooks/exhaustive-deps -- read once; setError never changes
  const onFile = (e: ChangeEvent<HTMLInputElement>) => {
    const f = e.currentTarget.files?.[0];
    e.currentTarget.value = '';
    if (!f) return;
    void run(async () => {
      const bytes = new Uint8Array(await f.arrayBuffer());
      const text = new TextDecoder('latin1').decode(bytes);
      setCrls(await api.importSmimeCrl({ crl: text.includes('-----BEGIN X509 CRL-----') ? text : await base64Of(f) }));
    });
  };
  return (
    <Stack gap="xs" mt="sm">
      <Text fw={600}>Certificate revocation lists (CRLs)</Text>
      <Text size="sm">
        Recipients’ certificates are checked against their issuer’s revocation list when imported and again when a release is sent. ReleaseDesk
        fetches the list named in a certificate when it can; if it cannot, staff must accept the risk explicitly. A revoked certificate is refused.
      </Text>
      {crls && crls.length === 0 ? <Text size="sm" data-testid="crl-none">No revocation lists yet.</Text> : null}
      {crls && crls.length > 0 ? (
        <Stack gap={4} component="ul" style={{ paddingLeft: 18, margin: 0 }} data-testid="crl-list">
          {crls.map((c) => (
            <Text size="sm" component="li" key={c.sha256}>
              {c.issuer} — issued {formatDateTime(c.thisUpdate)}, next update {c.nextUpdate ? formatDateTime(c.nextUpdate) : 'not stated'}
              {c.stale ? ' (out of date)' : ''}; {c.source === 'fetch' ? `fetched from ${c.url ?? ''}` : `imported by ${c.addedBy}`}
            </Text>
          ))}
        </Stack>
      ) : null}
      <Input.Wrapper id="smime-crl" label="Import a revocation list (.crl / .pem)" description="From your recipients’ certificate authority. The same list twice changes nothing.">
        <input id="smime-crl" type="file" accept=".crl,.pem,application/pkix-crl" aria-describedby="smime-crl-description" disabled={busy !== null}
          onChange={onFile} style={{ display: 'block', marginTop: 6 }} />
      </Input.Wrapper>
      <ErrorAlert error={error} title="The revocation list was not imported" />
    </Stack>
  );
}
