import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import { DEPARTMENT_CODES, DEPARTMENTS, type DepartmentCode, type DepartmentRecord, type VerificationRequest, zDepartmentRecord } from '../../domain/verification';
import { type DepartmentSource, DepartmentUnavailable } from './source';

/**
 * The working default: each department's extract is a file `<dir>/<code>.csv` or `<dir>/<code>.json`,
 * read at every query, so a replaced extract is used without a restart. No file → DepartmentUnavailable
 * (recorded as missing); a malformed file → an Error naming the file and the line (CSV) or record (JSON),
 * which the activity's retries will pick up again once someone fixes the file.
 */
export function createFileSources(dir: string): DepartmentSource[] {
  return DEPARTMENT_CODES.map((code) => ({
    code,
    async query(req: VerificationRequest, signal?: AbortSignal): Promise<DepartmentRecord[]> {
      const extract = await readExtract(dir, code, signal);
      const records = extract.file.endsWith('.csv') ? parseCsvExtract(extract.file, extract.text) : parseJsonExtract(extract.file, extract.text);
      const members = new Set(req.members.map((m) => normaliseId(m.idNumber)));
      return records.filter((r) => members.has(r.idNumber));
    },
  }));
}

export const CSV_COLUMNS = ['idNumber', 'kind', 'description', 'monthlyIncome', 'assetValue'] as const;
const REQUIRED_COLUMNS = ['idNumber', 'kind', 'description'] as const;

