/**
 * The coded error (`AppError` / wire error shape) a refused call rejected with.
 * @throws Error "expected a refusal" when `p` resolves
 */
export async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string; detail?: Record<string, unknown> }> {
  return (await p.then(
    () => {
      throw new Error('expected a refusal');
    },
    (e: unknown) => e,
  )) as { code: string; message: string; detail?: Record<string, unknown> };
}
