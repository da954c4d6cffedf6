import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { createHmac } from 'node:crypto';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Client } from '@temporalio/client';
import type { Db, MongoClient } from 'mongodb';
import type { Config } from '../config';
import { OrgDirectory } from '../store/org-directory';
import { registerAuth } from './auth';
import { registerErrorHandler } from './errors';
import { registerTextInput } from './text-input';
import { useCursorKey } from './pagination';
import { declareErrorResponses, openApiTransform, registerMethodNotAllowed } from './contract';
import { registerGuard } from './guard';
import { registerPublicChannel } from './public-channel';
import { registerAudit } from './audit';
import { auditRoutes } from './routes/audit';
import { systemRoutes } from './routes/system';
import { orgRoutes } from './routes/org';
import { householdRoutes } from './routes/households';
import { alertRoutes } from './routes/alerts';
import { caseRoutes } from './routes/cases';
import { statsRoutes } from './routes/stats';
import { assessmentRoutes } from './routes/assessments';
import { calendarRoutes } from './routes/calendar';
import { applicationRoutes } from './routes/applications';
import { referenceRoutes } from './routes/reference';
import { wishRoutes } from './routes/wishes';
import { reportRoutes } from './routes/reports';
import { webRoutes } from './routes/web';
import { publicPageRoutes } from './routes/public-page';
import { partyDayRoutes } from './routes/party-days';
import { codecRoutes } from './routes/codec';
import { orderRoutes } from './routes/orders';
import { discoveryRoutes } from './routes/discoveries';
import { intakeRoutes } from './routes/intakes';
import { supervisionRoutes } from './routes/supervision';
import { notificationRoutes } from './routes/notifications';
import { patrolRoutes } from './routes/patrols';
import { pairingRoutes } from './routes/pairings';
import { partyMemberRoutes } from './routes/party-members';
import { serviceTaskRoutes } from './routes/service-tasks';
import { authRoutes } from './routes/auth';
import { userRoutes } from './routes/users';
import { sessionIsLive } from './accounts';

export interface AppDeps {
  config: Config;
  mongo: { client: MongoClient; db: Db };
  temporal: Client;
  orgs?: OrgDirectory;
  /** pino options or false; tests pass false. */
  logger?: boolean | Record<string, unknown>;
}

export type App = FastifyInstance;

declare module 'fastify' {
  interface FastifyInstance {
    deps: Required<Omit<AppDeps, 'logger'>>;
  }
}

/** Builds the API without listening: the server listens, tests `inject`. */
export async function buildApp(deps: AppDeps): Promise<App> {
  const app = Fastify({
    logger: deps.logger ?? { level: deps.config.logLevel },
    // Always the server's own: the audit record and the logs are keyed by it, so a client may not choose it
    // (a reused id would tie two users' requests together). A gateway's id stays in the request's headers.
    genReqId: () => randomUUID(),
    // …and the load balancer's `x-request-id`, when it sends a well-formed one, on every log line of the request.
    childLoggerFactory: (logger, bindings, opts, raw) => {
      const upstream = raw.headers['x-request-id'];
      return logger.child(typeof upstream === 'string' && /^[\w-]{1,64}$/.test(upstream) ? { ...bindings, upstreamRequestId: upstream } : bindings, opts);
    },
    bodyLimit: 256 * 1024,
    routerOptions: {
      // Longer than any path parameter's schema allows, so that an overlong one is a 400 naming it, not a bare 414.
      maxParamLength: 1000,
    },
    // A hop count becomes "trust the first n hops" (proxy-addr's numeric form, which Fastify's types omit).
    trustProxy: typeof deps.config.trustProxy === 'number' ? ((_address: string, hop: number) => hop < (deps.config.trustProxy as number)) : deps.config.trustProxy,
    return503OnClosing: true,
    // A path that is not valid percent-encoded UTF-8 (`/v1/cases/%FF`) fails in the router, before any hook:
    // answered in the one error shape, as an invalid body is (api/text-input.ts invalid_encoding).
    frameworkErrors: (error, _request, reply) => {
      const badUrl = (error as { code?: string }).code === 'FST_ERR_BAD_URL';
      const raw = reply as unknown as { code(n: number): { header(k: string, v: string): { send(b: unknown): void } } };
      raw
        .code(400)
        .header('x-content-type-options', 'nosniff')
        .send({ error: badUrl ? { code: 'invalid_encoding', message: 'the path is not valid percent-encoded UTF-8' } : { code: 'bad_request', message: error.message } });
    },
  }).withTypeProvider<ZodTypeProvider>();

  const orgs = deps.orgs ?? new OrgDirectory(deps.mongo.db);
  app.decorate('deps', { config: deps.config, mongo: deps.mongo, temporal: deps.temporal, orgs });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  registerErrorHandler(app);
  // A known path with a method it lacks: 405 with Allow, before any other hook sees the request (api/contract.ts).
  registerMethodNotAllowed(app);
  // Every route declares every error status it can answer, in the one error shape (api/contract.ts).
  app.addHook('onRoute', declareErrorResponses);
  // The public channel's per-client request limit (before anything reads the body) and its response headers.
  registerPublicChannel(app, deps.config.policy.reports);
  // Valid UTF-8, no control or bidi character, NFC: on every route (api/text-input.ts, domain/text.ts).
  registerTextInput(app);
  useCursorKey(deps.config.jwtSecret);
  // Cookies: the refresh token's (HttpOnly, /v1/auth) and the OIDC flow's (signed with a key derived from the JWT secret).
  await app.register(cookie, { secret: createHmac('sha256', deps.config.jwtSecret).update('jiuzhu cookie').digest('base64url') });
  registerAuth(app, { jwtSecret: deps.config.jwtSecret, tokens: deps.config.tokens, orgs, production: deps.config.env === 'production', sessionLive: sessionIsLive(deps.mongo.db) });
  // Before swagger and the routes: the guard writes each route's roles into its OpenAPI summary.
  registerGuard(app, { db: deps.mongo.db, orgs });
  // One audit record per mutating request and per read of unmasked personal data (api/audit.ts, docs/audit.md).
  registerAudit(app, { db: deps.mongo.db });

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'jiuzhu 救助 API',
        description: '社会救助案件全流程：三色预警、救助申请、督办升级。Bearer JWT on every non-public route.',
        version: '0.1.0',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }],
    },
    transform: openApiTransform,
  });
  app.addHook('onRoute', (route) => {
    // The docs UI and its assets are public like the document it shows.
    if (route.url.startsWith('/docs')) route.config = { ...route.config, public: true };
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list' } });
  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());

  await app.register(systemRoutes);
  await app.register(orgRoutes);
  await app.register(householdRoutes);
  await app.register(alertRoutes);
  await app.register(caseRoutes);
  await app.register(statsRoutes);
  await app.register(assessmentRoutes);
  await app.register(calendarRoutes);
  await app.register(applicationRoutes);
  await app.register(referenceRoutes);
  await app.register(wishRoutes);
  await app.register(reportRoutes);
  await app.register(webRoutes);
  await app.register(publicPageRoutes);
  await app.register(partyDayRoutes);
  await app.register(auditRoutes);
  await app.register(codecRoutes);
  await app.register(orderRoutes);
  await app.register(discoveryRoutes);
  await app.register(supervisionRoutes);
  await app.register(notificationRoutes);
  await app.register(patrolRoutes);
  await app.register(pairingRoutes);
  await app.register(partyMemberRoutes);
  await app.register(serviceTaskRoutes);
  await app.register(intakeRoutes);
  await app.register(authRoutes);
  await app.register(userRoutes);
  return app;
}
