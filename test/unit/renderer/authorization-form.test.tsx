// @vitest-environment jsdom
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { AuthorizationForm } from '../../../src/renderer/features/authorizations/AuthorizationForm';
import { Part2ConsentForm } from '../../../src/renderer/features/authorizations/Part2ConsentForm';
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

describe('AuthorizationForm checks what main would refuse before saving', () => {
  it('an invisible or direction-changing character in the description is shown under the field and nothing is saved', async () => {
    const fake = installFakeApi({ 'authorizations.save': fakeSave() });
    renderUi(<AuthorizationForm requestId="req_000001" record={null} />);
    fireEvent.change(screen.getByLabelText('Specific description of the information'), { target: { value: 'Visit notes\u202E2025' } });
    expect(await screen.findByText(/remove unusual characters/, {}, { timeout: 3000 })).toBeTruthy();
    expect(fake.callsTo('authorizations.save')).toHaveLength(0);
    // Corrected: the error goes and the authorization is saved.
    fireEvent.change(screen.getByLabelText('Specific description of the information'), { target: { value: 'Visit notes 2025' } });
    await waitFor(() => expect(fake.callsTo('authorizations.save')).toHaveLength(1), { timeout: 3000 });
    expect(screen.queryByText(/remove unusual characters/)).toBeNull();
  });

  it('lists typed one per line are saved trimmed, empty optional dates left out', async () => {
    const fake = installFakeApi({ 'authorizations.save': fakeSave() });
    renderUi(<AuthorizationForm requestId="req_000001" record={null} />);
    fireEvent.change(screen.getByLabelText('Who may receive (one per line)'), { target: { value: ' Qwfp Insurer \n\nLakeside Test Clinic' } });
    await waitFor(() => expect(fake.callsTo('authorizations.save')).toHaveLength(1), { timeout: 3000 });
    const saved = (fake.callsTo('authorizations.save')[0] as SaveInput).authorization;
    expect(saved.recipients).toEqual(['Qwfp Insurer', 'Lakeside Test Clinic']);
    expect(saved.expiration).toEqual({});
    expect(saved.signature).toEqual({ signed: false, signerRole: 'patient' });
  });
});

describe('Part2ConsentForm', () => {
  it('saves the consent as typed (SUD category, recipients by line) and shows its findings', async () => {
    const fake = installFakeApi({
      'part2Consents.save': (input: ChannelInput<'part2Consents.save'>) =>
        ok({ id: 'p2c_000001', requestId: input.requestId, consent: { id: 'p2c_000001', ...input.consent }, findings: [], valid: true, createdAt: '2026-03-03T14:05:00.000Z', updatedAt: '2026-03-03T14:05:00.000Z' } as never),
    });
    renderUi(<Part2ConsentForm requestId="req_000001" />);
    fireEvent.click(screen.getByLabelText('(1) The patient is named'));
    fireEvent.change(screen.getByLabelText('(2) Who may disclose (program or person)'), { target: { value: 'Lakeside Test Clinic' } });
    fireEvent.change(screen.getByLabelText('(4) Recipients (one per line)'), { target: { value: 'Qwfp Insurance Co\n' } });
    fireEvent.change(screen.getByLabelText('(7) Expiration date'), { target: { value: '2027-12-31' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save consent' }));
    await screen.findByText('Valid: every element of 42 CFR 2.31 is present.');
    const input = fake.callsTo('part2Consents.save')[0] as ChannelInput<'part2Consents.save'>;
    expect(input.consent).toMatchObject({ patientNamed: true, discloser: 'Lakeside Test Clinic', categories: ['substance_use_disorder'], recipients: ['Qwfp Insurance Co'], expiration: { date: '2027-12-31' }, signature: { signed: false } });
  });

  it('a control character in the purpose is refused under the field; nothing is sent', async () => {
    const fake = installFakeApi({});
    renderUi(<Part2ConsentForm requestId="req_000001" />);
    fireEvent.change(screen.getByLabelText('(5) Purpose of the disclosure'), { target: { value: 'Claim\u0007' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save consent' }));
    expect(await screen.findByText(/remove unusual characters/)).toBeTruthy();
    expect(fake.calls).toHaveLength(0);
  });
});
