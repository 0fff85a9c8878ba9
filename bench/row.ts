/**
 * One row of `npm run bench`: a task, its input, our figure and the reference tool's figure in the same run
 * (milliseconds; null when that side did not run), and a note (ratios, load average, what was measured).
 */
export interface BenchRow {
  task: string;
  input: string;
  ours: string;
  oursMs: number | null;
  reference: string;
  refMs: number | null;
  note?: string;
}
