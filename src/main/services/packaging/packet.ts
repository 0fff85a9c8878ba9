/**
 * The release packet: the selected record files as ONE PDF with a cover sheet, a
 * manifest page, the documents in order, and every page stamped with its release
 * number and "page n of N".
 */
import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import { deflateSync } from 'node:zlib';
import { PDFArray, PDFContentStream, PDFDocument, PDFName, PDFNumber, type PDFPage, type PDFPageLeaf, PDFPageTree, PDFRawStream, PDFRef } from 'pdf-lib';
import { CATEGORY_LABELS } from '../../../shared/compliance';
import { AppError } from '../../../shared/errors';
import { type FontSet, embedFonts, wrapText } from './fonts';
import { LETTER, type PacketSource, normalizeSource } from './inputs';
import { MANIFEST_FORMAT, type ManifestDocument, type PacketManifest, releaseNumber } from './manifest';
import { CONFIDENTIALITY_NOTICE, PART2_NOTICE, REDISCLOSURE_NOTICE } from './notices';
import { runQpdf } from './qpdf';
import { PageContent } from './page-content';
import { writePdf } from './pdf-writer';
import { Stamper } from './stamp';

/** Progress of a long packaging step: `done` of `total` units (sources, pages or bytes). */
export interface PackagingProgress {
  phase: 'normalize' | 'stamp' | 'save' | 'verify' | 'split' | 'encrypt';
  done: number;
  total: number;
}

/** Input of {@link assemblePacket}. */
export interface AssemblePacketInput {
  practice: { name: string };
  recipient: { name: string };
  /** Purpose of the disclosure as stated on the request or authorization (e.g. "At the request of the individual"). */
  purpose: string;
  /** The request reference (no PHI), e.g. "REQ-2026-0042". */
  reference: string;
  /** Prefix of the per-page release number, e.g. "RD-0042-"; [A-Za-z0-9._-], at most 24 characters. */
  releaseNumberPrefix: string;
  createdAt: Date;
  /** IANA time zone of the practice, e.g. "America/Chicago"; the cover's date is shown in it. */
  timeZone: string;
  sources: PacketSource[];
  /** Print the 42 CFR 2.32 notice: set when any source is a Part 2 (substance use disorder) record. */
  includePart2Notice: boolean;
  /**
   * Print the 45 CFR 164.508(c)(2)(iii) redisclosure notice: set when the disclosure is made under an authorization.
   * A right-of-access copy (164.524) is the individual's own, so it carries no such notice. Default true (the notice
   * errs on the side of saying it).
   */
  includeRedisclosureNotice?: boolean;
  onProgress?: (p: PackagingProgress) => void;
  /** Assets directory holding fonts/ (defaults to `<cwd>/assets`). */
  assetsRoot?: string;
}

/** Output of {@link assemblePacket}. */
export interface AssembledPacket {
  pdf: Uint8Array;
  pageCount: number;
  manifest: PacketManifest;
  /**
   * Characters of the cover or manifest no bundled font covers, as "U+XXXX" (drawn as a visible "�"). PHI-free
   * (code points, never the text): the caller logs them (e.g. `packet.glyph_missing`).
   */
  missingCharacters: string[];
}

const MANIFEST_ROWS_PER_PAGE = 15;

/**
 * Assemble the release packet.
 *
 * Page order: cover sheet (1 page), manifest page(s), then each source's pages in the order given.
 * Sources are normalized one at a time and their pages copied, so only one source document is
 * held besides the growing packet.
 *
 * @returns the packet PDF bytes, its page count, and the manifest (JSON-safe)
 * @throws AppError VALIDATION_FAILED (no sources, bad prefix or time zone), any error of
 *   {@link normalizeSource} (PDF_PASSWORD_REQUIRED, PDF_DAMAGED, IMAGE_UNSUPPORTED, ...),
 *   PAGE_COUNT_MISMATCH when the packet's pages do not add up to the sources' pages, FONT_MISSING.
 *   The 42 CFR 2.32 notice text follows the 2024 rule; the redisclosure notice 45 CFR 164.508(c)(2)(iii).
 */
export async function assemblePacket(input: AssemblePacketInput): Promise<AssembledPacket> {
  return (await assemblePacketDocument(input)).packet;
}

/**
 * {@link assemblePacket}, also handing back the pdf-lib document the packet was saved from, so the
 * password PDF can be written from it without parsing the saved bytes again (encryptDocumentAes256).
 * The document is already saved: its embedded font subsets are in its context.
 *
 * @returns the packet as {@link assemblePacket} returns it, and its document
 * @throws as {@link assemblePacket}
 */
