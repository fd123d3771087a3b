// Duplicate keys in one raw JSON text (JSON.parse silently keeps the last one, so lines are scanned as text).
export function duplicateKeys(text: string): string[] {
  const dups: string[] = [];
  const stack: ({ keys: Set<string>; expectKey: boolean } | null)[] = []; // null: an array level
  let i = 0;
  const readString = (): string => {
    let out = '';
    i++; // opening quote
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') {
        out += text.slice(i, i + 2);
        i += 2;
      } else out += text[i++];
    }
    i++; // closing quote
    return out;
  };
  while (i < text.length) {
    const c = text[i] as string;
    const top = stack.at(-1);
    if (c === '{') {
      stack.push({ keys: new Set(), expectKey: true });
      i++;
    } else if (c === '[') {
      stack.push(null);
      i++;
    } else if (c === '}' || c === ']') {
      stack.pop();
      i++;
    } else if (c === ',') {
      if (top) top.expectKey = true;
      i++;
    } else if (c === '"') {
      const s = readString();
      if (top?.expectKey) {
        if (top.keys.has(s)) dups.push(s);
        top.keys.add(s);
        top.expectKey = false;
      }
    } else i++;
  }
  return dups;
}
