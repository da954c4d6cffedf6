import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { createTestContext, type TestContext } from '../helpers/context';
import { launchChromium } from './browser';
import { ensureWebBuilt } from './build';

/** What a browser test drives: the test context, the API's address, Chromium. */
export interface WebStack {
  ctx: TestContext;
  /** `http://127.0.0.1:<port>`: the API (and the workspace under /app) listening on a free port. */
  base: string;
  browser: Browser;
}

/**
 * The stack of a browser test (test/web/*.test.ts): the workspace built (web/dist), a test context on the real
 * servers (`createTestContext(name, opts)`), its worker when `worker` is set, the API listening on a free port
 * of 127.0.0.1, and headless Chromium. Close it with `closeWebStack`.
 */
export async function startWebStack(name: string, opts: Parameters<typeof createTestContext>[1] = {}, run: { worker?: boolean } = {}): Promise<WebStack> {
  await ensureWebBuilt();
  const ctx = await createTestContext(name, opts);
  if (run.worker) await ctx.startWorker();
  await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(ctx.app.server.address() as AddressInfo).port}`;
  return { ctx, base, browser: await launchChromium() };
}

/** Closes what startWebStack started (either may be undefined when the start failed part-way). */
export async function closeWebStack(browser: Browser | undefined, ctx: TestContext | undefined): Promise<void> {
  await browser?.close();
  await ctx?.close();
}
