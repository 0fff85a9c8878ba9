/**
 * Reading database rows into the shapes the services return: SQL columns are snake_case, domain fields camelCase.
 */

/** `patient_mrn` → `patientMrn` (a type: each `_x` becomes `X`). */
export type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;

/** The chosen columns of a row `R`, renamed to camelCase, their values' types unchanged. */
export type CamelPick<R, K extends keyof R & string> = { [P in K as CamelCase<P>]: R[P] };

/**
 * The columns `keys` of `row`, renamed to camelCase (`patient_mrn` → `patientMrn`; a name without `_` stays), values
 * as read (no conversion: parse JSON, numbers or flags yourself). Only the named columns are copied, so a column a
 * query adds later never leaks into what a service returns.
 * @param row one row as the driver returned it
 * @param keys the columns to keep, in the order they appear in the result
 * @returns a new object; `row` is not changed
 */
export function camelPick<R extends object, K extends keyof R & string>(row: R, keys: readonly K[]): CamelPick<R, K> {
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase())] = row[k];
  return out as CamelPick<R, K>;
}
