import type { Household } from './household';
import type { PartyMember } from './party-member';
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

/**
 * An address (住址) with at most a prefix kept and the rest as '****' (its length hidden): the prefix is the
 * first 6 characters (city and district), but never reaches the first digit (the house number, read through
 * `foldText`, so full-width and ideographic digits count) nor more than half the address, so a short
 * address ('海港路2号' → '海港路****', '幸福村' → '幸福****') is never shown whole. '' stays ''. The same mask
 * stands for a registered address found in free text (redactPersonalData), so both read alike. Source: ours
 * (issue 11: a 5-character address was shown whole in village rows).
 */
export function maskAddress(address: string): string {
  const c = chars(address);
  if (c.length === 0) return '';
  const firstDigit = c.findIndex((ch) => /\d/.test(foldText(ch).text));
  const keep = Math.min(6, Math.ceil(c.length / 2), firstDigit === -1 ? c.length : firstDigit);
  return c.slice(0, keep).join('') + '****';
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

/**
 * What a discovery's report says about a household not yet in the register (its name, address, phone), for
 * masking them in the report's free text (the situation) as a registered household's are. Ours (the
 * fresh-eyes pass on issue 13: a new household's name in the situation reached village roles unmasked).
 */
export function knownPersonalDataOfNewHousehold(h: { name: string; address: string; phone?: string | null | undefined }): KnownPersonalData {
  return { names: [h.name], idNumbers: [], phones: h.phone ? [h.phone] : [], addresses: [h.address] };
}

/** Several households' known personal data as one (a patrol names the households it visited), or undefined for none. */
export function mergeKnownPersonalData(known: readonly KnownPersonalData[]): KnownPersonalData | undefined {
  if (known.length === 0) return undefined;
  return { names: known.flatMap((k) => k.names), idNumbers: known.flatMap((k) => k.idNumbers), phones: known.flatMap((k) => k.phones), addresses: known.flatMap((k) => k.addresses) };
}

/** A resident ID number: 18 characters (the last a digit or X, GB 11643-1999) or the old 15 digits. */
const ID_NUMBER = /(?<!\d)(?:\d{17}[\dXx]|\d{15})(?![\dXx])/g;
/** A mainland mobile number (11 digits from 13–19) or a landline with its area code (0631-5201234). */
const PHONE = /(?<!\d)(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})(?!\d)/g;
/** Seven or more digits in a row (spaces and hyphens between digits ignored): a number that identifies. */
const LONG_NUMBER = /\d{7,}/g;
/** A door number: a road or compound followed by a number, or a room/building/unit number. */
const DOOR_NUMBER = /(?:路|街|巷|道|村|庄|屯|小区|花园|苑|公寓|大厦|里)\s*\d+\s*(?:号|弄)|\d+\s*(?:号楼|号院|栋|幢|单元|室)/g;

/** Dashes people type between digit groups, folded to '-' (NFKC already folds '－' and '﹣'). */
const DASHES = /[\u2010-\u2015\u2212\u30fc\uff70]/;
/** Chinese numerals read as digits inside a run of seven or more (a phone or ID number said in words). */
const CHINESE_DIGITS: Record<string, string> = { 〇: '0', 零: '0', 一: '1', 幺: '1', 二: '2', 两: '2', 三: '3', 四: '4', 五: '5', 六: '6', 七: '7', 八: '8', 九: '9' };
const DIGIT_LIKE = /^[0-9〇零一幺二两三四五六七八九]$/;

/** The value of a decimal digit of any script that NFKC leaves as it is (Arabic-Indic ٣, Devanagari ३ …). */
function digitValue(ch: string): string | undefined {
  if (!/^\p{Nd}$/u.test(ch)) return undefined;
  let cp = ch.codePointAt(0)!;
  let start = cp;
  while (/^\p{Nd}$/u.test(String.fromCodePoint(start - 1))) start--;
  cp = (cp - start) % 10;
  return String(cp);
}

