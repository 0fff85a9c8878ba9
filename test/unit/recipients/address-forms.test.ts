import { describe, expect, it } from 'vitest';
import { checkEmailAddress, envelopeAddress, requireValidEmail } from '../../../src/main/services/recipients/email';

describe('addresses as people paste them', () => {
  it('parses display-name forms and uses only the bare address', () => {
    for (const [typed, name] of [
      ['Jane Roe <jane.roe@clinic.example>', 'Jane Roe'],
      ['"Roe, Jane" <jane.roe@clinic.example>', 'Roe, Jane'],
      ['<jane.roe@clinic.example>', null],
      ['  Jane Roe   <jane.roe@clinic.example>  ', 'Jane Roe'],
    ] as const) {
      const r = checkEmailAddress(typed);
      expect(r, typed).toMatchObject({ valid: true, address: 'jane.roe@clinic.example', displayName: name, problem: null });
      expect(requireValidEmail(typed)).toBe('jane.roe@clinic.example');
    }
  });

  it('offers the cleaned address for a trailing dot, comma or semicolon, mailto:, quotes, a tab or inner spaces — never applied silently', () => {
    const cases: [string, RegExp][] = [
      ['jane.roe@clinic.example.', /ends with “\.”/],
      ['jane.roe@clinic.example,', /ends with “,”/],
      ['jane.roe@clinic.example;', /ends with “;”/],
      ['mailto:jane.roe@clinic.example', /mailto:/],
      ['MAILTO:jane.roe@clinic.example?subject=Records', /mailto:/],
      ['jane.roe@clinic.example\t', /blank character/],
      ['\u00a0jane.roe@clinic.example', /blank character/],
      ['jane.roe @clinic.example', /blank character/],
      ['"jane.roe@clinic.example"', /quotes/],
      ['Jane Roe <mailto:jane.roe@clinic.example>,', /mailto:/],
    ];
    for (const [typed, problem] of cases) {
      const r = checkEmailAddress(typed);
      expect(r, JSON.stringify(typed)).toMatchObject({ valid: false, suggestion: 'jane.roe@clinic.example' });
      expect(r.problem, JSON.stringify(typed)).toMatch(problem);
      expect(() => requireValidEmail(typed), JSON.stringify(typed)).toThrow(expect.objectContaining({ code: 'ADDRESS_NEEDS_FIX' }));
      try {
        requireValidEmail(typed);
      } catch (e) {
        expect((e as Error).message).not.toContain('jane.roe');
      }
    }
    // Plain spaces at the ends are a typing habit: ignored.
    expect(requireValidEmail('  jane.roe@clinic.example ')).toBe('jane.roe@clinic.example');
  });

  it('suggests the intended domain from the wider typo table (outlook.co, gmail.cm, hotmial.com, yahoo.co, iclod.com)', () => {
    for (const [typed, meant] of [
      ['pat@outlook.co', 'pat@outlook.com'],
      ['pat@gmail.cm', 'pat@gmail.com'],
      ['pat@hotmial.com', 'pat@hotmail.com'],
      ['pat@yahoo.co', 'pat@yahoo.com'],
      ['pat@iclod.com', 'pat@icloud.com'],
      ['pat@comcast.ne', 'pat@comcast.net'],
    ]) {
      expect(checkEmailAddress(typed!), typed).toMatchObject({ valid: true, suggestion: meant });
    }
    // Institutional and reserved domains are never "corrected".
    expect(checkEmailAddress('pat@mayo.edu').suggestion).toBeNull();
    expect(checkEmailAddress('pat@outlook.com').suggestion).toBeNull();
  });

  it('accepts an internationalised domain with a look-alike warning and writes it as A-labels for the envelope', () => {
    const r = checkEmailAddress('jane@bücher.example');
    expect(r).toMatchObject({ valid: true, address: 'jane@bücher.example' });
    expect(r.warning).toMatch(/non-Latin/);
    expect(envelopeAddress('jane@bücher.example')).toBe('jane@xn--bcher-kva.example');
    expect(envelopeAddress('jane@clinic.example')).toBe('jane@clinic.example');
  });

  it('accepts a non-ASCII local part (in NFC) with a warning that the email server must support international addresses', () => {
    const nfd = 'ju\u0308rgen@clinic.example';
    const r = checkEmailAddress(nfd);
    expect(r).toMatchObject({ valid: true, address: 'jürgen@clinic.example' });
    expect(r.warning).toMatch(/SMTPUTF8/);
    expect(requireValidEmail(nfd)).toBe('jürgen@clinic.example');
  });
});