function normaliseId(id: string): string {
  return id.trim().toUpperCase();
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function isNotFound(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

async function readExtract(dir: string, code: DepartmentCode, signal: AbortSignal | undefined): Promise<{ file: string; text: string }> {
  const found: { file: string; text: string }[] = [];
  for (const ext of ['csv', 'json']) {
    const file = join(dir, `${code}.${ext}`);
    try {
      found.push({ file, text: stripBom(await readFile(file, { encoding: 'utf8', signal })) });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  // The message becomes the case's verification answer, which staff read: it names the setting, never the
  // server's folder (issue 11: a grid worker saw a server path).
  if (found.length === 0) throw new DepartmentUnavailable(`no extract for ${code} (${DEPARTMENTS[code]}): neither ${code}.csv nor ${code}.json in the department data folder (DEPARTMENT_DATA_DIR)`);
  if (found.length > 1) throw new Error(`${dir}: both ${code}.csv and ${code}.json exist; keep one`);
  return found[0]!;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  return issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message;
}

// ---------------------------------------------------------------------------------------------------
// CSV (RFC 4180): a header row, comma-separated, fields optionally in double quotes (which may then
// hold commas, line breaks and doubled quotes ""), CRLF or LF line ends, UTF-8 with or without BOM.

export interface CsvRow {
  /** The 1-based line the row starts on. */
  line: number;
  fields: string[];
}

export class CsvSyntaxError extends Error {
  override name = 'CsvSyntaxError';
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

/** Splits CSV text into rows of fields; blank lines are skipped. */
export function parseCsv(text: string): CsvRow[] {
  const rows: CsvRow[] = [];
  const n = text.length;
  const endOfField = (c: string | undefined) => c === undefined || c === ',' || c === '\n' || c === '\r';
  let i = 0;
  let line = 1;
  while (i < n) {
    const start = line;
    const fields: string[] = [];
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (i >= n) throw new CsvSyntaxError(start, 'a quoted field is not closed');
          const c = text[i]!;
          if (c === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\n') line++;
          field += c;
          i++;
        }
        if (!endOfField(text[i])) throw new CsvSyntaxError(line, 'unexpected character after a closing quote (quote the whole field, and double quotes inside it)');
      } else {
        while (!endOfField(text[i])) {
          if (text[i] === '"') throw new CsvSyntaxError(line, 'a quote inside an unquoted field (quote the whole field, and double quotes inside it)');
          field += text[i];
          i++;
        }
      }
      fields.push(field);
      if (text[i] !== ',') break;
      i++;
    }
    if (text[i] === '\r') i++;
    if (text[i] === '\n') i++;
    line++;
    if (!(fields.length === 1 && fields[0]!.trim() === '')) rows.push({ line: start, fields });
  }
  return rows;
}

const NUMBER = /^-?\d+(\.\d+)?$/;

function parseCsvExtract(file: string, text: string): DepartmentRecord[] {
  let rows: CsvRow[];
  try {
    rows = parseCsv(text);
  } catch (err) {
    if (err instanceof CsvSyntaxError) throw new Error(`${file}: line ${err.line}: ${err.message}`);
    throw err;
  }
  const [header, ...data] = rows;
  if (!header) throw new Error(`${file}: line 1: expected a header row ${CSV_COLUMNS.join(',')}`);
  const columns = header.fields.map((f) => f.trim());
  columns.forEach((c, i) => {
    if (!(CSV_COLUMNS as readonly string[]).includes(c)) throw new Error(`${file}: line ${header.line}: unknown column "${c}" (expected ${CSV_COLUMNS.join(',')})`);
    if (columns.indexOf(c) !== i) throw new Error(`${file}: line ${header.line}: column "${c}" appears twice`);
  });
  for (const required of REQUIRED_COLUMNS) {
    if (!columns.includes(required)) throw new Error(`${file}: line ${header.line}: missing column "${required}" (expected ${CSV_COLUMNS.join(',')})`);
  }

  return data.map(({ line, fields }) => {
    const fail = (what: string): never => {
      throw new Error(`${file}: line ${line}: ${what}`);
    };
    if (fields.length !== columns.length) fail(`expected ${columns.length} fields, got ${fields.length}`);
    const raw: Record<string, unknown> = {};
    columns.forEach((column, i) => {
      const value = fields[i]!.trim();
      if (column === 'monthlyIncome' || column === 'assetValue') {
        if (value === '') return;
        if (!NUMBER.test(value)) fail(`${column}: expected an amount in yuan such as 1234.5, got "${value}"`);
        raw[column] = Number(value);
      } else {
        raw[column] = value;
      }
    });
    const parsed = zDepartmentRecord.safeParse(raw);
    if (!parsed.success) fail(describeIssue(parsed.error.issues[0]!));
    return withoutUndefined(parsed.data!);
  });
}

// ---------------------------------------------------------------------------------------------------
// JSON: an array of records with the same fields as the CSV columns (amounts as numbers).

function parseJsonExtract(file: string, text: string): DepartmentRecord[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const at = jsonErrorOffset(text);
    const where = at < 0 ? '' : ` line ${lineOf(text, at)} column ${columnOf(text, at)}:`;
    throw new Error(`${file}:${where} not valid JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(raw)) throw new Error(`${file}: expected a JSON array of records`);
  return raw.map((item, index) => {
    const parsed = zDepartmentRecord.safeParse(item);
    if (!parsed.success) throw new Error(`${file}: record [${index}] (line ${recordLine(text, index)}): ${describeIssue(parsed.error.issues[0]!)}`);
    return withoutUndefined(parsed.data);
  });
}

function withoutUndefined(r: z.infer<typeof zDepartmentRecord>): DepartmentRecord {
  const out: DepartmentRecord = { idNumber: r.idNumber, kind: r.kind, description: r.description };
  if (r.monthlyIncome !== undefined) out.monthlyIncome = r.monthlyIncome;
  if (r.assetValue !== undefined) out.assetValue = r.assetValue;
  return out;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function columnOf(text: string, offset: number): number {
  return offset - (text.lastIndexOf('\n', offset - 1) + 1) + 1;
}

/** The line on which the index-th element of the (valid JSON) top-level array starts. */
function recordLine(text: string, index: number): number {
  const starts: number[] = [];
  scanJson(text, (offset, depth) => {
    if (depth === 1) starts.push(offset);
  });
  const at = starts[index];
  return at === undefined ? 1 : lineOf(text, at);
}

/** The offset at which `text` stops being JSON, or -1 if it is valid (Node's messages do not always say). */
export function jsonErrorOffset(text: string): number {
  try {
    scanJson(text, () => undefined);
    return -1;
  } catch (at) {
    if (typeof at === 'number') return at;
    throw at;
  }
}

/**
 * A JSON recogniser that reports where each value starts (with its array/object depth) and throws the
 * offset of the first error.
 */
function scanJson(text: string, onValue: (offset: number, depth: number) => void): void {
  const n = text.length;
  const number = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  const ws = () => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const literal = (word: string) => {
    if (!text.startsWith(word, i)) fail();
    i += word.length;
  };
  const string = () => {
    i++;
    while (i < n) {
      const c = text[i]!;
      if (c === '"') {
        i++;
        return;
      }
      if (c === '\\') {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail();
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
          i += 2;
        } else {
          fail();
        }
      } else if (c < ' ') {
        fail();
      } else {
        i++;
      }
    }
    fail();
  };
  const value = (depth: number): void => {
    ws();
    onValue(i, depth);
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      ws();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (c === '{') {
          ws();
          if (text[i] !== '"') fail();
          string();
          ws();
          if (text[i] !== ':') fail();
          i++;
        }
        value(depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === close) {
          i++;
          return;
        }
        fail();
      }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    number.lastIndex = i;
    const m = number.exec(text);
    if (!m) fail();
    i += m![0].length;
  };
  value(0);
  ws();
  if (i < n) fail();
}
