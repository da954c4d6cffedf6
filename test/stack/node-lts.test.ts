import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ensureNode, NODE_LTS_VERSION } from '../../scripts/lib/tools';

/**
 * The Node LTS line CI runs the suite on beside the machine's Node (.ci/run) is the one the production image
 * is built on, comes from the npm registry (scripts/lib/tools.ts ensureNode: cached in ~/.cache/jiuzhu after
 * the first run), and loads what the processes need: the Temporal core bridge (N-API) and tsx.
 */
describe('the Node LTS line for CI and the image', () => {
  it('is the Dockerfile’s base image line', () => {
    const major = NODE_LTS_VERSION.split('.')[0];
    const froms = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8').match(/^FROM node:\S+/gm) ?? [];
    expect(froms.length).toBeGreaterThan(0);
    for (const from of froms) expect(from).toBe(`FROM node:${major}-bookworm-slim`);
    const engines = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).engines.node as string;
    expect(Number(engines.match(/>=\s*(\d+)/)?.[1])).toBeLessThanOrEqual(Number(major));
  });

  it('is obtained from the npm registry and loads the Temporal core bridge and tsx', async () => {
    const node = await ensureNode(() => undefined);
    const probe = spawnSync(
      node,
      ['--import', 'tsx', '-e', "const b = (await import('@temporalio/core-bridge')).default ?? {}; console.log(process.version, typeof b.native)"],
      { encoding: 'utf8', cwd: new URL('../..', import.meta.url).pathname, timeout: 60_000 },
    );
    expect(probe.stderr).toBe('');
    expect(probe.stdout.trim()).toBe(`v${NODE_LTS_VERSION} object`);
  }, 120_000);

  it('loads argon2 (the password hash, a native add-on shipped prebuilt) and hashes with the API’s parameters', async () => {
    const node = await ensureNode(() => undefined);
    const probe = spawnSync(
      node,
      ['-e', "const a = require('argon2'); a.hash('x', { type: a.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 }).then((h) => a.verify(h, 'x').then((ok) => console.log(h.split('$').slice(1, 4).join('$'), ok)))"],
      { encoding: 'utf8', cwd: new URL('../..', import.meta.url).pathname, timeout: 60_000 },
    );
    expect(probe.stderr).toBe('');
    expect(probe.stdout.trim()).toBe('argon2id$v=19$m=19456,p=1,t=2 true');
  }, 120_000);
});