export async function assemblePacketDocument(input: AssemblePacketInput): Promise<{ packet: AssembledPacket; doc: PDFDocument }> {
  const { sources, onProgress } = input;
  if (sources.length === 0) throw new AppError('VALIDATION_FAILED', 'Select at least one document for the release packet.');
  if (!/^[A-Za-z0-9._-]{0,24}$/.test(input.releaseNumberPrefix)) {
    throw new AppError('VALIDATION_FAILED', 'The release number prefix may use letters, digits, dot, dash and underscore (at most 24).');
  }
  const when = DateTime.fromJSDate(input.createdAt, { zone: input.timeZone });
  if (!when.isValid) throw new AppError('VALIDATION_FAILED', 'The practice time zone is not valid.');

  const out = await PDFDocument.create({ updateMetadata: false });
  out.setTitle(`Release packet ${input.reference}`);
  out.setProducer('ReleaseDesk');
  out.setCreator('ReleaseDesk');
  out.setCreationDate(input.createdAt);
  out.setModificationDate(input.createdAt);

  const coverTexts = [input.practice.name, input.recipient.name, input.purpose, input.reference];
  const fonts = await embedFonts(out, coverTexts, input.assetsRoot);
  const cover = out.addPage([...LETTER]);
  const manifestPageCount = Math.max(1, Math.ceil(sources.length / MANIFEST_ROWS_PER_PAGE));
  const manifestPages: PDFPage[] = [];
  for (let i = 0; i < manifestPageCount; i++) manifestPages.push(out.addPage([...LETTER]));

  const docs: Omit<ManifestDocument, 'firstReleaseNumber' | 'lastReleaseNumber'>[] = [];
  let expected = 1 + manifestPageCount;
  for (const [i, src] of sources.entries()) {
    onProgress?.({ phase: 'normalize', done: i, total: sources.length });
    const norm = await normalizeSource(src, input.assetsRoot);
    const first = out.getPageCount() + 1;
    const copied = await out.copyPages(norm.doc, norm.doc.getPageIndices());
    appendPages(out, copied);
    expected += norm.pageCount;
    if (copied.length !== norm.pageCount) {
      throw new AppError('PAGE_COUNT_MISMATCH', 'Not every page of a document could be put into the packet; the packet was not made.', {
        sourceId: src.id,
        expected: norm.pageCount,
        actual: copied.length,
      });
    }
    docs.push({
      index: i + 1,
      id: src.id,
      ...(src.category ? { category: src.category } : {}),
      ...(src.documentDate ? { documentDate: src.documentDate } : {}),
      mediaType: src.mediaType,
      sha256: norm.sha256,
      sourcePages: norm.pageCount,
      firstPage: first,
      lastPage: first + copied.length - 1,
      repaired: norm.repaired,
    });
  }
  onProgress?.({ phase: 'normalize', done: sources.length, total: sources.length });
  const total = out.getPageCount();
  if (total !== expected) {
    throw new AppError('PAGE_COUNT_MISMATCH', 'The packet does not have as many pages as its documents; the packet was not made.', { expected, actual: total });
  }
  const prefix = input.releaseNumberPrefix;
  const documents: ManifestDocument[] = docs.map((d) => ({ ...d, firstReleaseNumber: releaseNumber(prefix, d.firstPage), lastReleaseNumber: releaseNumber(prefix, d.lastPage) }));

  drawCover(cover, fonts, input, when, total, documents.length);
  drawManifestPages(manifestPages, fonts, input, documents);

  const pages = out.getPages();
  const stamper = new Stamper(fonts);
  for (const [i, page] of pages.entries()) {
    stamper.stamp(page, `${releaseNumber(prefix, i + 1)}   ·   Page ${i + 1} of ${total}`);
    if (i % 100 === 0) onProgress?.({ phase: 'stamp', done: i, total });
  }
  onProgress?.({ phase: 'stamp', done: total, total });

  onProgress?.({ phase: 'save', done: 0, total: 1 });
  compressDrawnContent(out);
  // pdf-lib's layout (object streams), written with native zlib and each object serialized once (pdf-writer.ts).
  const pdf = await writePdf(out);
  onProgress?.({ phase: 'save', done: 1, total: 1 });

  // Check the saved file the way a recipient's reader will: qpdf counts its pages.
  onProgress?.({ phase: 'verify', done: 0, total: 1 });
  const counted = await runQpdf(['--show-npages', '/p.pdf'], { '/p.pdf': pdf });
  if (counted.status !== 0 || Number(counted.stdout[0]) !== total) {
    throw new AppError('PAGE_COUNT_MISMATCH', 'The finished packet failed its page count check; it was not released.', { expected: total, actual: Number(counted.stdout[0] ?? -1) });
  }
  onProgress?.({ phase: 'verify', done: 1, total: 1 });

  const manifest: PacketManifest = {
    format: MANIFEST_FORMAT,
    reference: input.reference,
    releaseNumberPrefix: prefix,
    createdAt: input.createdAt.toISOString(),
    pageCount: total,
    coverPages: 1,
    manifestPages: manifestPageCount,
    documents,
    packetSha256: createHash('sha256').update(pdf).digest('hex'),
    packetBytes: pdf.length,
  };
  const missingCharacters = [...fonts.missing].sort((a, b) => a - b).map((cp) => `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`);
  return { packet: { pdf, pageCount: total, manifest, missingCharacters }, doc: out };
}

