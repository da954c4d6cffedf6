import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { pingMongo } from '../../store/mongo';

const READY_TIMEOUT_MS = 2000;

function within<T>(ms: number, work: Promise<T>): Promise<T> {
  return Promise.race([work, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);
}

const zCheck = z.object({ ok: z.boolean(), error: z.string().optional() });
const zReady = z.object({ status: z.enum(['ready', 'not_ready']), checks: z.object({ temporal: zCheck, mongodb: zCheck }) });

export const systemRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/health',
    { config: { public: true }, schema: { tags: ['system'], summary: 'The process is alive', security: [], response: { 200: z.object({ status: z.literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/ready',
    {
      config: { public: true },
      schema: { tags: ['system'], summary: 'Temporal and MongoDB both answer', security: [], response: { 200: zReady, 503: zReady } },
    },
    async (_request, reply) => {
      const { temporal, mongo } = app.deps;
      const probe = async (work: () => Promise<unknown>) => {
        try {
          await within(READY_TIMEOUT_MS, work());
          return { ok: true };
        } catch (err) {
          return { ok: false, error: (err as Error).message };
        }
      };
      const [t, m] = await Promise.all([
        probe(() => temporal.workflowService.getSystemInfo({})),
        probe(() => pingMongo(mongo.db)),
      ]);
      const ready = t.ok && m.ok;
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks: { temporal: t, mongodb: m } });
    },
  );
};
