import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileSources } from '../../activities/departments/file-source';
import { type DepartmentSource, DepartmentUnavailable } from '../../activities/departments/source';
import { createVerificationActivities } from '../../activities/verification';
import { DEPARTMENTS, summarise, type DepartmentAnswer, type DepartmentRecord, type VerificationRequest } from '../../domain/verification';
import { idNumber } from '../helpers/context';

const SEED_DIR = fileURLToPath(new URL('../../scripts/seed/departments', import.meta.url));
const HEADER = 'idNumber,kind,description,monthlyIncome,assetValue';

const request = (...seqs: number[]): VerificationRequest => ({
  applicationId: 'app-1',
  members: seqs.map((seq) => ({ name: `张${seq}`, idNumber: idNumber(seq) })),
});

function source(dir: string, code: string): DepartmentSource {
  const found = createFileSources(dir).find((s) => s.code === code);
  if (!found) throw new Error(`no file source for ${code}`);
  return found;
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'jiuzhu-departments-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('file source', () => {
  it('has one source per department', () => {
    expect(createFileSources(dir).map((s) => s.code)).toEqual(Object.keys(DEPARTMENTS));
  });

  it('reads CSV with a BOM, CRLF, quoted commas, doubled quotes and line breaks in quotes', async () => {
    const csv = [
      HEADER,
      `${idNumber(1)},pension,"养老金, 企业职工",2350.5,`,
      `${idNumber(2)},car,"小型轿车 ""鲁K""",,45000`,
      `${idNumber(3)},dwelling,"住宅`,
      `两行地址",,260000`,
      '',
      `${idNumber(9)},pension,养老金,999,`,
    ].join('\r\n');
    writeFileSync(join(dir, 'hrss.csv'), `\uFEFF${csv}\r\n`);
    const records = await source(dir, 'hrss').query(request(1, 2, 3));
    expect(records).toEqual([
      { idNumber: idNumber(1), kind: 'pension', description: '养老金, 企业职工', monthlyIncome: 2350.5 },
      { idNumber: idNumber(2), kind: 'car', description: '小型轿车 "鲁K"', assetValue: 45000 },
      { idNumber: idNumber(3), kind: 'dwelling', description: '住宅\r\n两行地址', assetValue: 260000 },
    ]);
  });

  it('accepts columns in any order and leaves out empty amounts', async () => {
    writeFileSync(join(dir, 'banks.csv'), `assetValue,idNumber,description,kind\n800,${idNumber(5)},活期存款,demand_deposit\n`);
    expect(await source(dir, 'banks').query(request(5))).toEqual([{ idNumber: idNumber(5), kind: 'demand_deposit', description: '活期存款', assetValue: 800 }]);
  });

  it('reads JSON (with a BOM), matching ID numbers whatever the case of the X', async () => {
    const rows = [
      { idNumber: idNumber(5).toLowerCase(), kind: 'insured', description: '城乡居民基本医疗保险参保' },
      { idNumber: idNumber(1), kind: 'inpatient_reimbursement', description: '住院报销', assetValue: 0 },
      { idNumber: idNumber(8), kind: 'insured', description: '参保' },
    ];
    writeFileSync(join(dir, 'medical_insurance.json'), `\uFEFF${JSON.stringify(rows, null, 2)}`);
    const records = await source(dir, 'medical_insurance').query(request(1, 5));
    expect(records).toEqual([
      { idNumber: idNumber(5), kind: 'insured', description: '城乡居民基本医疗保险参保' },
      { idNumber: idNumber(1), kind: 'inpatient_reimbursement', description: '住院报销', assetValue: 0 },
    ]);
    expect(idNumber(5).endsWith('X')).toBe(true);
  });

  it('returns only the members’ rows, and none for a household the department does not know', async () => {
    expect((await source(SEED_DIR, 'vehicles').query(request(2))).map((r) => r.idNumber)).toEqual([idNumber(2)]);
    expect(await source(SEED_DIR, 'vehicles').query(request(1, 3))).toEqual([]);
  });

  it('reads the file at every query, so an updated extract is used without a restart', async () => {
    const vehicles = source(dir, 'vehicles');
    writeFileSync(join(dir, 'vehicles.csv'), `${HEADER}\n${idNumber(1)},car,小型轿车,,30000\n`);
    expect(await vehicles.query(request(1))).toHaveLength(1);
    writeFileSync(join(dir, 'vehicles.csv'), `${HEADER}\n${idNumber(1)},car,小型轿车,,30000\n${idNumber(1)},motorcycle,摩托车,,2000\n`);
    expect(await vehicles.query(request(1))).toHaveLength(2);
  });

  it('names the file and line of a malformed CSV', async () => {
    const file = join(dir, 'hrss.csv');
    const cases: [string, RegExp][] = [
      [`${HEADER}\n${idNumber(1)},pension,养老金,210,\n${idNumber(2)},pension,养老金,两千,\n`, /line 3: monthlyIncome: expected an amount/],
      [`${HEADER}\n${idNumber(1)},pension,养老金,210\n`, /line 2: expected 5 fields, got 4/],
      [`${HEADER}\n\n${idNumber(1)},pension,"养老金,210,\n`, /line 3: a quoted field is not closed/],
      [`${HEADER}\n${idNumber(1)},pension,"养老金"x,210,\n`, /line 2: unexpected character after a closing quote/],
      [`${HEADER}\n${idNumber(1)},,养老金,210,\n`, /line 2: kind: /],
      [`${HEADER}\n${idNumber(1)},pension,养老金,-5,\n`, /line 2: monthlyIncome: /],
      [`idNumber,kind,description,income\n`, /line 1: unknown column "income"/],
      [`idNumber,description\n`, /line 1: missing column "kind"/],
    ];
    for (const [text, message] of cases) {
      writeFileSync(file, text);
      const error = await source(dir, 'hrss').query(request(1)).then(() => undefined, (err: unknown) => err);
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(DepartmentUnavailable);
      expect((error as Error).message).toContain(file);
      expect((error as Error).message).toMatch(message);
    }
  });

  it('names the file and line or record of a malformed JSON', async () => {
    const file = join(dir, 'medical_insurance.json');
    writeFileSync(file, `[\n  { "idNumber": "${idNumber(1)}", "kind": "insured", "description": "参保" },\n  { "idNumber": "${idNumber(2)}", "kind": "insured", }\n]\n`);
    await expect(source(dir, 'medical_insurance').query(request(1))).rejects.toThrow(`${file}: line 3 column 58: not valid JSON`);

    writeFileSync(file, `[\n  { "idNumber": "${idNumber(1)}", "kind": "insured", "description": "参保" },\n  { "idNumber": "${idNumber(2)}", "kind": "insured",\n    "description": "参保", "assetValue": "很多" }\n]\n`);
    await expect(source(dir, 'medical_insurance').query(request(1))).rejects.toThrow(`${file}: record [1] (line 3): assetValue: `);

    writeFileSync(file, `{ "idNumber": "${idNumber(1)}" }`);
    await expect(source(dir, 'medical_insurance').query(request(1))).rejects.toThrow(`${file}: expected a JSON array of records`);
  });

  it('refuses a department with both a CSV and a JSON extract', async () => {
    writeFileSync(join(dir, 'banks.csv'), `${HEADER}\n`);
    writeFileSync(join(dir, 'banks.json'), '[]');
    await expect(source(dir, 'banks').query(request(1))).rejects.toThrow('both banks.csv and banks.json exist');
  });

  it('throws DepartmentUnavailable when there is no extract (or no folder)', async () => {
    await expect(source(dir, 'housing_fund').query(request(1))).rejects.toBeInstanceOf(DepartmentUnavailable);
    await expect(source(join(dir, 'nowhere'), 'hrss').query(request(1))).rejects.toBeInstanceOf(DepartmentUnavailable);
  });

  it('stops when the signal is aborted', async () => {
    writeFileSync(join(dir, 'hrss.csv'), `${HEADER}\n`);
    await expect(source(dir, 'hrss').query(request(1), AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('queryDepartment', () => {
  const { queryDepartment } = createVerificationActivities({ sources: createFileSources(SEED_DIR) });
  const household = request(1, 2, 3, 4, 5);

  async function askAll(): Promise<DepartmentAnswer[]> {
    return Promise.all(Object.keys(DEPARTMENTS).map((code) => queryDepartment(code, household)));
  }

  it('answers five departments from the seed extracts and records three as missing', async () => {
    const answers = await askAll();
    const byCode = Object.fromEntries(answers.map((a) => [a.department, a]));
    expect(answers.map((a) => a.department)).toEqual(Object.keys(DEPARTMENTS));

    const counts = Object.fromEntries(answers.flatMap((a) => (a.status === 'answered' ? [[a.department, a.records.length]] : [])));
    expect(counts).toEqual({ hrss: 5, medical_insurance: 3, vehicles: 2, real_estate: 2, banks: 3 });
    for (const code of ['civil_affairs', 'housing_fund', 'market_regulation']) {
      expect(byCode[code]).toMatchObject({ status: 'missing', reason: expect.stringContaining(`${code}.csv`) });
    }

    const members = new Set(household.members.map((m) => m.idNumber));
    for (const a of answers) {
      if (a.status !== 'answered') continue;
      expect(a.answeredAt).toBeGreaterThan(Date.now() - 60_000);
      for (const r of a.records) expect(members.has(r.idNumber)).toBe(true);
    }
    expect(byCode.hrss).toMatchObject({ records: expect.arrayContaining([expect.objectContaining({ idNumber: idNumber(3), description: '工资收入, 威海某物流有限公司（劳务派遣）' })]) });
    expect(byCode.banks).toMatchObject({ records: expect.arrayContaining([expect.objectContaining({ idNumber: idNumber(1), description: '活期存款', assetValue: 12000.5 })]) });
  });

  it('answers an unknown department as missing rather than throwing', async () => {
    await expect(queryDepartment('tax', household)).resolves.toMatchObject({ department: 'tax', status: 'missing', reason: expect.stringContaining('unknown department') });
  });

  it('answers a known department without a registered source as missing', async () => {
    const { queryDepartment: only } = createVerificationActivities({ sources: [] });
    await expect(only('banks', household)).resolves.toMatchObject({ status: 'missing', reason: expect.stringContaining('no data source') });
  });

  it('throws any other error, for Temporal to retry', async () => {
    const failing: DepartmentSource = { code: 'banks', query: () => Promise.reject(new Error('connect ETIMEDOUT')) };
    const { queryDepartment: ask } = createVerificationActivities({ sources: [failing] });
    await expect(ask('banks', household)).rejects.toThrow('connect ETIMEDOUT');
  });

  it('keeps only the members’ records whatever a source returns', async () => {
    const leaky: DepartmentSource = {
      code: 'banks',
      query: async () => [
        { idNumber: idNumber(1), kind: 'demand_deposit', description: '活期存款', assetValue: 10 },
        { idNumber: idNumber(99), kind: 'demand_deposit', description: '活期存款', assetValue: 10 },
      ],
    };
    const answer = await createVerificationActivities({ sources: [leaky] }).queryDepartment('banks', request(1));
    expect(answer).toMatchObject({ status: 'answered', records: [{ idNumber: idNumber(1) }] });
  });

  it('passes the activity’s cancellation signal to the source inside an activity', async () => {
    let seen: AbortSignal | undefined;
    const probe: DepartmentSource = {
      code: 'hrss',
      query: async (_req, signal) => {
        seen = signal;
        return [];
      },
    };
    const { queryDepartment: ask } = createVerificationActivities({ sources: [probe] });
    await ask('hrss', household);
    expect(seen).toBeUndefined();

    const env = new MockActivityEnvironment();
    await expect(env.run(ask, 'hrss', household)).resolves.toMatchObject({ status: 'answered', records: [] });
    expect(seen).toBe(env.context.cancellationSignal);
  });
});

describe('summarise', () => {
  it('sums income and assets over the seed answers and lists the missing departments', async () => {
    const { queryDepartment } = createVerificationActivities({ sources: createFileSources(SEED_DIR) });
    const household = request(1, 2, 3, 4, 5);
    const answers = await Promise.all(Object.keys(DEPARTMENTS).map((code) => queryDepartment(code, household)));
    expect(summarise(answers)).toEqual({
      // 养老金 210 + 2350.5 + 180, 工资 3200, 失业保险金 1566
      monthlyIncome: 7506.5,
      // 车辆 45000 + 3000, 住宅 380000 + 260000, 存款 12000.5 + 50000 + 800
      assetValue: 750800.5,
      answered: ['hrss', 'medical_insurance', 'vehicles', 'real_estate', 'banks'],
      missing: ['civil_affairs', 'housing_fund', 'market_regulation'],
    });
  });

  it('adds decimal yuan without drift and counts an answer with no records as answered', () => {
    const record = (r: Partial<DepartmentRecord>): DepartmentRecord => ({ idNumber: idNumber(1), kind: 'k', description: 'd', ...r });
    const answers: DepartmentAnswer[] = [
      { department: 'hrss', status: 'answered', records: [record({ monthlyIncome: 0.1 }), record({ monthlyIncome: 0.2, assetValue: 1 })], answeredAt: 1 },
      { department: 'banks', status: 'answered', records: [], answeredAt: 1 },
      { department: 'vehicles', status: 'missing', reason: 'timed out' },
    ];
    expect(summarise(answers)).toEqual({ monthlyIncome: 0.3, assetValue: 1, answered: ['hrss', 'banks'], missing: ['vehicles'] });
    expect(summarise([])).toEqual({ monthlyIncome: 0, assetValue: 0, answered: [], missing: [] });
  });
});
