/**
 * Child process for measuring streaming encrypt+sign: `npx tsx bench/openpgp-encrypt-child.ts IN OUT KEYS.json`
 * where KEYS.json is `{ "encryptionKeysArmored": [...], "signingKeyArmored": "..." }`.
 * Prints one JSON line: { bytesIn, bytesOut, ms, baseRss, peakRss, samples } (bytes, milliseconds), RSS
 * sampled every 10 ms with process.memoryUsage().rss; `samples` holds [plaintext bytes read, rss] pairs. Used by bench/run.ts and test/unit/openpgp/stream.test.ts.
 */
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { encryptAndSignStream } from '../src/main/services/openpgp/stream';

async function main(): Promise<void> {
  const [inPath, outPath, keysPath] = process.argv.slice(2);
  if (!inPath || !outPath || !keysPath) throw new Error('usage: IN OUT KEYS.json');
  const keys = JSON.parse(readFileSync(keysPath, 'utf8')) as { encryptionKeysArmored: string[]; signingKeyArmored: string };
  const baseRss = process.memoryUsage().rss;
  let peakRss = baseRss;
  let bytesIn = 0;
  const samples: [number, number][] = [];
  const timer = setInterval(() => {
    const rss = process.memoryUsage().rss;
    peakRss = Math.max(peakRss, rss);
    samples.push([bytesIn, rss]);
  }, 10);
  const t0 = performance.now();
  const r = await encryptAndSignStream(createReadStream(inPath, { highWaterMark: 2 ** 20 }), createWriteStream(outPath), { ...keys, filename: 'release-packet.pdf' }, (p) => {
    bytesIn = p.bytesIn;
  });
  const ms = performance.now() - t0;
  clearInterval(timer);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  process.stdout.write(`${JSON.stringify({ ...r, ms, baseRss, peakRss, samples })}\n`);
}

void main();
