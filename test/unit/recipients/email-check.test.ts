/**
 * checkEmailAddress: typo suggestions only towards curated consumer mail domains, look-alikes flagged,
 * invisible/bidi characters refused (the cases a new-user trial reported, and their neighbours).
 */
import { describe, expect, it } from 'vitest';
import { checkEmailAddress, homoglyphTarget, requireValidEmail } from '../../../src/main/services/recipients/email';

describe('checkEmailAddress', () => {
  it('suggests gmail.com for the reported gmial.com, keeping the local part as typed', () => {
    expect(checkEmailAddress('zyxwv.testpatient@gmial.com')).toMatchObject({ valid: true, suggestion: 'zyxwv.testpatient@gmail.com', problem: null, warning: null });
    expect(checkEmailAddress('Zyxwv.T+records@yaho.com').suggestion).toBe('Zyxwv.T+records@yahoo.com');
    expect(checkEmailAddress('a@hotmial.com').suggestion).toBe('a@hotmail.com');
  });

  it.each(['a@example.test', 'a@mayo.edu', 'a@va.gov', 'a@army.mil', 'a@lawfirm.example.test', 'a@clinic.example.com', 'a@hospital.org', 'a@gmail.com', 'a@comcast.net', 'a@proton.me', 'a@gmx.de'])(
    'no suggestion for %s (institutional, reserved, unknown or already a curated domain)',
    (addr) => {
      const r = checkEmailAddress(addr);
      expect(r.valid).toBe(true);
      expect(r.suggestion).toBeNull();
      expect(r.warning).toBeNull();
    },
  );

  it('never suggests for a quoted local part (no %22 mangling)', () => {
    const r = checkEmailAddress('"a b"@gmial.com');
    expect(r.valid).toBe(true);
    expect(r.suggestion).toBeNull();
  });

  it('flags digit/letter homoglyphs of curated domains as a warning', () => {
    for (const [addr, target] of [
      ['a@gmai1.com', 'gmail.com'],
      ['a@y4hoo.com', null],
      ['a@0utlook.com', 'outlook.com'],
      ['a@rnsn.com', 'msn.com'],
      ['a@hotrnail.com', 'hotmail.com'],
      ['a@vvebmail.test', null],
    ] as const) {
      const r = checkEmailAddress(addr);
      if (target) {
        expect(r.warning, addr).toContain(target);
        expect(r.suggestion, addr).toBe(`a@${target}`);
      } else expect(r.warning, addr).toBeNull();
    }
    expect(homoglyphTarget('gmail.com')).toBeNull();
    expect(homoglyphTarget('ao1.com')).toBe('aol.com');
  });

  it('warns on punycode / non-ASCII domains', () => {
    expect(checkEmailAddress('a@xn--gmil-6na.com').warning).toMatch(/non-Latin/);
  });

  it.each(['\u200B', '\u200F', '\u2060', '\uFEFF', '\u202A', '\u202E', '\u2066', '\u2069'])('refuses U+%s anywhere in the address', (ch) => {
    for (const addr of [`zyxwv${ch}@gmail.com`, `zyxwv@gm${ch}ail.com`, `${ch}zyxwv@gmail.com`, `zyxwv@gmail.com${ch}`]) {
      const r = checkEmailAddress(addr);
      expect(r.valid, JSON.stringify(addr)).toBe(false);
      expect(r.problem).toMatch(/invisible/);
      expect(() => requireValidEmail(addr)).toThrow(expect.objectContaining({ code: 'INVALID_EMAIL' }));
    }
  });

  it('still refuses CR/LF as header injection', () => {
    expect(() => requireValidEmail('a@b.example.test\r\nBcc: x@y.test')).toThrow(expect.objectContaining({ code: 'HEADER_INJECTION' }));
  });
});
