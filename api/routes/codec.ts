import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PiiError, piiOf } from '../../store/pii';
import { codecServerCall, piiPayloadCodec } from '../../worker/codec';
import { badRequest, zErrorBody } from '../errors';

/**
 * The codec server for the Temporal UI and CLI (Temporal's codec-server protocol): `POST /codec/decode`
 * and `POST /codec/encode` take and return `{ payloads: [...] }` in protobuf JSON, through the same codec
 * as the client and the worker (worker/codec.ts). Point the UI at `http://<api>/codec` (dev server:
 * `--ui-codec-endpoint`; Temporal UI server: `TEMPORAL_CODEC_ENDPOINT`, with "pass access token" so
 * the UI sends the user's bearer token) — docs/security.md.
 *
 * Authenticated like every route (a bearer token) and guarded by `temporal_payloads.read`
 * (domain/permissions.ts): decoded payloads hold unmasked personal data. CORS: the Temporal UI's origin
 * (TEMPORAL_UI_URL) only, with credentials, so the UI's page can call it and no other page can.
 */

// Other fields of a Payload (external payload references) are not the codec's: dropped.
const zJsonPayload = z.object({ metadata: z.record(z.string(), z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected base64')).optional(), data: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected base64').optional() });
const zPayloads = z.object({ payloads: z.array(zJsonPayload).max(10_000) }).strict();

/** Temporal payloads can be large; the rest of the API keeps the 256 KiB default. */
const CODEC_BODY_LIMIT = 8 * 1024 * 1024;

export const codecRoutes: FastifyPluginAsyncZod = async (app) => {
  const { config, mongo } = app.deps;
  const codec = piiPayloadCodec(piiOf(mongo.db));
  const uiOrigin = new URL(config.temporal.uiUrl).origin;

  const cors = (origin: string | undefined): Record<string, string> =>
    origin === uiOrigin
      ? {
          'access-control-allow-origin': uiOrigin,
          'access-control-allow-credentials': 'true',
          'access-control-allow-methods': 'POST, OPTIONS',
          'access-control-allow-headers': 'authorization, content-type, x-namespace',
          'access-control-max-age': '600',
          vary: 'origin',
        }
      : { vary: 'origin' };

  for (const op of ['decode', 'encode'] as const) {
    // The browser's preflight carries no token: answered without one, and with CORS headers only for the UI.
    app.options(`/codec/${op}`, { config: { public: true }, schema: { hide: true } }, async (request, reply) => reply.code(204).headers(cors(request.headers.origin)).send());
    app.post(
      `/codec/${op}`,
      {
        bodyLimit: CODEC_BODY_LIMIT,
        // Payloads are Temporal's protocol data (metadata keys are whatever an SDK or converter chose), not text
        // jiuzhu stores: out of the text rule (api/text-input.ts).
        config: { guard: { on: 'temporal_payloads', action: 'read' }, protocolBody: true },
        schema: {
          tags: ['system'],
          summary: op === 'decode' ? 'Codec server: decrypt Temporal payloads for the Temporal UI (personal data unmasked)' : 'Codec server: encrypt Temporal payloads for the Temporal UI',
          body: zPayloads,
          response: { 200: zPayloads, 400: zErrorBody, 401: zErrorBody, 403: zErrorBody },
        },
      },
      async (request, reply) => {
        reply.headers(cors(request.headers.origin));
        try {
          return await codecServerCall(codec, op, request.body);
        } catch (err) {
          if (err instanceof PiiError) throw badRequest(`payloads: ${err.message}`, [{ path: 'body.payloads', message: err.message }]);
          throw err;
        }
      },
    );
  }
};
