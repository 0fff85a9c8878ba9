/**
 * Forms in the renderer are @mantine/form forms validated by the shared zod schemas (src/shared): the rule that main
 * enforces at the trust boundary (dispatch parses every input) is the rule the form checks before sending, declared
 * once. The form shows each field's error in plain language; the schema decides what is valid.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { FormErrors } from '@mantine/form';
import type { z } from 'zod';
import { toApiError, type ApiError } from './call';
import { focusFirstInvalid } from './focus';

/**
 * One schema issue in staff's words: the screen's own message for its field — when it only asks to fill the field in
 * ("Enter …", "Choose …"), for a missing or empty value only; a length limit as such ("Use at most 200 characters."); the shared text rules' refusals (line breaks,
 * invisible or text-direction characters) as a sentence. A filled field is never told to be filled in.
 */
function plainIssue(issue: z.core.$ZodIssue, required: string | undefined): string {
  // A screen message that says more than "fill this in" covers every issue of its field.
  if (required !== undefined && !/^(Enter|Choose|Record|Describe) /.test(required)) return required;
  if (issue.code === 'too_big' && issue.origin === 'string') return `Use at most ${String(issue.maximum)} characters.`;
  if (issue.code === 'too_big' && issue.origin === 'array') return `Choose at most ${String(issue.maximum)}.`;
  if (issue.code === 'custom' && /^must (not contain|be a single line)/.test(issue.message)) {
    const m = issue.message.replace(/^must /, '');
    return `This must ${m.replace(/\.$/, '')}.`;
  }
  return required ?? issue.message;
}

/**
 * A `validate` function for `useForm` from a shared schema.
 *
 * The form's values are turned into the channel input with `toInput` and parsed with `schema`; each issue becomes the
 * error of the field at the issue's path (dotted, as @mantine/form names fields: "patient.name", "recipients.0.name"),
 * worded by `messages` (looked up by the path with list indexes as `*`: "recipients.*.name"), or the schema's own
 * message when `messages` has none. The first issue of a field wins. Never throws for bad input: `toInput` must
 * produce a value for any form state (for example `''` for an empty date).
 * @param schema a schema from src/shared whose paths match the form's field paths (e.g. SmtpSettingsInput)
 * @param toInput form values → the input the schema parses (text trimmed, numbers from number fields, empty optionals dropped)
 * @param messages field path pattern → the sentence shown under the field
 * @returns (values) → {} when the input parses, else `{ [fieldPath]: message }`
 */
export function zodValidate<V>(schema: z.ZodType, toInput: (values: V) => unknown, messages: Readonly<Record<string, string>> = {}): (values: V) => Record<string, string> {
  return (values) => {
    const parsed = schema.safeParse(toInput(values));
    if (parsed.success) return {};
    const errors: Record<string, string> = {};
    for (const issue of parsed.error.issues) {
      const path = issue.path.map(String).join('.');
      const pattern = issue.path.map((p) => (typeof p === 'number' ? '*' : String(p))).join('.');
      if (!(path in errors)) errors[path] = plainIssue(issue, messages[pattern]);
    }
    return errors;
  };
}

/** Errors of `extra` for fields `base` has no error for (schema errors first, then the screen's own rules). */
export function mergeErrors(base: FormErrors, extra: FormErrors): FormErrors {
  const out: FormErrors = { ...base };
  for (const [k, v] of Object.entries(extra)) if (v && !(k in out)) out[k] = v;
  return out;
}

/**
 * Before the first submit a form shows no errors; once `submitted`, it re-validates after every change, so an error
 * appears or goes as the field is edited. For a `useForm` whose `validate` option holds the rules.
 */
export function useLiveValidation(form: { values: unknown; validate: () => unknown }, submitted: boolean): void {
  useEffect(() => {
    if (submitted) form.validate();
  }, [submitted, form.values]); // eslint-disable-line react-hooks/exhaustive-deps
}

/**
 * An action that calls main: `run(fn, kind?, failTitle?)` sets `busy` to `kind` (true when not given) while `fn`
 * runs, clears the previous error, and turns what `fn` throws into `error` (coded, PHI-free: toApiError) with
 * `errorTitle` = `failTitle` (what did not happen, for the ErrorAlert's title; null when not given). `busy` is null
 * when idle. For buttons outside a form's submit (Test connection, Import, Check now), and the submit below.
 */
export function useAction<K extends string | true = true>() {
  const [busy, setBusy] = useState<K | null>(null);
  const [failure, setFailure] = useState<{ error: ApiError; title: string | null } | null>(null);
  /** Show `error` (null clears it), with an optional title. */
  const setError = (error: ApiError | null, title: string | null = null) => setFailure(error ? { error, title } : null);
  const run = async (fn: () => Promise<unknown>, kind?: K, failTitle?: string) => {
    setBusy(kind ?? (true as K));
    setFailure(null);
    try {
      await fn();
    } catch (e) {
      setFailure({ error: toApiError(e), title: failTitle ?? null });
    } finally {
      setBusy(null);
    }
  };
  return { busy, error: failure?.error ?? null, errorTitle: failure?.title ?? null, setError, run };
}

/** What the checked-form hooks need of a @mantine/form form. */
interface CheckedForm {
  values: unknown;
  validate: () => { hasErrors: boolean };
  clearErrors: () => void;
}

/**
 * Checking a form whose `validate` option holds the rules before its values are used (by a submit, or a button such
 * as "Test connection"): `check()` runs the rules, shows the errors (from then on after every change too,
 * {@link useLiveValidation}) and, with an error, moves the focus to the first invalid field (put `formRef` on the
 * <form>); it returns true when the values may be sent. `restart()` makes the form fresh again (no errors shown
 * until the next check) once its values were emptied, e.g. after a hold is placed.
 */
export function useFormCheck(form: CheckedForm) {
  const [submitted, setSubmitted] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  useLiveValidation(form, submitted);
  const check = (): boolean => {
    setSubmitted(true);
    if (!form.validate().hasErrors) return true;
    window.setTimeout(() => focusFirstInvalid(formRef.current), 0);
    return false;
  };
  const restart = () => {
    setSubmitted(false);
    form.clearErrors();
  };
  return { formRef, check, restart };
}

/**
 * The submit of a form whose `validate` option holds the rules ({@link useFormCheck}): with an error nothing is
 * sent; otherwise `run` is called with `busy` set, and what it throws becomes `error` (coded, PHI-free:
 * toApiError). `submit(run)` returns the form's onSubmit handler.
 */
export function useCheckedSubmit(form: CheckedForm) {
  const { formRef, check, restart } = useFormCheck(form);
  const action = useAction();
  const submit = (run: () => Promise<unknown>) => async (ev: FormEvent) => {
    ev.preventDefault();
    if (check()) await action.run(run);
  };
  return { formRef, busy: action.busy !== null, error: action.error, setError: action.setError, submit, restart };
}
