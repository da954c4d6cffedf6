import { z } from 'zod';

/**
 * Characters no text jiuzhu stores may hold: C0 control characters other than tab, line feed and carriage
 * return (U+0000–U+0008, U+000B, U+000C, U+000E–U+001F), DEL (U+007F), and lone UTF-16 surrogates (half a
 * character: not text at all). PostgreSQL's jsonb cannot store U+0000, so on the local read model such a
 * value would fail every projection of its case for ever; no sender means them. Source: ours. Below:
 * what the API refuses besides (bidi controls), names (`zPersonName`) and free text (`zFreeText`).
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether a string holds a character no stored text may hold (see above). */
export const hasForbiddenCharacter = (text: string): boolean => FORBIDDEN.test(text);

/**
 * The path of the first string (or object key) inside `value` that holds a forbidden character, e.g.
 * `visit.notes` or `reasons.2`; undefined when there is none. Walks plain objects and arrays, at most
 * 20 levels deep (deeper input is refused elsewhere by its schema). Throws nothing.
 */
export const forbiddenCharacterAt = (value: unknown): string | undefined => firstStringAt(value, hasForbiddenCharacter);

/** The path of the first string or key inside `value` that `bad` holds true of (see forbiddenCharacterAt). */
function firstStringAt(value: unknown, bad: (text: string) => boolean, path: (string | number)[] = [], depth = 0): string | undefined {
  if (typeof value === 'string') return bad(value) ? path.join('.') || '(value)' : undefined;
  if (depth > 20 || value === null || typeof value !== 'object') return undefined;
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  for (const [key, v] of entries) {
    if (typeof key === 'string' && bad(key)) return [...path, key].join('.');
    const found = firstStringAt(v, bad, [...path, key], depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** What a refusal says of such a value. */
export const FORBIDDEN_CHARACTER_MESSAGE = 'contains a control character or half of a character (U+0000–U+001F except tab and line breaks, U+007F, a lone surrogate)';

/**
 * Bidirectional embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069): they reorder how a
 * text is shown, so "‮txt.exe" reads as "exe.txt"; no text jiuzhu stores needs them (Chinese and the
 * minority languages' Chinese transcriptions run left to right). Refused in every text the API receives.
 * Source: ours, after Unicode TR #36 (Unicode Security Considerations) §2.
 */
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/;

/** C1 control characters (U+0080–U+009F): no text typed by a person holds one; most are mojibake. Source: ours. */
const C1_CONTROL = /[\u0080-\u009F]/;

/**
 * Invisible characters a person's name never holds: zero-width space, non-joiner and joiner, the
 * left-to-right/right-to-left and Arabic letter marks, word joiner and invisible operators, the byte-order
 * mark, the soft hyphen and the Mongolian vowel separator (U+200B–U+200F, U+2060–U+2064, U+FEFF, U+00AD,
 * U+061C, U+180E); the combining grapheme joiner U+034F, the Hangul fillers (U+115F, U+1160, U+3164,
 * U+FFA0) and the variation selectors (Unicode's Variation_Selector: U+FE00–U+FE0F, U+E0100–U+E01EF and
 * the Mongolian free variation selectors, for names are registered in Han characters); a tab or line break;
 * and a combining mark on a Han character (NFC composes none there). With one, the same person is two
 * spellings no one can see apart. Source: ours (UTS #39 §3.1 lists them as not allowed in identifiers).
 */
const INVISIBLE = /[\u200B-\u200F\u2060-\u2064\uFEFF\u00AD\u061C\u180E\u115F\u1160\u3164\uFFA0\t\n\r\u0085\u2028\u2029]|\u034F|\p{Variation_Selector}|(?<=\p{Script=Han})\p{M}/u;

/** Whether a text holds a forbidden character (above), a C1 control or a bidi control: what the API refuses in any text it receives. */
export const hasUnsafeCharacter = (text: string): boolean => FORBIDDEN.test(text) || C1_CONTROL.test(text) || BIDI_CONTROL.test(text);

/** What a refusal of such a value says. */
export const UNSAFE_CHARACTER_MESSAGE = 'contains a control character, a bidirectional control or half of a character (U+0000–U+001F except tab and line breaks, U+007F–U+009F, U+202A–U+202E, U+2066–U+2069, a lone surrogate)';

/**
 * The path of the first string (or key) inside `value` with an unsafe character (`hasUnsafeCharacter`), as
 * `forbiddenCharacterAt` does for forbidden ones. Throws nothing.
 */
export const unsafeCharacterAt = (value: unknown): string | undefined => firstStringAt(value, hasUnsafeCharacter);

/**
 * `value` with every string in it (not the keys) in Unicode Normalization Form C, so that a character typed
 * as a base and a combining mark is stored as the one precomposed character, and equal texts compare
 * equal. Walks plain objects and arrays in place, at most 20 levels deep; returns a string normalised.
 * Source: ours (W3C Character Model: string matching, NFC).
 */
export function normaliseStrings<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return value.normalize('NFC') as T;
  if (depth > 20 || value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const v = record[key];
    if (typeof v === 'string') {
      const n = v.normalize('NFC');
      if (n !== v) record[key] = n;
    } else normaliseStrings(v, depth + 1);
  }
  return value;
}

/** The separator inside a person's name (姓名间隔符): U+00B7 MIDDLE DOT, GB 18030 A1A4. */
export const NAME_SEPARATOR = '\u00B7';

/**
 * Look-alikes of the name separator that people and input methods type instead of "·": bullet U+2022,
 * katakana middle dot U+30FB and its halfwidth U+FF65, fullwidth full stop U+FF0E, hyphenation point
 * U+2027, one-dot leader U+2024, Greek ano teleia U+0387, bullet operator U+2219, dot operator U+22C5,
 * word separator middle dot U+2E31, runic punctuation U+16EB, Hangul araea U+318D, the middle dot itself
 * — each with any spaces around it — and a full stop "." or ideographic full stop "。" between two Han
 * characters.
 */
const SEPARATOR_VARIANT = /[ \u3000]*[\u00B7\u0387\u16EB\u2022\u2024\u2027\u2219\u22C5\u2E31\u30FB\u318D\uFF0E\uFF65][ \u3000]*|(?<=\p{Script=Han})[ \u3000]*[.\u3002][ \u3000]*(?=\p{Script=Han})/gu;

/**
 * A person's name as stored: NFC, trimmed, inner runs of spaces (and the ideographic space) as one space, and every separator look-alike as
 * the one separator U+00B7 (a doubled one as one), so that 买买提•艾力, 买买提・艾力, 买买提．艾力 and 买买提•·艾力
 * are one spelling, 买买提·艾力.
 * Source: 国家民委等12部门《关于在政府管理和社会公共服务信息系统中统一姓名采集应用规范的通知》(民委发〔2016〕33号)
 * 一: the separator in a name is "·", GB 13000 U+00B7, GB 18030 A1A4; 二: a name field holds at least 50
 * characters.
 */
export const normalisePersonName = (name: string): string =>
  name.normalize('NFC').trim().replace(/[ \u3000]+/g, ' ').replace(SEPARATOR_VARIANT, NAME_SEPARATOR).replace(/\u00B7{2,}/g, NAME_SEPARATOR);

/** The most characters a name field holds (民委发〔2016〕33号 二: not fewer than 50). */
export const NAME_MAX = 50;

/**
 * What the API refuses in any text it receives (`hasUnsafeCharacter` but lone surrogates: C0 controls but tab
 * and line breaks, DEL and the C1 controls, the bidi controls), as the body of a regular-expression
 * character class in `\uXXXX` escapes, which ECMA-262, Python and Rust read alike. Lone surrogates are not
 * in it: no UTF-8 JSON text carries one (RFC 8259 §8.2), and code-point regex engines cannot name them.
 */
export const UNSAFE_CHARACTER_CLASS = '\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069';

/**
 * The white space `String.prototype.trim` removes (ECMA-262 WhiteSpace and LineTerminator) that the API
 * lets in (so not U+000B, U+000C), as a character-class body: named one by one because `\s` means
 * different sets in different engines (Python's has U+001C–U+001F and U+0085, JavaScript's U+FEFF).
 */
export const TRIMMED_SPACE_CLASS = '\\t\\n\\r \\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000\\uFEFF';

/**
 * zPersonName's rule as an ECMA-262 pattern for the OpenAPI document (`\uXXXX` escapes, which Python and Rust
 * read alike; no `\s`, no look-around): any white space at either end (trimmed), between them a first and a
 * last character that is not white space nor the separator · or a look-alike of it, and nowhere a
 * character the API refuses in any text (UNSAFE_CHARACTER_CLASS) or an invisible one. Source: ours (the rule
 * of zPersonName, stated).
 */
export const PERSON_NAME_PATTERN = personNamePattern('');
/** PERSON_NAME_PATTERN without `<` and `>` as well: person names on the public forms (zPublicPersonName). */
export const PUBLIC_PERSON_NAME_PATTERN = personNamePattern('<>');
/** PUBLIC_PERSON_NAME_PATTERN without `*` as well, the mask character: a staff member's name (domain/account.ts zStaffName). */
export const STAFF_PERSON_NAME_PATTERN = personNamePattern('<>*');
function personNamePattern(extra: string): string {
  // INVISIBLE's characters that a class can name (not the supplementary variation selectors, nor a mark after Han).
  const refused = `${extra}${UNSAFE_CHARACTER_CLASS}\\u200B-\\u200F\\u2060-\\u2064\\uFEFF\\u00AD\\u061C\\u180E\\u034F\\u115F\\u1160\\u3164\\uFFA0\\uFE00-\\uFE0F\\t\\n\\r\\u0085\\u2028\\u2029`;
  // The separator and its look-alikes (SEPARATOR_VARIANT), which normalisation turns into it.
  const separators = '\\u00B7\\u0387\\u16EB\\u2022\\u2024\\u2027\\u2219\\u22C5\\u2E31\\u30FB\\u318D\\uFF0E\\uFF65';
  const space = `[${TRIMMED_SPACE_CLASS}]*`;
  const edge = `[^${TRIMMED_SPACE_CLASS}${separators}${refused}]`;
  return `^${space}${edge}(?:[^${refused}]*${edge})?${space}$`;
}

/**
 * A person's name (a household head or member, a visitor, an investigator, who answered): normalised as
 * `normalisePersonName` says, 1–`NAME_MAX` characters, with no forbidden character, bidi control or
 * invisible character (issue code `invalid_character`), and not beginning or ending with the separator.
 */
export const zPersonName = personName(false);

/**
 * A person's name typed into a public form (the phone page, no sign-in; issue 14): zPersonName, and no `<` or
 * `>` (code `invalid_character`) — no name is written with them, and markup such as `<img …>钱七` has no
 * business in a register staff screens render. Source: ours.
 */
export const zPublicPersonName = personName(true);

/**
 * `schema`, refusing a text that holds `*`, the character domain/privacy.ts masks with (`王**`, `威海市环翠区****`,
 * `3710**********1234`): a masked value sent back from a correction form must never overwrite the real one, and
 * a name that reads as masked (a staff name `王**`) would pass for hidden data. Issue code `masked_value`; with
 * `abort`, the schema's later checks do not run (an ID number's own check would only confuse). Source: ours
 * (issue 14, the fresh-eyes passes).
 */
export const unmasked = <S extends z.ZodType<string>>(schema: S, opts: { abort?: boolean } = {}) =>
  schema.refine((v) => !v.includes('*'), { message: 'a masked value (with *): enter it in full', params: { code: 'masked_value' }, ...opts });

/**
 * A person's name typed by staff or a resident where no name is written with markup or a mask: zPublicPersonName
 * (no `<` or `>`) and `unmasked` (no `*`). A staff member's name (domain/account.ts zStaffName) and a new
 * household's name in a discovery report (domain/discovery.ts), which the town's queue shows as typed and lower
 * levels masked — `陈*` would read as a masked name. Source: ours (the fresh-eyes passes on issue 14).
 */
export const zPlainPersonName = unmasked(zPublicPersonName).meta({ pattern: STAFF_PERSON_NAME_PATTERN });

function personName(noMarkup: boolean) {
  return (
    z
      .string()
      // The length as sent is bounded too (the OpenAPI's maxLength): 50 spaces around one character are not a short name.
      .max(NAME_MAX)
      .overwrite(normalisePersonName)
      .min(1)
      .max(NAME_MAX)
      .superRefine((name, ctx) => {
        if (hasUnsafeCharacter(name) || INVISIBLE.test(name))
          ctx.addIssue({ code: 'custom', message: 'a name holds no control, bidirectional or invisible character (zero-width space, joiner, mark, soft hyphen)', input: name, params: { code: 'invalid_character' } });
        else if (noMarkup && /[<>]/.test(name)) ctx.addIssue({ code: 'custom', message: 'a name holds no < or >', input: name, params: { code: 'invalid_character' } });
        else if (name.startsWith(NAME_SEPARATOR) || name.endsWith(NAME_SEPARATOR))
          ctx.addIssue({ code: 'custom', message: 'the separator · stands between the parts of a name', input: name, params: { code: 'invalid_name' } });
      })
      // The same rule for clients (and the schema-driven fuzzer) in the OpenAPI document: no refused or
      // invisible character, not blank, the separator not first or last. No look-around, so that
      // every JSON-Schema engine reads it.
      .meta({ pattern: noMarkup ? PUBLIC_PERSON_NAME_PATTERN : PERSON_NAME_PATTERN })
  );
}

/**
 * Free text a person writes (a note, a reason, findings, a report): NFC and trimmed, `min`–`max`
 * characters, with no forbidden character or bidi control (code `invalid_character`); tab and line breaks
 * are kept.
 */
export const zFreeText = (max: number, min = 1) =>
  z
    .string()
    .max(max)
    .overwrite((s) => s.normalize('NFC').trim())
    .min(min)
    .max(max)
    .refine((s) => !hasUnsafeCharacter(s), { message: UNSAFE_CHARACTER_MESSAGE, params: { code: 'invalid_character' } });