/** Characters that fold to nothing: Unicode's default-ignorables, format controls and the braille blank. */
const IGNORABLE = /^(?:\p{Default_Ignorable_Code_Point}|\p{Cf}|\u2800)$/u;

/**
 * A text as personal-data detection reads it, with where each of its UTF-16 units came from: `text` is
 * the folded text; the unit at i came from `text`'s original units [from[i], to[i]). Folding: invisible
 * characters dropped (IGNORABLE); each code point through NFKC (full-width digits and letters, circled digits ① → 1, ideographic space), digits of
 * other scripts to ASCII, dashes to '-', Chinese numerals to digits inside a run of seven or more; with
 * `joinDigits`, spaces and dashes between digits dropped ("138 0000 0000" is one number) except inside a
 * date (2026-11-29); with `compact`, every space dropped (a name typed "李 四"). Source: ours (issue 11:
 * full-width digits got past detection and masking).
 */
export function foldText(text: string, opts: { joinDigits?: boolean; compact?: boolean } = {}): { text: string; from: number[]; to: number[] } {
  const units: { c: string; from: number; to: number }[] = [];
  let at = 0;
  for (const ch of text) {
    // Invisible characters (zero-width space, word joiner, soft hyphen, tags…) fold to nothing, so
    // 李\u200B秀英 and 138\u200B0000\u200B0002 are found like the plain forms.
    if (IGNORABLE.test(ch)) {
      at += ch.length;
      continue;
    }
    let f = ch.normalize('NFKC');
    if (DASHES.test(f)) f = '-';
    else if (f.length <= 2 && /^\p{Nd}$/u.test(f) && !/^\d$/.test(f)) f = digitValue(f) ?? f;
    for (let i = 0; i < f.length; i++) units.push({ c: f[i]!, from: at, to: at + ch.length });
    at += ch.length;
  }
  // Chinese numerals, only in a run of seven or more digit-like characters.
  for (let i = 0; i < units.length; ) {
    let j = i;
    while (j < units.length && DIGIT_LIKE.test(units[j]!.c)) j++;
    if (j - i >= 7) for (let k = i; k < j; k++) units[k]!.c = CHINESE_DIGITS[units[k]!.c] ?? units[k]!.c;
    i = j === i ? i + 1 : j;
  }
  let kept = units;
  if (opts.joinDigits || opts.compact) {
    const s = units.map((u) => u.c).join('');
    const drop = new Set<number>();
    const runs = /(?<!\d)(\d{4}-\d{1,2}-\d{1,2})(?!\d)|\d[\d\s-]*\d/g;
    for (let m = runs.exec(s); m; m = runs.exec(s)) {
      if (m[1]) continue;
      for (let k = m.index; k < m.index + m[0].length; k++) if (/[\s-]/.test(s[k]!)) drop.add(k);
    }
    kept = units.filter((u, k) => !drop.has(k) && !(opts.compact && /\s/.test(u.c)));
  }
  return { text: kept.map((u) => u.c).join(''), from: kept.map((u) => u.from), to: kept.map((u) => u.to) };
}

/**
 * `text` with every match of `pattern` (a global RegExp) in its folded view (foldText with `opts`)
 * replaced by `replace(the folded match)`; the replacement covers the original characters the match came
 * from, so "电话１３８ ０００ ０００２" has its digits, not its neighbours, masked. Text outside the matches
 * is kept as typed.
 */
