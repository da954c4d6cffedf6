import type { FastifyInstance } from 'fastify';
import { normaliseStrings, unsafeCharacterAt, UNSAFE_CHARACTER_MESSAGE } from '../domain/text';
import { badRequest } from './errors';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The body is protocol data another system defines, not text jiuzhu stores (the codec server's Temporal
     * payloads: base64 and metadata keys chosen by Temporal's SDKs): the body is left out of the character
     * rule and of NFC below, and the OpenAPI states no text rule for it (api/contract.ts). Its own schema
     * still holds. The query string and the path keep the rule.
     */
    protocolBody?: boolean;
  }
}

/** Decodes UTF-8 and throws on the first invalid byte sequence (the default decoder puts U+FFFD in its place). */
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Text enters the API one way, on every route (domain/text.ts says which characters and why):
 * - a JSON body must be valid UTF-8: invalid bytes (an encoded lone surrogate, a truncated sequence,
 *   Latin-1) answer 400 `invalid_encoding` instead of being stored as U+FFFD;
 * - no string or key in the body, the query string or the path holds a control character, a bidi control
 *   or half a character: 400 `invalid_character` naming the field;
 * - every string in the body and the query is put in Unicode NFC before the route's schema sees it.
 * Field kinds add their own rules in their schemas (`zPersonName`, `zFreeText`). A route whose body is
 * another system's protocol data (`config.protocolBody`) keeps its body out of both. Source: ours.
 */
export function registerTextInput(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = STRICT_UTF8.decode(body as Buffer);
    } catch {
      done(badRequest('body: not valid UTF-8', [{ path: 'body', code: 'invalid_encoding', message: 'the body is not valid UTF-8' }]), undefined);
      return;
    }
    parseJson(request, text, done);
  });
  app.addHook('preValidation', async (request) => {
    const protocolBody = request.routeOptions.config.protocolBody === true;
    for (const [where, part] of [['params', request.params], ['querystring', request.query], ['body', protocolBody ? undefined : request.body]] as const) {
      const at = unsafeCharacterAt(part);
      if (at !== undefined) {
        const path = at === '(value)' ? where : `${where}.${at}`;
        throw badRequest(`${path}: ${UNSAFE_CHARACTER_MESSAGE}`, [{ path, code: 'invalid_character', message: UNSAFE_CHARACTER_MESSAGE }]);
      }
    }
    normaliseStrings(request.query);
    if (!protocolBody) request.body = normaliseStrings(request.body);
  });
}
