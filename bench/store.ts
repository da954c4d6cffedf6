import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BSON, MongoClient, type Collection, type CommandStartedEvent, type Db, type Document, type Filter } from 'mongodb';
import { projectCaseInto, readModelDocs } from '../store/projection';
import { insecureDevPiiKeys } from '../config';
import { attachPiiKeyring, piiKeyring } from '../store/pii';
import { sealHousehold } from '../store/households';
import { acknowledge, advanceAlert, alertView, close, openAlert, recordVisit, type Actor, type AlertState, type CaseEvent, type Notice } from '../domain/alert';
import { localMonth } from '../domain/china-time';
import { computeCheckDigit } from '../domain/id-number';
import type { OrgUnit, UnitRef } from '../domain/org';
import { ALERT_LEVELS, resolvePolicy, type AlertLevel, type AlertPolicy } from '../domain/policy';
import { deadlineRecordOf, taskKeyOf, type CaseProjection, type DeadlineRecord } from '../domain/projection';
import { freePort } from '../scripts/lib/proc';
import { startMongo, type LocalReadModel } from '../scripts/lib/stack';
import { deadlinesDueIn } from '../store/deadlines';
import { ensureIndexes } from '../store/indexes';
import { COLLECTIONS, type BoardRow } from '../store/collections';
import { weihaiOrgUnits } from '../store/seed';
import { alertWorkflowId } from '../workflows/alert/contract';
import { fmt, log, onTeardown, parseFlags, ratio, runBench, statsOf, table, vacuumAnalyze, writeResults, type LatencyStats } from './lib';
import { seededRandom } from '../scripts/lib/seeded-random';

/*
 * `npm run bench:store [-- --sizes 1000,10000,50000 --samples 150 --no-sqlite]`
 *
 * Does the read model stay flat as it grows? The projection's own writes (store/projection.ts) and
 * the API's hot reads, timed one at a time on a read model of 1k, 10k and 50k cases, on the local default
 * (FerretDB 1.24 on PostgreSQL) and on FerretDB on SQLite as the baseline (whose backend scans the
 * collection for every operation, even by `_id`, so it is measured at the small sizes only).
 *
 * For each server: start it (own data dir, free port), create the indexes (store/indexes.ts), then per size
 * top the collections up to that many cases (realistic alert documents built with the domain's own rules,
 * spread over the district's villages: 70 % closed over the past year, 20 % open, 10 % open and overdue,
 * with their households, deadlines, events, board rows and task rows), VACUUM ANALYZE on PostgreSQL
 * (what autovacuum does shortly after a bulk load), and then run rounds: each round runs every operation
 * once, in a shuffled order, one at a time (no concurrency: a latency is one operation's round trip on a
 * quiet server). The operations (the row labels of the tables):
 *
 *   projection: projectCaseInto() itself, with CaseProjection inputs as an alert workflow sends them
 *     first projection      a new alert: events, outbox notice, household read, deadline, case, board-row delete, task row
 *     visit in time         an open case's visit: events, the changed deadline(s), the case, its task row (previous set)
 *     becomes overdue       the deadline passes: events, notice, the deadline, the case, board-row upsert
 *     leaves overdue        an overdue case's visit: events, deadline(s), the case, board-row delete, its task row
 *   _id: the raw driver calls those writes are made of, on `cases`
 *     findOne({_id})        also GET /v1/cases/:id
 *     upsert, existing      updateOne({_id, version:{$lt:v}}, {$set: the whole case}, {upsert:true}) on a stored case
 *     upsert, creates       the same for an _id not stored yet
 *     deleteOne({_id})      deletes what the previous op created (so the size stays put)
 *   read: the API's hot reads (api/routes/cases.ts, store/deadlines.ts), 51 rows = a page of 50 and one more;
 *     the board and the task list as the route reads them: 51 small rows (`overdue`, `due`) by unit in due
 *     order, then the page's 50 case documents by _id (without their views)
 *
 * Target: for every projection and _id operation, p50 at the largest size ≤ 1.5 × p50 at the smallest.
 * The reads are not held to it: they return rows of a unit's subtree, which grows with the read model.
 *
 * Flags: --sizes (cases, "1000,10000,50000") --samples (rounds per size on PostgreSQL, 150) --warmup (5)
 *        --read-samples (40: on PostgreSQL the reads run in that many of the rounds, spread evenly — at 50k
 *          a read of a town's cases takes seconds, and the reads have no target; on SQLite every other round)
 *        --sqlite-samples (10) --sqlite-max-size (10000: larger sizes are skipped on SQLite)
 *        --sqlite-budget (seconds per size on SQLite, 180: no new round starts past it) --no-sqlite
 *        --max-minutes (28: past it, everything is stopped and the run fails)
 * With MONGODB_URI set, that server only (a fresh database, dropped at the end), no SQLite column; set
 * FERRETDB_POSTGRESQL_URL too if it is FerretDB on PostgreSQL, for the GIN indexes and VACUUM ANALYZE.
 */

const argv = process.argv.slice(2);
const flags = parseFlags(
  argv.filter((a) => a !== '--no-sqlite'),
  { sizes: '1000,10000,50000', samples: 150, 'read-samples': 40, warmup: 5, 'sqlite-samples': 10, 'sqlite-max-size': 10_000, 'sqlite-budget': 180, 'max-minutes': 28 },
);
const SIZES = String(flags.sizes)
  .split(',')
  .map((s) => Number(s.trim().replace(/_/g, '')));
if (SIZES.some((n) => !Number.isInteger(n) || n < 100) || SIZES.length === 0) throw new Error(`--sizes: expected case counts of at least 100, got ${flags.sizes}`);
SIZES.sort((a, b) => a - b);
const SAMPLES = flags.samples as number;
const READ_SAMPLES = Math.min(SAMPLES, flags['read-samples'] as number);
const WARMUP = flags.warmup as number;
const SQLITE_SAMPLES = flags['sqlite-samples'] as number;
const SQLITE_MAX_SIZE = flags['sqlite-max-size'] as number;
const SQLITE_BUDGET_MS = (flags['sqlite-budget'] as number) * 1000;
const EXTERNAL = process.env.MONGODB_URI;
const WITH_SQLITE = !argv.includes('--no-sqlite') && !EXTERNAL;

