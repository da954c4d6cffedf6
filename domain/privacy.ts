import type { Household } from './household';
import type { Role } from './roles';

/**
 * Privacy (个人信息保护): the one home of what personal data is, how it is masked, and who sees it masked.
 *
 * Three concerns, one section each:
 *   1. masking of one value — 身份证号, 姓名, 电话, 住址 and a free-text contact;
 *   2. personal data in free text — detecting it (a public title must hold none) and redacting it;
 *   3. per-role views — what a role below town level sees of a household, a case row, a case view, a
 *      report's contact, a helper's contact and a wish's free text.
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

/** Digits joined across spaces and hyphens, so "138 0000 0000" reads as one number. */
const joinDigits = (text: string) => text.replace(/(?<=\d)[\s\-－]+(?=\d)/g, '');
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
 * Whether a role sees personal fields in full. Roles below town level — grid workers, party members,
 * village/community staff — see them masked (身份证号、姓名、电话、住址). Source: ours.
 */
export function seesPersonalData(role: Role): boolean {
  return !(role === 'grid_worker' || role === 'party_member' || role === 'village_staff');
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

/**
 * A kind's case view as the generic case endpoint shows it to `role`. Below town level, personal data a
 * kind's view carries is masked or left out: an application's department records show ID numbers
 * masked; a wish's free text (description, fulfilment text and photos) is left out, with `detail`
 * naming the wish's own endpoint, which shows it redacted (`wishTextFor`). Other kinds carry none.
 */
export function caseViewFor(role: Role, kind: string, view: Record<string, unknown>): Record<string, unknown> {
  if (seesPersonalData(role)) return view;
  if (kind === 'application') {
    const verification = view.verification as { answers?: Array<{ records?: Array<{ idNumber: string }> }> } | undefined;
    return {
      ...view,
      verification: verification && {
        ...verification,
        answers: (verification.answers ?? []).map((a) => (a.records ? { ...a, records: a.records.map((r) => ({ ...r, idNumber: maskIdNumber(r.idNumber) })) } : a)),
      },
    };
  }
  if (kind === 'wish') {
    const { description: _description, fulfilment, ...rest } = view as { description?: unknown; fulfilment?: Record<string, unknown> | null };
    return { ...rest, description: null, fulfilment: fulfilment ? { ...fulfilment, text: null, photos: [] } : null, detail: `/v1/wishes/${String(view.caseId)}` };
  }
  return view;
}

/** A public report's contact as `role` may see it: masked below town level (maskContact). */
export function reportContactFor(role: Role, contact: string | null): string | null {
  return contact === null || seesPersonalData(role) ? contact : maskContact(contact);
}

/** A registered helper's contact (a phone) as `role` may see it: masked below town level (maskPhone). */
export function helperContactFor(role: Role, contact: string): string {
  return seesPersonalData(role) ? contact : maskPhone(contact);
}

/**
 * A wish's free text as `role` may see it: below town level its title, description and fulfilment text
 * are redacted (`redactPersonalData`) against the household's register entry (`known`), or by pattern
 * alone when the household is not in the register.
 */
export function wishTextFor<V extends { title: string; description: string; fulfilment: { text: string } | null }>(role: Role, view: V, known: KnownPersonalData | undefined): V {
  if (seesPersonalData(role)) return view;
  const r = (t: string) => redactPersonalData(t, known);
  return { ...view, title: r(view.title), description: r(view.description), fulfilment: view.fulfilment ? { ...view.fulfilment, text: r(view.fulfilment.text) } : null };
}