/**
 * Compress the content streams pdf-lib drew (an image source's page, the q / Q pdf-lib wraps each
 * page's own content in) with Node's native zlib now, instead of pdf-lib's pure-JS deflate at save
 * time. The cover, manifest and stamps are written compressed already (page-content.ts). Same FlateDecode filter (ISO 32000-1 §7.4.4), same bytes
 * once inflated; streams copied from the sources are left exactly as they were.
 */
function compressDrawnContent(doc: PDFDocument): void {
  for (const page of doc.getPages()) {
    const contents = page.node.get(PDFName.of('Contents'));
    const refs = contents instanceof PDFArray ? contents.asArray() : [contents];
    for (const ref of refs) {
      if (!(ref instanceof PDFRef)) continue;
      const stream = doc.context.lookup(ref);
      if (!(stream instanceof PDFContentStream)) continue;
      const dict = stream.dict.clone(doc.context);
      dict.set(PDFName.of('Filter'), PDFName.of('FlateDecode'));
      doc.context.assign(ref, PDFRawStream.of(dict, deflateSync(stream.getUnencodedContents())));
    }
  }
}

/** The parts of pdf-lib 1.17's PDFDocument that remember its pages (private in its types; see {@link appendPages}). */
interface PageBookkeeping {
  pageMap: Map<PDFPageLeaf, PDFPage>;
  pageCache: { invalidate(): void };
  pageCount: number | undefined;
}

/**
 * Append `pages` (copied into `doc`, not yet in its page tree) at the end of `doc`, under an intermediate page tree
 * node of their own below the root (ISO 32000-1 §7.7.3.2): same pages, same order, the root's /Count grown by
 * their number. One page is added as pdf-lib adds it (a leaf of the root).
 *
 * pdf-lib's addPage walks the root's kids to find the end and ascends the tree for each page, so adding n pages one
 * by one cost n steps each; here the node is made whole (its /Kids, /Count and each page's /Parent) and the root
 * gets one kid. pdf-lib's own record of the document's pages (its page cache and count) is then reset as its
 * insertPage resets it; the caller checks the page count against the sources' (PAGE_COUNT_MISMATCH) and qpdf
 * counts the saved file's pages.
 */
function appendPages(doc: PDFDocument, pages: PDFPage[]): void {
  const book = doc as unknown as Partial<PageBookkeeping>;
  const rootRef = doc.catalog.get(PAGES);
  if (pages.length < 2 || !(rootRef instanceof PDFRef) || !(book.pageMap instanceof Map) || typeof book.pageCache?.invalidate !== 'function') {
    for (const p of pages) doc.addPage(p);
    return;
  }
  const before = doc.getPageCount();
  const root = doc.catalog.Pages();
  const node = PDFPageTree.withContext(doc.context, rootRef);
  const nodeRef = doc.context.register(node);
  const kids = node.Kids();
  for (const page of pages) {
    kids.push(page.ref);
    page.node.setParent(nodeRef);
    book.pageMap.set(page.node, page);
  }
  node.set(COUNT, PDFNumber.of(pages.length));
  root.Kids().push(nodeRef);
  root.set(COUNT, PDFNumber.of(root.Count().asNumber() + pages.length));
  book.pageCache.invalidate();
  book.pageCount = before + pages.length;
}

const PAGES = PDFName.of('Pages');
const COUNT = PDFName.of('Count');

const LEFT = 54;
const WIDTH = LETTER[0] - 2 * LEFT;

