import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { Db } from 'mongodb';
import type { PiiKeys } from '../config';

/**
 * Personal data at rest (PIPL Art. 28/51: 身份证号 and phone numbers are sensitive personal information;
 * MLPS/等保 level 3 asks for confidentiality of important data in storage): the one envelope that encrypts
 * them in the read model and in Temporal payloads (worker/codec.ts), and the keyed blind index that finds a
 * record by an ID number without storing it.
 *
 * Encryption: AES-256-GCM from Node's built-in crypto (OpenSSL) — authenticated, well kept, no native
 * add-on to build; a random 96-bit IV per value (NIST SP 800-38D §8.2.2; fine below 2^32 values per key,
 * which rotation keeps us far from). The envelope names the key id, so keys rotate: every configured key
 * decrypts, the active one encrypts (config PII_KEYS / PII_ACTIVE_KEY; rotation in docs/security.md).
 *
 * - bytes (Temporal payloads): `iv (12) ‖ tag (16) ‖ ciphertext`, the key id beside it in the payload's
 *   metadata;
 * - a text field: the compact string `pii1.<kid>.<base64url(iv ‖ tag ‖ ciphertext)>`, so a document keeps
 *   its shape (a string stays a string).
 *
 * The additional authenticated data names what a value is (`idNumber`, `phone`, …): a ciphertext moved into
 * another kind of field fails to open instead of showing.
 *
 * Blind index: HMAC-SHA256 under a separate key (PII_INDEX_KEY) of the normalised value, base64url, full
 * 256 bits, prefixed `bi1.`: equal inputs give equal keys (look-up, uniqueness), and nothing about the
 * number can be learnt without the key. Changing that key needs a re-index (`npm run rekey`).
 * Source: ours, after the envelope-encryption and blind-index designs of e.g. CipherSweet (read, not copied).
 */

/** A keyring made from the configuration: what seals and opens values and computes blind indexes. */
export interface PiiKeyring {
  /** The key id new values are encrypted with. */
  readonly activeKid: string;
  /** Whether this is the fixed, insecure development keyring (outside production only). */
  readonly insecure: boolean;
  /** Encrypts bytes with the active key: `{ kid, data: iv ‖ tag ‖ ciphertext }`. */
  sealBytes(plain: Uint8Array, aad: string): { kid: string; data: Buffer };
  /** Decrypts what sealBytes made. @throws PiiError for an unknown key id or a value that fails authentication. */
  openBytes(kid: string, data: Uint8Array, aad: string): Buffer;
  /** A text field's compact envelope `pii1.<kid>.<base64url>`. */
  seal(plain: string, aad: string): string;
  /** The plain text of a sealed field; a value that is not sealed (written before encryption) as it is. @throws PiiError as openBytes. */
  open(value: string, aad: string): string;
  /** The HMAC-SHA256 blind index of a value already normalised by the caller: `bi1.<base64url>`. */
  blindIndex(normalised: string, purpose: string): string;
}

/** A value that cannot be opened: its key is not configured, or it was altered. */
export class PiiError extends Error {
  override name = 'PiiError';
}

const PREFIX = 'pii1.';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Whether a stored text is a sealed envelope (pii1.…). */
export const isSealed = (value: unknown): value is string => typeof value === 'string' && value.startsWith(PREFIX);
/** The key id a sealed text names, or null when it is not sealed. */
export const sealedKid = (value: string): string | null => (isSealed(value) ? value.slice(PREFIX.length, value.indexOf('.', PREFIX.length)) : null);

