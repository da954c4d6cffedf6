import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importCycles, importGraph, repositoryImportGraph } from './helpers/import-graph';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Imports known to close a cycle, each reported to whoever is to remove it: this list must shrink to
 * nothing. The test fails on any cycle that does not pass through one of them, and on one of them that
 * no longer closes a cycle (delete its entry).
 */
const KNOWN: { from: string; to: string; why: string }[] = [
  {
    // Type-level only, so nothing runs in a cycle: every contract on the case kit imports the type CaseInput
    // from workflows/lib/case-workflow.ts (→ case-runtime.ts → projector.ts), activities import contracts
    // to reach other workflows (closeUpdate, handOverUpdate, answerReportUpdate), and projector.ts imports
    // the activities' factory type. Since 01ba489; issue 10, the workflow kit: e.g. projector.ts declaring
    // the one activity it calls (projectCase) instead of importing createActivities.
    from: 'workflows/lib/projector.ts',
    to: 'activities/index.ts',
    why: 'import type { createActivities } from activities/ in workflows/lib/projector.ts',
  },
];

describe('import cycles', () => {
  it('none anywhere in the repository but through the known imports: no file imports, through any chain, a file that imports it', () => {
    const { graph, files, imports } = repositoryImportGraph(ROOT);
    // The walk really saw the tree (a walk that found nothing would find no cycle either).
    expect(files).toBeGreaterThan(100);
    expect(imports).toBeGreaterThan(files);
    const stillCycles = KNOWN.filter((k) => importCycles(graph).some((c) => c.files.includes(k.from) && c.files.includes(k.to) && graph.get(k.from)?.includes(k.to)));
    expect(KNOWN.filter((k) => !stillCycles.includes(k)).map((k) => `closes no cycle any more, remove from KNOWN: ${k.why}`)).toEqual([]);
    const without = new Map([...graph].map(([from, targets]) => [from, targets.filter((to) => !KNOWN.some((k) => k.from === from && k.to === to))]));
    expect(importCycles(without).map((c) => c.cycle.join(' → '))).toEqual([]);
  });

  it('finds a cycle through a type-only import, an `export … from` and a dynamic import()', () => {
    const files = new Map([
      ['/v/store/mongo.ts', "export const load = () => import('./reports');\n"],
      ['/v/store/reports.ts', "import type { Wish } from './wishes';\nexport type Report = Wish;\n"],
      ['/v/store/wishes.ts', "export { load } from './mongo';\nexport interface Wish { id: string }\n"],
      ['/v/store/leaf.ts', "import { load } from './mongo';\nimport pg from 'pg';\nexport { load, pg };\n"],
      ['/v/web/screen.tsx', "import { view } from './view';\nexport const screen = view;\n"],
      ['/v/web/view.tsx', "import { screen } from './screen.tsx';\nexport const view = () => screen;\n"],
      ['/v/self.ts', "import './self';\n"],
    ]);
    const graph = importGraph(files);
    expect(graph.get('/v/store/leaf.ts')).toEqual(['/v/store/mongo.ts']);
    expect(importCycles(graph)).toEqual([
      { files: ['/v/self.ts'], cycle: ['/v/self.ts', '/v/self.ts'] },
      { files: ['/v/store/mongo.ts', '/v/store/reports.ts', '/v/store/wishes.ts'], cycle: ['/v/store/mongo.ts', '/v/store/reports.ts', '/v/store/wishes.ts', '/v/store/mongo.ts'] },
      { files: ['/v/web/screen.tsx', '/v/web/view.tsx'], cycle: ['/v/web/screen.tsx', '/v/web/view.tsx', '/v/web/screen.tsx'] },
    ]);
  });

  it('finds none in a graph without one', () => {
    const files = new Map([
      ['/v/a.ts', "import { b } from './b';\nimport { c } from './c';\nexport const a = b + c;\n"],
      ['/v/b.ts', "import { c } from './c';\nexport const b = c;\n"],
      ['/v/c.ts', 'export const c = 1;\n'],
    ]);
    expect(importCycles(importGraph(files))).toEqual([]);
  });
});
