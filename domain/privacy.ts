import type { Household } from './household';
import type { Role } from './roles';

/**
 * Privacy (个人信息保护): the one home of what personal data is, how it is masked, and who sees it masked.
 *
 * Four concerns, one section each:
 *   1. masking of one value — 身份证号, 姓名, 电话, 住址 and a free-text contact;
 *   2. personal data in free text — detecting it (a public title must hold none) and redacting it;
 *   3. per-role views — what a role below town level sees of a household, a case row, a report's
 *      contact, a helper's contact;
 *   4. a case's documents (any kind's view, its events, a Party day's record) — one function,
 *      `caseDocumentFor`, masks free text against the household's names and drops server paths, on every
 *      read path (issue 11: masking differed by path).
 * Pure and I/O-free (runs in the workflow sandbox too); masking works on code points, so surrogate pairs
 * are never split. Source of every rule here: ours (README "Personal fields … are masked for roles below
 * town level"), unless a function says otherwise; issue 11 tightens them.
 */

// ——— 1. Masking one value ———

function chars(s: string): string[] {
  return Array.from(s);
}

function maskEnds(c: string[], keep: number): string {
  if (c.length === 0) return '';
  return c.slice(0, keep).join('') + '*'.repeat(c.length - 2 * keep) + c.slice(c.length - keep).join('');
}

/**
 * An ID number (身份证号) with the first 4 and last 4 characters kept: 3710**********1234 (length kept).
 * 8 characters or fewer: only the first and last quarter kept (12****78; '123' → '***'). Source: ours.
 */
export function maskIdNumber(id: string): string {
  const c = chars(id);
  // Too short to keep 4+4 and still hide something: hide all but the ends.
  if (c.length <= 8) return maskEnds(c, Math.floor(c.length / 4));
  return c.slice(0, 4).join('') + '*'.repeat(c.length - 8) + c.slice(-4).join('');
}

/** A name (姓名) with the first character kept: 张三 → 张*, 欧阳娜娜 → 欧***; one character stays as it is. Source: ours. */
export function maskName(name: string): string {
  const c = chars(name);
  if (c.length <= 1) return name;
  return c[0] + '*'.repeat(c.length - 1);
}

/**
 * A phone number (电话): 11 characters or more keep the first 3 and last 4 (138****5678); shorter ones keep
 * their first and last quarter (5201234 → 5*****4). Source: ours.
 */
export function maskPhone(phone: string): string {
  const c = chars(phone);
  if (c.length >= 11) {
    return c.slice(0, 3).join('') + '*'.repeat(c.length - 7) + c.slice(-4).join('');
  }
  return maskEnds(c, Math.floor(c.length / 4));
}

/** An address (住址) with its first 6 characters kept (city and district) and any remainder as '****'. Source: ours. */
export function maskAddress(address: string): string {
  const c = chars(address);
  if (c.length <= 6) return address;
  return c.slice(0, 6).join('') + '****';
}

/**
 * A free-text contact (a public report's 联系方式): split at spaces and , ， ; ； : ： /, each part with a run
 * of 5+ digits masked as phones (its digit runs), any other part as a name: '李秀英 13912345678' →
 * '李** 139****5678'. Source: ours.
 */
export function maskContact(contact: string): string {
  return contact
    .split(/(\s+|[,，;；:：/])/)
    .map((part) => {
      if (!part.trim() || /^(\s+|[,，;；:：/])$/.test(part)) return part;
      return /\d{5,}/.test(part) ? part.replace(/\d[\d-]{4,}\d/g, (digits) => maskPhone(digits)) : maskName(part);
    })
    .join('');
}

// ——— 2. Personal data in free text ———

/** What the register knows about a household: a public title must contain none of it. */
export interface KnownPersonalData {
  names: string[];
  idNumbers: string[];
  phones: string[];
  addresses: string[];
}
export type PersonalDataKind = 'id_number' | 'phone' | 'long_number' | 'name' | 'address';
export const PERSONAL_DATA_NAMES: Record<PersonalDataKind, string> = { id_number: '身份证号', phone: '电话号码', long_number: '长串数字', name: '姓名', address: '住址' };

