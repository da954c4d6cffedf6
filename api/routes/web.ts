import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { forbidden } from '../errors';
import { ROLE_NAMES, zRole, type Role } from '../../domain/roles';
import { signToken } from '../auth';

/** Where `npm run build:web` writes the workspace (vite outDir). */
export const WEB_DIST = join(import.meta.dirname, '..', '..', 'web', 'dist');

const NOT_BUILT = '网页工作台尚未构建，请运行 npm run build:web / The web workspace is not built: run npm run build:web\n';

// The workspace talks only to this origin; the Temporal UI is reached by a plain link (navigation).
// Inline styles are allowed for uPlot, which positions its legend and cursor with style attributes.
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

/** Ready-made identities for local use: one per screen of the workspace. */
const DEV_IDENTITIES: Array<{ sub: string; name: string; role: Role; org: string }> = [
  { sub: 'dev-grid-worker', name: '李网格', role: 'grid_worker', org: '371002001001' },
  { sub: 'dev-village-staff', name: '王协理', role: 'village_staff', org: '371002001001' },
  { sub: 'dev-town-supervisor', name: '赵督办', role: 'town_supervisor', org: '371002001' },
  { sub: 'dev-district-staff', name: '孙民政', role: 'district_staff', org: '371002' },
  { sub: 'dev-city-monitor', name: '周监督', role: 'city_monitor', org: '371000' },
];

export interface WebRoutesOptions {
  /** The built workspace; tests point it elsewhere to see the "not built" answer. */
  root?: string;
}

/**
 * The browser workspace at /app (static files from web/dist, every other /app/* path answered with
 * index.html so that the client-side routes survive a reload) and, outside production only, a token
 * picker for signing in locally.
 */
export const webRoutes: FastifyPluginAsyncZod<WebRoutesOptions> = async (app, opts) => {
  const { config, orgs } = app.deps;

  if (config.env !== 'production') {
    // Not registered at all in production: there is no route to misconfigure or probe.
    app.get(
      '/v1/dev/tokens',
      {
        config: { public: true },
        schema: {
          tags: ['dev'],
          summary: 'Local only (absent in production): ready-made tokens for the workspace’s sign-in picker',
          security: [],
          response: {
            200: z.object({
              tokens: z.array(z.object({ userId: z.string(), name: z.string(), role: zRole, roleName: z.string(), org: z.string(), orgName: z.string(), token: z.string() })),
            }),
          },
        },
      },
      async (request) => {
        // Even outside production, hand tokens only to the machine itself, never to the network.
        const refusal = devTokenRefusal(request.socket.remoteAddress, request.headers, request.socket.localPort ?? config.port);
        if (refusal) throw forbidden(`development tokens are served to this machine's own browser only: ${refusal}`);
        const tokens = [];
        for (const id of DEV_IDENTITIES) {
          const unit = await orgs.get(id.org);
          if (!unit) continue; // the org tree is not seeded here: a token for a missing unit would only get 401s
          tokens.push({
            userId: id.sub,
            name: id.name,
            role: id.role,
            roleName: ROLE_NAMES[id.role],
            org: id.org,
            orgName: unit.name,
            token: await signToken(config.jwtSecret, { sub: id.sub, role: id.role, org: id.org, name: id.name }, '12h'),
          });
        }
        return { tokens };
      },
    );
  }

  const root = opts.root ?? WEB_DIST;
  await app.register(async (scope) => staticApp(scope, root), { prefix: '/app' });
};

async function staticApp(scope: FastifyInstance, root: string): Promise<void> {
  // Every route of this scope (ours and @fastify/static's) is public: the page carries no data, the API
  // calls it makes carry the token.
  scope.addHook('onRoute', (route) => {
    route.config = { ...route.config, public: true };
    route.schema = { ...route.schema, hide: true };
  });
  scope.addHook('onSend', async (_request, reply) => {
    reply.headers(SECURITY_HEADERS);
  });

  if (!existsSync(join(root, 'index.html'))) {
    const notBuilt = async (_request: unknown, reply: FastifyReply) => reply.code(503).type('text/plain; charset=utf-8').send(NOT_BUILT);
    scope.get('/', notBuilt);
    scope.get('/*', notBuilt);
    return;
  }

  await scope.register(fastifyStatic, {
    root,
    prefix: '/',
    setHeaders(reply, path) {
      // Vite names assets by content hash: cache them for good; index.html must always be revalidated.
      reply.header('cache-control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  // /app → /app/ : the page's relative asset URLs need the trailing slash.
  scope.get('', async (_request, reply) => reply.redirect('/app/', 301));

  // Client-side routes (/app/board, /app/cases/…) get the page; a missing asset stays a 404.
  scope.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const isPage = (request.method === 'GET' || request.method === 'HEAD') && !path.startsWith('/app/assets/') && !/\.[a-z0-9]+$/i.test(path);
    if (!isPage) return reply.code(404).send({ error: { code: 'not_found', message: `no file ${path}` } });
    return reply.sendFile('index.html');
  });
}

/** Headers a proxy adds: a request carrying one came through something that is not this machine's browser. */
const PROXY_HEADERS = ['x-forwarded-for', 'forwarded', 'x-real-ip', 'x-forwarded-host'] as const;

/**
 * Why a request for the ready-made development tokens is refused, or undefined when it may have them.
 * It must come from this machine (the socket's peer is loopback; X-Forwarded-For is not believed), through no
 * proxy (none of PROXY_HEADERS), addressed to this server by a loopback name — `Host` exactly
 * `localhost`, `127.0.0.1` or `[::1]` with `port`, the port the request came in on — so that a DNS-rebinding
 * page (evil.example resolved to 127.0.0.1: its requests carry `Host: evil.example:3000`) gets nothing; and,
 * when the browser says where the request comes from, from a page of this same origin (`Origin`, if sent,
 * is `http://` + that host; `Sec-Fetch-Site`, if sent, is `same-origin` or `none`). Source: ours, after
 * the DNS-rebinding attacks on local development servers (issue 11, item 7).
 */
export function devTokenRefusal(remoteAddress: string | undefined, headers: Record<string, string | string[] | undefined>, port: number): string | undefined {
  if (!isLoopback(remoteAddress)) return 'the client is not this machine';
  const proxied = PROXY_HEADERS.find((h) => headers[h] !== undefined);
  if (proxied) return `the request came through a proxy (${proxied})`;
  const hosts = ['localhost', '127.0.0.1', '[::1]'].flatMap((name) => (port === 80 ? [name, `${name}:80`] : [`${name}:${port}`]));
  const host = headers.host;
  if (typeof host !== 'string' || !hosts.includes(host.toLowerCase())) return `Host must be one of ${hosts.join(', ')}`;
  const origin = headers.origin;
  if (origin !== undefined && origin !== `http://${host.toLowerCase()}`) return 'the request comes from a page of another origin';
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return `the request comes from another site (Sec-Fetch-Site: ${String(site)})`;
  return undefined;
}

/** The socket's peer is this machine (not X-Forwarded-For, which a client can write). */
function isLoopback(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1' || (address?.startsWith('127.') ?? false);
}
