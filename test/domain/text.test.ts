import { describe, expect, it } from 'vitest';
import { forbiddenCharacterAt, hasForbiddenCharacter, normaliseStrings, unsafeCharacterAt, zFreeText, zPersonName } from '../../domain/text';

describe('characters no stored text may hold (domain/text.ts)', () => {
  it('C0 controls but tab and line breaks, DEL and lone surrogates; a surrogate pair is a character', () => {
    for (const bad of ['\u0000', 'a\u0001', '\u0008', '\u000b', '\u000c', '\u000e', '\u001f', '\u007f', '\ud800', 'x\udc00', '\udfff\ud800']) expect(hasForbiddenCharacter(bad), JSON.stringify(bad)).toBe(true);
    for (const good of ['', '张三', 'a\tb', 'a\nb', 'a\r\nb', '😀', '𠀀', '\u00b7', '\u2022']) expect(hasForbiddenCharacter(good), JSON.stringify(good)).toBe(false);
  });

  it('names the path of the first such string or key, through objects and arrays', () => {
    expect(forbiddenCharacterAt({ visit: { visitors: ['李四', '王\u0000五'] } })).toBe('visit.visitors.1');
    expect(forbiddenCharacterAt({ ['k\u0000']: 1 })).toBe('k\u0000');
    expect(forbiddenCharacterAt('\u0000')).toBe('(value)');
    expect(forbiddenCharacterAt({ a: 1, b: null, c: [true, { d: '好' }] })).toBeUndefined();
  });
});

describe('names, free text and what the API refuses (issue 11 item 4)', () => {
  it('normalises every separator look-alike in a name to U+00B7, so one person is one spelling', () => {
    for (const typed of ['买买提•艾力', '买买提・艾力', '买买提．艾力', '买买提‧艾力', '买买提･艾力', '买买提 · 艾力', '买买提.艾力', '买买提。艾力', '买买提∙艾力', '买买提⋅艾力'])
      expect(zPersonName.parse(typed), typed).toBe('买买提·艾力');
    expect(zPersonName.parse('  阿依古丽·买买提·吐尔逊 ')).toBe('阿依古丽·买买提·吐尔逊');
    // A full stop between Latin letters is not a separator.
    expect(zPersonName.parse('J. Smith')).toBe('J. Smith');
    // A doubled separator is one.
    expect(zPersonName.parse('阿依\u2022\u00b7古丽')).toBe('阿依·古丽');
  });

  it('puts a name in NFC', () => {
    expect(zPersonName.parse('Jose\u0301')).toBe('Jos\u00e9');
  });

  it('refuses bidi controls, zero-width and other invisible characters in a name, naming invalid_character', () => {
    for (const bad of ['张\u200b三', '张\u200d三', '\u202e三张', '张\ufeff三', '张\u00ad三', '张\u2066三\u2069', '张\u200f三', '张\u0000三', '张\u0085三',
      // Hangul fillers, the combining grapheme joiner, a variation selector, a tab or line separator, a mark on a Han character.
      '阿依\u3164古丽', '阿依\u115f古丽', '阿依\u034f古丽', '阿依\ufe0f古丽', '阿依\u{E0101}古丽', '阿依\t古丽', '阿依\n古丽', '阿依\u2028古丽', '阿\u0301依']) {
      const r = zPersonName.safeParse(bad);
      expect(r.success, JSON.stringify(bad)).toBe(false);
      expect((r.error?.issues[0] as { params?: { code?: string } }).params?.code).toBe('invalid_character');
    }
    expect(zPersonName.safeParse('·张三').success).toBe(false);
    expect(zPersonName.safeParse('').success).toBe(false);
    expect(zPersonName.safeParse('字'.repeat(51)).success).toBe(false);
    expect(zPersonName.safeParse('字'.repeat(50)).success).toBe(true);
  });

  it('free text keeps tabs and line breaks but refuses controls, bidi overrides and lone surrogates', () => {
    const text = zFreeText(100);
    expect(text.parse(' 第一行\n第二行\t完 ')).toBe('第一行\n第二行\t完');
    expect(text.parse('Cafe\u0301')).toBe('Caf\u00e9');
    for (const bad of ['a\u0000', 'a\u001b[31m', 'a\u202eb', 'a\ud800', 'a\u009bb']) expect(text.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    // Zero-width joiners belong in emoji and are allowed in free text.
    expect(text.safeParse('👨\u200d👩\u200d👧').success).toBe(true);
  });

  it('unsafeCharacterAt finds bidi and C1 controls besides the forbidden ones; normaliseStrings puts a body in NFC', () => {
    expect(unsafeCharacterAt({ a: ['ok', 'x\u202ey'] })).toBe('a.1');
    expect(unsafeCharacterAt({ a: 'x\u0085' })).toBe('a');
    expect(unsafeCharacterAt({ a: '张三·李四\n' })).toBeUndefined();
    expect(normaliseStrings({ a: ['e\u0301'], b: { c: 'A\u030a' }, d: 1 })).toEqual({ a: ['\u00e9'], b: { c: '\u00c5' }, d: 1 });
  });
});