/** The register fields `KnownPersonalData` is taken from. */
export type RegisteredPerson = Pick<Household, 'headName' | 'headIdNumber' | 'address' | 'phone'> & { members: ReadonlyArray<{ name: string; idNumber: string }> };

/** What the register knows about a household, for detection and redaction: every member's name and ID number, its phone and address. */
export function knownPersonalDataOf(h: RegisteredPerson): KnownPersonalData {
  return {
    names: [h.headName, ...h.members.map((m) => m.name)],
    idNumbers: [h.headIdNumber, ...h.members.map((m) => m.idNumber)],
    phones: [h.phone],
    addresses: [h.address],
  };
}

/** A resident ID number: 18 characters (the last a digit or X, GB 11643-1999) or the old 15 digits. */
const ID_NUMBER = /(?<!\d)(?:\d{17}[\dXx]|\d{15})(?![\dXx])/g;
/** A mainland mobile number (11 digits from 13–19) or a landline with its area code (0631-5201234). */
const PHONE = /(?<!\d)(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})(?!\d)/g;
/** Seven or more digits in a row (spaces and hyphens between digits ignored): a number that identifies. */
const LONG_NUMBER = /\d{7,}/g;
/** A door number: a road or compound followed by a number, or a room/building/unit number. */
const DOOR_NUMBER = /(?:路|街|巷|道|村|庄|屯|小区|花园|苑|公寓|大厦|里)\s*\d+\s*(?:号|弄)|\d+\s*(?:号楼|号院|栋|幢|单元|室)/g;

/**
 * Digits joined across spaces and hyphens, so "138 0000 0000" reads as one number; a date (2026-11-29) is
 * left as it is, so a date typed into a note is not taken for a long number.
 */
const joinDigits = (text: string) => text.replace(/(?<!\d)(\d{4}-\d{1,2}-\d{1,2})(?!\d)|\d[\d\s\-－]*\d/g, (run, date?: string) => (date ? run : run.replace(/[\s\-－]+/g, '')));
const norm = (t: string) => t.replace(/\s+/g, '').toUpperCase();

/**
 * The distinctive part of a registered address: what follows its first six characters (which maskAddress
 * keeps: city and district), in windows of four characters, so "海港路12号" is caught inside a title.
 */
function addressFragments(address: string): string[] {
  const rest = Array.from(norm(address)).slice(6);
  if (rest.length === 0) return [];
  if (rest.length <= 4) return [rest.join('')];
  const out: string[] = [];
  for (let i = 0; i + 4 <= rest.length; i++) out.push(rest.slice(i, i + 4).join(''));
  return out;
}

/**
 * Which kinds of personal data a text contains: ID-number, phone and long-number patterns and door numbers
 * always; with `known` (the household's register entry) also its names, numbers and address. A heuristic
 * check behind the screener, not instead of them. Source: ours.
 */
export function personalDataIn(text: string, known?: KnownPersonalData): PersonalDataKind[] {
  const found = new Set<PersonalDataKind>();
  const digits = joinDigits(text);
  const flat = norm(text);
  if (digits.match(ID_NUMBER)) found.add('id_number');
  if (digits.match(PHONE)) found.add('phone');
  if (!found.has('id_number') && !found.has('phone') && digits.match(LONG_NUMBER)) found.add('long_number');
  if (text.match(DOOR_NUMBER)) found.add('address');
  if (known) {
    const flatDigits = joinDigits(flat);
    if (known.idNumbers.some((id) => id && flatDigits.includes(norm(id)))) found.add('id_number');
    // A phone's last eight digits identify it as well as the whole number.
    const phoneTails = known.phones.map((p) => p.replace(/\D/g, '').slice(-8)).filter((t) => t.length >= 7);
    if (phoneTails.some((t) => flatDigits.includes(t))) found.add('phone');
    if (known.names.some((n) => Array.from(norm(n)).length >= 2 && flat.includes(norm(n)))) found.add('name');
    if (known.addresses.some((a) => a && (flat.includes(norm(a)) || addressFragments(a).some((f) => flat.includes(f))))) found.add('address');
  }
  return [...found];
}