const DISTRICT = '371002';
/** The town whose board, list and stats are read: one of the district's three. */
const TOWN = '371002001';
const TARGET_RATIO = 1.5;
const DAY = 86_400_000;
const ACTOR: Actor = { userId: `bench@${DISTRICT}`, role: 'district_staff', unitCode: DISTRICT };
const REASONS = ['收入骤降'];
/** Case indices from here on are the new alerts of the "first projection" op, never filled. */
const NEW_CASES_FROM = 500_000;

// ---------------------------------------------------------------------------------------------------
// Synthetic alerts, built with the domain's rules (domain/alert.ts), deterministic in the case index i

interface Village {
  unit: OrgUnit;
  ladder: UnitRef[];
}

interface World {
  policy: AlertPolicy;
  villages: Village[];
  /** The instant the read model is filled "as of": fill-time states are computed at it. */
  now: number;
}

type Fate = 'closed' | 'open' | 'overdue';
/** 70 % closed over the past year, 20 % open within their deadline, 10 % open and overdue (the board). */
const fateOf = (i: number): Fate => (i % 10 === 0 ? 'overdue' : i % 10 <= 2 ? 'open' : 'closed');
/** Not i % 3: the village is i % 9, and every village has alerts of every level. */
const levelOf = (i: number): AlertLevel => ALERT_LEVELS[Math.floor(i / 10) % ALERT_LEVELS.length]!;
/** A well-spread number in [0, 1) for case i (the golden-ratio sequence), k picks another sequence. */
const spread = (i: number, k = 1): number => ((i + 1) * k * 0.6180339887498949) % 1;
const householdIdOf = (i: number): string => `hh-${i.toString(16).padStart(12, '0')}`;
const villageOf = (w: World, i: number): Village => w.villages[i % w.villages.length]!;

/** When case i was opened in the filled read model (the "first projection" op's new alerts: now). */
function fillOpenedAt(w: World, i: number): number {
  const p = w.policy.levels[levelOf(i)];
  switch (fateOf(i)) {
    case 'closed':
      return w.now - 14 * DAY - spread(i) * 350 * DAY;
    case 'open':
      return w.now - spread(i) * 0.7 * p.dueMs;
    case 'overdue':
      return w.now - p.dueMs - (0.1 + spread(i) * 2.5) * p.escalateEveryMs;
  }
}

/** The case id as the alert workflow makes it: `alert-<household>-<opened, compact ISO>`. */
function caseIdOf(w: World, i: number, openedAt = fillOpenedAt(w, i)): string {
  return `${alertWorkflowId(householdIdOf(i))}-${new Date(openedAt).toISOString().replace(/[-:.Z]/g, '')}`;
}

/**
 * An alert of case i opened at `openedAt`: its state and the opening's events (version 1). The case id stays
 * that of the filled case i (the ops rebuild a stored case's state as of another time), or the new one's.
 */
function opened(w: World, i: number, openedAt: number, alertId = caseIdOf(w, i)): { s: AlertState; events: CaseEvent[]; notices: Notice[] } {
  const v = villageOf(w, i);
  const { state, events, notices } = openAlert(
    { alertId, householdId: householdIdOf(i), level: levelOf(i), reasons: REASONS, unit: v.ladder[0]!, ladder: v.ladder, policy: w.policy, actor: ACTOR },
    openedAt,
  );
  return { s: state, events, notices };
}

const visit = (s: AlertState, at: number): CaseEvent[] => {
  const events: CaseEvent[] = [];
  // A red deadline needs 受理 (acknowledgement) and a visit; the others a visit.
  if (s.level === 'red' && !s.acknowledgement) events.push(...acknowledge(s, { note: '已电话联系户主' }, ACTOR, at).events);
  events.push(...recordVisit(s, { visitors: ['李网格', '王专干'], visitedAt: new Date(at).toISOString(), outcome: 'stable', notes: '入户核实' }, ACTOR, at).events);
  return events;
};

/** Case i as the fill stores it: its state at version 2 and the events of versions 1 and 2. */
function filledCase(w: World, i: number): { s: AlertState; byVersion: CaseEvent[][] } {
  const fate = fateOf(i);
  const openedAt = fillOpenedAt(w, i);
  const { s, events } = opened(w, i, openedAt);
  const later: CaseEvent[] = [];
  if (fate === 'closed') {
    const visitAt = openedAt + spread(i, 7) * 1.3 * w.policy.levels[s.level].dueMs; // some visits late
    later.push(...advanceAlert(s, visitAt).events, ...visit(s, visitAt));
    later.push(...close(s, { reason: 'resolved' }, ACTOR, visitAt + DAY).events);
  } else {
    if (s.level === 'red') later.push(...acknowledge(s, {}, ACTOR, Math.min(w.now, openedAt + 3_600_000)).events);
    later.push(...advanceAlert(s, w.now).events);
  }
  s.version = 2;
  return { s, byVersion: [events, later] };
}

/** The deadline records the projection receives (as workflows/lib/projector.ts builds them). */
function deadlineRecords(s: AlertState): DeadlineRecord[] {
  return s.deadlines.map((d) => deadlineRecordOf(d, s.escalations));
}

/** What a projection of `s` at `at` wrote, as the next projection's `previous` (workflows/lib/projector.ts). */
function previousOf(s: AlertState, at: number): NonNullable<CaseProjection['previous']> {
  const v = alertView(s, at);
  return { overdue: v.overdue, householdId: v.householdId, task: taskKeyOf(v) };
}

/** Only the records that changed since `before`: the projection's "only changed deadlines" input. */
function changed(before: DeadlineRecord[], after: DeadlineRecord[]): DeadlineRecord[] {
  const seen = new Map(before.map((r) => [r.key, JSON.stringify(r)]));
  return after.filter((r) => seen.get(r.key) !== JSON.stringify(r));
}

