import { spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findPostgresBin } from '../../scripts/lib/postgres';
import { MissingToolError } from '../../scripts/lib/tools';

/**
 * Without Go (or Java) the stack says in one line what to install or which variable to set — never a
 * stack trace. Run as a child with an empty tool cache and a PATH that has node but no go/java/temporal.
 */
/** A PATH with node alone (node lives in /usr/bin beside java and mvn on Debian). */
function nodeOnlyPath(): string {
  const bin = mkdtempSync(join(tmpdir(), 'jiuzhu-path-'));
  symlinkSync(process.execPath, join(bin, 'node'));
  return bin;
}

function runTools(env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'scripts/tools.ts'], {
    env: { PATH: nodeOnlyPath(), HOME: process.env.HOME, JIUZHU_TOOLS_DIR: mkdtempSync(join(tmpdir(), 'jiuzhu-tools-')), ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
}

describe('obtaining the servers', () => {
  it('without Go: one line naming what to install or which variable to set, exit code 3', () => {
    const r = runTools({});
    expect(r.status).toBe(3);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^jiuzhu: the Temporal dev server needs Go .*brew install temporal.*TEMPORAL_ADDRESS=/);
  });

  it('with TEMPORAL_ADDRESS and MONGODB_URI set but no Java: one line about the test server', () => {
    const r = runTools({ TEMPORAL_ADDRESS: '127.0.0.1:7233', MONGODB_URI: 'mongodb://127.0.0.1:27017/' });
    expect(r.status).toBe(3);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^jiuzhu: the time-skipping test server needs Java 17\+ and Maven/)]);
  });

  it('without PostgreSQL’s server binaries: one line naming the package, POSTGRES_BIN and MONGODB_URI', () => {
    const nowhere = mkdtempSync(join(tmpdir(), 'jiuzhu-nopg-'));
    let error: unknown;
    try {
      findPostgresBin({ PATH: nodeOnlyPath() }, nowhere);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(MissingToolError);
    const message = (error as Error).message;
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toMatch(/apt-get install postgresql/);
    expect(message).toMatch(/POSTGRES_BIN/);
    expect(message).toMatch(/MONGODB_URI=/);
  });

  it('finds Debian’s PostgreSQL when it is installed (what the local default runs on)', () => {
    expect(findPostgresBin({ PATH: nodeOnlyPath() })).toMatch(/\/bin$/);
  });
});
