/**
 * Forms validate with the shared schemas (lib/form.ts): the rule main parses at the trust boundary is the rule the
 * form checks, each problem shown under its field in the form's words.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { line } from '../../../src/shared/text-rules';
import { channels } from '../../../src/shared/contract';
import { mergeErrors, zodValidate } from '../../../src/renderer/lib/form';
import { SMTP_MESSAGES, type SmtpValues } from '../../../src/renderer/components/SmtpFields';

const smtpInput = (v: SmtpValues) => ({
  host: v.host.trim(),
  port: Number(v.port),
  security: v.security,
  username: v.username.trim(),
  ...(v.password ? { password: v.password } : {}),
});
const validateSmtp = zodValidate<SmtpValues>(channels['settings.updateSmtp'].input, smtpInput, SMTP_MESSAGES);
const GOOD: SmtpValues = { host: 'smtp.example.test', port: 587, security: 'starttls', username: 'records@example.test', password: '' };

describe('zodValidate (forms checked by the shared schemas)', () => {
  it('a value the channel accepts has no errors (an empty password keeps the stored one)', () => {
    expect(validateSmtp(GOOD)).toEqual({});
  });

  it('each field the schema refuses gets its own plain sentence, by field path', () => {
    expect(validateSmtp({ ...GOOD, host: '   ', port: '', username: '' })).toEqual({
      host: 'Enter the email server name.',
      port: 'Enter a port between 1 and 65535.',
      username: 'Enter the email username.',
    });
    expect(validateSmtp({ ...GOOD, port: 70000 })).toEqual({ port: 'Enter a port between 1 and 65535.' });
  });

  it('list items are worded by their pattern ("rows.*.name") and reported at their own path; other fields fall back to the schema message', () => {
    const schema = z.object({ rows: z.array(z.object({ name: z.string().min(1) })), note: z.string().max(3, 'at most 3 characters') });
    const validate = zodValidate<{ rows: { name: string }[]; note: string }>(schema, (v) => v, { 'rows.*.name': 'Enter a name.' });
    expect(validate({ rows: [{ name: 'A' }, { name: '' }], note: 'long' })).toEqual({ 'rows.1.name': 'Enter a name.', note: 'Use at most 3 characters.' });
  });

  it('a filled field is never told to be filled in: a length limit and the text rules are said as such', () => {
    const schema = z.object({ name: line(200) });
    const validate = zodValidate<{ name: string }>(schema, (v) => v, { name: 'Enter the patient’s name.' });
    expect(validate({ name: '' })).toEqual({ name: 'Enter the patient’s name.' });
    expect(validate({ name: 'Z'.repeat(260) })).toEqual({ name: 'Use at most 200 characters.' });
    expect(validate({ name: 'Zyxwv \u202eTestpatient' })).toEqual({ name: 'This must not contain invisible or text-direction characters.' });
  });

  it('mergeErrors keeps the schema error of a field and adds the screen’s own rules for the others', () => {
    expect(mergeErrors({ a: 'schema' }, { a: 'own', b: 'own b' })).toEqual({ a: 'schema', b: 'own b' });
  });
});
