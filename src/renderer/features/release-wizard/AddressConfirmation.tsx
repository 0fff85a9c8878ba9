import { useEffect, useState } from 'react';
import { Alert, Button, Group, Paper, Stack, Text, TextInput } from '@mantine/core';
import type { AddressStatusT } from '../../../shared/contract';
import { ErrorAlert } from '../../components/ErrorAlert';
import { toApiError, type ApiError } from '../../lib/call';
import { formatDateTime } from '../../lib/format';
import { useWizardStore } from './store';

/**
 * The optional address confirmation round trip for the release's patient (`recipients.addressStatus`,
 * `recipients.sendCode`, `recipients.confirmCode`): "Send a confirmation code" → "Enter the code the patient reads
 * back" → "Confirmed on <date> by code". The email carries only a short code (no patient or request details).
 * `onConfirmed` runs once the address is confirmed (the Recipient step then needs no other confirmation).
 */
export function AddressConfirmation({ releaseId, email, onConfirmed }: { releaseId: string; email: string; onConfirmed?: (s: AddressStatusT) => void }) {
  const { addressStatus, sendAddressCode, confirmAddressCode } = useWizardStore.getState();
  // The status as last answered, with the address it is for (a changed address shows nothing until its own answer).
  const [answer, setAnswer] = useState<{ for: string; status: AddressStatusT } | null>(null);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState<'send' | 'confirm' | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  // Each code sent moves the focus to the code field once it is on screen.
  const [sends, setSends] = useState(0);
  useEffect(() => {
    if (sends > 0) document.getElementById('address-code')?.focus();
  }, [sends, busy]);
  const address = email.trim();
  const status = answer && answer.for === address ? answer.status : null;
  const setStatus = (st: AddressStatusT) => setAnswer({ for: address, status: st });

  useEffect(() => {
    let live = true;
    if (!address) return;
    addressStatus({ releaseId, email: address }).then(
      (s) => {
        if (!live) return;
        setAnswer({ for: address, status: s });
        if (s.confirmed) onConfirmed?.(s);
      },
      () => undefined, // an address that is not valid yet: the email field says why
    );
    return () => {
      live = false;
    };
    // onConfirmed is a callback from the parent; re-running for a new identity would only reload the same status.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [releaseId, address]);

  if (!address || !status) return null;

  if (status.confirmed) {
    return (
      <Alert color="teal" variant="light" role="status" title="Address confirmed" data-testid="address-confirmed">
        <Text size="sm">
          Confirmed on {formatDateTime(status.confirmed.at)} by code (the recipient read back the code emailed to {address}). Recorded by{' '}
          {status.confirmed.by}. Later releases for this patient to this address need no new confirmation.
        </Text>
      </Alert>
    );
  }

  const pending = status.pending;
  const usable = pending !== null && !pending.expired && pending.attemptsLeft > 0;

  const send = async () => {
    setBusy('send');
    setError(null);
    try {
      setStatus(await sendAddressCode({ releaseId, email: address }));
      setCode('');
      setSends((n) => n + 1);
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(null);
    }
  };

  const confirm = async () => {
    setBusy('confirm');
    setError(null);
    try {
      const s = await confirmAddressCode({ releaseId, email: address, code: code.trim() });
      setStatus(s);
      if (s.confirmed) onConfirmed?.(s);
    } catch (e) {
      setError(toApiError(e));
      // Tries left and expiry changed: show them.
      addressStatus({ releaseId, email: address }).then(setStatus, () => undefined);
    } finally {
      setBusy(null);
    }
  };

  const digits = code.replace(/[\s-]/g, '');
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="address-confirm-title">
      <Stack gap="xs">
        <Text fw={600} id="address-confirm-title">Confirm the address with a code (optional)</Text>
        <Text size="sm">
          ReleaseDesk emails a short code to <strong>{address}</strong>. The email says nothing about the patient or the records. Ask
          the recipient to read the code to you by phone or in person: then you know this address reaches them.
        </Text>
        {pending && usable ? (
          <Text size="sm" data-testid="code-pending">
            A code was sent on {formatDateTime(pending.sentAt)}. It works until {formatDateTime(pending.expiresAt)}
            {pending.attemptsLeft < 5 ? ` (${pending.attemptsLeft} ${pending.attemptsLeft === 1 ? 'try' : 'tries'} left)` : ''}.
          </Text>
        ) : null}
        {pending && !usable ? (
          <Text size="sm" c="orange.9">{pending.expired ? 'The last code has expired.' : 'The last code had too many wrong tries.'} Send a new code.</Text>
        ) : null}
        {usable ? (
          // Inside the Recipient form there can be no nested <form>: Enter in the code field confirms the code instead.
          <div role="group" aria-label="Code read back">
            <Group align="end" gap="sm">
              <TextInput id="address-code" label="Enter the code the patient reads back" description="6 digits, for example 123 456"
                inputMode="numeric" autoComplete="off" maxLength={7} w={330} value={code}
                onChange={(e) => setCode(e.currentTarget.value.replace(/[^0-9 -]/g, ''))}
                onKeyDown={(e) => {
                  if (e.key !== 'Enter') return;
                  e.preventDefault();
                  if (digits.length === 6) void confirm();
                }} />
              <Button type="button" loading={busy === 'confirm'} disabled={digits.length !== 6} onClick={() => void confirm()}>Confirm the address</Button>
            </Group>
          </div>
        ) : null}
        <ErrorAlert error={error} title={busy === null && error?.code.startsWith('ADDRESS_CODE') ? 'The address is not confirmed' : 'That did not work'} />
        <Group>
          <Button variant={usable ? 'subtle' : 'outline'} type="button" loading={busy === 'send'} onClick={() => void send()}>
            {pending ? 'Send a new code' : 'Send a confirmation code'}
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}
