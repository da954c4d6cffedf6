import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MongoClient } from 'mongodb';
import { assessmentOf, factsBehind, yearPeriod, type AssessmentReport, type DeadlineFact } from '../domain/assessment';
import { localMonth } from '../domain/china-time';
import { freePort } from '../scripts/lib/proc';
import { seededRandom } from '../scripts/lib/seeded-random';
import { startMongo } from '../scripts/lib/stack';
import { assessmentFacts } from '../store/assessments';
import { collections, type DeadlineDoc } from '../store/collections';
import { deadlinesDueIn } from '../store/deadlines';
import { ensureIndexes } from '../store/indexes';
import { weihaiOrgUnits } from '../store/seed';
import { assessmentPdf } from '../api/exports/assessment-pdf';
import { assessmentXlsx } from '../api/exports/assessment-xlsx';
import { fmt, log, onTeardown, parseFlags, runBench, table, vacuumAnalyze, writeResults } from './lib';

/*
 * `npm run bench:assessment [-- --deadlines 100000 --samples 7]` (or `npx tsx bench/assessment.ts`)
 *
 * The yearly assessment of a district (docs/assessment.md) at the scale the issue names: a district's year
 * of ~10^5 deadlines. Fills the local default read model (FerretDB 1.24 on PostgreSQL, started here on free
 * ports; MONGODB_URI and FERRETDB_POSTGRESQL_URL for an existing one) with `--deadlines` deadline documents
 * due in one China-time year in the district's villages, the same number again as noise (half in another
 * district that year, half in the district the year before), then times, one at a time, `--samples` each:
 *
 *   baseline             what GET /v1/stats/on-time reads for the same district and year (deadlinesDueIn, 3 fields)
 *   assessment: read     store/assessments.ts assessmentFacts (9 fields)
 *   assessment: count    domain/assessment.ts assessmentOf over those facts (in memory)
 *   assessment: total    read + count: GET /v1/assessments/{year} as JSON, less HTTP
 *   drill-down (a town)  a town's facts read and `late` listed (GET …/cases)
 *   xlsx, pdf            the exports of the report
 *
 * Target (ours): assessment total p50 ≤ 1.5 × the baseline's p50 in the same run — the assessment costs
 * about what the existing on-time figure costs, i.e. the index read, not the counting.
 */

const flags = parseFlags(process.argv.slice(2), { deadlines: 100_000, samples: 7, 'max-minutes': 20 });
const N = flags.deadlines as number;
const SAMPLES = flags.samples as number;
const DISTRICT = '371002';
const OTHER = '371003';
const TOWN = '371002001';
const YEAR = Number(localMonth(Date.now()).slice(0, 4)) - 1;
const TARGET = 1.5;
const KINDS = ['alert.red', 'alert.orange', 'alert.yellow', 'alert.yellow', 'alert.yellow', 'application.town_review', 'report.acknowledge', 'report.answer', 'wish.fulfilment', 'order.reply'];
const OUTCOMES: DeadlineDoc['outcome'][] = ['on_time', 'on_time', 'on_time', 'on_time', 'late', 'unhandled', 'not_due', 'pending'];

async function time<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}
const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

