// @vitest-environment jsdom
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { AuthorizationForm } from '../../../src/renderer/features/authorizations/AuthorizationForm';
import type { ChannelInput, AuthorizationRecordT } from '../../../src/shared/contract';
import type { Finding } from '../../../src/shared/compliance';
import { installDomStubs, installFakeApi, ok, renderUi } from './harness';

beforeAll(installDomStubs);
afterEach(cleanup);

type SaveInput = ChannelInput<'authorizations.save'>;

/** A tiny stand-in for the linter: enough rules to see findings come and go (the real linter is tested in main). */
function fakeLint(a: SaveInput['authorization']): Finding[] {
  const f: Finding[] = [];
  if (!a.informationDescription?.trim())
    f.push({ code: 'AUTH_ELEMENT_DESCRIPTION', severity: 'block', citation: '45 CFR 164.508(c)(1)(i)', message: 'The authorization is missing a specific description of the information to be disclosed.' });
  if (!a.statements.redisclosure)
    f.push({ code: 'AUTH_STATEMENT_REDISCLOSURE', severity: 'block', citation: '45 CFR 164.508(c)(2)(iii)', message: 'The authorization is missing the required statement that the recipient may redisclose the information.' });
  if (!a.copyGivenToIndividual)
    f.push({ code: 'AUTH_COPY_NOT_GIVEN', severity: 'warn', citation: '45 CFR 164.508(c)(4)', message: 'Give the individual a copy of the signed authorization.' });
  return f;
}

function fakeSave() {
  let n = 0;
  return (input: SaveInput) => {
    n++;
    const findings = fakeLint(input.authorization);
    const rec: AuthorizationRecordT = {
      id: `auth_00000${n}`,
      requestId: input.requestId,
      authorization: { id: `auth_00000${n}`, ...input.authorization } as AuthorizationRecordT['authorization'],
      findings,
      valid: findings.every((x) => x.severity !== 'block'),
      signedFormDocumentId: null,
      createdAt: '2026-03-03T14:05:00.000Z',
      updatedAt: '2026-03-03T14:05:00.000Z',
    };
    return ok(rec);
  };
}

describe('AuthorizationForm', () => {
  it('saves after the user pauses (debounced) and lists each finding with its CFR citation beside the form', async () => {
    const fake = installFakeApi({ 'authorizations.save': fakeSave() });
    renderUi(<AuthorizationForm requestId="req_000001" record={null} />);
    expect(fake.callsTo('authorizations.save')).toHaveLength(0); // nothing saved before an edit

    const desc = screen.getByLabelText('Specific description of the information');
    fireEvent.change(desc, { target: { value: 'Visit' } });
    fireEvent.change(desc, { target: { value: 'Visit notes 2025' } });
    const list = await screen.findByRole('list', { name: 'Authorization findings' }, { timeout: 3000 });
    // Debounced: one save, with the last value.
    expect(fake.callsTo('authorizations.save')).toHaveLength(1);
    expect((fake.callsTo('authorizations.save')[0] as SaveInput).authorization.informationDescription).toBe('Visit notes 2025');
    expect((fake.callsTo('authorizations.save')[0] as SaveInput).authorizationId).toBeUndefined();

    const items = within(list).getAllByRole('listitem');
    expect(items.map((i) => i.getAttribute('data-code'))).toEqual(['AUTH_STATEMENT_REDISCLOSURE', 'AUTH_COPY_NOT_GIVEN']); // blocks first
    expect(within(items[0]!).getByText('45 CFR 164.508(c)(2)(iii)')).toBeTruthy();
    expect(within(items[0]!).getByText('Blocks sending')).toBeTruthy();
    expect(within(items[0]!).getByText(/redisclose/)).toBeTruthy();
    expect(within(items[1]!).getByText('Warning')).toBeTruthy();
    expect(within(items[1]!).getByText('45 CFR 164.508(c)(4)')).toBeTruthy();

    // Fixing the statement replaces the saved authorization (by its id) and the finding disappears.
    fireEvent.click(screen.getByLabelText(/\(iii\) The information may be redisclosed/));
    await waitFor(() => expect(fake.callsTo('authorizations.save')).toHaveLength(2), { timeout: 3000 });
    expect((fake.callsTo('authorizations.save')[1] as SaveInput).authorizationId).toBe('auth_000001');
    await waitFor(() => expect(screen.queryByText('45 CFR 164.508(c)(2)(iii)')).toBeNull());
    expect(screen.getByText('45 CFR 164.508(c)(4)')).toBeTruthy();
  });

  it('shows the findings of an authorization already on file without saving again', () => {
    const fake = installFakeApi({});
    const findings: Finding[] = [{ code: 'AUTH_EXPIRED', severity: 'block', citation: '45 CFR 164.508(b)(2)(i)', message: 'The authorization expired at the end of 2026-01-31.' }];
    const record = fakeSave()({
      requestId: 'req_000001',
      authorization: {
        informationDescription: 'Visit notes', categories: ['visit_notes'], disclosers: ['Lakeside Test Clinic'], recipients: ['Qwfp Insurer'], purposes: ['claim'],
        expiration: { date: '2026-01-31' }, signature: { signed: true, date: '2026-01-02', signerRole: 'patient' },
        statements: { rightToRevoke: true, conditioning: true, redisclosure: true }, copyGivenToIndividual: true,
      },
    }).value;
    renderUi(<AuthorizationForm requestId="req_000001" record={{ ...record, findings, valid: false }} />);
    const list = screen.getByRole('list', { name: 'Authorization findings' });
    expect(within(list).getByText('The authorization expired at the end of 2026-01-31.')).toBeTruthy();
    expect(within(list).getByText('45 CFR 164.508(b)(2)(i)')).toBeTruthy();
    expect((screen.getByLabelText('Expiration date (inclusive)') as HTMLInputElement).value).toBe('2026-01-31');
    expect(fake.calls).toHaveLength(0);
  });
});
