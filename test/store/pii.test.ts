import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { ConfigError, insecureDevPiiKeys, loadConfig, type PiiKeys } from '../../config';
import { idNumberKey, isSealed, openView, piiKeyring, PiiError, sealView, sealedKid } from '../../store/pii';
import { openHousehold, sealHousehold } from '../../store/households';
import { ENCRYPTED_ENCODING, piiPayloadCodec } from '../../worker/codec';

/** Unit tests of the envelope, the blind index, the key configuration and the payload codec (store/pii.ts, worker/codec.ts). */

const key = () => randomBytes(32);
const keys = (active: string, ks: Record<string, Buffer>, indexKey = key()): PiiKeys => ({ activeKid: active, keys: ks, indexKey, insecure: false });
const ID = '371002195001010017';

describe('the envelope (AES-256-GCM with a key id)', () => {
  const k1 = key();
  const ring = piiKeyring(keys('k1', { k1 }));

  it('seals a text into pii1.<kid>.… that opens to the same text, a fresh IV each time', () => {
    const a = ring.seal(ID, 'idNumber');
    const b = ring.seal(ID, 'idNumber');
    expect(a).toMatch(/^pii1\.k1\.[A-Za-z0-9_-]+$/);
    expect(a).not.toContain(ID);
    expect(a).not.toBe(b);
    expect(ring.open(a, 'idNumber')).toBe(ID);
    expect(isSealed(a)).toBe(true);
    expect(sealedKid(a)).toBe('k1');
  });

  it('refuses a ciphertext altered by one bit, moved to another kind of field, or under a key not configured', () => {
    const sealed = ring.seal(ID, 'idNumber');
    const body = Buffer.from(sealed.slice('pii1.k1.'.length), 'base64url');
    body[body.length - 1]! ^= 1;
    expect(() => ring.open(`pii1.k1.${body.toString('base64url')}`, 'idNumber')).toThrow(PiiError);
    expect(() => ring.open(sealed, 'phone')).toThrow(/failed authentication/);
    expect(() => piiKeyring(keys('k9', { k9: key() })).open(sealed, 'idNumber')).toThrow(/key k1, which is not configured/);
  });

  it('reads a value written before encryption as it is', () => {
    expect(ring.open('13800000000', 'phone')).toBe('13800000000');
  });

  it('rotates: a keyring with a new active key still opens the old key’s values and writes with the new one', () => {
    const old = ring.seal(ID, 'idNumber');
    const rotated = piiKeyring(keys('k2', { k1, k2: key() }));
    expect(rotated.open(old, 'idNumber')).toBe(ID);
    expect(sealedKid(rotated.seal(ID, 'idNumber'))).toBe('k2');
  });

  it('seals an application view’s department records and nothing else of it', () => {
    const view = { stage: 'investigation', verification: { answers: [{ department: 'banks', records: [{ idNumber: ID, kind: 'x' }] }, { department: 'hrss', status: 'missing' }] } };
    const sealed = sealView(ring, 'application', view);
    expect(JSON.stringify(sealed)).not.toContain(ID);
    expect(sealed.stage).toBe('investigation');
    expect(openView(ring, 'application', sealed)).toEqual(view);
    expect(sealView(ring, 'alert', view)).toEqual(view);
  });
});

describe('the blind index (HMAC-SHA256, its own key)', () => {
  it('is the same for the same ID number (x or X, spaces), differs between numbers and between index keys, and hides the number', () => {
    const indexKey = key();
    const a = piiKeyring(keys('k1', { k1: key() }, indexKey));
    const b = piiKeyring(keys('k2', { k2: key() }, indexKey));
    const other = piiKeyring(keys('k1', { k1: key() }));
    const withX = '11010519491231002X';
    expect(idNumberKey(a, withX)).toBe(idNumberKey(b, ` ${withX.toLowerCase()} `));
    expect(idNumberKey(a, ID)).not.toBe(idNumberKey(a, withX));
    expect(idNumberKey(a, ID)).not.toBe(idNumberKey(other, ID));
    expect(idNumberKey(a, ID)).toMatch(/^bi1\.[A-Za-z0-9_-]{43}$/);
    expect(idNumberKey(a, ID)).not.toContain(ID);
  });

  it('a stored household: ID numbers and phone sealed, the blind indexes of all members, and it opens to what was given', () => {
    const ring = piiKeyring(insecureDevPiiKeys());
    const doc = { _id: 'hh-000000000001', headName: '张三', headIdNumber: ID, members: [{ name: '李四', idNumber: '11010519491231002X', relation: 'spouse' }], address: '海港路1号', phone: '13800000000', unitCode: '371002001001', villageCode: '371002001001', orgPath: ['371000'], categories: [], createdAt: '2026-11-01T00:00:00.000Z', createdBy: 'u' };
    const stored = sealHousehold(ring, doc);
    const json = JSON.stringify(stored);
    for (const secret of [ID, '11010519491231002X', '13800000000']) expect(json).not.toContain(secret);
    expect(json).toContain('张三');
    expect(stored.headIdKey).toBe(idNumberKey(ring, ID));
    expect(stored.idKeys).toEqual([idNumberKey(ring, ID), idNumberKey(ring, '11010519491231002X')]);
    expect(openHousehold(ring, stored)).toEqual(doc);
  });
});

