import { resolve } from 'node:path';
import { DEFAULT_BUNDLE_PATH, writeWorkflowBundle } from '../worker/bundle';

// `npm run build:workflows [file]`: writes the workflow bundle (default dist/workflow-bundle.js) for a worker
// started with WORKFLOW_BUNDLE_PATH, as the production image is (Dockerfile). test/workflows/replay.test.ts
// replays the recorded histories against a bundle written by the same function.
const out = resolve(process.argv[2] ?? DEFAULT_BUNDLE_PATH);
const bytes = await writeWorkflowBundle(out);
console.log(`workflow bundle: ${out} (${Math.round(bytes / 1024)} KiB)`);
