import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';

/** What the import graph reads: TypeScript and JavaScript sources. */
const SOURCE = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;
/** Folders that hold no source of ours (dependencies, data, build output, results). */
const SKIPPED = new Set(['node_modules', '.git', '.tools', 'data', 'dist', 'coverage', 'test-results', 'results']);

/** Every source file below `root` (absolute paths), skipping SKIPPED folders and declaration files. */
export function sourceFiles(root: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const path = join(root, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED.has(entry.name) && !entry.name.startsWith('.')) found.push(...sourceFiles(path));
    } else if (entry.isFile() && SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts')) {
      found.push(path);
    }
  }
  return found.sort();
}

const OPTIONS: ts.CompilerOptions = {
  module: ts.ModuleKind.Preserve,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  resolveJsonModule: true,
  allowJs: true,
  allowImportingTsExtensions: true,
  jsx: ts.JsxEmit.ReactJSX,
};

/**
 * The import graph of a set of files (absolute path → source text): for each file, the files of the set it
 * imports. Every kind of import counts — static, type-only, `export … from`, dynamic `import()` and
 * `require()` — as read by the TypeScript compiler's `ts.preProcessFile` and resolved by
 * `ts.resolveModuleName` as the project's tsconfig does (bundler resolution). Imports of packages and of
 * files outside the set are left out.
 */
export function importGraph(files: ReadonlyMap<string, string>): Map<string, string[]> {
  const host: ts.ModuleResolutionHost = {
    fileExists: (f) => files.has(f) || ts.sys.fileExists(f),
    readFile: (f) => files.get(f) ?? ts.sys.readFile(f),
    directoryExists: (d) => [...files.keys()].some((f) => f.startsWith(d + sep) || f.startsWith(`${d}/`)) || (ts.sys.directoryExists?.(d) ?? false),
  };
  const graph = new Map<string, string[]>();
  for (const [file, text] of files) {
    const imported = new Set<string>();
    for (const ref of ts.preProcessFile(text, true, true).importedFiles) {
      const target = ts.resolveModuleName(ref.fileName, file, OPTIONS, host).resolvedModule?.resolvedFileName;
      if (target !== undefined && files.has(target)) imported.add(target);
    }
    graph.set(file, [...imported].sort());
  }
  return graph;
}

/** A set of files that import one another, and one cycle through them (a → b → … → a), for the reader. */
export interface ImportCycle {
  /** The strongly connected component: every file on some cycle with the others, sorted. */
  files: string[];
  /** The shortest cycle from its first file back to it. */
  cycle: string[];
}

/**
 * The import cycles of a graph: each strongly connected component of more than one file, or a file that
 * imports itself, ordered by their first file. Tarjan's algorithm.
 */
export function importCycles(graph: ReadonlyMap<string, readonly string[]>): ImportCycle[] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) components.push(component);
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return components
    .map((c) => ({ files: c.sort(), cycle: cycleThrough(graph, new Set(c)) }))
    .sort((a, b) => a.files[0]!.localeCompare(b.files[0]!));
}

/** One cycle inside a strongly connected component, from its first file (by name) back to it: breadth-first, so the shortest. */
function cycleThrough(graph: ReadonlyMap<string, readonly string[]>, component: ReadonlySet<string>): string[] {
  const start = [...component].sort()[0]!;
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of graph.get(v) ?? []) {
      if (!component.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let at = v; at !== start; at = cameFrom.get(at)!) path.splice(1, 0, at);
        return [...path, start];
      }
      if (!cameFrom.has(w)) {
        cameFrom.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

/** The repository's import graph, with repository-relative paths, and how many files and imports it has. */
export function repositoryImportGraph(root: string): { graph: Map<string, string[]>; files: number; imports: number } {
  const files = new Map(sourceFiles(root).map((f) => [f, readFileSync(f, 'utf8')]));
  const graph = new Map([...importGraph(files)].map(([from, targets]) => [relative(root, from), targets.map((t) => relative(root, t))]));
  const imports = [...graph.values()].reduce((n, targets) => n + targets.length, 0);
  return { graph, files: files.size, imports };
}
