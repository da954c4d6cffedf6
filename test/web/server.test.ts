import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app';
import { webRoutes, WEB_DIST } from '../../api/routes/web';
import { authz, createTestContext, UNITS, type TestContext } from '../helpers/context';
import { ensureWebBuilt } from './build';

/** How the API serves the workspace at /app, and the local-only token picker. Through app.inject. */

let ctx: TestContext;
beforeAll(async () => {
  await ensureWebBuilt();
  ctx = await createTestContext('web_server');
});
afterAll(async () => ctx?.close());

const get = (url: string, headers: Record<string, string> = {}) => ctx.app.inject({ method: 'GET', url, headers });

describe('the workspace at /app', () => {
  it('serves the page without a token, with security headers, and redirects /app to /app/', async () => {
    const page = await get('/app/');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('<div id="root">');
    expect(page.body).toMatch(/src="\/app\/assets\/index-[\w-]+\.js"/);
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');

    const bare = await get('/app');
    expect(bare.statusCode).toBe(301);
    expect(bare.headers.location).toBe('/app/');
  });

  it('answers client-side routes with the page (a reload keeps working), and a missing asset with 404', async () => {
    for (const route of ['/app/board', '/app/tasks', '/app/cases/alert-hh-0123456789ab-20261129T033512345', '/app/monitor/371002', '/app/signin?x=1']) {
      const res = await get(route);
      expect(res.statusCode, route).toBe(200);
      expect(res.body, route).toContain('<div id="root">');
    }
    const missing = await get('/app/assets/nothing-here.js');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('serves hashed assets with a long cache lifetime', async () => {
    const js = readdirSync(join(WEB_DIST, 'assets')).find((f) => /^index-.*\.js$/.test(f))!;
    const res = await get(`/app/assets/${js}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('does not open the API: /v1 routes still need a token', async () => {
    expect((await get('/v1/cases')).statusCode).toBe(401);
  });

  it('answers one line saying how to build it when web/dist is missing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'jiuzhu-no-web-'));
    const app = Fastify();
    app.decorate('deps', { ...ctx.app.deps, config: { ...ctx.config, env: 'production' as const } });
    await app.register(webRoutes, { root: empty });
    try {
      for (const url of ['/app', '/app/', '/app/board']) {
        const res = await app.inject({ method: 'GET', url });
        expect(res.statusCode, url).toBe(503);
        expect(res.headers['content-type']).toMatch(/^text\/plain/);
        expect(res.body.trim().split('\n')).toHaveLength(1);
        expect(res.body).toContain('npm run build:web');
        expect(res.body).toContain('网页工作台尚未构建');
      }
    } finally {
      await app.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('the local token picker', () => {
  it('outside production: offers one token per workspace role, each accepted by the API', async () => {
    const res = await get('/v1/dev/tokens', { host: `127.0.0.1:${ctx.config.port}` });
    expect(res.statusCode).toBe(200);
    const tokens = res.json().tokens as Array<{ role: string; org: string; orgName: string; token: string }>;
    expect(tokens.map((t) => [t.role, t.org])).toEqual([
      ['grid_worker', UNITS.haigang],
      ['village_staff', UNITS.haigang],
      ['town_supervisor', UNITS.jingyuan],
      ['district_staff', UNITS.huancui],
      ['city_monitor', UNITS.city],
    ]);
    expect(tokens.find((t) => t.org === UNITS.jingyuan)?.orgName).toBe('鲸园街道');
    for (const t of tokens) {
      const me = await get('/v1/me', authz(t.token));
      expect(me.statusCode).toBe(200);
      expect(me.json()).toMatchObject({ role: t.role, unit: { code: t.org } });
    }
  });

  it('in production: the route does not exist at all', async () => {
    const prod = await buildApp({ config: { ...ctx.config, env: 'production' }, mongo: ctx.mongo, temporal: ctx.temporal, logger: false });
    try {
      await prod.ready();
      expect(prod.hasRoute({ method: 'GET', url: '/v1/dev/tokens' })).toBe(false);
      const res = await prod.inject({ method: 'GET', url: '/v1/dev/tokens' });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ error: { code: 'not_found', message: 'no route GET /v1/dev/tokens' } });
      expect(JSON.stringify((await prod.inject({ method: 'GET', url: '/openapi.json' })).json().paths)).not.toContain('/v1/dev/tokens');
      // The workspace itself is served in production too.
      expect((await prod.inject({ method: 'GET', url: '/app/' })).statusCode).toBe(200);
    } finally {
      await prod.close();
    }
  });
});
