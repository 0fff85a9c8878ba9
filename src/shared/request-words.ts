/** Staff-facing words for a request's fields that both the screens and the main process show (PHI-free). */

/** The requested forms and formats (164.524(c)(2)) as the intake form offers them. */
export const FORMAT_OPTIONS: { value: string; label: string }[] = [
  { value: 'pdf', label: 'Electronic: PDF' },
  { value: 'ccda', label: 'Electronic: C-CDA' },
  { value: 'other_electronic', label: 'Electronic: other agreed format' },
  { value: 'paper', label: 'Paper copy' },
];

/** A request's form and format in the intake form's words ("Electronic: PDF"); a format recorded otherwise is named as written. */
export function formatLabel(form: { format: string; electronic: boolean }): string {
  const known = FORMAT_OPTIONS.find((o) => o.value === form.format);
  if (known) return known.label;
  return form.electronic ? `Electronic: ${form.format}` : `Paper: ${form.format}`;
}