/** The CaseProjection an alert workflow hands the activity after a change that brought `s` to `version`. */
function projection(w: World, i: number, s: AlertState, version: number, events: CaseEvent[], notices: Notice[], deadlines: DeadlineRecord[], previous: CaseProjection['previous']): CaseProjection {
  s.version = version;
  return {
    caseId: s.alertId,
    kind: 'alert',
    workflowId: alertWorkflowId(householdIdOf(i)),
    firstRunId: randomUUID(),
    version,
    view: alertView(s, Date.now()),
    events,
    notices,
    deadlines,
    previous,
  };
}

/** A valid resident ID number (GB 11643 check digit), distinct for seq < 1,000,000: as bench/alerts.ts. */
function idNumber(seq: number): string {
  const birth = new Date(Date.UTC(1950, 0, 1) + Math.floor(seq / 1000) * DAY).toISOString().slice(0, 10).replace(/-/g, '');
  const body = `${DISTRICT}${birth}${String(seq % 1000).padStart(3, '0')}`;
  return body + computeCheckDigit(body);
}

/** The development keys: what the benchmark's documents are sealed with. */
const BENCH_KEYRING = piiKeyring(insecureDevPiiKeys());

const householdName = (i: number) => ({ headName: `张${i}`, address: `威海市环翠区海港路${i}号${(i % 30) + 1}单元` });

/** Household i in the shape POST /v1/households stores. */
function householdDoc(w: World, i: number): Document {
  const v = villageOf(w, i);
  // Sealed as the store seals it (ID numbers and phone encrypted, the blind indexes).
  return sealHousehold(BENCH_KEYRING, {
    _id: householdIdOf(i),
    ...householdName(i),
    headIdNumber: idNumber(i),
    members: [{ name: `张${i}妻`, idNumber: idNumber(i + 600_000), relation: '配偶' }],
    phone: '13800000000',
    unitCode: v.unit.code,
    villageCode: v.unit.code,
    orgPath: v.unit.path,
    categories: ['minimum_subsistence'],
    createdAt: new Date(w.now - 400 * DAY).toISOString(),
    createdBy: ACTOR.userId,
  });
}

/** Every document case i has in the filled read model, as projectCaseInto would have written them. */
function filledDocs(w: World, i: number) {
  const { s, byVersion } = filledCase(w, i);
  const view = alertView(s, w.now);
  if (view.overdue !== (fateOf(i) === 'overdue') || (view.status === 'closed') !== (fateOf(i) === 'closed')) {
    throw new Error(`synthetic case ${i}: overdue ${view.overdue}, status ${view.status}, meant ${fateOf(i)}`);
  }
  // Exactly what projectCaseInto writes, from the same builder (store/projection.ts).
  const firstRunId = randomUUID();
  const as = (version: number, events: CaseEvent[], deadlines: DeadlineRecord[]): CaseProjection => ({
    caseId: s.alertId,
    kind: 'alert',
    workflowId: alertWorkflowId(householdIdOf(i)),
    firstRunId,
    version,
    view,
    events,
    notices: [],
    deadlines,
    previous: null,
  });
  const first = readModelDocs(as(1, byVersion[0]!, []), householdName(i));
  const latest = readModelDocs(as(2, byVersion[1]!, deadlineRecords(s)), householdName(i));
  return {
    caseDoc: latest.caseDoc,
    overdueRow: latest.onBoard ? latest.row! : undefined,
    dueRow: latest.task !== null ? latest.row! : undefined,
    deadlines: latest.deadlines,
    events: [...first.events, ...latest.events],
    household: householdDoc(w, i),
  };
}

// ---------------------------------------------------------------------------------------------------
// Driver command monitoring: what each operation sends

const WRITE_COMMANDS = new Set(['insert', 'update', 'delete', 'findAndModify']);

interface CommandTally {
  samples: number;
  /** Write commands (insert/update/delete/findAndModify), all samples. */
  writes: number;
  /** BSON bytes of those write commands as sent, all samples. */
  writeBytes: number;
  /** Other commands (find, getMore, aggregate…), all samples. */
  others: number;
  byName: Record<string, number>;
}

/** Collects the commands the client starts while an operation is being timed; sizes them afterwards. */
class CommandLog {
  private current: CommandStartedEvent[] | undefined;
  readonly tallies = new Map<string, CommandTally>();

  constructor(client: MongoClient) {
    client.on('commandStarted', (e) => this.current?.push(e));
  }

  start(): void {
    this.current = [];
  }