/** The keyring of a configuration's PII keys (config/index.ts `pii`). */
export function piiKeyring(cfg: PiiKeys): PiiKeyring {
  const keys = new Map(Object.entries(cfg.keys));
  const active = keys.get(cfg.activeKid);
  if (!active) throw new PiiError(`no key ${cfg.activeKid} among the configured keys`);
  const sealBytes = (plain: Uint8Array, aad: string) => {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', active, iv);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const ct = Buffer.concat([cipher.update(plain), cipher.final()]);
    return { kid: cfg.activeKid, data: Buffer.concat([iv, cipher.getAuthTag(), ct]) };
  };
  const openBytes = (kid: string, data: Uint8Array, aad: string) => {
    const key = keys.get(kid);
    if (!key) throw new PiiError(`encrypted with key ${kid}, which is not configured (PII_KEYS)`);
    if (data.length < IV_BYTES + TAG_BYTES) throw new PiiError('encrypted value too short');
    const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const decipher = createDecipheriv('aes-256-gcm', key, buf.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(buf.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(buf.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PiiError(`encrypted value failed authentication (key ${kid}, ${aad})`);
    }
  };
  return {
    activeKid: cfg.activeKid,
    insecure: cfg.insecure,
    sealBytes,
    openBytes,
    seal(plain, aad) {
      const { kid, data } = sealBytes(Buffer.from(plain, 'utf8'), aad);
      return `${PREFIX}${kid}.${data.toString('base64url')}`;
    },
    open(value, aad) {
      if (!isSealed(value)) return value;
      const dot = value.indexOf('.', PREFIX.length);
      if (dot < 0) throw new PiiError('malformed encrypted value');
      return openBytes(value.slice(PREFIX.length, dot), Buffer.from(value.slice(dot + 1), 'base64url'), aad).toString('utf8');
    },
    blindIndex(normalised, purpose) {
      return `bi1.${createHmac('sha256', cfg.indexKey).update(`${purpose}\u0000${normalised}`, 'utf8').digest('base64url')}`;
    },
  };
}

const byDb = new WeakMap<Db, PiiKeyring>();

/** Attaches the keyring that store/ uses for this database handle (connectMongo does it). */
export function attachPiiKeyring(db: Db, keyring: PiiKeyring): void {
  byDb.set(db, keyring);
}

/**
 * The keyring of a database handle. @throws PiiError when none was attached: personal data is never
 * written or read without the configured keys (no silent fallback to a development key).
 */
export function piiOf(db: Db): PiiKeyring {
  const found = byDb.get(db);
  if (!found) throw new PiiError(`no PII keyring attached to database ${db.databaseName} (connectMongo attaches the configured one)`);
  return found;
}

/** An ID number as the blind index sees it: trimmed, the check character upper-case (GB 11643 allows x and X). */
export const normaliseIdNumber = (idNumber: string): string => idNumber.trim().toUpperCase();

/**
 * The look-up and uniqueness key of a resident ID number: its blind index (HMAC-SHA256 under PII_INDEX_KEY
 * of the normalised number). The same number gives the same key in every household and every process with
 * the same index key; the key reveals nothing of the number. Source: ours (issue 11).
 */
export function idNumberKey(keyring: PiiKeyring, idNumber: string): string {
  return keyring.blindIndex(normaliseIdNumber(idNumber), 'idNumber');
}

/** What each sealed field is, as its additional authenticated data. */
export const PII_FIELDS = { idNumber: 'idNumber', phone: 'phone', contact: 'contact' } as const;

/**
 * Where a kind's case view (stored in `cases.view` by the projection) holds personal data to seal: paths
 * of keys, `*` for every element of an array. An application's department records name each member by ID
 * number (domain/verification.ts DepartmentRecord). Source: ours (issue 11).
 */
export const SEALED_VIEW_PATHS: Readonly<Record<string, readonly (readonly string[])[]>> = {
  application: [['verification', 'answers', '*', 'records', '*', 'idNumber']],
};

/** A copy of `value` with `fn` applied to every string at `path` (`*`: each array element); other values shared. */
export function mapStringsAt(value: unknown, path: readonly string[], fn: (s: string) => string): unknown {
  if (path.length === 0) return typeof value === 'string' ? fn(value) : value;
  const [head, ...rest] = path as [string, ...string[]];
  if (head === '*') return Array.isArray(value) ? value.map((v) => mapStringsAt(v, rest, fn)) : value;
  if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, head)) return value;
  return { ...(value as Record<string, unknown>), [head]: mapStringsAt((value as Record<string, unknown>)[head], rest, fn) };
}

/** A case view with its personal data sealed (SEALED_VIEW_PATHS of its kind), as the projection stores it. */
export function sealView<V>(keyring: PiiKeyring, kind: string, view: V): V {
  const paths = SEALED_VIEW_PATHS[kind] ?? [];
  return paths.reduce<unknown>((v, path) => mapStringsAt(v, path, (s) => keyring.seal(s, PII_FIELDS.idNumber)), view) as V;
}

/** A stored case view opened (sealView undone; values stored before encryption as they are). @throws PiiError as PiiKeyring.open. */
export function openView<V>(keyring: PiiKeyring, kind: string, view: V): V {
  const paths = SEALED_VIEW_PATHS[kind] ?? [];
  return paths.reduce<unknown>((v, path) => mapStringsAt(v, path, (s) => keyring.open(s, PII_FIELDS.idNumber)), view) as V;
}
