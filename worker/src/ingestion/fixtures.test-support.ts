// Real fixture files for the ingestion tests, generated on the fly: PDFs (pdf-lib, or raw objects for an
// encrypted one), OOXML zips (yazl), a hand-written zip writer for archives yazl refuses to make (lying sizes,
// "../" paths, zip bombs), and a short synthetic video (ffmpeg).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { constants, crc32, deflateRawSync } from 'node:zlib';
import yazl from 'yazl';
import { PDFDocument, StandardFonts } from 'pdf-lib';

export async function makeTmpDir(): Promise<{ dir: string; file(name: string): string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'cs-ingest-test-'));
  return { dir, file: (name) => join(dir, name), cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A PDF with one page per entry; each entry's lines are drawn top to bottom. */
export async function makePdf(pages: string[][], title?: string): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const lines of pages) {
    const page = doc.addPage([500, 700]);
    lines.forEach((line, i) => page.drawText(line, { x: 40, y: 640 - i * 20, size: 12, font }));
  }
  if (title) doc.setTitle(title);
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

/** A PDF written object by object (classic xref), e.g. to add an /Encrypt dictionary pdf-lib cannot write. */
export function rawPdf(objects: string[], trailerExtra = ''): Buffer {
  let out = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  out += offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('');
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R ${trailerExtra} >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** One page saying `text`, protected by a user password (standard security handler, RC4 40-bit). */
export function encryptedPdf(text: string): Buffer {
  const content = `BT /F1 12 Tf 40 600 Td (${text}) Tj ET`;
  const hex = (n: number, byte: string) => `<${byte.repeat(n)}>`;
  return rawPdf(
    [
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 500 700] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
      `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
      '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
      `<< /Filter /Standard /V 1 /R 2 /O ${hex(32, '5a')} /U ${hex(32, 'c3')} /P -4 >>`,
    ],
    `/Encrypt 6 0 R /ID [${hex(16, '01')} ${hex(16, '01')}]`,
  );
}

export async function makeZip(entries: Record<string, string | Buffer>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, data] of Object.entries(entries)) zip.addBuffer(Buffer.isBuffer(data) ? data : Buffer.from(data), name);
  zip.end();
  const parts: Buffer[] = [];
  for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) parts.push(chunk);
  return Buffer.concat(parts);
}

export interface RawEntry {
  name: string;
  /** Raw deflate data (method 8) written as is. */
  deflated: Buffer;
  crc: number;
  /** The uncompressed size written in both headers — it may lie. */
  declaredSize: number;
}

/** A zip written by hand: no validation of names or sizes (yazl rightly refuses to write these). */
export function rawZip(entries: RawEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(e.crc >>> 0, 14);
    local.writeUInt32LE(e.deflated.length, 18);
    local.writeUInt32LE(e.declaredSize >>> 0, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(e.crc >>> 0, 16);
    central.writeUInt32LE(e.deflated.length, 20);
    central.writeUInt32LE(e.declaredSize >>> 0, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, e.deflated);
    centrals.push(central, name);
    offset += local.length + name.length + e.deflated.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

export const rawEntry = (name: string, text: string): RawEntry => {
  const data = Buffer.from(text);
  return { name, deflated: deflateRawSync(data), crc: crc32(data), declaredSize: data.length };
};

/**
 * A deflate stream of `mib` MiB of zeros built the way zip bombs are: one full-flushed 1 MiB segment repeated,
 * then an empty final block — about 1 KiB per MiB, built in milliseconds.
 */
export function zerosBomb(mib: number): { deflated: Buffer; crc: number; size: number } {
  const MiB = Buffer.alloc(1024 * 1024);
  const segment = deflateRawSync(MiB, { finishFlush: constants.Z_FULL_FLUSH, level: 9 });
  const finalBlock = Buffer.from([0x03, 0x00]);
  let crc = 0;
  for (let i = 0; i < mib; i++) crc = crc32(MiB, crc);
  return { deflated: Buffer.concat([...Array.from({ length: mib }, () => segment), finalBlock]), crc, size: mib * 1024 * 1024 };
}

// ---------- OOXML ----------

const CT_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>';
const REL_NS = 'http://schemas.openxmlformats.org/package/2006/relationships';
const OFFICE_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const P_NS = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"';
const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const rels = (list: { id: string; type: string; target: string }[]) =>
  `${CT_HEAD}<Relationships xmlns="${REL_NS}">${list
    .map((r) => `<Relationship Id="${r.id}" Type="${OFFICE_REL}/${r.type}" Target="${r.target}"/>`)
    .join('')}</Relationships>`;

const para = (text: string) => `<a:p><a:r><a:rPr lang="en-US"/><a:t>${xmlEscape(text)}</a:t></a:r></a:p>`;
const shape = (id: number, ph: string | null, paragraphs: string[]) =>
  `<p:sp><p:nvSpPr><p:cNvPr id="${id}" name="Shape ${id}"/><p:cNvSpPr/><p:nvPr>${ph ? `<p:ph type="${ph}"/>` : ''}</p:nvPr></p:nvSpPr>` +
  `<p:spPr/><p:txBody><a:bodyPr/><a:lstStyle/>${paragraphs.map(para).join('')}</p:txBody></p:sp>`;
const spTree = (shapes: string) =>
  `<p:cSld><p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr/>${shapes}</p:spTree></p:cSld>`;

export interface SlideSpec {
  /** File name inside ppt/slides/, e.g. "slide10.xml". */
  file: string;
  title: string;
  body: string[];
  notes?: string[];
}

/** A PPTX whose presentation order is the order of `slides`, whatever their file names. */
export async function makePptx(slides: SlideSpec[], docTitle?: string): Promise<Buffer> {
  const entries: Record<string, string> = {};
  const overrides: string[] = [];
  slides.forEach((s, i) => {
    const base = s.file.replace(/\.xml$/, '');
    const slideRels: { id: string; type: string; target: string }[] = [];
    entries[`ppt/slides/${s.file}`] =
      `${CT_HEAD}<p:sld ${P_NS}>${spTree(shape(2, 'title', [s.title]) + shape(3, 'body', s.body) + shape(4, 'sldNum', [String(i + 1)]))}</p:sld>`;
    overrides.push(`<Override PartName="/ppt/slides/${s.file}" ContentType="application/vnd.openxmlformats-officedocument.presentationml.slide+xml"/>`);
    if (s.notes) {
      const notesFile = `notesSlide_${base}.xml`;
      slideRels.push({ id: 'rId2', type: 'notesSlide', target: `../notesSlides/${notesFile}` });
      entries[`ppt/notesSlides/${notesFile}`] =
        `${CT_HEAD}<p:notes ${P_NS}>${spTree(shape(2, 'sldImg', []) + shape(3, 'body', s.notes) + shape(4, 'sldNum', [String(i + 1)]))}</p:notes>`;
    }
    entries[`ppt/slides/_rels/${s.file}.rels`] = rels(slideRels);
  });
  const presRels = slides.map((s, i) => ({ id: `rId${i + 10}`, type: 'slide', target: `slides/${s.file}` }));
  entries['ppt/presentation.xml'] =
    `${CT_HEAD}<p:presentation ${P_NS}><p:sldIdLst>${slides
      .map((_, i) => `<p:sldId id="${256 + i}" r:id="rId${i + 10}"/>`)
      .join('')}</p:sldIdLst><p:sldSz cx="9144000" cy="6858000"/><p:notesSz cx="6858000" cy="9144000"/></p:presentation>`;
  entries['ppt/_rels/presentation.xml.rels'] = rels(presRels);
  entries['_rels/.rels'] = rels([
    { id: 'rId1', type: 'officeDocument', target: 'ppt/presentation.xml' },
    ...(docTitle ? [{ id: 'rId2', type: 'metadata/core-properties', target: 'docProps/core.xml' }] : []),
  ]);
  if (docTitle) {
    entries['docProps/core.xml'] =
      `${CT_HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>${xmlEscape(docTitle)}</dc:title></cp:coreProperties>`;
  }
  entries['[Content_Types].xml'] =
    `${CT_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/ppt/presentation.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"/>${overrides.join('')}</Types>`;
  return makeZip(entries);
}

export type DocxParagraph = { text: string; heading?: 1 | 2 | 3 };

const W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';

/** A DOCX with Word's built-in heading styles ("heading 1"…) declared in styles.xml. */
export async function makeDocx(paragraphs: DocxParagraph[], extra: Record<string, string | Buffer> = {}): Promise<Buffer> {
  const body = paragraphs
    .map((p) =>
      `<w:p>${p.heading ? `<w:pPr><w:pStyle w:val="Heading${p.heading}"/></w:pPr>` : ''}<w:r><w:t xml:space="preserve">${xmlEscape(p.text)}</w:t></w:r></w:p>`,
    )
    .join('');
  const styles = [1, 2, 3]
    .map((n) => `<w:style w:type="paragraph" w:styleId="Heading${n}"><w:name w:val="heading ${n}"/><w:basedOn w:val="Normal"/></w:style>`)
    .join('');
  return makeZip({
    '[Content_Types].xml': `${CT_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/></Types>`,
    '_rels/.rels': rels([{ id: 'rId1', type: 'officeDocument', target: 'word/document.xml' }]),
    'word/document.xml': `${CT_HEAD}<w:document ${W_NS}><w:body>${body}</w:body></w:document>`,
    'word/styles.xml': `${CT_HEAD}<w:styles ${W_NS}><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>${styles}</w:styles>`,
    'word/_rels/document.xml.rels': rels([{ id: 'rId1', type: 'styles', target: 'styles.xml' }]),
    ...extra,
  });
}

// ---------- media ----------

/** A `seconds`-long MP4: a colour video track and, unless `audio` is false, a 440 Hz sine audio track. */
export function makeVideo(path: string, seconds = 2, audio = true): void {
  const args = ['-nostdin', '-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `color=c=blue:s=160x120:d=${seconds}`];
  if (audio) args.push('-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=44100:duration=${seconds}`);
  args.push('-c:v', 'libx264', '-pix_fmt', 'yuv420p', ...(audio ? ['-c:a', 'aac', '-ac', '2'] : []), '-shortest', '-y', path);
  execFileSync('ffmpeg', args, { stdio: 'ignore' });
}

/** Audio stream facts of a media file, read with ffprobe. */
export function probeAudio(path: string): { sampleRate: number; channels: number; duration: number; codec: string } {
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'stream=sample_rate,channels,codec_name:format=duration', '-of', 'json', path]);
  const json = JSON.parse(out.toString()) as { streams: { sample_rate: string; channels: number; codec_name: string }[]; format: { duration: string } };
  const s = json.streams[0]!;
  return { sampleRate: Number(s.sample_rate), channels: s.channels, duration: Number(json.format.duration), codec: s.codec_name };
}

export const write = (path: string, data: string | Buffer) => writeFile(path, data);

/** Deterministic pseudo-random bytes (a fixed LCG), so "junk" fixtures are the same on every run. */
export function junkBytes(n: number, seed = 12345): Buffer {
  const out = Buffer.alloc(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}
