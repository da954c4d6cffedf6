import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker, type ReplayResult } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleWorkflows, writeWorkflowBundle } from '../../worker/bundle';
import { insecureDevPiiKeys } from '../../config';
import { piiKeyring } from '../../store/pii';
import { piiDataConverter } from '../../worker/codec';
import { quietRuntime } from '../helpers/context';
import { historyFromJsonValue, type RecordedHistory } from '../helpers/history-json';

/**
 * The determinism net (docs/determinism.md): every recorded history in test/replay/histories — workflows
 * of every kind, run by the code of their time on real servers (scripts/record-histories.ts) — replays
 * against today's workflow code without a determinism error. The code is the bundle the production image
 * ships, built by the same function as `npm run build:workflows` and loaded from its file, as a worker
 * given WORKFLOW_BUNDLE_PATH loads it.
 *
 * A failure names the file and the error: the change is not compatible with workflows already running,
 * and must branch on `patched()` (keeping the old path for old histories), not re-record the file.
 */

const DIR = new URL('../replay/histories/', import.meta.url).pathname;
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();
const load = (file: string) => JSON.parse(readFileSync(join(DIR, file), 'utf8')) as RecordedHistory;

let scratch: string;
const results = new Map<string, ReplayResult>();
/** Set when the replay worker itself failed (not one history): the file it was on and why. */
let stopped: { file: string; error: Error } | undefined;

beforeAll(async () => {
  quietRuntime();
  scratch = mkdtempSync(join(tmpdir(), 'jiuzhu-replay-'));
  const bundlePath = join(scratch, 'workflow-bundle.js');
  await writeWorkflowBundle(bundlePath);
  const histories = files.map((file) => {
    const recorded = load(file);
    return { workflowId: recorded.workflowId, history: historyFromJsonValue(recorded.history) };
  });
  // One replay worker for every file. It replays one history at a time, in order, and answers for each
  // before it takes the next.
  let i = 0;
  try {
    // With the payload codec, as production's worker: recorded histories are plain, and it leaves plain payloads as they are.
    const dataConverter = piiDataConverter(piiKeyring(insecureDevPiiKeys()));
    for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: bundlePath }, dataConverter }, histories)) results.set(files[i++]!, result);
  } catch (error) {
    stopped = { file: files[i] ?? '(after the last file)', error: error as Error };
  }
}, 180_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('recorded workflow histories replay against the current workflow code', () => {
  it('has histories of every kind of case', () => {
    const kinds = new Set(files.map((f) => load(f).workflowType));
    expect([...kinds].sort()).toEqual(['alertWorkflow', 'applicationWorkflow', 'discoveryWorkflow', 'intakeWorkflow', 'orderWorkflow', 'pairingWorkflow', 'partyDayWorkflow', 'patrolWorkflow', 'reportWorkflow', 'wishWorkflow']);
  });

  it.each(files)('%s', (file) => {
    const result = results.get(file);
    if (!result) throw new Error(`${file} was not replayed${stopped ? `: the replay worker stopped at ${stopped.file}: ${stopped.error.name}: ${stopped.error.message}` : ''}`);
    if (result.error) throw new Error(`${file} does not replay: ${result.error.name}: ${result.error.message}`);
  });

  it('catches a change that is not patched: a timer added before an alert opens', async () => {
    const { code } = await bundleWorkflows(new URL('../replay/fixtures/changed-alert-workflow.ts', import.meta.url).pathname);
    const file = files.find((f) => f.startsWith('alert-'))!;
    const recorded = load(file);
    const replay = Worker.runReplayHistory({ workflowBundle: { code } }, historyFromJsonValue(recorded.history), recorded.workflowId);
    await expect(replay).rejects.toBeInstanceOf(DeterminismViolationError);
  }, 120_000);
});