function replaceFolded(text: string, pattern: RegExp, replace: (folded: string) => string, opts: { joinDigits?: boolean; compact?: boolean }): string {
  const f = foldText(text, opts);
  let out = '';
  let last = 0;
  pattern.lastIndex = 0;
  for (let m = pattern.exec(f.text); m; m = pattern.exec(f.text)) {
    if (m[0].length === 0) {
      pattern.lastIndex++;
      continue;
    }
    const start = f.from[m.index]!;
    const end = f.to[m.index + m[0].length - 1]!;
    if (start < last) continue; // a match beginning inside a character an earlier match took (⑩ → 10)
    out += text.slice(last, start) + replace(m[0]);
    last = end;
  }
  return out + text.slice(last);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A registered value as free text is searched for it: folded, no spaces, any case. */
const literal = (value: string) => new RegExp(escapeRegExp(foldText(value, { compact: true }).text), 'gi');
const norm = (t: string) => foldText(t, { compact: true }).text.toUpperCase();

/**
 * The distinctive part of a registered address: what follows its first six characters (which maskAddress
 * keeps at most: city and district), in windows of four characters, so "海港路12号" is caught inside a title.
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
 * always; with `known` (the household's register entry) also its names, numbers and address. The text is
 * read folded (foldText: full-width, circled and other-script digits, Chinese numerals in a long run,
 * spaces and dashes inside a number, spaces inside a name), so "１３８０００００００２" and "李 四" are found. A
 * heuristic check behind the screener, not instead of them. Source: ours.
 */
export function personalDataIn(text: string, known?: KnownPersonalData): PersonalDataKind[] {
  const found = new Set<PersonalDataKind>();
  const digits = foldText(text, { joinDigits: true }).text;
  const flat = norm(text);
  if (digits.match(ID_NUMBER)) found.add('id_number');
  if (digits.match(PHONE)) found.add('phone');
  if (!found.has('id_number') && !found.has('phone') && digits.match(LONG_NUMBER)) found.add('long_number');
  if (digits.match(DOOR_NUMBER)) found.add('address');
  if (known) {
    if (known.idNumbers.some((id) => id && flat.includes(norm(id)))) found.add('id_number');
    // A phone's last eight digits identify it as well as the whole number.
    const phoneTails = known.phones.map((p) => norm(p).replace(/\D/g, '').slice(-8)).filter((t) => t.length >= 7);
    if (phoneTails.some((t) => flat.includes(t))) found.add('phone');
    if (known.names.some((n) => Array.from(norm(n)).length >= 2 && flat.includes(norm(n)))) found.add('name');
    if (known.addresses.some((a) => a && (flat.includes(norm(a)) || addressFragments(a).some((f) => flat.includes(f))))) found.add('address');
  }
  return [...found];
}

/**
 * The text with personal data masked the way the register masks it (身份证号 3710**********1234, 电话
 * 138****0000, 姓名 张*, a registered address as maskAddress, the distinctive part of it ****, a door
 * number's digits *): what roles below town level see. Found in the folded text (as personalDataIn) and
 * masked in the original at the characters it came from; a masked number is written in ASCII digits.
 * Source: ours.
 */
export function redactPersonalData(text: string, known?: KnownPersonalData): string {
  const numbers = { joinDigits: true };
  const compact = { compact: true };
  let out = text;
  // A registered address first, so that free text masks it as the register's rows do (maskAddress).
  for (const a of known?.addresses ?? []) if (a.trim()) out = replaceFolded(out, literal(a.trim()), () => maskAddress(a.trim()), compact);
  out = replaceFolded(out, ID_NUMBER, maskIdNumber, numbers);
  out = replaceFolded(out, PHONE, maskPhone, numbers);
  out = replaceFolded(out, LONG_NUMBER, maskPhone, numbers);
  out = replaceFolded(out, DOOR_NUMBER, (m) => m.replace(/\d/g, '*'), numbers);
  if (known) {
    for (const n of known.names) {
      const name = norm(n);
      if (Array.from(name).length >= 2) out = replaceFolded(out, literal(n), (m) => maskName(m), compact);
    }
    for (const a of known.addresses) for (const f of addressFragments(a)) out = replaceFolded(out, literal(f), () => '****', compact);
  }
  return out;
}

/**
 * The numbers that identify a person (ID number, phone, long number: personalDataIn's patterns, folded) in a
 * text that names something rather than telling something — a party branch, a person's name — where no such
 * number belongs: the API refuses such a field (400 naming it). Source: ours (issue 13 fresh-eyes: a branch
 * "支部 3710… 139…" reached the public 三亮 page).
 */
export function personalNumbersIn(text: string): PersonalDataKind[] {
  return personalDataIn(text).filter((k) => k === 'id_number' || k === 'phone' || k === 'long_number');
}

/** Whether a person's name holds a digit (ASCII, full-width or another script's, as foldText reads them): a name has none. Ours. */
export function nameHasDigit(name: string): boolean {
  return /\d/.test(foldText(name, { joinDigits: true }).text);
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

/**
 * How much of a household's personal data a reader sees: `full` — everything (town level and above);
 * `need` — name, address and phone in full, ID numbers masked (those below town who must act on the
 * household: privacy by need, issue 14, `disclosureFor`); `masked` — every personal field masked (everyone
 * else below town). Source: ours (README; issue 14).
 */
export type Sight = 'full' | 'need' | 'masked';

/** The sight a role has with no relation to the household: `full` at town level and above, else `masked`. */
export function sightOfRole(role: Role): Sight {
  return seesPersonalData(role) ? 'full' : 'masked';
}

/**
 * A household register entry as a reader with `sight` sees it: `full` as it is; `need` with every ID number
 * masked; `masked` with every personal field masked (maskName, maskIdNumber, maskAddress, maskPhone).
 */
export function householdShown(sight: Sight, h: Household): Household {
  if (sight === 'full') return h;
  if (sight === 'need') return { ...h, headIdNumber: maskIdNumber(h.headIdNumber), members: h.members.map((m) => ({ ...m, idNumber: maskIdNumber(m.idNumber) })) };
  return {
    ...h,
    headName: maskName(h.headName),
    headIdNumber: maskIdNumber(h.headIdNumber),
    members: h.members.map((m) => ({ ...m, name: maskName(m.name), idNumber: maskIdNumber(m.idNumber) })),
    address: maskAddress(h.address),
    phone: maskPhone(h.phone),
  };
}

/** A household register entry as `role` may see it with no relation to it: every personal field masked below town level. */
export function householdFor(role: Role, h: Household): Household {
  return householdShown(sightOfRole(role), h);
}

/** The household's name and address a case row carries (activities/projection.ts). */
export interface HouseholdBrief {
  headName: string;
  address: string;
  /** The household's phone, when the list read it (the task list and case rows, issue 14 fresh-eyes); absent otherwise. */
  phone?: string;
}

/** A case row's household name, address and (when read) phone as a reader with `sight` sees them (in full unless `masked`). */
export function householdBriefShown(sight: Sight, brief: HouseholdBrief | null): HouseholdBrief | null {
  if (brief === null || sight !== 'masked') return brief;
  return { headName: maskName(brief.headName), address: maskAddress(brief.address), ...(brief.phone !== undefined ? { phone: maskPhone(brief.phone) } : {}) };
}

/** The household's name and address a case row shows (the board, the task list, the lists), as `role` may see them with no relation to it. */
export function householdBriefFor(role: Role, brief: HouseholdBrief | null): HouseholdBrief | null {
  return householdBriefShown(sightOfRole(role), brief);
}

// ——— 3b. Privacy by need (issue 14) ———

/**
 * Why a reader below town level sees a household's name, address and phone: they must act on it. Source:
 * ours, issue 14 ("privacy by need, not by rank"; seed 三(二): the village, the grid and the paired party
 * member visit the household).
 */
export type NeedBasis = 'village_staff' | 'grid_worker' | 'paired_member' | 'assigned_visitor';
export const NEED_BASES: readonly NeedBasis[] = ['village_staff', 'grid_worker', 'paired_member', 'assigned_visitor'];

/** Who reads: a signed-in principal's login, role and unit (its code and its path, root first). */
export interface Viewer {
  userId: string;
  role: Role;
  unit: { code: string; path: readonly string[] };
}

/**
 * What ties a household to the people who act on it: its village (`villageCode`), the unit it is registered
 * at (`unitCode`: a grid, or the village itself when it has no grid), the logins of its paired party members
 * (open pairings' members: store/pairings.ts) and of the assigned visitors of its open alerts (`assign_visitor`).
 */
export interface HouseholdRelation {
  villageCode: string;
  unitCode: string;
  pairedUserIds: readonly string[];
  visitorUserIds: readonly string[];
}

/** A personal field of a household, as the audit names it. */
export type PersonalField = 'name' | 'address' | 'phone' | 'id_number';

/** What one reader is shown of one household, and why (null: town and above, or masked). */
export interface Disclosure {
  sight: Sight;
  /** The fields shown in full. */
  fields: readonly PersonalField[];
  basis: NeedBasis | null;
}

const FULL: Disclosure = { sight: 'full', fields: ['name', 'address', 'phone', 'id_number'], basis: null };
const MASKED: Disclosure = { sight: 'masked', fields: [], basis: null };
const need = (basis: NeedBasis): Disclosure => ({ sight: 'need', fields: ['name', 'address', 'phone'], basis });

/**
 * Privacy by need: what `viewer` sees of a household with `relation` (null: not known, e.g. a household not
 * in the register). Town level and above (roles not in MASKED_ROLES): everything, as before. Below town, the
 * name, address and phone in full — never the ID numbers — for those who must act on it:
 * - `village_staff` whose unit is the household's village;
 * - `grid_worker` whose unit is the household's grid, or — the household registered at the village itself,
 *   with no grid — a grid worker of that village (a grid in it, or the village itself: someone must visit it;
 *   the same fallback as a pairing's member, domain/pairing.ts); a grid worker of another grid of the same
 *   village does not see a household registered at a grid;
 * - `paired_member`: a login paired with it by an open pairing (any role; in practice a party member);
 * - `assigned_visitor`: the assigned visitor of one of its open alerts.
 * Everyone else below town sees every personal field masked (another village's staff, an unpaired member).
 * The first basis that holds is named, in the order above. Source: ours, issue 14.
 */
export function disclosureFor(viewer: Viewer, relation: HouseholdRelation | null): Disclosure {
  if (seesPersonalData(viewer.role)) return FULL;
  if (relation === null) return MASKED;
  if (viewer.role === 'village_staff' && viewer.unit.code === relation.villageCode) return need('village_staff');
  if (viewer.role === 'grid_worker') {
    if (viewer.unit.code === relation.unitCode && relation.unitCode !== relation.villageCode) return need('grid_worker');
    if (relation.unitCode === relation.villageCode && viewer.unit.path.includes(relation.villageCode)) return need('grid_worker');
  }
  if (relation.pairedUserIds.includes(viewer.userId)) return need('paired_member');
  if (relation.visitorUserIds.includes(viewer.userId)) return need('assigned_visitor');
  return MASKED;
}

/**
 * What a reader sees of a document that names several households (a patrol's visited ones): the least of
 * their disclosures — `need` only when every one of them is; `full` when each is (or none is named and the
 * role sees in full). Ours.
 */
export function leastDisclosure(viewerRole: Role, disclosures: readonly Disclosure[]): Disclosure {
  if (disclosures.length === 0) return seesPersonalData(viewerRole) ? FULL : MASKED;
  if (disclosures.some((d) => d.sight === 'masked')) return MASKED;
  if (disclosures.some((d) => d.sight === 'need')) return disclosures.find((d) => d.sight === 'need')!;
  return FULL;
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
  'requirement',
  'evidence',
  'attachments',
  'objections/from',
  // Issue 12: to whom a household was referred (a disposition), in the view and in the `disposed` event.
  'dispositions/to',
  'referredTo',
  // Issue 13: a discovery's situation as the reporter wrote it (主动发现).
  'situation',
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
  return caseDocumentShown(sightOfRole(role), doc, known);
}

/**
 * A case document as a reader with `sight` sees it (`caseDocumentFor` by sight): `full` — server paths
 * dropped; `masked` — free text redacted (redactPersonalData) and department records' ID numbers masked;
 * `need` — only ID numbers redacted in free text (by pattern and the household's registered ones) and in
 * department records: the names, address and phone stay — of the case's own households; `others` (the other
 * registered households of the village, which this reader has no need for) are redacted as registered
 * (redactKnownPersonalData). Ours (issue 14; `others` from its fresh-eyes pass).
 */
export function caseDocumentShown<T>(sight: Sight, doc: T, known: KnownPersonalData | undefined, others?: KnownPersonalData): T {
  const needText = (t: string) => redactKnownPersonalData(redactIdNumbers(withoutInternalReferences(t), known), others);
  return mapDocument(doc, undefined, undefined, {
    text: sight === 'full' ? withoutInternalReferences : sight === 'need' ? needText : (t) => redactPersonalData(withoutInternalReferences(t), known),
    idNumber: sight === 'full' ? (id) => id : maskIdNumber,
  }) as T;
}

/**
 * The text with the registered names, phones and addresses of `known` masked as the register masks them
 * (maskName, maskPhone, maskAddress and the address's distinctive part ****), and nothing else: for a reader
 * shown one household by need, the other households of the village. Ours (the fresh-eyes pass on issue 14).
 */
export function redactKnownPersonalData(text: string, known?: KnownPersonalData): string {
  if (!known) return text;
  const compact = { compact: true };
  let out = text;
  for (const a of known.addresses) if (a.trim()) out = replaceFolded(out, literal(a.trim()), () => maskAddress(a.trim()), compact);
  for (const p of known.phones) {
    const tail = norm(p).replace(/\D/g, '');
    if (tail.length >= 7) out = replaceFolded(out, new RegExp(escapeRegExp(tail), 'g'), maskPhone, { joinDigits: true });
  }
  for (const n of known.names) if (Array.from(norm(n)).length >= 2) out = replaceFolded(out, literal(n), (m) => maskName(m), compact);
  for (const a of known.addresses) for (const f of addressFragments(a)) out = replaceFolded(out, literal(f), () => '****', compact);
  return out;
}

/** The text with ID numbers masked (maskIdNumber): by pattern, folded, and the household's registered ones (`known`). Ours (issue 14). */
export function redactIdNumbers(text: string, known?: KnownPersonalData): string {
  let out = replaceFolded(text, ID_NUMBER, maskIdNumber, { joinDigits: true });
  for (const id of known?.idNumbers ?? []) if (id.trim()) out = replaceFolded(out, literal(id.trim()), (m) => maskIdNumber(m), { compact: true });
  return out;
}

/** A case's view (any kind) as a reader with `sight` sees it: `caseDocumentShown`. */
export function caseViewShown<V extends Record<string, unknown>>(sight: Sight, view: V, known: KnownPersonalData | undefined, others?: KnownPersonalData): V {
  return caseDocumentShown(sight, view, known, others);
}

/** One event of a case's timeline as a reader with `sight` sees it: its `data` through `caseDocumentShown`. */
export function caseEventShown<E extends { data?: unknown }>(sight: Sight, event: E, known: KnownPersonalData | undefined, others?: KnownPersonalData): E {
  return event.data === undefined ? event : { ...event, data: caseDocumentShown(sight, event.data, known, others) };
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
 * pattern, server paths dropped, and the names, phones and addresses of `known` — the registered households
 * of the unit the text belongs to (store/relations.ts unitKnownPersonalData) — redacted as registered: the
 * public sees no more than the least of the signed-in roles. Source: ours (`known`: the fresh-eyes pass on
 * issue 14 found a registered head's full name in a report's answer on its public receipt).
 */
export function publicTextFor(text: string, known?: KnownPersonalData): string {
  return redactPersonalData(withoutInternalReferences(text), known);
}

/**
 * What a public receipt's free text is redacted with besides the patterns (publicTextFor's `known`): the
 * applicant an intake sealed, the register's household of its application or wish (knownPersonalDataOf), a
 * report's contact. So a return reason or an answer naming the applicant shows 王* on the phone. Ours.
 */
export function knownOnReceipt(parts: { applicant?: { applicantName: string; idNumber: string; phone: string; address: string } | null; household?: RegisteredPerson | null; contact?: string | null }): KnownPersonalData {
  const known: KnownPersonalData = { names: [], idNumbers: [], phones: [], addresses: [] };
  const a = parts.applicant;
  if (a) {
    known.names.push(a.applicantName);
    known.idNumbers.push(a.idNumber);
    known.phones.push(a.phone);
    known.addresses.push(a.address);
  }
  if (parts.household) {
    const h = knownPersonalDataOf(parts.household);
    known.names.push(...h.names);
    known.idNumbers.push(...h.idNumbers);
    known.phones.push(...h.phones);
    known.addresses.push(...h.addresses);
  }
  const c = parts.contact?.trim();
  if (c) (/\d{5,}/.test(c.replace(/\D/g, '')) ? known.phones : known.names).push(c);
  return known;
}

/**
 * A public report's contact as `role` may see it: masked below town level (maskContact), except for the staff
 * of the unit handling the report (`handlesIt`: its village's staff; a staff-conduct complaint is handled by
 * the town, which sees it anyway), who must answer the reporter — privacy by need, audited by the caller.
 * Ours (issue 14; `handlesIt` from its fresh-eyes pass: the village saw `刘** 137****0001` and could not call).
 */
export function reportContactFor(role: Role, contact: string | null, handlesIt = false): string | null {
  return contact === null || seesPersonalData(role) || handlesIt ? contact : maskContact(contact);
}

/**
 * A discovery's household not yet registered (issue 13: name, address, phone given by the reporter) as
 * `role` may see it: masked below town level, as the register's rows (householdFor).
 */
export function newHouseholdFor(role: Role, h: { name: string; address: string; phone?: string } | null): { name: string; address: string; phone: string | null } | null {
  return newHouseholdShown(sightOfRole(role), h);
}

/** A discovery's household not yet registered as a reader with `sight` sees it: in full unless `masked` (it has no ID number). */
export function newHouseholdShown(sight: Sight, h: { name: string; address: string; phone?: string } | null): { name: string; address: string; phone: string | null } | null {
  if (h === null) return null;
  if (sight !== 'masked') return { name: h.name, address: h.address, phone: h.phone ?? null };
  return { name: maskName(h.name), address: maskAddress(h.address), phone: h.phone ? maskPhone(h.phone) : null };
}

/** A registered helper's contact (a phone) as `role` may see it: masked below town level (maskPhone). */
export function helperContactFor(role: Role, contact: string): string {
  return seesPersonalData(role) ? contact : maskPhone(contact);
}

/**
 * A notice's message as a role may read it in an inbox (api/routes/notifications.ts). Notices are written
 * with household ids, never names (the workflows' and docs/notifications.md's rule); below the town, any
 * personal data that slipped in anyway is masked by pattern, as free text is. Source: ours (issue 12).
 */
export function noticeMessageFor(role: Role, message: string): string {
  return seesPersonalData(role) ? message : redactKeepingIds(message);
}

/**
 * The record ids a notice names — households (`hh-…`), cases of every kind (`alert-hh-…-20261130T…`,
 * `application-…`, `report-…`, `wish-…`, `party-day-…`, `order-…`, and issue 13's `discovery-…`, `pairing-…`,
 * `patrol-…`), supervision records (`summons-…`, `circular-…`) and party members (`pm-…`) — whose digits are
 * not personal data: a masked id could not be looked up (the fresh-eyes pass found `order-3710*******2001-…`
 * in an SMS, and `discovery-10b4*****6e481e8` in a decision's notice). Ours.
 */
const RECORD_ID = /(?<![A-Za-z0-9_-])(?:hh|alert|application|report|wish|party-day|order|summons|circular|discovery|pairing|patrol|pm)-[A-Za-z0-9_-]*[A-Za-z0-9]/g;

/** `redactPersonalData` on everything but the record ids in `text` (RECORD_ID), which are kept as written. */
function redactKeepingIds(text: string): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(RECORD_ID)) {
    out += redactPersonalData(text.slice(last, m.index)) + m[0];
    last = m.index + m[0].length;
  }
  return out + redactPersonalData(text.slice(last));
}

/**
 * A notice's message as it leaves the system (a webhook's body, an SMS text: activities/notify.ts): masked at
 * the strictest level always, as the inbox masks it below the town — whoever receives it, whatever the
 * unit. A receiver is outside the system's access control (a webhook endpoint's logs, a phone's lock
 * screen), so it never gets more than the least privileged reader. Notice messages carry no free text
 * (ids, kinds, levels, units, dates); this is the net for what slipped in anyway. Source: ours (the
 * fresh-eyes pass on issue 12: a reason's phone and ID number reached a webhook and an SMS in full).
 */
export function outboundNoticeText(message: string): string {
  return redactKeepingIds(message);
}

// ——— Party members (issue 13) ———

/**
 * A party-member register entry as `role` may see it: the phone masked below town level (maskPhone), as a
 * household's and a helper's. The member's name is not masked: a member is a person acting for the
 * organisation (as staff are), and their name is what pairing, rankings and 三亮 show. Source: ours
 * (issue 13: personal fields masked as elsewhere).
 */
export function partyMemberFor(role: Role, m: PartyMember): PartyMember {
  return seesPersonalData(role) ? m : { ...m, phone: maskPhone(m.phone) };
}

/** What the public sees of a member on the unit's page (三亮): name, role and branch, nothing else. */
export interface PublicMember {
  name: string;
  role: PartyMember['role'];
  branch: string;
}

/**
 * The 三亮 rule (亮身份、亮行动、亮成绩, seed 三(二)一; issue 13): a member is shown on the unit's public page
 * only with their consent (`publicConsent`, PIPL Art. 14: consent to be shown publicly) and while active;
 * then only their name, role and branch (both through publicTextFor), with counts of their actions and their points of the year — never
 * their phone, their login, their grid, nor anything of the households they helped (no names, no ids, no
 * case). Null: not shown at all. Source: issue 13 item 3; the field list is ours.
 */
export function publicMemberOf(m: Pick<PartyMember, 'name' | 'role' | 'branch' | 'publicConsent' | 'status'>): PublicMember | null {
  if (!m.publicConsent || m.status !== 'active') return null;
  // The register refuses numbers in both; the strictest outbound masking is the second line (older records).
  return { name: publicTextFor(m.name), role: m.role, branch: publicTextFor(m.branch) };
}

/**
 * An intake's applicant (申请受理, issue 14: name, ID number, phone, address given through the public page) as
 * `role` may see it: whole for the town and above, who accept it (the intake is read only there: its orgPath
 * starts at the town); masked below town level, as the register's rows (householdFor). Source: ours.
 */
export function intakeApplicantFor(role: Role, a: { applicantName: string; idNumber: string; phone: string; address: string } | null): { applicantName: string; idNumber: string; phone: string; address: string } | null {
  if (a === null) return null;
  if (seesPersonalData(role)) return { ...a };
  return { applicantName: maskName(a.applicantName), idNumber: maskIdNumber(a.idNumber), phone: maskPhone(a.phone), address: maskAddress(a.address) };
}
