import { AppError } from '../../../../shared/errors';
import type { Part2Consent } from '../../../../shared/compliance';
import { PART2_NOTICE_TEXT } from '../rulepacks';
import { lintPart2Consent } from '../consent';
import { DocWriter } from './layout';

/** What the Part 2 consent scope sheet needs. */
export interface Part2ConsentScopeInput {
  practice: { name: string };
  /** The consent the disclosure relies on (must have no blocking finding at `now`). */
  consent: Part2Consent;
  /** The release reference printed on the sheet (PHI-free, e.g. "R-2026-00012"). */
  releaseReference: string;
  /** Instant of the disclosure and the practice's IANA time zone (the consent is re-checked for that day). */
  now: Date;
  timeZone: string;
  /** Assets root for fonts (defaults to `<cwd>/assets`). */
  assetsRoot?: string;
}

/**
 * The sheet that accompanies each disclosure made with a 42 CFR Part 2 consent: a clear explanation of the
 * scope of the consent (42 CFR 2.32(b), 2024 final rule text, compliance date 16 Feb 2026) — who may disclose,
 * what, to whom, for what purpose, until when, the right to revoke, the signature date — followed by the
 * §2.32(a) notice of prohibition on redisclosure. Put it into the release packet (as a source document) and
 * attach it to the PGP/MIME message; the gate returns the same scope as text in its '42 CFR 2.32(b)' notice.
 *
 * Returns PDF bytes (US Letter, DejaVu Sans embedded, "Page n of N"). The sheet names recipients and describes
 * the information, so it is PHI: keep it in the vault or inside the encrypted release, never as a temp file.
 * Metadata carries only the generic title.
 * @throws AppError VALIDATION_FAILED when the consent has a blocking finding at `now` (expired, revoked,
 *   an element missing: 42 CFR 2.31) — a disclosure must not rely on it
 */
export async function renderPart2ConsentScope(input: Part2ConsentScopeInput): Promise<Uint8Array> {
  const c = input.consent;
  if (lintPart2Consent(c, input.now, input.timeZone).some((f) => f.severity === 'block'))
    throw new AppError('VALIDATION_FAILED', 'This Part 2 consent is not valid now; no disclosure may rely on it.', { field: 'consent' });
  const w = await DocWriter.create(input.practice.name, 'Scope of the patient’s consent (42 CFR 2.32(b))', input.assetsRoot);
  w.title('Scope of the patient’s consent to disclose substance use disorder records');
  w.field('Release', input.releaseReference);
  w.paragraph(
    'The substance use disorder records in this release are disclosed with the written consent of the patient under 42 CFR 2.31. ' +
      'Federal law (42 CFR 2.32(b)) requires that each such disclosure carry a copy of the consent or a clear explanation of its scope. The consent allows only this:',
  );
  w.heading('What the consent allows');
  w.field('Who may disclose', c.discloser.trim());
  w.field('What information', c.informationDescription.trim(), 3);
  w.field('To whom', c.recipients.map((r) => r.trim()).filter(Boolean).join('; '), 2);
  w.field('For what purpose', c.purpose.trim(), 2);
  w.field('Valid', c.expiration.date ? `through ${c.expiration.date}` : `until: ${c.expiration.event ?? ''}`);
  w.field('Signed on', c.signature.date ?? '');
  w.paragraph(
    'The patient may revoke this consent at any time, except to the extent that action has already been taken in reliance on it (42 CFR 2.31(a)(6)). ' +
      'Any use or disclosure beyond this scope needs a new consent or another basis permitted by 42 CFR part 2.',
  );
  w.heading('Notice of prohibition on redisclosure (42 CFR 2.32(a))');
  w.paragraph(PART2_NOTICE_TEXT, { size: 9 });
  return w.finish();
}