  /** Ends a sample of `op` (sizing outside the timed part: calculateObjectSize costs CPU). */
  stop(op: string, keep: boolean): void {
    const events = this.current ?? [];
    this.current = undefined;
    if (!keep) return;
    let t = this.tallies.get(op);
    if (!t) this.tallies.set(op, (t = { samples: 0, writes: 0, writeBytes: 0, others: 0, byName: {} }));
    t.samples += 1;
    for (const e of events) {
      t.byName[e.commandName] = (t.byName[e.commandName] ?? 0) + 1;
      if (WRITE_COMMANDS.has(e.commandName)) {
        t.writes += 1;
        t.writeBytes += BSON.calculateObjectSize(e.command);
      } else t.others += 1;
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// The operations

type Group = 'projection' | '_id' | 'read';

interface Op {
  name: string;
  group: Group;
  /** Builds the inputs, untimed; returns the timed part. */
  prepare(): () => Promise<unknown>;
  /** Reads only: the equality filters FerretDB pushes into SQL, to count the rows it reads and explain the plan. */
  pushdown?: () => { collection: string; filter: Document; sort?: Document }[];
}

/** Which cases are where: the ops pick from these and keep them true, so the board keeps its size. */
interface Pools {
  /** Open, not overdue (fill indices). */
  onTime: number[];
  /** Open and overdue: has a board row. */
  overdue: number[];
  closed: number[];
  versions: Map<number, number>;
  nextNew: number;
  rawCreated: number;
  filled: number;
}

function buildOps(db: Db, w: World, pools: Pools, random: () => number): Op[] {
  // `_id`s are strings here (the driver's default Document types them as ObjectId).
  const cases = db.collection<{ _id: string } & Document>(COLLECTIONS.cases);
  const overdue = db.collection<BoardRow>(COLLECTIONS.overdue);
  const due = db.collection<BoardRow>(COLLECTIONS.due);
  const events = db.collection<Document>(COLLECTIONS.events);
  const pick = (list: number[]) => {
    const k = Math.floor(random() * list.length);
    return { k, i: list[k]! };
  };
  const anyCase = () => Math.floor(random() * pools.filled);
  const nextVersion = (i: number) => {
    const v = (pools.versions.get(i) ?? 2) + 1;
    pools.versions.set(i, v);
    return v;
  };
  const city = w.villages[0]!.unit.path[0]!;
  const village = () => w.villages[Math.floor(random() * w.villages.length)]!.unit.code;
  const month = () => ({ from: new Date(Date.now() - 30 * DAY), to: new Date() });
  let lastCreated: string | undefined;
  /** As pageOfRows in api/routes/cases.ts: 51 small rows of a unit in due order, then the page's 50 cases by _id. */
  const pageOf = async (rows: Collection<BoardRow>, org: string) => {
    const found = await rows.find({ orgPath: org }).sort({ dueAt: 1, _id: 1 }).limit(51).toArray();
    const shown = await Promise.all(found.slice(0, 50).map((r) => cases.findOne({ _id: r._id }, { projection: { view: 0 } })));
    if (shown.some((d) => d === null)) throw new Error(`a ${rows.collectionName} row of ${org} has no case`);
  };

  return [
    {
      name: 'first projection (new case)',
      group: 'projection',
      prepare() {
        const i = pools.nextNew++;
        const now = Date.now();
        const { s, events: ev, notices } = opened(w, i, now, caseIdOf(w, i, now));
        const p = projection(w, i, s, 1, ev, notices, deadlineRecords(s), null);
        return () => projectCaseInto(db, p);
      },
    },
    {
      name: 'visit in time',
      group: 'projection',
      prepare() {
        const { i } = pick(pools.onTime);
        // Opened within its deadline (as the open cases of the fill), visited now.
        const now = Date.now();
        const { s } = opened(w, i, now - spread(i) * 0.7 * w.policy.levels[levelOf(i)].dueMs);
        advanceAlert(s, now);
        const previous = previousOf(s, now);
        const before = deadlineRecords(s);
        const ev = visit(s, now);
        const p = projection(w, i, s, nextVersion(i), ev, [], changed(before, deadlineRecords(s)), previous);
        if (previous.overdue) throw new Error(`visit in time: case ${i} was overdue`);
        return () => projectCaseInto(db, p);
      },
    },
    {
      name: 'becomes overdue',
      group: 'projection',
      prepare() {
        const { k, i } = pick(pools.onTime);
        pools.onTime.splice(k, 1);
        pools.overdue.push(i);
        // Due a minute ago: the previous projection (two minutes ago) saw it open and in time.
        const now = Date.now();
        const { s } = opened(w, i, now - w.policy.levels[levelOf(i)].dueMs - 60_000);
        advanceAlert(s, now - 120_000);
        const previous = previousOf(s, now - 120_000);
        const before = deadlineRecords(s);
        const out = advanceAlert(s, now);
        const p = projection(w, i, s, nextVersion(i), out.events, out.notices, changed(before, deadlineRecords(s)), previous);
        if (previous.overdue || !p.view.overdue) throw new Error(`becomes overdue: case ${i} is not overdue`);
        return () => projectCaseInto(db, p);
      },
    },
    {
      name: 'leaves overdue',
      group: 'projection',
      prepare() {
        const { k, i } = pick(pools.overdue);
        pools.overdue.splice(k, 1);
        pools.onTime.push(i);
        const now = Date.now();
        const p0 = w.policy.levels[levelOf(i)];
        const { s } = opened(w, i, now - p0.dueMs - (0.1 + spread(i) * 2.5) * p0.escalateEveryMs);
        advanceAlert(s, now);
        const previous = previousOf(s, now);
        const before = deadlineRecords(s);
        const ev = visit(s, now);
        const p = projection(w, i, s, nextVersion(i), ev, [], changed(before, deadlineRecords(s)), previous);
        if (!previous.overdue || p.view.overdue) throw new Error(`leaves overdue: case ${i} is still overdue`);
        return () => projectCaseInto(db, p);
      },
    },
    {
      name: 'findOne({_id})',
      group: '_id',
      prepare() {
        const id = caseIdOf(w, anyCase());
        return async () => {
          if (!(await cases.findOne({ _id: id }))) throw new Error(`case ${id} not found`);
        };
      },
    },
    {
      name: 'upsert, existing',
      group: '_id',
      prepare() {
        const { i } = pick(pools.closed);
        const { _id, ...doc } = filledDocs(w, i).caseDoc;
        const version = nextVersion(i);
        return async () => {
          const r = await cases.updateOne({ _id, version: { $lt: version } }, { $set: { ...doc, version } }, { upsert: true });
          if (r.modifiedCount !== 1) throw new Error(`upsert of ${_id} modified ${r.modifiedCount}`);
        };
      },
    },
    {
      name: 'upsert, creates',
      group: '_id',
      prepare() {
        const { _id, ...doc } = filledDocs(w, pick(pools.closed).i).caseDoc;
        const id = `${_id}-bench${pools.rawCreated++}`;
        lastCreated = id;
        return async () => {
          const r = await cases.updateOne({ _id: id, version: { $lt: 3 } }, { $set: { ...doc, version: 3 } }, { upsert: true });
          if (r.upsertedCount !== 1) throw new Error(`upsert of ${id} created ${r.upsertedCount}`);
        };
      },
    },
    {
      name: 'deleteOne({_id})',
      group: '_id',
      prepare() {
        const id = lastCreated;
        lastCreated = undefined;
        if (!id) throw new Error('deleteOne must follow "upsert, creates"');
        return async () => {
          const r = await cases.deleteOne({ _id: id });
          if (r.deletedCount !== 1) throw new Error(`delete of ${id} deleted ${r.deletedCount}`);
        };
      },
    },
    {
      name: 'board, town',
      group: 'read',
      prepare: () => () => pageOf(overdue, TOWN),
      pushdown: () => [{ collection: COLLECTIONS.overdue, filter: { orgPath: TOWN }, sort: { dueAt: 1, _id: 1 } }],
    },
    {
      name: 'board, city',
      group: 'read',
      prepare: () => () => pageOf(overdue, city),
      pushdown: () => [{ collection: COLLECTIONS.overdue, filter: { orgPath: city }, sort: { dueAt: 1, _id: 1 } }],
    },
    {
      name: 'task list, village',
      group: 'read',
      prepare() {
        const v = village();
        return () => pageOf(due, v);
      },
      pushdown: () => [{ collection: COLLECTIONS.due, filter: { orgPath: w.villages[0]!.unit.code }, sort: { dueAt: 1, _id: 1 } }],
    },
    {
      name: 'case list by id, town',
      group: 'read',
      prepare: () => () => cases.find({ orgPath: TOWN, status: 'open' }, { projection: { view: 0 } }).sort({ _id: 1 }).limit(51).toArray(),
      pushdown: () => [{ collection: COLLECTIONS.cases, filter: { orgPath: TOWN, status: 'open' }, sort: { _id: 1 } }],
    },
    {
      name: 'timeline (events of a case)',
      group: 'read',
      prepare() {
        const id = caseIdOf(w, anyCase());
        return async () => {
          if ((await events.find({ caseId: id }).sort({ version: 1, _id: 1 }).toArray()).length === 0) throw new Error(`no events for ${id}`);
        };
      },
      pushdown: () => [{ collection: COLLECTIONS.events, filter: { caseId: caseIdOf(w, 3) }, sort: { version: 1, _id: 1 } }],
    },
    {
      name: 'stats, town, last 30 days',
      group: 'read',
      prepare() {
        const { from, to } = month();
        return () => deadlinesDueIn(db, TOWN, from, to, ['orgPath', 'outcome', 'escalations']);
      },
      pushdown: () => {
        const { from, to } = month();
        const months = [...new Set([localMonth(from.getTime()), localMonth(to.getTime() - 1)])];
        return months.map((dueMonth) => ({ collection: COLLECTIONS.deadlines, filter: { orgPath: TOWN, dueMonth } }));
      },
    },
  ];
}

const OP_HELP: Record<Group, string> = {
  projection: 'projectCaseInto() as a workflow calls it (all its writes are by _id)',
  _id: 'raw driver calls on `cases` by _id',
  read: 'the API’s hot reads (rows of a unit: not held to the target)',
};

// ---------------------------------------------------------------------------------------------------
// One server: fill, measure, per size

interface SizeResult {
  size: number;
  /** Documents per collection when the measurement started. */
  docs: Record<string, number>;
  fillS: number;
  vacuumS: number | null;
  /** Mean BSON bytes of a case document added by this fill, and of its `view`. */
  caseDocBytes: number;
  viewBytes: number;
  rounds: number;
  cut: boolean;
  measureS: number;
  ops: Record<string, LatencyStats>;
  commands: Record<string, CommandTally>;
  /** Reads: rows the pushed-down equality filter selects, i.e. what FerretDB reads, sorts and filters. */
  rowsRead: Record<string, number>;
  /** Every sample (ms), per op, in round order; a projection or _id op has one per round. */
  samplesMs: Record<string, number[]>;
  /** The rounds (0-based) the reads took part in. */
  readRounds: number[];
  /** Reads: PostgreSQL's plan for the pushed-down query (FerretDB on PostgreSQL only). */
  plans: Record<string, string>;
}

type OpInfo = Pick<Op, 'name' | 'group'>;

interface ServerResult {
  backend: 'postgresql' | 'sqlite' | 'external';
  kind: string;
  ops: OpInfo[];
  sizes: SizeResult[];
  skipped: number[];
}

/** Starts (or connects to) one server, fills it size by size and measures every op at each size. */
async function benchServer(backend: ServerResult['backend'], scratch: string): Promise<ServerResult> {
  let model: LocalReadModel | undefined;
  let uri = EXTERNAL;
  let postgresUrl = process.env.FERRETDB_POSTGRESQL_URL;
  const dataDir = join(scratch, backend);
  if (!EXTERNAL) {
    const port = await freePort();
    model = await startMongo({ port, dataDir, logFile: join(scratch, `${backend}.log`), backend: backend === 'sqlite' ? 'sqlite' : 'postgresql' }, log);
    onTeardown(`${backend} server`, () => model!.stop());
    uri = model.uri;
    postgresUrl = model.postgresUrl;
  }
  const kind = model?.kind ?? 'external';
  const client = new MongoClient(uri!, { serverSelectionTimeoutMS: 5000, appName: 'jiuzhu-bench-store', monitorCommands: true });
  await client.connect();
  const closeClient = () => client.close();
  onTeardown(`${backend} client`, closeClient);
  const dbName = `bench_store_${randomBytes(3).toString('hex')}`;
  const db = client.db(dbName);
  attachPiiKeyring(db, BENCH_KEYRING);
  if (EXTERNAL) onTeardown('bench database', () => db.dropDatabase());
  log(`${backend}: ${kind} at ${uri}, database ${dbName}`);
  await ensureIndexes(db, { postgresUrl });

  const units = weihaiOrgUnits();
  const byCode = new Map(units.map((u) => [u.code, u]));
  const villages: Village[] = units
    .filter((u) => u.level === 'village' && u.path.includes(DISTRICT))
    .map((unit) => ({ unit, ladder: [...unit.path].reverse().map((c) => byCode.get(c)!).filter((u) => u.level !== 'grid').map((u) => ({ code: u.code, name: u.name, level: u.level })) }));
  const world: World = { policy: resolvePolicy(undefined, 'bench').alerts, villages, now: Date.now() };
  const pools: Pools = { onTime: [], overdue: [], closed: [], versions: new Map(), nextNew: NEW_CASES_FROM, rawCreated: 0, filled: 0 };
  const commandLog = new CommandLog(client);
  const random = seededRandom(20250101);
  const ops = buildOps(db, world, pools, random);

  const isSqlite = backend === 'sqlite';
  const sizes = isSqlite ? SIZES.filter((n) => n <= SQLITE_MAX_SIZE) : SIZES;
  const result: ServerResult = { backend, kind, ops: ops.map((o) => ({ name: o.name, group: o.group })), sizes: [], skipped: SIZES.filter((n) => !sizes.includes(n)) };
  for (const size of sizes) {
    // --- Fill up to `size` cases ---------------------------------------------------------------------
    const t0 = performance.now();
    let caseBytes = 0;
    let viewBytes = 0;
    for (let from = pools.filled; from < size; ) {
      const to = Math.min(size, from + 1000);
      const batch = { cases: [] as Document[], overdue: [] as Document[], due: [] as Document[], deadlines: [] as Document[], events: [] as Document[], households: [] as Document[] };
      for (let i = from; i < to; i++) {
        const d = filledDocs(world, i);
        batch.cases.push(d.caseDoc);
        if (d.overdueRow) batch.overdue.push(d.overdueRow);
        if (d.dueRow) batch.due.push(d.dueRow);
        batch.deadlines.push(...d.deadlines);
        batch.events.push(...d.events);
        batch.households.push(d.household);
        caseBytes += BSON.calculateObjectSize(d.caseDoc);
        viewBytes += BSON.calculateObjectSize(d.caseDoc.view);
        (fateOf(i) === 'closed' ? pools.closed : fateOf(i) === 'open' ? pools.onTime : pools.overdue).push(i);
      }
      await Promise.all(
        Object.entries(batch).map(([name, docs]) => (docs.length ? db.collection(COLLECTIONS[name as keyof typeof COLLECTIONS]).insertMany(docs, { ordered: false }) : undefined)),
      );
      pools.filled = from = to;
    }
    const fillS = (performance.now() - t0) / 1000;
    const added = size - (result.sizes.at(-1)?.size ?? 0);
    // The first projection's new alerts need their households registered (untimed, before the rounds).
    const rounds = isSqlite ? SQLITE_SAMPLES : SAMPLES;
    const warmup = isSqlite ? 1 : WARMUP;
    await db.collection(COLLECTIONS.households).insertMany(
      Array.from({ length: rounds + warmup }, (_, k) => householdDoc(world, pools.nextNew + k)),
      { ordered: false },
    );
    const vacuumS = postgresUrl ? await vacuumAnalyze(postgresUrl, dbName) : null;
    const docs: Record<string, number> = {};
    for (const c of ['cases', 'overdue', 'due', 'deadlines', 'events', 'households'] as const) docs[c] = await db.collection(COLLECTIONS[c]).estimatedDocumentCount();
    log(
      `${backend} ${size.toLocaleString('en-US')}: filled +${added.toLocaleString('en-US')} cases in ${fmt(fillS)} s (${Object.entries(docs).map(([k, n]) => `${k} ${n.toLocaleString('en-US')}`).join(', ')})` +
        (vacuumS !== null ? `, VACUUM ANALYZE ${fmt(vacuumS)} s` : ''),
    );

    // --- Rounds: every op once per round, shuffled, one at a time -------------------------------------
    const latencies = new Map<string, number[]>(ops.map((o) => [o.name, []]));
    const readRounds: number[] = [];
    const started = performance.now();
    const deadline = isSqlite ? started + SQLITE_BUDGET_MS : Infinity;
    let done = 0;
    let lastLog = started;
    for (let r = -warmup; r < rounds; r++) {
      if (r >= 1 && performance.now() > deadline) break;
      // On PostgreSQL the reads take part in READ_SAMPLES of the rounds, evenly spread, and in every warm-up
      // round; on SQLite (where a board read is 50 scans) in every other round, so its writes get more samples.
      const reads = isSqlite ? r >= 0 && r % 2 === 0 : r < 0 || Math.floor(((r + 1) * READ_SAMPLES) / rounds) > Math.floor((r * READ_SAMPLES) / rounds);
      for (const op of roundOrder(reads ? ops : ops.filter((o) => o.group !== 'read'), random)) {
        const run = op.prepare();
        commandLog.start();
        const s = performance.now();
        await run();
        const ms = performance.now() - s;
        commandLog.stop(op.name, r >= 0);
        if (r >= 0) latencies.get(op.name)!.push(ms);
      }
      if (r >= 0 && reads) readRounds.push(r);
      if (r >= 0) done += 1;
      if (performance.now() - lastLog > 15_000) {
        lastLog = performance.now();
        log(`  ${backend} ${size.toLocaleString('en-US')}: ${done}/${rounds} rounds in ${fmt((lastLog - started) / 1000)} s`);
      }
    }
    const measureS = (performance.now() - started) / 1000;
    const opStats = Object.fromEntries(ops.map((o) => [o.name, statsOf(latencies.get(o.name)!, measureS * 1000)]));
    const commands = Object.fromEntries(commandLog.tallies);
    commandLog.tallies.clear();

    // --- What the reads cost FerretDB: rows behind the pushed-down filter, and PostgreSQL's plan ---------
    const rowsRead: Record<string, number> = {};
    const plans: Record<string, string> = {};
    for (const op of ops) {
      if (!op.pushdown) continue;
      let rows = 0;
      for (const q of op.pushdown()) {
        rows += await db.collection(q.collection).countDocuments(q.filter);
        if (postgresUrl && !plans[op.name]) plans[op.name] = await explainFind(db, q.collection, q.filter, q.sort);
      }
      rowsRead[op.name] = rows;
    }
    if (postgresUrl) plans['findOne({_id})'] = await explainFind(db, COLLECTIONS.cases, { _id: caseIdOf(world, 1) as never });

    result.sizes.push({ size, docs, fillS, vacuumS, caseDocBytes: added > 0 ? caseBytes / added : NaN, viewBytes: added > 0 ? viewBytes / added : NaN, rounds: done, cut: done < rounds, measureS, ops: opStats, commands, rowsRead, plans, samplesMs: Object.fromEntries([...latencies].map(([k, v]) => [k, v.map((x) => Math.round(x * 100) / 100)])), readRounds });
    log(`${backend} ${size.toLocaleString('en-US')}: ${done} round${done === 1 ? '' : 's'} in ${fmt(measureS)} s${done < rounds ? ` (cut by the ${SQLITE_BUDGET_MS / 1000} s budget)` : ''}`);
  }

  if (EXTERNAL) await db.dropDatabase();
  await closeClient();
  if (model) {
    await model.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return result;
}

/** A shuffled round in which "upsert, creates" still comes right before "deleteOne({_id})". */
function roundOrder(ops: Op[], random: () => number): Op[] {
  const del = ops.find((o) => o.name === 'deleteOne({_id})')!;
  const rest = ops.filter((o) => o !== del);
  for (let k = rest.length - 1; k > 0; k--) {
    const j = Math.floor(random() * (k + 1));
    [rest[k], rest[j]] = [rest[j]!, rest[k]!];
  }
  const at = rest.findIndex((o) => o.name === 'upsert, creates');
  rest.splice(at + 1, 0, del);
  return rest;
}

/**
 * FerretDB's explain of a find: PostgreSQL's plan (queryPlanner) in one line, node types outermost first
 * with their index, e.g. "Bitmap Heap Scan > Bitmap Index Scan (jz_cases_1a2b3c4d_…)", plus whether
 * FerretDB pushed the sort down (in 1.24 it does not: it sorts what the filter returned).
 */
async function explainFind(db: Db, collection: string, filter: Filter<Document>, sort?: Document): Promise<string> {
  try {
    const r = await db.command({ explain: { find: collection, filter, ...(sort ? { sort } : {}), limit: 51 } });
    const parts: string[] = [];
    const walk = (node: Record<string, unknown> | undefined) => {
      if (!node) return;
      parts.push(`${node['Node Type'] as string}${node['Index Name'] ? ` (${node['Index Name'] as string})` : ''}`);
      for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
    };
    walk((r.queryPlanner as { Plan?: Record<string, unknown> } | undefined)?.Plan);
    return `${parts.join(' > ')}; pushdown: filter ${r.filterPushdown ? 'yes' : 'no'}, sort ${r.sortPushdown ? 'yes' : 'no'}, limit ${r.limitPushdown ? 'yes' : 'no'}`;
  } catch (err) {
    return `explain failed: ${(err as Error).message}`;
  }
}

// ---------------------------------------------------------------------------------------------------
// Report

const ordinal = (n: number): string => (n === 1 ? 'the' : `the ${n}${n === 2 ? 'nd' : n === 3 ? 'rd' : 'th'}`);
const sizeLabel = (n: number): string => (n % 1000 === 0 ? `${n / 1000}k` : n.toLocaleString('en-US'));

/** The per-op table of one server: p50 and a tail per size, the growth ratio and the target verdict. */
function opTable(server: ServerResult, ops: OpInfo[], tail: 'p99' | 'max'): string {
  const headers = ['op', 'kind'];
  for (const n of SIZES) headers.push(`${sizeLabel(n)} p50`, `${sizeLabel(n)} ${tail}`);
  const first = server.sizes[0];
  const last = server.sizes.at(-1);
  const span = first && last && first !== last ? `${sizeLabel(last.size)}÷${sizeLabel(first.size)}` : 'ratio';
  headers.push(span, `target ≤${TARGET_RATIO}×`);
  const rows = ops.map((op) => {
    const row: Array<string | number> = [op.name, op.group];
    for (const n of SIZES) {
      const s = server.sizes.find((x) => x.size === n)?.ops[op.name];
      row.push(s ? s.p50 : '—', s ? s[tail] : '—');
    }
    const r = first && last && first !== last ? ratio(last.ops[op.name]!.p50, first.ops[op.name]!.p50) : NaN;
    row.push(Number.isFinite(r) ? `${r.toFixed(2)}×` : '—', op.group === 'read' || !Number.isFinite(r) ? '—' : r <= TARGET_RATIO ? 'met' : 'MISSED');
    return row;
  });
  return table(headers, rows);
}

await runBench('store', flags['max-minutes'] as number, async () => {
  const began = performance.now();
  const scratch = mkdtempSync(join(tmpdir(), 'jiuzhu-bench-store-'));
  onTeardown('scratch dir', () => rmSync(scratch, { recursive: true, force: true }));
  log(`sizes ${SIZES.join(', ')}; ${SAMPLES} rounds per size (+${WARMUP} warm-up), reads in ${READ_SAMPLES} of them${WITH_SQLITE ? `; SQLite baseline up to ${SQLITE_MAX_SIZE.toLocaleString('en-US')} cases, ${SQLITE_SAMPLES} rounds, ${SQLITE_BUDGET_MS / 1000} s per size` : ''}`);

  const servers: ServerResult[] = [];
  servers.push(await benchServer(EXTERNAL ? 'external' : 'postgresql', scratch));
  // With mongod on PATH startMongo ignores `backend`: there is no SQLite to compare with.
  if (WITH_SQLITE && servers[0]!.kind === 'ferretdb-postgresql') servers.push(await benchServer('sqlite', scratch));

  const [main, baseline] = servers;
  const ops = main!.ops;
  const totalS = (performance.now() - began) / 1000;
  const [load1] = loadavg();

  console.log(`\nRead-model operations, ms per operation, one at a time, rounds interleaved (every op once per round, shuffled).`);
  console.log(`Sizes = cases in the read model (with their households, deadlines, events; 10 % on the overdue board), spread over ${DISTRICT}'s villages.`);
  console.log(`Samples per size: ${SAMPLES} per projection and _id op, ${READ_SAMPLES} per read (in rounds spread evenly, to bound the run).`);
  console.log(`p50 = median; p99 = nearest rank (${ordinal(SAMPLES - Math.ceil(0.99 * SAMPLES) + 1)} slowest of ${SAMPLES}, ${ordinal(READ_SAMPLES - Math.ceil(0.99 * READ_SAMPLES) + 1)} slowest of ${READ_SAMPLES}); ratio = p50 at the largest size ÷ p50 at the smallest.`);
  for (const g of ['projection', '_id', 'read'] as const) console.log(`  ${g.padEnd(10)} ${OP_HELP[g]}`);
  console.log(`Target: ratio ≤ ${TARGET_RATIO}× for every projection and _id op. ${cpus().length} CPUs, load average ${load1!.toFixed(1)}, total ${fmt(totalS / 60)} min.\n`);

  console.log(`${main!.kind}${main!.backend === 'postgresql' ? ' (the local default)' : ''}:\n`);
  console.log(opTable(main!, ops, 'p99'));
  if (READ_SAMPLES < SAMPLES) {
    // A read of thousands of rows keeps FerretDB and PostgreSQL busy (and FerretDB's GC) past its own end.
    console.log(`\nThe tail of the projection and _id ops, p99 in the rounds with the reads and in those without (ms):\n`);
    const split = (z: SizeResult, name: string) => {
      const withReads = new Set(z.readRounds);
      const xs = z.samplesMs[name]!;
      const p99 = (keep: (r: number) => boolean) => statsOf(xs.filter((_, r) => keep(r)), 0).p99;
      return [p99((r) => withReads.has(r)), p99((r) => !withReads.has(r))];
    };
    console.log(
      table(
        ['op', ...main!.sizes.flatMap((z) => [`${sizeLabel(z.size)} with`, `${sizeLabel(z.size)} without`])],
        ops.filter((o) => o.group !== 'read').map((o) => [o.name, ...main!.sizes.flatMap((z) => split(z, o.name))]),
      ),
    );
  }
  if (baseline) {
    const counts = (group: (g: Group) => boolean) => {
      const ns = baseline.sizes.flatMap((z) => ops.filter((o) => group(o.group)).map((o) => z.ops[o.name]!.ops));
      const [lo, hi] = [Math.min(...ns), Math.max(...ns)];
      return lo === hi ? `${lo}` : `${lo}–${hi}`;
    };
    console.log(
      `\n${baseline.kind} (baseline): ${counts((g) => g !== 'read')} samples per projection and _id op and ${counts((g) => g === 'read')} per read, per size ` +
        `(at most ${SQLITE_SAMPLES} rounds, reads in every other one, ${SQLITE_BUDGET_MS / 1000} s per size), so the tail column is the max.`,
    );
    console.log('FerretDB 1.24 on SQLite scans the whole collection for every operation here, even by _id (its _id index is on');
    console.log(`_ferretdb_sjson->"_id", its queries filter on ->'$._id', which SQLite cannot match to it), hence O(n) everywhere.`);
    if (baseline.skipped.length) console.log(`"—": not measured on SQLite above ${SQLITE_MAX_SIZE.toLocaleString('en-US')} cases (seconds per op).`);
    console.log(`\n${opTable(baseline, ops, 'max')}`);
  } else if (!EXTERNAL && WITH_SQLITE) console.log('\n(no SQLite baseline: the read model is mongod, not FerretDB)');

  // Write commands and bytes per projection action (the same on every server: they are what the driver sends).
  const last = main!.sizes.at(-1)!;
  console.log(`\nWhat each op sends (driver command monitoring, mean per op at ${sizeLabel(last.size)}; writes = insert/update/delete/findAndModify):\n`);
  console.log(
    table(
      ['op', 'write cmds', 'write bytes', 'other cmds', 'commands'],
      ops
        .filter((o) => o.group !== 'read')
        .map((o) => {
          const t = last.commands[o.name]!;
          return [o.name, t.writes / t.samples, t.writeBytes / t.samples, t.others / t.samples, Object.entries(t.byName).map(([k, v]) => `${k}×${fmt(v / t.samples)}`).join(' ')];
        }),
    ),
  );

  console.log(`\nReads: rows the equality filter selects. FerretDB fetches and decodes each of them whole (a projection such as`);
  console.log(`{view: 0} is applied afterwards), filters the rest of the query and sorts them in Go, and only then limits:\n`);
  console.log(
    table(
      ['read', ...main!.sizes.map((s) => sizeLabel(s.size))],
      ops.filter((o) => o.group === 'read').map((o) => [o.name, ...main!.sizes.map((s) => s.rowsRead[o.name] ?? NaN)]),
    ),
  );
  if (Object.keys(last.plans).length) {
    console.log(`\nPostgreSQL plans at ${sizeLabel(last.size)} (FerretDB explain):`);
    for (const [op, plan] of Object.entries(last.plans)) console.log(`  ${op}: ${plan}`);
  }
  console.log(`\nFills:`);
  for (const s of servers) {
    for (const z of s.sizes) {
      console.log(
        `  ${s.kind} ${sizeLabel(z.size)}: ${Object.entries(z.docs).map(([k, n]) => `${k} ${n.toLocaleString('en-US')}`).join(', ')}; ` +
          `case doc ${fmt(z.caseDocBytes)} B (view ${fmt(z.viewBytes)} B); fill ${fmt(z.fillS)} s${z.vacuumS !== null ? `, vacuum ${fmt(z.vacuumS)} s` : ''}; ${z.rounds} rounds in ${fmt(z.measureS)} s`,
      );
    }
  }
  const missed = ops.filter((o) => o.group !== 'read').filter((o) => {
    const r = main!.sizes.length > 1 ? ratio(last.ops[o.name]!.p50, main!.sizes[0]!.ops[o.name]!.p50) : NaN;
    return Number.isFinite(r) && r > TARGET_RATIO;
  });
  if (main!.sizes.length > 1) console.log(`\ntarget (${main!.kind}): ${missed.length === 0 ? 'met for every projection and _id op' : `MISSED for ${missed.map((o) => o.name).join(', ')}`}`);

  const file = writeResults('store', {
    at: new Date().toISOString(),
    argv,
    sizes: SIZES,
    samples: SAMPLES,
    readSamples: READ_SAMPLES,
    warmup: WARMUP,
    sqlite: WITH_SQLITE ? { samples: SQLITE_SAMPLES, maxSize: SQLITE_MAX_SIZE, budgetS: SQLITE_BUDGET_MS / 1000 } : null,
    targetRatio: TARGET_RATIO,
    cpus: cpus().length,
    loadAverage: loadavg(),
    totalS,
    ops: ops.map((o) => ({ name: o.name, group: o.group })),
    servers,
  });
  log(`results: ${file}`);
});