/**
 * The text with personal data masked the way the register masks it (身份证号 3710**********1234, 电话
 * 138****0000, 姓名 张*, the distinctive part of the address ****): what roles below town level see.
 * Source: ours.
 */
export function redactPersonalData(text: string, known?: KnownPersonalData): string {
  let out = joinDigits(text)
    .replace(ID_NUMBER, (m) => maskIdNumber(m))
    .replace(PHONE, (m) => maskPhone(m))
    .replace(LONG_NUMBER, (m) => maskPhone(m))
    .replace(DOOR_NUMBER, (m) => m.replace(/\d/g, '*'));
  if (known) {
    for (const n of known.names) if (Array.from(n.trim()).length >= 2) out = out.split(n.trim()).join(maskName(n.trim()));
    for (const a of known.addresses) {
      const whole = a.trim();
      if (whole && out.includes(whole)) out = out.split(whole).join(`${Array.from(whole).slice(0, 6).join('')}****`);
      for (const f of addressFragments(a)) out = out.split(f).join('****');
    }
  }
  return out;
}

// ——— 3. Per-role views ———

/**
 * The roles that see personal data masked (身份证号、姓名、电话、住址, and the household's names in free
 * text): those below town level — grid workers, party members, village/community staff. Data, so that a
 * change of who sees what (privacy by need, issue 14) is made here alone. Source: ours (README).
 */
export const MASKED_ROLES: readonly Role[] = ['grid_worker', 'party_member', 'village_staff'];

/** Whether a role sees personal fields in full (not in MASKED_ROLES); every masking here is chosen by it. */
export function seesPersonalData(role: Role): boolean {
  return !MASKED_ROLES.includes(role);
}

/** A household register entry as `role` may see it: every personal field masked below town level. */
export function householdFor(role: Role, h: Household): Household {
  if (seesPersonalData(role)) return h;
  return {
    ...h,
    headName: maskName(h.headName),
    headIdNumber: maskIdNumber(h.headIdNumber),
    members: h.members.map((m) => ({ ...m, name: maskName(m.name), idNumber: maskIdNumber(m.idNumber) })),
    address: maskAddress(h.address),
    phone: maskPhone(h.phone),
  };
}

/** The household's name and address a case row carries (activities/projection.ts). */
export interface HouseholdBrief {
  headName: string;
  address: string;
}

/** The household's name and address a case row shows (the board, the task list, the lists), as `role` may see them. */
export function householdBriefFor(role: Role, brief: HouseholdBrief | null): HouseholdBrief | null {
  if (brief === null || seesPersonalData(role)) return brief;
  return { headName: maskName(brief.headName), address: maskAddress(brief.address) };
}

// ——— 4. Free text and internal references in a case's documents ———

/**
 * Where free text sits in a case's documents (its view, its events' data, a Party day's record): the keys
 * whose string values, or arrays of strings, people typed — a reason, a note, findings, minutes, a wish's
 * title, a report's text, an answer. `parent/key` names a key only under that parent (an objection's
 * `from` is a person; a reassignment's `from` is a unit code). Staff's own names (visitors, investigators,
 * the actor of a step) are not the household's personal data and are not listed. Source: ours (issue 11:
 * names typed into free text reached village roles unmasked). A new free-text field of any kind is added
 * here, once, and every read path masks it.
 */
export const FREE_TEXT_KEYS: readonly string[] = [
  'reasons',
  'reason',
  'note',
  'notes',
  'findings',
  'minutes',
  'place',
  'text',
  'title',
  'publicTitle',
  'description',
  'why',
  'noticeText',
  'missing',
  'supplied',
  'answer',
  'objections/from',
];
const FREE_TEXT = new Set(FREE_TEXT_KEYS);
const isFreeText = (key: string, parent: string | undefined) => FREE_TEXT.has(key) || (parent !== undefined && FREE_TEXT.has(`${parent}/${key}`));

/**
 * An absolute server path (/srv/jiuzhu/data/departments/hrss.csv, C:\data\x.json, file:///…) inside a
 * text: a department adapter's error names the extract it could not read, and such a message ended up in
 * an application's verification answer (issue 11).
 */