describe('key configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jiuzhu-pii-config-'));
  const base = { DATA_DIR: dir, JWT_SECRET: 'x'.repeat(40) };
  const b64 = () => randomBytes(32).toString('base64');
  const fails = (env: NodeJS.ProcessEnv) => {
    try {
      loadConfig(env);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as Error).message;
    }
    throw new Error('expected a ConfigError');
  };

  it('refuses to start in production without PII_KEYS or PII_INDEX_KEY', () => {
    expect(fails({ ...base, NODE_ENV: 'production', PUBLIC_BASE_URL: 'https://jiuzhu.weihai.example' })).toMatch(/^PII_KEYS: required in production/);
    expect(fails({ ...base, NODE_ENV: 'production', PUBLIC_BASE_URL: 'https://jiuzhu.weihai.example', PII_KEYS: `k1:${b64()}` })).toMatch(/^PII_INDEX_KEY: required in production/);
    const c = loadConfig({ ...base, NODE_ENV: 'production', PUBLIC_BASE_URL: 'https://jiuzhu.weihai.example', PII_KEYS: `k1:${b64()}`, PII_INDEX_KEY: b64() });
    expect(c.pii).toMatchObject({ activeKid: 'k1', insecure: false });
  });

  it('outside production: the fixed, insecure development keys', () => {
    const c = loadConfig(base);
    expect(c.pii.insecure).toBe(true);
    expect(c.pii.keys).toEqual(insecureDevPiiKeys().keys);
  });

  it('several keys: the first writes unless PII_ACTIVE_KEY names another; a bad key or id is one line', () => {
    const two = `k2:${b64()},k1:${b64()}`;
    expect(loadConfig({ ...base, PII_KEYS: two }).pii.activeKid).toBe('k2');
    expect(Object.keys(loadConfig({ ...base, PII_KEYS: two, PII_ACTIVE_KEY: 'k1' }).pii.keys).sort()).toEqual(['k1', 'k2']);
    expect(fails({ ...base, PII_KEYS: two, PII_ACTIVE_KEY: 'k3' })).toBe('PII_ACTIVE_KEY: k3 is not a key id of PII_KEYS');
    expect(fails({ ...base, PII_KEYS: 'k1:short' })).toMatch(/^PII_KEYS: expected comma-separated kid:base64/);
    expect(fails({ ...base, PII_KEYS: `k1:${b64()},k1:${b64()}` })).toBe('PII_KEYS: key id k1 appears twice');
  });
});

describe('the Temporal payload codec', () => {
  const ring = piiKeyring(keys('k1', { k1: key() }));
  const codec = piiPayloadCodec(ring);

  it('encrypts every payload (no plaintext left) and decodes it back to the same payload', async () => {
    const payload = defaultPayloadConverter.toPayload({ idNumber: ID, phone: '13800000000' });
    const [encoded] = await codec.encode([payload]);
    expect(new TextDecoder().decode(encoded!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(Buffer.from(encoded!.data!).toString('latin1')).not.toContain(ID);
    const [decoded] = await codec.decode([encoded!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual({ idNumber: ID, phone: '13800000000' });
  });

  it('leaves a plain payload (a history recorded before encryption) as it is', async () => {
    const plain = defaultPayloadConverter.toPayload({ a: 1 });
    expect(await codec.decode([plain])).toEqual([plain]);
  });

  it('refuses a payload under a key it does not hold', async () => {
    const [encoded] = await piiPayloadCodec(piiKeyring(keys('k2', { k2: key() }))).encode([defaultPayloadConverter.toPayload(1)]);
    await expect(codec.decode([encoded!])).rejects.toThrow(/key k2, which is not configured/);
  });
});