function drawCover(page: PDFPage, fonts: FontSet, input: AssemblePacketInput, when: DateTime, total: number, docCount: number): void {
  const content = new PageContent(page, fonts);
  let y = LETTER[1] - 72;
  content.text('Release of Medical Records', { x: LEFT, y, size: 20, bold: true });
  y -= 16;
  content.line(LEFT, y, LEFT + WIDTH, y, 1, [0.2, 0.2, 0.2]);
  y -= 26;
  const rows: [string, string][] = [
    ['From (practice)', input.practice.name],
    ['To (recipient)', input.recipient.name],
    ['Purpose', input.purpose],
    ['Request reference', input.reference],
    ['Date', when.toFormat("LLLL d, yyyy, HH:mm ZZZZ")],
    ['Pages', `${total} pages in total, including this cover sheet`],
    ['Documents', `${docCount}`],
    ['Release numbers', `${releaseNumber(input.releaseNumberPrefix, 1)} to ${releaseNumber(input.releaseNumberPrefix, total)}`],
  ];
  for (const [label, value] of rows) {
    content.text(label, { x: LEFT, y, size: 11, bold: true });
    const lines = wrapText(value, WIDTH - 130, 11, fonts);
    for (const line of lines) {
      content.text(line, { x: LEFT + 130, y, size: 11 });
      y -= 16;
    }
    y -= 4;
  }
  y -= 10;
  const notices = [CONFIDENTIALITY_NOTICE, ...(input.includeRedisclosureNotice === false ? [] : [REDISCLOSURE_NOTICE]), ...(input.includePart2Notice ? [PART2_NOTICE] : [])];
  for (const notice of notices) {
    const lines = wrapText(notice, WIDTH - 16, 9, fonts);
    const h = lines.length * 12 + 10;
    content.strokeRect(LEFT, y - h + 12, WIDTH, h, 0.75, [0.4, 0.4, 0.4]);
    y -= 2;
    for (const line of lines) {
      content.text(line, { x: LEFT + 8, y, size: 9 });
      y -= 12;
    }
    y -= 16;
  }
  content.finish();
}

/**
 * How the manifest names a document: by what it is — its category and date of service ("Lab results, date of
 * service June 1, 2025") — else, when the caller gave none, by position and kind ("Document 2 (PDF)").
 */
export function documentTitle(d: Pick<ManifestDocument, 'index' | 'category' | 'documentDate' | 'mediaType'>): string {
  const label = d.category ? (CATEGORY_LABELS as Record<string, string>)[d.category] : undefined;
  const date = d.documentDate ? DateTime.fromISO(d.documentDate, { zone: 'utc' }) : null;
  const dated = date?.isValid ? `, date of service ${date.toFormat('LLLL d, yyyy')}` : '';
  if (label) return `${label}${dated}`;
  const kind = d.mediaType === 'application/pdf' ? 'PDF' : d.mediaType.replace(/^image\//, '').toUpperCase();
  return `Document ${d.index} (${kind})${dated}`;
}

function drawManifestPages(pages: PDFPage[], fonts: FontSet, input: AssemblePacketInput, documents: ManifestDocument[]): void {
  for (const [pi, page] of pages.entries()) {
    const content = new PageContent(page, fonts);
    let y = LETTER[1] - 72;
    content.text(`Manifest${pages.length > 1 ? ` (${pi + 1} of ${pages.length})` : ''}`, { x: LEFT, y, size: 16, bold: true });
    y -= 18;
    for (const line of wrapText(
      `Request ${input.reference}. Each document below is in this packet on the pages listed. SHA-256 is the digest of the document as it was selected for release; a machine-readable copy of this manifest accompanies the packet.`,
      WIDTH,
      9,
      fonts,
    )) {
      content.text(line, { x: LEFT, y, size: 9 });
      y -= 12;
    }
    y -= 10;
    for (const d of documents.slice(pi * MANIFEST_ROWS_PER_PAGE, (pi + 1) * MANIFEST_ROWS_PER_PAGE)) {
      const pagesText = d.sourcePages === 1 ? `page ${d.firstPage}` : `pages ${d.firstPage}–${d.lastPage}`;
      content.text(`${d.index}. ${documentTitle(d)} — packet ${pagesText}`, { x: LEFT, y, size: 9, bold: true });
      y -= 12;
      content.text(
        `${d.sourcePages} page${d.sourcePages === 1 ? '' : 's'}${d.repaired ? ' (repaired)' : ''}, release numbers ${d.firstReleaseNumber} to ${d.lastReleaseNumber}; document id ${d.id}`,
        { x: LEFT + 12, y, size: 8 },
      );
      y -= 11;
      content.text(`SHA-256 ${d.sha256}`, { x: LEFT + 12, y, size: 7.5 });
      y -= 18;
    }
    content.finish();
  }
}
