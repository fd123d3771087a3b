import { describe, expect, it } from 'vitest';
import { allowedExtensions, FILE_FORMATS, fileFormatOf, isXhtml } from './formats.js';

describe('the one table of material formats', () => {
  it('lists the extensions API.md accepts per source type, plus xhtml', () => {
    expect(allowedExtensions('video')).toEqual(['mp4', 'webm', 'mkv', 'avi', 'vtt', 'srt']);
    expect(allowedExtensions('presentation')).toEqual(['pdf', 'pptx']);
    expect(allowedExtensions('text')).toEqual(['md', 'markdown', 'txt', 'html', 'htm', 'xhtml', 'docx']);
    expect(allowedExtensions('web')).toEqual([]);
    expect(fileFormatOf('Chapter.XHTML')?.format).toBe('html');
    expect(fileFormatOf('talk.srt')?.format).toBe('subtitles');
    expect(fileFormatOf('podcast.mp3')).toBeUndefined();
    for (const f of Object.values(FILE_FORMATS)) expect(f.contentType).toMatch(/^[a-z]+\/[\w.+-]+$/);
  });
});

describe('isXhtml', () => {
  it('accepts an XML prolog, comments, processing instructions and an html doctype before <html>', () => {
    expect(isXhtml('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN" "http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml">')).toBe(true);
    expect(isXhtml('\uFEFF<?xml version="1.0"?><!-- built by DocBook --><?xml-stylesheet href="a.css"?><html>')).toBe(true);
    expect(isXhtml('<?xml version="1.0"?>\n<h:html xmlns:h="http://www.w3.org/1999/xhtml"/>')).toBe(true);
  });
  it('refuses XML whose document element is not html', () => {
    expect(isXhtml('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>')).toBe(false);
    expect(isXhtml('<?xml version="1.0"?><!DOCTYPE rss><rss version="2.0"/>')).toBe(false);
    expect(isXhtml('<?xml version="1.0"?><htmlx/>')).toBe(false);
    expect(isXhtml('<?xml version="1.0"?>')).toBe(false);
  });
});
