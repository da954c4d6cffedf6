import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { zOrgCode } from '../../domain/org';
import { publicRequestLimit } from '../rate-limit';
import { WEB_DIST } from './web';

/** The path the QR code opens: `/q/{code}` (api/routes/public.ts publicUnitUrl). */
export const PUBLIC_PAGE_PREFIX = '/q/';

/**
 * The page's own headers: it runs only its own script and sheet (from /app/assets), talks only to this origin
 * (the public JSON API), embeds nothing and cannot be framed. Stricter than the workspace's (api/routes/web.ts):
 * no inline styles at all. Source: ours, as the workspace's (issue 14, item 1).
 */
export const PUBLIC_PAGE_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; manifest-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

const NOT_BUILT = '服务页尚未构建，请运行 npm run build:web / The public page is not built: run npm run build:web\n';

export interface PublicPageOptions {
  /** The built web folder (vite outDir); tests point it elsewhere to see the "not built" answer. */
  root?: string;
}

/**
 * The public phone page behind a village's QR code (社会救助二维码): `GET /q/{code}` answers the built
 * `web/dist/public.html` (the page's own Vite entry, web/src/public/; its script then reads
 * `GET /v1/public/units/{code}`) for a village/community, and a Chinese not-found page with 404 for any other
 * code — the same units the JSON API has a page for. No sign-in, no data in the HTML itself; each client's
 * requests are limited as on the public channel (429 in the one error shape). The HTML is re-read when the
 * build changes it (its asset names are content hashes). Source: issue 14, item 1.
 */
export const publicPageRoutes: FastifyPluginAsyncZod<PublicPageOptions> = async (app, opts) => {
  const { orgs, config } = app.deps;
  // Counted per client like the public channel's JSON (policy.reports.rateLimit.perClientRequests), in a window
  // of its own: an unknown code reloads the org tree (at most once a second), which a flood must not drive.
  const limit = config.policy.reports.rateLimit.perClientRequests;
  app.addHook('onRequest', publicRequestLimit({ max: limit.max, windowMs: limit.window }, '/q'));
  const file = join(opts.root ?? WEB_DIST, 'public.html');
  let cached: { mtimeMs: number; html: string } | undefined;

  /** The built page, or undefined when web/dist has no public.html. */
  function page(): string | undefined {
    let mtimeMs: number;
    try {
      mtimeMs = statSync(file).mtimeMs;
    } catch {
      return undefined;
    }
    if (cached?.mtimeMs !== mtimeMs) cached = { mtimeMs, html: readFileSync(file, 'utf8') };
    return cached.html;
  }

  const send = (reply: FastifyReply, status: number, html: string) =>
    reply.code(status).headers(PUBLIC_PAGE_HEADERS).header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(html);

  const route = { config: { public: true }, schema: { hide: true } } as const;

  app.get<{ Params: { code: string } }>(`${PUBLIC_PAGE_PREFIX}:code`, route, async (request, reply) => {
    const html = page();
    if (html === undefined) return reply.code(503).headers(PUBLIC_PAGE_HEADERS).type('text/plain; charset=utf-8').send(NOT_BUILT);
    const code = request.params.code;
    const unit = zOrgCode.safeParse(code).success ? await orgs.get(code) : undefined;
    if (!unit || unit.level !== 'village') return send(reply, 404, notFoundPage(html));
    return send(reply, 200, html);
  });
  // /q/{code}/ (a trailing slash, as some scanners and hand-typed addresses add): a village's code is sent to its
  // canonical address (308); anything else deeper under /q/ gets the not-found page — never the JSON 404 echoing it.
  app.get<{ Params: { '*': string } }>(`${PUBLIC_PAGE_PREFIX}*`, route, async (request, reply) => {
    const html = page();
    if (html === undefined) return reply.code(503).headers(PUBLIC_PAGE_HEADERS).type('text/plain; charset=utf-8').send(NOT_BUILT);
    const rest = request.params['*'];
    const code = rest.endsWith('/') ? rest.slice(0, -1) : null;
    const unit = code && zOrgCode.safeParse(code).success ? await orgs.get(code) : undefined;
    if (unit && unit.level === 'village') return reply.code(308).headers(PUBLIC_PAGE_HEADERS).header('location', `${PUBLIC_PAGE_PREFIX}${unit.code}`).send();
    return send(reply, 404, notFoundPage(html));
  });
  // /q and /q/ (a code cut off, a mistyped address): the same not-found page.
  for (const path of ['/q', PUBLIC_PAGE_PREFIX]) {
    app.get(path, route, async (_request, reply) => {
      const html = page();
      return html === undefined ? reply.code(503).headers(PUBLIC_PAGE_HEADERS).type('text/plain; charset=utf-8').send(NOT_BUILT) : send(reply, 404, notFoundPage(html));
    });
  }
};

/**
 * The not-found page: Chinese, no script, styled by the page's own sheet (its `<link rel="stylesheet">` taken
 * from the built page). The code asked for is not echoed back.
 */
export function notFoundPage(builtPage: string): string {
  const sheet = /<link rel="stylesheet"[^>]*>/.exec(builtPage)?.[0] ?? '';
  return `<!doctype html>
<html lang="zh-CN">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>未找到 · 社会救助服务</title>
    <link rel="icon" href="data:," />
    ${sheet}
  </head>
  <body>
    <main id="root">
      <header class="top"><h1>未找到该服务页</h1><p>社会救助服务</p></header>
      <section>
        <p>这个二维码或网址对应的村(社区)不存在，或已调整。</p>
        <p>请核对张贴的二维码，或直接到村(社区)服务站咨询。</p>
      </section>
    </main>
  </body>
</html>
`;
}
