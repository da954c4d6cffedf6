import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

const require = createRequire(import.meta.url);
/** The module that exports every workflow the worker registers. */
export const WORKFLOWS_PATH = require.resolve('../workflows/index.ts');

/** Where `npm run build:workflows` writes the bundle by default (the production image builds it there). */
export const DEFAULT_BUNDLE_PATH = 'dist/workflow-bundle.js';

/** Webpack's chatter stays out of the output; its errors do not. */
const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (message: string) => console.error(message),
};

/**
 * Bundles the workflows (workflows/index.ts and what it imports, or another module's for a test) as the
 * worker would at start (seconds). Throws what `bundleWorkflowCode` throws when the workflow code does
 * not bundle (say, an import of a Node module the workflow sandbox lacks).
 */
export function bundleWorkflows(workflowsPath: string = WORKFLOWS_PATH): Promise<{ code: string }> {
  return bundleWorkflowCode({ workflowsPath, logger: quietLogger });
}

/**
 * Bundles the workflows and writes the bundle to `outFile` (directories created), for a worker started
 * with WORKFLOW_BUNDLE_PATH (config/index.ts). Returns the bundle's size in bytes.
 */
export async function writeWorkflowBundle(outFile: string): Promise<number> {
  const { code } = await bundleWorkflows();
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, code);
  return Buffer.byteLength(code);
}
