import { describe, expect, it } from 'vitest';
import { clip, foldWord, isCompleteSentence, isContentWord, looksLikeCode, sentences, stripSectionNumber, termOccurrences } from './text-analysis.js';

describe('text analysis', () => {
  it('folds plurals only', () => {
    expect(['lists', 'dictionaries', 'classes', 'boxes', 'status', 'analysis', 'list', 'indexing'].map(foldWord)).toEqual([
      'list',
      'dictionary',
      'class',
      'box',
      'status',
      'analysis',
      'list',
      'indexing',
    ]);
  });

  it('keeps content words and drops function words, filler and numbers', () => {
    expect(['list', 'Python', 'the', 'example', '2024', 'an', 'и', 'словарь'].map(isContentWord)).toEqual([true, true, false, false, false, false, false, true]);
  });

  it('splits sentences that are exact substrings, without list markers, headings or code', () => {
    const text = '## Slicing\n- Slicing returns a new list. It never changes the original!\n```python\nx = items[1:3]\n```\n1. Negative indexes count from the end.';
    const s = sentences(text);
    expect(s.map((x) => x.text)).toEqual(['Slicing', 'Slicing returns a new list.', 'It never changes the original!', 'Negative indexes count from the end.']);
    for (const x of s) expect(text.slice(x.start, x.start + x.text.length)).toBe(x.text);
  });

  it('finds unigram and bigram terms outside code, marking verb positions and sentence starts', () => {
    const occ = termOccurrences('The append method adds an item. Use `numbers.append(4)`.\n```\nignored_code()\n```');
    expect(occ.map((o) => o.key)).toEqual(['append', 'append method', 'method', 'method add', 'add', 'item']);
    expect(occ.find((o) => o.key === 'add')!.verbish).toBe(true);
    expect(occ.find((o) => o.key === 'method')!.verbish).toBeUndefined();
  });

  it('recognises code, clips at word boundaries, strips section numbers, knows a complete sentence', () => {
    expect(looksLikeCode('numbers = [1, 2, 3]')).toBe(true);
    expect(looksLikeCode('A list is an ordered collection of items.')).toBe(false);
    expect(clip('one two three four', 12)).toBe('one two…');
    expect(clip('short', 12)).toBe('short');
    expect(['16.1.1. Error Handling', '9. Classes', 'Chapter 8. I18N and L10N', '4.2 Managing accounts', 'A. Tools', 'A Word About Names', '2 steps', 'I18N'].map(stripSectionNumber)).toEqual([
      'Error Handling', 'Classes', 'I18N and L10N', 'Managing accounts', 'Tools', 'A Word About Names', '2 steps', 'I18N',
    ]);
    expect(isCompleteSentence('A namespace is a mapping from names to objects.')).toBe(true);
    for (const s of ['Syntax errors are perhaps the most common kind of complaint:', 'Classes provide a means', 'see the guide at https://example.org for more.', 'Read the <b>docs</b> first, then try it.', 'A &amp; B are both allowed here.']) {
      expect(isCompleteSentence(s), s).toBe(false);
    }
  });
});
