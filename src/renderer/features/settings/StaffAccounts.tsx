import { useCallback, useEffect, useState } from 'react';
import { Badge, Button, Checkbox, Fieldset, Group, PasswordInput, Select, Stack, Switch, Table, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import type { PracticeStaffViewT, SecuritySettingsT, StaffAccountT, StaffRoleT } from '../../../shared/contract';
import { DialogModal } from '../../components/DialogModal';
import { ErrorAlert } from '../../components/ErrorAlert';
import { toApiError, type ApiError } from '../../lib/call';
import { formatDate } from '../../lib/format';
import { ROLE_LABEL } from '../../../shared/roles';
import { useAppStore } from '../../lib/navigation';
import { useSettingsStore } from './store';

export { ROLE_LABEL };
const ROLE_OPTIONS = (Object.keys(ROLE_LABEL) as StaffRoleT[]).map((value) => ({ value, label: ROLE_LABEL[value] }));

/** Passphrase typed twice (new accounts and resets): both must match; strength is checked in main. */
function passphraseRules(v: { passphrase: string; confirm: string }) {
  return {
    passphrase: v.passphrase.length < 12 ? 'Use at least 12 characters, for example four unrelated words.' : null,
    confirm: v.confirm !== v.passphrase ? 'The two passphrases do not match.' : null,
  };
}

/**
 * Staff accounts (administrator only, issue #11): every person signs in with their own name and passphrase;
 * add a person, change another person's role (`accounts.setRole`, audited from → to; never your own, never the last
 * administrator), deactivate one (their passphrase stops working at once), reset a forgotten passphrase. Also the
 * practice's security settings: require two-step sign-in (MFA; accounts without it must set it up at their next
 * sign-in) and the two-person rule.
 *
 * On a workstation joined to the practice (issue #17), each account also shows whether it is practice-wide (it can
 * sign in on every joined workstation with the same name and passphrase) and where it has signed in, as of the last
 * sync; changes waiting for the practice server are named.
 */
export function StaffAccounts() {
  const [users, setUsers] = useState<StaffAccountT[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [resetFor, setResetFor] = useState<StaffAccountT | null>(null);
  const [deactivating, setDeactivating] = useState<StaffAccountT | null>(null);
  const [security, setSecurity] = useState<SecuritySettingsT | null>(null);
  const [practice, setPractice] = useState<PracticeStaffViewT | null>(null);
  const staff = useSettingsStore((st) => st.staff);
  const practiceStaff = useSettingsStore((st) => st.practiceStaff);
  const getSecurity = useSettingsStore((st) => st.getSecurity);
  const { setSecurity: saveSecurity, setRole, deactivate, resetPassphrase, addStaff } = useSettingsStore.getState();
  const myId = useAppStore((st) => st.info?.user?.id ?? null);
  const load = useCallback(() => {
    staff().then(setUsers, (e: unknown) => setError(toApiError(e)));
    getSecurity().then(setSecurity, (e: unknown) => setError(toApiError(e)));
    practiceStaff().then(setPractice, (e: unknown) => setError(toApiError(e)));
  }, [staff, getSecurity, practiceStaff]);
  const joined = practice?.joined === true;
  const practiceOf = (id: string) => practice?.accounts.find((a) => a.userId === id) ?? null;
  useEffect(load, [load]);

  const add = useForm({
    mode: 'controlled',
    initialValues: { name: '', role: 'front_desk' as StaffRoleT, passphrase: '', confirm: '' },
    validate: (v) => ({ name: v.name.trim() ? null : 'Enter the person’s name.', ...passphraseRules(v) }),
  });
  const reset = useForm({ mode: 'controlled', initialValues: { passphrase: '', confirm: '', resetMfa: false }, validate: passphraseRules });

  const run = async (what: () => Promise<unknown>, done: string) => {
    setError(null);
    setNotice(null);
    try {
      await what();
      setNotice(done);
      load();
      return true;
    } catch (e) {
      setError(toApiError(e));
      return false;
    }
  };

  const setSec = (next: SecuritySettingsT) => {
    const before = security;
    setSecurity(next); // the switch moves at once; put back if main refuses
    void run(async () => setSecurity(await saveSecurity(next)), 'Security settings saved.').then((ok) => ok || setSecurity(before));
  };

  return (
    <Fieldset legend="Staff accounts">
      <Stack gap="sm">
        <Text size="sm">
          Each person signs in with their own name and passphrase, so the audit log shows who did what. Deactivating a person stops their
          passphrase from working at once; the records vault is never re-encrypted.
        </Text>
        {joined ? (
          <Text size="sm">
            This workstation is joined to the practice. Practice-wide accounts sign in on any joined workstation with the same name and
            passphrase. Changes here reach the other workstations at the next sync; deactivating a practice-wide account also replaces the
            practice key, so that person can no longer open anything on the practice server.
            {practice?.asOf ? ` Sign-ins shown as of ${formatDate(practice.asOf.slice(0, 10))}.` : ' Sign-ins appear after the first sync.'}
          </Text>
        ) : null}
        {security ? (
          <Stack gap={6}>
            <Switch
              label="Require two-step sign-in (a code from an authenticator app) for every account"
              description="A person who has not set it up is asked to do so at their next sign-in, before anything else opens."
              checked={security.requireMfa}
              onChange={(e) => setSec({ ...security, requireMfa: e.currentTarget.checked })}
            />
            <Switch
              label="Two-person rule: a privacy officer must approve each third-party release under an authorization before it is sent"
              checked={security.twoPersonRule}
              onChange={(e) => setSec({ ...security, twoPersonRule: e.currentTarget.checked })}
            />
          </Stack>
        ) : null}
        {users ? (
          <Table aria-label="Staff accounts" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Role</Table.Th>
                <Table.Th>Two-step sign-in</Table.Th>
                <Table.Th>Status</Table.Th>
                {joined ? <Table.Th>Practice</Table.Th> : null}
                <Table.Th>Actions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {users.map((u) => (
                <Table.Tr key={u.id}>
                  <Table.Td>{u.name}</Table.Td>
                  <Table.Td>
                    {u.active && u.id !== myId ? (
                      <Select
                        aria-label={`Role of ${u.name}`}
                        data={ROLE_OPTIONS}
                        value={u.role}
                        allowDeselect={false}
                        w={170}
                        size="xs"
                        onChange={(v) => {
                          if (!v || v === u.role) return;
                          const role = v as StaffRoleT;
                          void run(() => setRole({ userId: u.id, role }), `${u.name} is now ${ROLE_LABEL[role].toLowerCase()}. It applies from their next sign-in.`);
                        }}
                      />
                    ) : (
                      <>
                        {ROLE_LABEL[u.role]}
                        {u.id === myId ? ' (you)' : ''}
                      </>
                    )}
                  </Table.Td>
                  <Table.Td>{u.mfaEnrolled ? 'On' : 'Off'}</Table.Td>
                  <Table.Td>{u.active ? <Badge color="green" variant="light">Active</Badge> : <Badge color="gray" variant="light">Deactivated {u.deactivatedAt ? formatDate(u.deactivatedAt.slice(0, 10)) : ''}</Badge>}</Table.Td>
                  {joined ? <Table.Td><PracticeCell info={practiceOf(u.id)} /></Table.Td> : null}
                  <Table.Td>
                    {u.active ? (
                      <Group gap="xs">
                        <Button size="xs" variant="default" onClick={() => { reset.reset(); setResetFor(u); }} aria-label={`Reset passphrase of ${u.name}`}>
                          Reset passphrase
                        </Button>
                        <Button size="xs" color="red" variant="light" onClick={() => setDeactivating(u)} aria-label={`Deactivate ${u.name}`}>
                          Deactivate
                        </Button>
                      </Group>
                    ) : null}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        ) : null}
        {resetFor ? (
          <form
            aria-label={`New passphrase for ${resetFor.name}`}
            onSubmit={reset.onSubmit((v) =>
              void run(() => resetPassphrase({ userId: resetFor.id, passphrase: v.passphrase, resetMfa: v.resetMfa }), `New passphrase set for ${resetFor.name}. Give it to them in person.`).then((ok) => ok && setResetFor(null)),
            )}
          >
            <Stack gap="xs">
              <Text fw={600}>New passphrase for {resetFor.name}</Text>
              <PasswordInput id="reset-passphrase" label="New passphrase" autoComplete="new-password" {...reset.getInputProps('passphrase')} />
              <PasswordInput id="reset-confirm" label="Type it again" autoComplete="new-password" {...reset.getInputProps('confirm')} />
              <Checkbox label="Also turn off their two-step sign-in (lost phone)" {...reset.getInputProps('resetMfa', { type: 'checkbox' })} />
              <Group>
                <Button type="submit">Set passphrase</Button>
                <Button variant="default" onClick={() => setResetFor(null)}>Cancel</Button>
              </Group>
            </Stack>
          </form>
        ) : null}
        <form
          aria-label="Add a staff account"
          onSubmit={add.onSubmit((v) =>
            void run(() => addStaff({ name: v.name.trim(), role: v.role, passphrase: v.passphrase }), `${v.name.trim()} was added. They sign in with their name and this passphrase.`).then((ok) => ok && add.reset()),
          )}
        >
          <Stack gap="xs">
            <Text fw={600}>Add a staff account</Text>
            <Group grow align="flex-start">
              <TextInput id="add-user-name" label="Name" description="Also the sign-in name" autoComplete="off" {...add.getInputProps('name')} />
              <Select id="add-user-role" label="Role" data={ROLE_OPTIONS} allowDeselect={false} {...add.getInputProps('role')} />
            </Group>
            <Group grow align="flex-start">
              <PasswordInput id="add-user-passphrase" label="First passphrase" autoComplete="new-password" {...add.getInputProps('passphrase')} />
              <PasswordInput id="add-user-confirm" label="Type it again" autoComplete="new-password" {...add.getInputProps('confirm')} />
            </Group>
            <Button type="submit" w="fit-content">Add account</Button>
          </Stack>
        </form>
        {notice ? <Text role="status" size="sm">{notice}</Text> : null}
        <ErrorAlert error={error} />
      </Stack>
      <DialogModal opened={deactivating !== null} onClose={() => setDeactivating(null)} title={deactivating ? `Deactivate ${deactivating.name}?` : 'Deactivate'}>
        <Stack gap="sm">
          <Text size="sm">
            {deactivating?.name} will no longer be able to sign in{joined ? ' on any workstation of the practice' : ''}, and a session they have open now ends at their next
            step. This cannot be undone: to let them work again, add a new account for them.
            {joined ? ' The practice key is replaced at the next sync, so a copy they may have kept opens nothing on the practice server.' : ''}
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setDeactivating(null)}>
              Keep the account
            </Button>
            <Button
              color="red"
              onClick={() => {
                const u = deactivating!;
                setDeactivating(null);
                void run(() => deactivate({ userId: u.id }), `${u.name} can no longer sign in.`);
              }}
            >
              Deactivate {deactivating?.name}
            </Button>
          </Group>
        </Stack>
      </DialogModal>
    </Fieldset>
  );
}

/** The Practice column: practice-wide or this workstation only, where the account signed in, what waits for the server. */
function PracticeCell({ info }: { info: PracticeStaffViewT['accounts'][number] | null }) {
  if (!info?.practiceWide) {
    return (
      <Text size="sm">
        {info?.waiting ? 'Becomes practice-wide at the next sync' : 'This workstation only (practice-wide after their next sign-in here)'}
      </Text>
    );
  }
  const places = info.signedInOn.map((s) => s.workstation);
  return (
    <Stack gap={2}>
      <Badge color="blue" variant="light" w="fit-content">Practice-wide</Badge>
      <Text size="sm">{places.length ? `Signed in on: ${places.join(', ')}` : 'No sign-ins reported yet'}</Text>
      {info.firstSignInHere ? <Text size="sm">First signed in here {formatDate(info.firstSignInHere.slice(0, 10))}</Text> : null}
      {info.waiting ? <Text size="sm">{info.waiting === 1 ? 'One change waits' : `${info.waiting} changes wait`} for the practice server</Text> : null}
    </Stack>
  );
}
