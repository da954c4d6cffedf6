import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
// A default import: the package is CommonJS, whose named exports Node's ESM loader (scripts run by tsx) cannot see.
import proto from '@temporalio/proto';
import type { PiiKeyring } from '../store/pii';

/**
 * The Temporal payload codec: every payload the client and the worker send to the Temporal server
 * (workflow inputs and results, update arguments, activity inputs and results, queries' answers, memos)
 * is encrypted with the read model's envelope (store/pii.ts: AES-256-GCM under the active key of
 * PII_KEYS, the key id beside it), so the Temporal server's database, its UI and `temporal workflow show`
 * hold no personal data in plain — a verification's ID numbers, a report's text, a household's name.
 * Search attributes are not payloads the codec sees; they carry no personal data (workflows/search-attributes.ts).
 *
 * An encrypted payload is `{ metadata: { encoding: "binary/encrypted", "encryption-key-id": kid }, data:
 * iv ‖ tag ‖ ciphertext of the whole original Payload (protobuf) }`. Decoding leaves every other payload
 * as it is: histories recorded before encryption (test/replay/histories) and running workflows whose
 * earlier events are plain still replay. Codecs run outside the workflow sandbox, so workflows stay
 * deterministic. The codec server for the Temporal UI is `POST /codec/decode` and `/codec/encode`
 * (api/routes/codec.ts). Source: Temporal's data-encryption guide and codec-server protocol (ours otherwise).
 */

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
/** Additional authenticated data: a sealed payload opens only as a payload. */
const AAD = 'temporal-payload';

const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (a: Uint8Array | null | undefined) => (a ? new TextDecoder().decode(a) : undefined);
const PayloadProto = proto.temporal.api.common.v1.Payload;

/** Whether a payload is one this codec encrypted. */
export const isEncryptedPayload = (p: Payload): boolean => text(p.metadata?.encoding) === ENCRYPTED_ENCODING;

/** The payload codec over a keyring (see the module comment). decode throws PiiError for a key not configured or an altered payload. */
export function piiPayloadCodec(keyring: PiiKeyring): PayloadCodec {
  return {
    async encode(payloads: Payload[]): Promise<Payload[]> {
      return payloads.map((p) => {
        const { kid, data } = keyring.sealBytes(PayloadProto.encode(p).finish(), AAD);
        return { metadata: { encoding: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(kid) }, data };
      });
    },
    async decode(payloads: Payload[]): Promise<Payload[]> {
      return payloads.map((p) => {
        if (!isEncryptedPayload(p)) return p;
        const kid = text(p.metadata?.[KEY_ID_METADATA]) ?? '';
        const plain = keyring.openBytes(kid, p.data ?? new Uint8Array(), AAD);
        const decoded = PayloadProto.decode(plain);
        return { metadata: decoded.metadata, data: decoded.data };
      });
    },
  };
}

/** The data converter of every Temporal client and worker of ours: the default converters plus the codec. */
export function piiDataConverter(keyring: PiiKeyring): DataConverter {
  return { payloadCodecs: [piiPayloadCodec(keyring)] };
}

/** A payload as the codec-server protocol carries it: protobuf JSON, bytes in base64. */
export interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});
const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

/**
 * One codec-server call (`/encode` or `/decode`) on protobuf-JSON payloads, as Temporal's codec-server
 * protocol defines it: `{ payloads: [...] }` in, the same shape out.
 * @throws PiiError from decode (a key not configured, an altered payload).
 */
export async function codecServerCall(codec: PayloadCodec, op: 'encode' | 'decode', body: { payloads: JsonPayload[] }): Promise<{ payloads: JsonPayload[] }> {
  const payloads = body.payloads.map(fromJson);
  const out = op === 'encode' ? await codec.encode(payloads) : await codec.decode(payloads);
  return { payloads: out.map(toJson) };
}
