import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importCycles, importGraph, repositoryImportGraph } from './helpers/import-graph';

const ROOT = fileURLToPath(new URL('..', import.meta.url));


describe('import cycles', () => {
  it('none anywhere in the repository: no file imports, through any chain, a file that imports it', () => {
    const { graph, files, imports } = repositoryImportGraph(ROOT);
    // The walk really saw the tree (a walk that found nothing would find no cycle either).
    expect(files).toBeGreaterThan(100);
    expect(imports).toBeGreaterThan(files);
    expect(importCycles(graph).map((c) => c.cycle.join(' → '))).toEqual([]);
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
