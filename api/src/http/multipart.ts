// The busboy plumbing both streamed uploads share: form fields collected (NUL and over-long values refused),
// limits and malformed bodies turned into 422s, and the end of the body or of the client reported.
import type { Request } from 'express';
import type busboy from 'busboy';
import { AppError, invalid } from '../../../shared/src/errors/index.js';

export function collectFieldsAndEnd(
  bb: busboy.Busboy,
  req: Request,
  fields: Record<string, string>,
  settle: { resolve: () => void; reject: (err: unknown) => void },
): void {
  const { resolve, reject } = settle;
  bb.on('field', (name, value, info) => {
    if (info.valueTruncated) return reject(invalid(['body', name], 'Field value too long', 'string_too_long'));
    if (value.includes('\u0000')) return reject(invalid(['body', name], 'NUL characters are not allowed', 'string_nul'));
    fields[name] = value;
  });
  bb.on('partsLimit', () => reject(invalid(['body'], 'Too many parts')));
  bb.on('fieldsLimit', () => reject(invalid(['body'], 'Too many fields')));
  bb.on('filesLimit', () => reject(invalid(['body'], 'Only one file is accepted')));
  bb.on('error', () => reject(invalid(['body'], 'Malformed multipart/form-data body', 'multipart_invalid')));
  bb.on('close', () => resolve());
  req.on('aborted', () => reject(new AppError('validation_error', [{ loc: ['body'], msg: 'Request aborted', type: 'aborted' }])));
}
