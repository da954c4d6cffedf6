import { describe, expect, it } from 'vitest';
import { forbiddenCharacterAt, hasForbiddenCharacter } from '../../domain/text';

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
