/**
 * `npm run size:public` (tsx scripts/size-public.ts [--no-build]): builds the web (vite, both pages) and prints
 * the gzipped size of the public phone page's first screen — what a phone must fetch before it can paint the
 * page behind the QR code: web/dist/public.html, the stylesheets and the scripts it links (the entry and the
 * modules it imports statically, followed through their `import` statements), each file and the total, against
 * the target of 50 KB (51,200 bytes; issue 14, item 1). The unit's JSON (GET /v1/public/units/{code}) is not
 * counted. Gzip at level 6, zlib's default and nginx's usual `gzip_comp_level` range; the API itself sends the
 * files uncompressed, a proxy in front compresses them. Exit status 1 when the total is over the target.
 * Independent of the tests (issue 14: "the public page's size measured in a test-independent script").
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

const TARGET_BYTES = 50 * 1024;
const web = join(import.meta.dirname, '..', 'web');
const dist = join(web, 'dist');
/** The workspace's assets are served at /app/ (vite `base`), from web/dist. */
const BASE = '/app/';

/** The files of the first screen: the page, its sheets, its scripts and their static imports (dist-relative paths). */
export function firstScreenFiles(distDir: string, page = 'public.html'): string[] {
  const html = readFileSync(join(distDir, page), 'utf8');
  const files = [page];
  const linked = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*\shref)="([^"]+)"/g)].map((m) => m[1]!).filter((u) => u.startsWith(BASE));
  const queue = linked.map((u) => u.slice(BASE.length));
  while (queue.length) {
    const file = queue.shift()!;
    if (files.includes(file)) continue;
    files.push(file);
    if (!file.endsWith('.js')) continue;
    // Static imports only (`import"./x.js"`, `from"./x.js"`): a dynamic import() is loaded later, if at all.
    const code = readFileSync(join(distDir, file), 'utf8');
    for (const m of code.matchAll(/(?:\bimport|\bfrom)\s*["']([^"']+\.js)["']/g)) queue.push(posix.join(posix.dirname(file), m[1]!));
  }
  return files;
}

async function main(): Promise<void> {
  if (!process.argv.includes('--no-build')) {
    await build({ root: web, configFile: join(web, 'vite.config.ts'), logLevel: 'warn' });
  }
  if (!existsSync(join(dist, 'public.html'))) throw new Error('web/dist/public.html is missing: run without --no-build');
  const rows = firstScreenFiles(dist).map((file) => {
    const raw = readFileSync(join(dist, file));
    return { file, raw: raw.length, gzip: gzipSync(raw, { level: 6 }).length };
  });
  const total = rows.reduce((s, r) => s + r.gzip, 0);
  const totalRaw = rows.reduce((s, r) => s + r.raw, 0);
  const width = Math.max(...rows.map((r) => r.file.length), 5);
  const n = (v: number) => v.toLocaleString('en-US').padStart(9);
  console.log(`public phone page (/q/{code}), first screen, from ${relative(process.cwd(), dist) || '.'}:`);
  console.log(`  ${'file'.padEnd(width)}  ${'bytes'.padStart(9)}  ${'gzip'.padStart(9)}`);
  for (const r of rows) console.log(`  ${r.file.padEnd(width)}  ${n(r.raw)}  ${n(r.gzip)}`);
  console.log(`  ${'total'.padEnd(width)}  ${n(totalRaw)}  ${n(total)}`);
  const ok = total <= TARGET_BYTES;
  console.log(`${ok ? 'within' : 'OVER'} the target: ${total.toLocaleString('en-US')} of ${TARGET_BYTES.toLocaleString('en-US')} bytes gzipped (${((100 * total) / TARGET_BYTES).toFixed(1)} %)`);
  if (!ok) process.exitCode = 1;
}

if (process.argv[1] && dirname(process.argv[1]) === import.meta.dirname && /size-public\.[tj]s$/.test(process.argv[1])) {
  main().catch((err: unknown) => {
    console.error(`size:public: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  });
}
