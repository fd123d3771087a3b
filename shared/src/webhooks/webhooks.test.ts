import { createHmac, timingSafeEqual } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { webhookBackoffMs, webhookRetryWindowMs } from './backoff.js';
import { buildWebhookPayload, serializeWebhookPayload, WebhookPayloadSchema } from './payload.js';
import { decryptSecret, encryptSecret, generateWebhookSecret, parseAppKey, SecretDecryptionError } from './secret-crypto.js';
import { parseSignatureHeader, signPayload, verifySignature } from './signature.js';

describe('signatures', () => {
  const body = '{"event":"reviewed","score":67}';

  it('signs t.<raw body> with HMAC-SHA256 as the README snippet verifies it', () => {
    const header = signPayload('s3cret', 1_700_000_000, body);
    const expected = createHmac('sha256', 's3cret').update(`1700000000.${body}`).digest('hex');
    expect(header).toBe(`t=1700000000,v1=${expected}`);
    // the receiver snippet from signature.ts
    const [t, v1] = header.split(',').map((p) => p.split('=')[1]!);
    const mac = createHmac('sha256', 's3cret').update(`${t}.${body}`).digest('hex');
    expect(timingSafeEqual(Buffer.from(mac), Buffer.from(v1!))).toBe(true);
  });

  it('verifies within the tolerance and rejects tampering, other secrets, stale or malformed headers', () => {
    const now = 1_700_000_000;
    const header = signPayload('s3cret', now, body);
    expect(verifySignature('s3cret', header, body, 300, now + 299)).toBe(true);
    expect(verifySignature('s3cret', header, Buffer.from(body), 300, now - 10)).toBe(true);
    expect(verifySignature('s3cret', header, body.replace('67', '100'), 300, now)).toBe(false);
    expect(verifySignature('other', header, body, 300, now)).toBe(false);
    expect(verifySignature('s3cret', header, body, 300, now + 301)).toBe(false);
    expect(verifySignature('s3cret', header.replace(/t=\d+/, `t=${now + 1}`), body, 300, now)).toBe(false);
    for (const bad of ['', 'garbage', 't=abc,v1=00', `v1=${'a'.repeat(64)}`, null, undefined]) {
      expect(verifySignature('s3cret', bad, body, 300, now)).toBe(false);
    }
    // several v1 values (receiver rotating secrets): any match counts
    const withOld = `${header},v1=${'0'.repeat(64)}`;
    expect(parseSignatureHeader(withOld)?.signatures).toHaveLength(2);
    expect(verifySignature('s3cret', withOld, body, 300, now)).toBe(true);
  });
});

describe('buildWebhookPayload', () => {
  it('builds the API.md body for reviewed and failed events', () => {
    const reviewed = buildWebhookPayload({
      event: 'reviewed',
      submission_id: 'sub-1',
      student_external_id: 'stu-1',
      review: { passed: false, score: 33, verdict: 'incorrect', review_text: '## Score', response_language: 'uk' },
      timestamp: new Date(Date.UTC(2025, 0, 2, 3, 4, 5)),
    });
    expect(reviewed).toEqual({
      event: 'reviewed',
      submission_id: 'sub-1',
      student_external_id: 'stu-1',
      review: { passed: false, score: 33, verdict: 'incorrect', review_text: '## Score', response_language: 'uk' },
      reason: null,
      timestamp: '2025-01-02T03:04:05.000Z',
    });
    expect(Object.keys(JSON.parse(serializeWebhookPayload(reviewed)))).toEqual([
      'event',
      'submission_id',
      'student_external_id',
      'review',
      'reason',
      'timestamp',
    ]);
    const failed = buildWebhookPayload({
      event: 'failed',
      submission_id: 'sub-2',
      student_external_id: 'stu-1',
      review: null,
      reason: 'the archive was refused: it has more than 2,000 entries',
    });
    expect(failed.review).toBeNull();
    expect(WebhookPayloadSchema.parse(failed)).toEqual(failed);
    expect(() => buildWebhookPayload({ event: 'failed', submission_id: 's', student_external_id: 'x', review: null })).toThrow(/reason/);
    expect(() => buildWebhookPayload({ event: 'reviewed', submission_id: 's', student_external_id: 'x', review: null })).toThrow(/review/);
  });
});

describe('webhookBackoffMs', () => {
  it('doubles from 1 minute, capped at 1 hour, giving ≥ 5 attempts over ≥ 10 minutes', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => webhookBackoffMs(n) / 60_000)).toEqual([1, 2, 4, 8, 16, 32, 60, 60]);
    expect(webhookRetryWindowMs(5)).toBe(15 * 60_000);
    expect(webhookRetryWindowMs(5)).toBeGreaterThanOrEqual(10 * 60_000);
    expect(webhookRetryWindowMs()).toBe((1 + 2 + 4 + 8 + 16 + 32 + 60) * 60_000);
    expect(webhookBackoffMs(1000)).toBe(3_600_000);
  });

  it('honours a longer Retry-After, capped', () => {
    expect(webhookBackoffMs(1, 5 * 60_000)).toBe(5 * 60_000);
    expect(webhookBackoffMs(3, 1000)).toBe(4 * 60_000);
    expect(webhookBackoffMs(1, 24 * 3_600_000)).toBe(3_600_000);
  });
});

describe('secret encryption at rest', () => {
  const hexKey = 'a1'.repeat(32);
  const b64Key = Buffer.alloc(32, 7).toString('base64');

  it('round-trips with hex and base64 application keys; every encryption differs', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const a = encryptSecret(secret, hexKey, 'tenant-1');
    const b = encryptSecret(secret, hexKey, 'tenant-1');
    expect(a).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain(secret);
    expect(decryptSecret(a, hexKey, 'tenant-1')).toBe(secret);
    expect(decryptSecret(encryptSecret('ünïcødé', b64Key), b64Key)).toBe('ünïcødé');
    expect(parseAppKey(Buffer.alloc(32, 7).toString('base64url'))).toEqual(Buffer.alloc(32, 7));
  });

  it('detects tampering, a wrong key and a wrong context', () => {
    const enc = encryptSecret('whsec_abc', hexKey, 'tenant-1');
    const parts = enc.split('.');
    const flip = (s: string) => (s[0] === 'A' ? `B${s.slice(1)}` : `A${s.slice(1)}`);
    for (const i of [1, 2, 3]) {
      const tampered = parts.map((p, j) => (j === i ? flip(p) : p)).join('.');
      expect(() => decryptSecret(tampered, hexKey, 'tenant-1')).toThrow(SecretDecryptionError);
    }
    expect(() => decryptSecret(enc, 'b2'.repeat(32), 'tenant-1')).toThrow(SecretDecryptionError);
    expect(() => decryptSecret(enc, hexKey, 'tenant-2')).toThrow(SecretDecryptionError);
    expect(() => decryptSecret(`v2.${parts.slice(1).join('.')}`, hexKey, 'tenant-1')).toThrow(/unknown format/);
    expect(() => decryptSecret('not-encrypted', hexKey)).toThrow(SecretDecryptionError);
  });

  it('supports key rotation (new key first) and refuses malformed application keys', () => {
    const enc = encryptSecret('whsec_old', hexKey);
    expect(decryptSecret(enc, ['c3'.repeat(32), hexKey])).toBe('whsec_old');
    expect(() => encryptSecret('x', 'short')).toThrow(RangeError);
    expect(() => parseAppKey('a1'.repeat(31))).toThrow(/32 bytes/);
  });
});