const SERVER_PATH = /(?<![\w.~/])(?:file:\/\/)?(?:\/(?:[\w.@~+-]+\/)+[\w.@~+-]*|[A-Za-z]:\\(?:[\w.@~+ -]+\\)*[\w.@~+-]*)/g;
/** What stands in for a server path in a text anyone is shown. */
export const INTERNAL_REFERENCE_LABEL = '〔内部文件〕';

/**
 * The text without server file paths, each replaced by INTERNAL_REFERENCE_LABEL: no role needs where the
 * server keeps its files, so this applies to every role (the path stays in the server's own log). Source: ours.
 */
export function withoutInternalReferences(text: string): string {
  return text.replace(SERVER_PATH, (m) => (m.split('/').filter(Boolean).length >= 2 || m.includes('\\') ? INTERNAL_REFERENCE_LABEL : m));
}

/**
 * A case document (a view, an event's data, a Party day's record) with every free-text value (FREE_TEXT_KEYS)
 * passed through `text`, and department records' `idNumber` through `idNumber`. Other values are kept as
 * they are: ids, codes, dates and enumerations are never touched. A new object; the input is not changed.
 */
function mapDocument(value: unknown, key: string | undefined, parent: string | undefined, f: { text: (s: string) => string; idNumber: (s: string) => string }): unknown {
  if (typeof value === 'string') {
    if (key === undefined) return value;
    if (key === 'idNumber') return f.idNumber(value);
    return isFreeText(key, parent) ? f.text(value) : value;
  }
  if (Array.isArray(value)) return value.map((v) => mapDocument(v, key, parent, f));
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = mapDocument(v, k, key, f);
    return out;
  }
  return value;
}

/**
 * A case document as `role` may see it — the ONE masking of a case's data, used on every read path: a
 * kind's own endpoint and the generic case endpoint, step answers, lists, events and the escalation trail,
 * Party days. For every role: server paths in free text replaced (`withoutInternalReferences`). Below town
 * level: free text redacted (`redactPersonalData`) against the household's register entry (`known`: its
 * members' names, ID numbers, phone, address; pattern alone when the case has no household or it is not in
 * the register), and department records' ID numbers masked (maskIdNumber). `T` is kept: a view stays the
 * shape its schema expects. Source: ours (README "Personal fields … are masked for roles below town level").
 */
export function caseDocumentFor<T>(role: Role, doc: T, known: KnownPersonalData | undefined): T {
  const sees = seesPersonalData(role);
  return mapDocument(doc, undefined, undefined, {
    text: sees ? withoutInternalReferences : (t) => redactPersonalData(withoutInternalReferences(t), known),
    idNumber: sees ? (id) => id : maskIdNumber,
  }) as T;
}

/** A case's view (any kind) as `role` may see it: `caseDocumentFor`. */
export function caseViewFor<V extends Record<string, unknown>>(role: Role, view: V, known: KnownPersonalData | undefined): V {
  return caseDocumentFor(role, view, known);
}

/** One event of a case's timeline as `role` may see it: its `data` through `caseDocumentFor`. */
export function caseEventFor<E extends { data?: unknown }>(role: Role, event: E, known: KnownPersonalData | undefined): E {
  return event.data === undefined ? event : { ...event, data: caseDocumentFor(role, event.data, known) };
}

/**
 * Free text on a page anyone may open without signing in (a Party day's minutes on a village's public page,
 * a report's answer followed by its receipt): ID numbers, phones, long numbers and door numbers redacted by
 * pattern, server paths dropped — the public sees no more than the least of the signed-in roles. Source: ours.
 */
export function publicTextFor(text: string): string {
  return redactPersonalData(withoutInternalReferences(text));
}

/** A public report's contact as `role` may see it: masked below town level (maskContact). */
export function reportContactFor(role: Role, contact: string | null): string | null {
  return contact === null || seesPersonalData(role) ? contact : maskContact(contact);
}

/** A registered helper's contact (a phone) as `role` may see it: masked below town level (maskPhone). */
export function helperContactFor(role: Role, contact: string): string {
  return seesPersonalData(role) ? contact : maskPhone(contact);
}
