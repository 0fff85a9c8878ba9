import { useEffect, useRef, useState } from 'react';
import { Fieldset, Grid, Stack, Text } from '@mantine/core';
import { useForm } from '@mantine/form';
import type { AuthorizationRecordT } from '../../../shared/contract';
import { RepresentativeAuthority } from './RepresentativeAuthority';
import { toApiError, type ApiError } from '../../lib/call';
import { useAuthorizationsStore } from './store';
import { authorizationValues, toAuthorization, validateAuthorization, type AuthorizationDraft, type AuthorizationValues, type KeptFacts } from './authorization-form';
import { AuthorizationFields } from './AuthorizationFields';
import { AuthorizationCheckPanel } from './AuthorizationCheckPanel';
import { RevocationFields, type RevocationT } from './RevocationFields';

export type { AuthorizationDraft };

/** Debounce between the last edit and the save that returns the linter's findings. */
export const AUTH_SAVE_DEBOUNCE_MS = 600;

/** An empty authorization (what a new form saves before anything is typed). */
export function emptyAuthorization(): AuthorizationDraft {
  return toAuthorization(authorizationValues());
}

/**
 * Authorization entry (45 CFR 164.508): every core element of (c)(1), the
 * required statements of (c)(2), signature and date, a personal
 * representative's authority, expiration date or event, compound-document
 * facts (b)(3)/(b)(4), and revocation (b)(5). The fields are a @mantine/form form checked by the shared schema
 * (AuthorizationInput); each edit is saved (debounced, `authorizations.save`, replacing the current authorization)
 * and the linter's findings are shown beside the form with their CFR citations.
 */
export function AuthorizationForm(props: { requestId: string; record: AuthorizationRecordT | null; onSaved?: (r: AuthorizationRecordT) => void }) {
  // Calls to main (the store's actions never change, so reading them once per render is enough).
  const api = useAuthorizationsStore.getState();
  const initial = props.record?.authorization;
  const [dirty, setDirty] = useState(false);
  const form = useForm<AuthorizationValues>({
    mode: 'controlled',
    initialValues: authorizationValues(initial),
    validate: validateAuthorization,
    onValuesChange: () => setDirty(true),
  });
  const [record, setRecord] = useState<AuthorizationRecordT | null>(props.record);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  // The id of the authorization the next save replaces, and the save in flight (saves run one at a time).
  const idRef = useRef<string | null>(props.record?.id ?? null);
  const inFlight = useRef<Promise<void> | null>(null);
  // What saves carry on unchanged (the form does not edit them).
  const kept = useRef<KeptFacts>({ revocation: initial?.revocation, authorityEvidence: initial?.signature.authorityEvidence });
  const onSaved = useRef(props.onSaved);
  useEffect(() => {
    onSaved.current = props.onSaved;
  }, [props.onSaved]);

  const keep = (r: AuthorizationRecordT) => {
    idRef.current = r.id;
    setRecord(r);
    onSaved.current?.(r);
  };

  const save = async (draft: AuthorizationDraft) => {
    if (inFlight.current) await inFlight.current; // one save at a time, each replacing the previous one
    const run = (async () => {
      setSaving(true);
      try {
        const saved = await api.save({
          requestId: props.requestId,
          ...(idRef.current ? { authorizationId: idRef.current } : {}),
          authorization: draft,
        });
        setError(null);
        keep(saved);
      } catch (e) {
        setError(toApiError(e));
      } finally {
        setSaving(false);
      }
    })();
    inFlight.current = run;
    await run;
    inFlight.current = null;
  };

  useEffect(() => {
    if (!dirty) return;
    const t = setTimeout(() => {
      setDirty(false);
      // What main would refuse is shown under its field instead of being sent.
      if (form.validate().hasErrors) return;
      void save(toAuthorization(form.getValues(), kept.current));
    }, AUTH_SAVE_DEBOUNCE_MS);
    return () => clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- save reads refs; re-arm on every edit
  }, [form.values, dirty]);

  const attachSigned = () => {
    if (!idRef.current) return;
    setError(null);
    // Invoked synchronously inside the click: the preview's file chooser needs the user gesture.
    const pending = api.attachSignedForm({ authorizationId: idRef.current });
    void pending.then(keep, (e: unknown) => setError(toApiError(e)));
  };
  const revoke = async (revocation: RevocationT) => {
    if (!idRef.current || !revocation.receivedDate) return;
    try {
      const r = await api.revoke({ authorizationId: idRef.current, revocation });
      kept.current = { ...kept.current, revocation: r.authorization.revocation };
      setRecord(r);
      onSaved.current?.(r);
    } catch (e) {
      setError(toApiError(e));
    }
  };

  const representative =
    record?.authorization.signature.signerRole === 'personal_representative' ? (
      <RepresentativeAuthority requestId={props.requestId} target="authorization_signer" evidence={record.authorization.signature.authorityEvidence}
        onRecorded={(d) => d.authorization && keep(d.authorization)} />
    ) : null;

  return (
    <Grid gap="lg">
      <Grid.Col span={{ base: 12, md: 7 }}>
        <Stack gap="md" component="form" aria-label="Authorization" onSubmit={(e) => e.preventDefault()}>
          <AuthorizationFields form={form} representative={representative} />
          {record ? (
            <Fieldset legend="Revocation — (b)(5)">
              {record.authorization.revocation ? (
                <Text>Revoked: received {record.authorization.revocation.receivedDate} ({record.authorization.revocation.method}).</Text>
              ) : (
                <RevocationFields ids={{ date: 'auth-revocation-date', method: 'auth-revocation-method' }} onRevoke={(r) => void revoke(r)} />
              )}
            </Fieldset>
          ) : null}
        </Stack>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 5 }}>
        <AuthorizationCheckPanel requestId={props.requestId} record={record} checking={saving || dirty} error={error} onAttachSigned={attachSigned} />
      </Grid.Col>
    </Grid>
  );
}
