/**
 * Walks every channel input of the contract (the trust boundary) and proves two rules for all of them:
 * every array has an upper bound, and every string is bounded and — when it is free text that can reach a document,
 * a mail header or a log — refuses NUL and other control characters and bidi/zero-width characters
 * (src/shared/text-rules.ts). Secrets are named exemptions: they are never drawn, sent in a header or logged.
 */
import { describe, expect, it } from 'vitest';
import { checkEmailAddress } from '../../src/main/services/recipients/email';
import { channels } from '../../src/shared/contract';
import { armoredText, line, paragraph } from '../../src/shared/text-rules';

interface Node {
  _zod: { def: { type: string; checks?: Array<{ _zod: { def: { check: string; maximum?: number; minimum?: number; format?: string; pattern?: RegExp } } }> } & Record<string, unknown> };
  safeParse(v: unknown): { success: boolean };
}
/** Fields whose values are secrets (passphrases, passwords, the words a passphrase must not contain) — never text. */
const SECRET_FIELDS = new Set(['passphrase', 'password', 'hints[]']);
/** Fields checked by a dedicated service rule instead (proved below). */
const EMAIL_FIELDS = new Set(['email']);

interface Finding {
  path: string;
  problem: string;
}

function walkContract(): { findings: Finding[]; arrays: number; strings: number; textFields: number } {
  const findings: Finding[] = [];
  let arrays = 0;
  let strings = 0;
  let textFields = 0;
  const checksOf = (n: Node) => (n._zod.def.checks ?? []).map((c) => c._zod.def);
  const leaf = (path: string) => path.slice(path.lastIndexOf('.') + 1);

  const walkString = (root: Node, whole: Node, path: string) => {
    strings++;
    const checks = checksOf(root);
    const max = checks.find((c) => c.check === 'max_length')?.maximum;
    const fmt = checks.find((c) => c.check === 'string_format');
    const boundedPattern = fmt?.pattern !== undefined && !/[+*]|\{\d+,\}/.test(fmt.pattern.source);
    if (max === undefined && !(fmt && fmt.format !== 'regex') && !boundedPattern) findings.push({ path, problem: 'string without an upper bound' });
    if (fmt) return; // a format or pattern admits no free text
    if (SECRET_FIELDS.has(leaf(path)) || EMAIL_FIELDS.has(leaf(path))) return;
    textFields++;
    const min = checks.find((c) => c.check === 'min_length')?.minimum ?? 0;
    const half = 'a'.repeat(Math.ceil(Math.max(min, 4) / 2));
    for (const [name, ch] of [['NUL', '\u0000'], ['ESC', '\u001b'], ['RIGHT-TO-LEFT OVERRIDE', '\u202e'], ['ZERO WIDTH SPACE', '\u200b'], ['lone surrogate', '\ud800']] as const) {
      if (whole.safeParse(half + ch + half).success) findings.push({ path, problem: `free text accepts ${name}` });
    }
  };

  const walk = (n: Node, path: string): void => {
    const def = n._zod.def as Node['_zod']['def'] & Record<string, Node & Record<string, unknown>>;
    switch (def.type) {
      case 'object':
        for (const [k, v] of Object.entries(def.shape as unknown as Record<string, Node>)) walk(v, `${path}.${k}`);
        return;
      case 'array':
        arrays++;
        if (checksOf(n).find((c) => c.check === 'max_length') === undefined) findings.push({ path, problem: 'array without an upper bound' });
        walk(def.element as Node, `${path}[]`);
        return;
      case 'optional':
      case 'nullable':
      case 'default':
      case 'prefault':
      case 'readonly':
      case 'catch':
      case 'nonoptional':
        walk(def.innerType as Node, path);
        return;
      case 'pipe': {
        let root = def.in as Node;
        while (root._zod.def.type === 'pipe') root = root._zod.def.in as unknown as Node;
        if (root._zod.def.type === 'string') walkString(root, n, path);
        else walk(def.in as Node, path);
        return;
      }
      case 'union':
        (def.options as unknown as Node[]).forEach((o, i) => walk(o, `${path}|${i}`));
        return;
      case 'intersection':
        walk(def.left as Node, path);
        walk(def.right as Node, path);
        return;
      case 'record':
        walk(def.keyType as Node, `${path}{key}`);
        walk(def.valueType as Node, `${path}{value}`);
        return;
      case 'tuple':
        (def.items as unknown as Node[]).forEach((o, i) => walk(o, `${path}[${i}]`));
        return;
      case 'string':
        walkString(n, n, path);
        return;
      default:
        return; // numbers, booleans, enums, literals: bounded by nature
    }
  };
  for (const [name, c] of Object.entries(channels)) walk((c as unknown as { input: Node }).input, name);
  return { findings, arrays, strings, textFields };
}

describe('the contract at the trust boundary', () => {
  it('bounds every array and every string, and every free-text field refuses control, bidi, zero-width and broken characters', () => {
    const { findings, arrays, strings, textFields } = walkContract();
    expect(findings).toEqual([]);
    // The walk really reached the contract's depth (authorizations, consents, intake …).
    expect(arrays).toBeGreaterThanOrEqual(15);
    expect(strings).toBeGreaterThan(100);
    expect(textFields).toBeGreaterThan(40);
  });

  it('an array over its bound is refused (10,000 passphrase hints), at its bound accepted', () => {
    const input = channels['setup.checkPassphrase'].input;
    expect(input.safeParse({ passphrase: 'x', hints: Array.from({ length: 10_000 }, () => 'h') }).success).toBe(false);
    expect(input.safeParse({ passphrase: 'x', hints: Array.from({ length: 10 }, () => 'h') }).success).toBe(true);
  });

  it('the email fields the walk leaves to the address check are refused there: NUL, ESC, bidi and zero-width', () => {
    for (const ch of ['\u0000', '\u001b', '\u202e', '\u200b']) expect(checkEmailAddress(`jane${ch}roe@clinic.example`).valid).toBe(false);
  });

  it('one rule: a line refuses line breaks, a paragraph keeps them (CRLF → LF), both store NFC; armor is ASCII only', () => {
    expect(line(50).safeParse('Jane\nRoe').success).toBe(false);
    expect(paragraph(50).parse('first\r\nsecond')).toBe('first\nsecond');
    expect(line(50).parse('Nguye\u0302\u0303n')).toBe('Nguyễn'.normalize('NFC'));
    expect(paragraph(50).safeParse('fine\u202Etext').success).toBe(false);
    expect(paragraph(5).safeParse('too long here').success).toBe(false);
    expect(armoredText().safeParse('-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nabc\n').success).toBe(true);
    expect(armoredText().safeParse('-----BEGIN PGP\u202e').success).toBe(false);
  });
});