await runBench('bench:assessment', flags['max-minutes'] as number, async () => {
  let uri = process.env.MONGODB_URI;
  let postgresUrl = process.env.FERRETDB_POSTGRESQL_URL;
  if (!uri) {
    const scratch = mkdtempSync(join(tmpdir(), 'jiuzhu-bench-assessment-'));
    onTeardown('scratch', () => rmSync(scratch, { recursive: true, force: true }));
    const model = await startMongo({ port: await freePort(), dataDir: join(scratch, 'pg'), logFile: join(scratch, 'read-model.log') }, log);
    onTeardown('read model', () => model.stop());
    uri = model.uri;
    postgresUrl = model.postgresUrl;
  }
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000, appName: 'jiuzhu-bench-assessment' });
  await client.connect();
  onTeardown('client', () => client.close());
  const dbName = `bench_assessment_${randomBytes(3).toString('hex')}`;
  const db = client.db(dbName);
  onTeardown('database', () => db.dropDatabase());
  await ensureIndexes(db, { postgresUrl });

  const units = weihaiOrgUnits();
  const villagesOf = (district: string) => units.filter((u) => u.level === 'village' && u.path.includes(district));
  const here = villagesOf(DISTRICT);
  const there = villagesOf(OTHER);
  const random = seededRandom(20260101);
  const thisYear = yearPeriod(YEAR);
  const lastYear = yearPeriod(YEAR - 1);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const doc = (i: number, village: (typeof here)[number], period: typeof thisYear): DeadlineDoc => {
    const dueAt = period.from + Math.floor(random() * (period.to - period.from));
    const outcome = pick(OUTCOMES);
    const metAt = outcome === 'on_time' ? dueAt - Math.floor(random() * 86_400_000) : outcome === 'late' ? dueAt + Math.floor(random() * 5 * 86_400_000) : null;
    const kind = pick(KINDS);
    return {
      _id: `c${i}:d#1`,
      caseId: `c${i}`,
      kind: kind.split('.')[0] as DeadlineDoc['kind'],
      deadlineKind: kind,
      label: kind,
      orgPath: village.path,
      unitCode: village.code,
      dueAt: new Date(dueAt),
      dueMonth: localMonth(dueAt),
      metAt: metAt === null ? null : new Date(metAt),
      outcome,
      escalations: outcome === 'late' ? 1 + Math.floor(random() * 3) : 0,
      version: 1,
    };
  };
  const t0 = performance.now();
  const total = 2 * N;
  for (let from = 0; from < total; from += 5000) {
    const batch: DeadlineDoc[] = [];
    for (let i = from; i < Math.min(total, from + 5000); i++) {
      if (i < N) batch.push(doc(i, pick(here), thisYear));
      else if (i % 2 === 0) batch.push(doc(i, pick(there), thisYear));
      else batch.push(doc(i, pick(here), lastYear));
    }
    await collections(db).deadlines.insertMany(batch, { ordered: false });
  }
  const vacuum = postgresUrl ? await vacuumAnalyze(postgresUrl, dbName) : null;
  log(`filled ${total.toLocaleString('en-US')} deadlines (${N.toLocaleString('en-US')} in ${DISTRICT} ${YEAR}) in ${fmt((performance.now() - t0) / 1000)} s${vacuum === null ? '' : `, VACUUM ANALYZE ${fmt(vacuum)} s`}`);

  const children = units.filter((u) => u.parent === DISTRICT);
  const district = units.find((u) => u.code === DISTRICT)!;
  const ms: Record<string, number[]> = { baseline: [], 'assessment: read': [], 'assessment: count': [], 'assessment: total': [], 'drill-down (a town)': [], xlsx: [], pdf: [] };
  let report: AssessmentReport | undefined;
  let rows = 0;
  for (let s = 0; s < SAMPLES + 1; s++) {
    const warm = s === 0;
    const base = await time(() => deadlinesDueIn(db, DISTRICT, new Date(thisYear.from), new Date(thisYear.to), ['orgPath', 'outcome', 'escalations']));
    const read = await time(() => assessmentFacts(db, DISTRICT, thisYear.from, thisYear.to));
    rows = read.value.length;
    const count = await time(async () => assessmentOf({ org: district, depth: district.path.length, children, period: thisYear, facts: read.value as DeadlineFact[], now: Date.now() }));
    report = count.value;
    const drill = await time(async () => factsBehind('late', await assessmentFacts(db, TOWN, thisYear.from, thisYear.to), Date.now()));
    const xlsx = await time(() => assessmentXlsx(report!));
    const pdf = await time(() => assessmentPdf(report!));
    if (warm) continue;
    ms.baseline!.push(base.ms);
    ms['assessment: read']!.push(read.ms);
    ms['assessment: count']!.push(count.ms);
    ms['assessment: total']!.push(read.ms + count.ms);
    ms['drill-down (a town)']!.push(drill.ms);
    ms.xlsx!.push(xlsx.ms);
    ms.pdf!.push(pdf.ms);
  }
  if (rows !== N) throw new Error(`the assessment read ${rows} deadlines, expected ${N}`);
  if (report!.total.deadlines.due + report!.total.deadlines.pending === 0) throw new Error('nothing counted');
  const ratio = p50(ms['assessment: total']!) / p50(ms.baseline!);
  console.log(table(['operation', 'p50 ms', 'min ms', 'max ms'], Object.entries(ms).map(([k, v]) => [k, p50(v), Math.min(...v), Math.max(...v)])));
  log(`assessment total ÷ baseline (p50): ${ratio.toFixed(2)}× — target ≤ ${TARGET}× ${ratio <= TARGET ? 'met' : 'MISSED'}`);
  log(`machine: ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const file = writeResults('assessment', { deadlines: N, noise: N, year: YEAR, samples: SAMPLES, p50: Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, p50(v)])), ms, ratio, target: TARGET, load: loadavg() });
  log(`results: ${file}`);
});
