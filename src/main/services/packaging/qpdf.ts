/**
 * qpdf (real qpdf 12, compiled to WebAssembly by @neslinesli93/qpdf-wasm 0.3.0),
 * run in-process on bytes held in an in-memory file system. Nothing touches the
 * disk, so no unencrypted temp file of a record is ever written.
 *
 * One fresh instance per call (its own memory and file system, so no earlier file is left behind), made
 * from one compiled WebAssembly module per process: V8 compiles qpdf's functions lazily, on first call, into
 * the module, so a process that keeps the module compiles them once instead of at every run.
 */
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';

// Not named `require`: the CommonJS build defines import.meta.url as `require("node:url")…` (scripts/forge/externals.mts),
// which a module-level `const require` would shadow (the bundle then threw "require$1 is not a function" at load).
const nodeRequire = createRequire(import.meta.url);

interface QpdfFs {
  writeFile(path: string, data: Uint8Array): void;
  readFile(path: string): Uint8Array;
  unlink(path: string): void;
}
interface QpdfInstance {
  callMain(args: string[]): number;
  FS: QpdfFs;
}
type QpdfFactory = (opts: { locateFile: () => string; noInitialRun: boolean }) => Promise<QpdfInstance>;

/** Result of one qpdf run: its exit status (0 ok, 2 error, 3 warnings only) and its captured output lines. */
export interface QpdfRun {
  /** qpdf's exit status: 0 success, 2 error, 3 success with warnings (e.g. a repaired cross-reference table). */
  status: number;
  /** Output files read back from the in-memory file system, by the name passed in `outputs`. */
  files: Map<string, Uint8Array>;
  /** Lines qpdf printed to stdout (e.g. `--show-npages`). Internal use only: may name virtual paths, never PHI-bearing names. */
  stdout: string[];
  /** Lines qpdf printed to stderr (warnings, errors). Internal use only; never surface to users or logs verbatim. */
  stderr: string[];
}

/**
 * Run qpdf with `args` on in-memory files.
 *
 * @param args qpdf's command line; refer to inputs and outputs by absolute virtual path, e.g. `/in.pdf`
 * @param inputs virtual path -> bytes, written before the run
 * @param outputs virtual paths to read back after the run (missing ones are simply absent from `files`)
 * @returns exit status, output files and captured output; never throws for qpdf's own failures
 *
 * qpdf's console output is captured (never printed: it could end up in a terminal or crash report),
 * and the Emscripten runtime's habit of setting `process.exitCode` on a non-zero exit is undone.
 */
export async function runQpdf(args: string[], inputs: Record<string, Uint8Array>, outputs: string[] = []): Promise<QpdfRun> {
  // One run at a time starts its runtime ({@link instantiateFromCompiled} swaps WebAssembly.instantiate meanwhile).
  const turn = starting.then(() => startRuntime(args, inputs, outputs));
  starting = turn.then(
    () => undefined,
    () => undefined,
  );
  return turn;
}

/** The runtime start of the runQpdf call before this one (runs start their runtimes one after another). */
let starting: Promise<void> = Promise.resolve();
/** The size of qpdf.wasm in bytes (how its buffer is told from others). */
let wasmSize: number | undefined;
/** qpdf.wasm compiled, once per process (functions compiled into it on first use stay compiled). */
let compiled: Promise<WebAssembly.Module> | undefined;

/**
 * Call `create` (which starts the Emscripten runtime) with WebAssembly.instantiate answering the runtime's one call
 * for qpdf.wasm (a buffer of `wasmBytes` bytes) with an instance of the module compiled once; any other call goes
 * to WebAssembly.instantiate itself. The swap lasts until the runtime is ready (or failed).
 */
async function instantiateFromCompiled<T>(wasmBytes: number, create: () => Promise<T>): Promise<T> {
  const original = WebAssembly.instantiate;
  const swapped = (async (source: unknown, imports?: WebAssembly.Imports) => {
    if (ArrayBuffer.isView(source) && source.byteLength === wasmBytes) {
      WebAssembly.instantiate = original;
      if (!compiled) {
        compiled = WebAssembly.compile(source as ArrayBufferView<ArrayBuffer>);
        compiled.catch(() => (compiled = undefined)); // a failed compile is tried again next time
      }
      const module = await compiled;
      return { module, instance: await WebAssembly.instantiate(module, imports) };
    }
    return (original as (s: unknown, i?: WebAssembly.Imports) => Promise<unknown>).call(WebAssembly, source, imports);
  }) as typeof WebAssembly.instantiate;
  WebAssembly.instantiate = swapped;
  try {
    return await create();
  } finally {
    if (WebAssembly.instantiate === swapped) WebAssembly.instantiate = original;
  }
}

async function startRuntime(args: string[], inputs: Record<string, Uint8Array>, outputs: string[]): Promise<QpdfRun> {
  const factory = nodeRequire('@neslinesli93/qpdf-wasm') as QpdfFactory;
  const wasmPath = nodeRequire.resolve('@neslinesli93/qpdf-wasm/dist/qpdf.wasm');
  wasmSize ??= statSync(wasmPath).size;
  const stdout: string[] = [];
  const stderr: string[] = [];
  // The module binds console.log/console.error synchronously when the factory is called: give it ours,
  // so nothing qpdf prints reaches the real console.
  /* eslint-disable no-console */
  const savedLog = console.log;
  const savedError = console.error;
  let pending: Promise<QpdfInstance>;
  console.log = (...a: unknown[]) => void stdout.push(a.map(String).join(' '));
  console.error = (...a: unknown[]) => void stderr.push(a.map(String).join(' '));
  const size = wasmSize;
  const q = await instantiateFromCompiled(size, () => {
    try {
      pending = factory({ locateFile: () => wasmPath, noInitialRun: true });
    } finally {
      console.log = savedLog;
      console.error = savedError;
    }
    return pending;
  });
  /* eslint-enable no-console */
  for (const [path, bytes] of Object.entries(inputs)) q.FS.writeFile(path, bytes);
  const savedExitCode = process.exitCode;
  let status: number;
  try {
    status = q.callMain(args);
  } catch (e) {
    const s = (e as { status?: unknown }).status;
    if (typeof s !== 'number') throw e;
    status = s;
  } finally {
    process.exitCode = savedExitCode;
  }
  const files = new Map<string, Uint8Array>();
  for (const path of outputs) {
    try {
      files.set(path, q.FS.readFile(path));
    } catch {
      /* not produced */
    }
  }
  for (const path of [...Object.keys(inputs), ...outputs]) {
    try {
      q.FS.unlink(path);
    } catch {
      /* absent */
    }
  }
  return { status, files, stdout, stderr };
}
