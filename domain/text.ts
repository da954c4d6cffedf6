/**
 * Characters no text jiuzhu stores may hold: C0 control characters other than tab, line feed and carriage
 * return (U+0000–U+0008, U+000B, U+000C, U+000E–U+001F), DEL (U+007F), and lone UTF-16 surrogates (half a
 * character: not text at all). PostgreSQL's jsonb cannot store U+0000, so on the local read model such a
 * value would fail every projection of its case for ever; no sender means them. Source: ours. (Issue 11
 * adds normalisation: bidi overrides, zero-width characters, minority-name separators.)
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
export function forbiddenCharacterAt(value: unknown, path: (string | number)[] = [], depth = 0): string | undefined {
  if (typeof value === 'string') return hasForbiddenCharacter(value) ? path.join('.') || '(value)' : undefined;
  if (depth > 20 || value === null || typeof value !== 'object') return undefined;
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  for (const [key, v] of entries) {
    if (typeof key === 'string' && hasForbiddenCharacter(key)) return [...path, key].join('.');
    const found = forbiddenCharacterAt(v, [...path, key], depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** What a refusal says of such a value. */
export const FORBIDDEN_CHARACTER_MESSAGE = 'contains a control character or half of a character (U+0000–U+001F except tab and line breaks, U+007F, a lone surrogate)';
