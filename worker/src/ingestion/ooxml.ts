// Small helpers over fast-xml-parser's order-preserving output for Office Open XML parts (PPTX here).
// Elements are matched by local name (the part after "p:", "a:"…), so unusual prefixes still work.
// Entity expansion keeps fast-xml-parser's default limits (billion-laughs protection).
import { posix } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { InputError } from '../input-error.js';

export type XmlNode = Record<string, unknown>;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  trimValues: false,
  parseTagValue: false,
  parseAttributeValue: false,
});

export function parseXml(xml: string, what: string): XmlNode[] {
  try {
    return parser.parse(xml) as XmlNode[];
  } catch {
    throw new InputError('corrupt', `the file is damaged: ${what} is not well-formed XML`);
  }
}

export function tagOf(node: XmlNode): string | null {
  for (const key of Object.keys(node)) if (key !== ':@') return key;
  return null;
}

export const localName = (tag: string) => tag.slice(tag.indexOf(':') + 1);

export function childrenOf(node: XmlNode): XmlNode[] {
  const tag = tagOf(node);
  const value = tag ? node[tag] : undefined;
  return Array.isArray(value) ? (value as XmlNode[]) : [];
}

export function attrsOf(node: XmlNode): Record<string, string> {
  return (node[':@'] as Record<string, string> | undefined) ?? {};
}

/** An attribute by local name, preferring a prefixed one (e.g. r:id over id) when asked. */
export function attr(node: XmlNode, local: string, prefixed = false): string | undefined {
  const attrs = attrsOf(node);
  for (const [key, value] of Object.entries(attrs)) {
    const isPrefixed = key.includes(':');
    if (localName(key) === local && isPrefixed === prefixed) return value;
  }
  return undefined;
}

export function isElement(node: XmlNode, local: string): boolean {
  const tag = tagOf(node);
  return tag !== null && tag !== '#text' && localName(tag) === local;
}

/** Depth-first search for elements with a local name, in document order. */
export function findAll(nodes: XmlNode[], local: string, out: XmlNode[] = []): XmlNode[] {
  for (const node of nodes) {
    if (isElement(node, local)) out.push(node);
    else findAll(childrenOf(node), local, out);
  }
  return out;
}

export function findFirst(nodes: XmlNode[], local: string): XmlNode | undefined {
  for (const node of nodes) {
    if (isElement(node, local)) return node;
    const hit = findFirst(childrenOf(node), local);
    if (hit) return hit;
  }
  return undefined;
}

/** Concatenated text of all #text nodes below. */
export function textOf(nodes: XmlNode[]): string {
  let out = '';
  for (const node of nodes) {
    if ('#text' in node) out += String(node['#text']);
    else out += textOf(childrenOf(node));
  }
  return out;
}

/** DrawingML paragraphs (a:p) below the nodes, each as text: runs and fields joined, a:br as a newline. */
export function drawingParagraphs(nodes: XmlNode[]): string[] {
  return findAll(nodes, 'p').map((p) => paragraphText(childrenOf(p)).trim()).filter((t) => t.length > 0);
}

function paragraphText(nodes: XmlNode[]): string {
  let out = '';
  for (const node of nodes) {
    if (isElement(node, 't')) out += textOf(childrenOf(node));
    else if (isElement(node, 'br')) out += '\n';
    else if (isElement(node, 'tab')) out += '\t';
    else if (!('#text' in node)) out += paragraphText(childrenOf(node));
  }
  return out;
}

export interface Relationship {
  id: string;
  type: string;
  /** Resolved path inside the archive (no leading slash); null for external targets. */
  target: string | null;
}

/** Parses a .rels part; targets are resolved against the folder of the part the rels belong to. */
export function parseRels(xml: string | null, sourcePart: string): Map<string, Relationship> {
  const rels = new Map<string, Relationship>();
  if (xml === null) return rels;
  const base = posix.dirname(sourcePart);
  for (const rel of findAll(parseXml(xml, `${sourcePart} relationships`), 'Relationship')) {
    const id = attr(rel, 'Id');
    const target = attr(rel, 'Target');
    if (!id || !target) continue;
    const external = attr(rel, 'TargetMode') === 'External';
    const resolved = target.startsWith('/') ? posix.normalize(target.slice(1)) : posix.normalize(posix.join(base, target));
    rels.set(id, { id, type: attr(rel, 'Type') ?? '', target: external || resolved.startsWith('..') ? null : resolved });
  }
  return rels;
}

/** "ppt/slides/slide3.xml" → "ppt/slides/_rels/slide3.xml.rels". */
export const relsPathOf = (part: string) => posix.join(posix.dirname(part), '_rels', `${posix.basename(part)}.rels`);
