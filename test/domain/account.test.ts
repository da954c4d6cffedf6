import { describe, expect, it } from 'vitest';
import { passwordIssues, zLogin, zStaffName, zUserId } from '../../domain/account';
import { STAFF_PERSON_NAME_PATTERN } from '../../domain/text';

/** The password and lockout rules of staff accounts (domain/account.ts; issue 14 item 2), as pure functions. */

describe('password rules', () => {
  it('asks for 10 characters, three of four classes, and not the login', () => {
    expect(passwordIssues('Harbour-Lights-2026', 'li.web')).toEqual([]);
    expect(passwordIssues('Ab1-', 'li.web')).toEqual(['too_short']);
    expect(passwordIssues('abcdefghijk1', 'li.web')).toEqual(['too_few_classes']);
    expect(passwordIssues('ABCDEFGHIJ-1', 'li.web')).toEqual([]);
    expect(passwordIssues('My-LI.WEB-2026', 'li.web')).toEqual(['contains_login']);
    expect(passwordIssues('Zhang-oidc-2026', 'oidc:zhang')).toEqual(['contains_login']);
    expect(passwordIssues(`Aa1-${'x'.repeat(130)}`, 'li.web')).toEqual(['too_long']);
    // Characters count, not bytes; a Chinese character is of the class "other" (as a symbol).
    expect(passwordIssues('救助平台的密码Aa1', 'li.web')).toEqual([]);
    expect(passwordIssues('救助平台的密码很长很长1', 'li.web')).toEqual(['too_few_classes']);
  });
});

describe('logins', () => {
  it('are lowercase with . _ @ -; OIDC users are oidc:<sub> and only as ids', () => {
    for (const ok of ['li.web', 'a1', 'wang_3@haigang', 'x-y']) expect(zLogin.safeParse(ok).success, ok).toBe(true);
    for (const bad of ['Li', 'a', '.lead', 'li web', 'oidc:zhang', `a${'b'.repeat(64)}`]) expect(zLogin.safeParse(bad).success, bad).toBe(false);
    expect(zUserId.safeParse('oidc:zhang.town').success).toBe(true);
  });
});

describe('staff names (zStaffName)', () => {
  const codeOf = (name: string) => {
    const r = zStaffName.safeParse(name);
    return r.success ? r.data : (r.error.issues[0] as { params?: { code?: string } } | undefined)?.params?.code;
  };
  it('the public forms’ person-name rule and no *: markup, a masked-looking name, an invisible character are refused', () => {
    expect(codeOf('<b>张</b>')).toBe('invalid_character');
    expect(codeOf('王**')).toBe('masked_value');
    expect(codeOf('张\u200b三')).toBe('invalid_character');
    expect(codeOf('·张三')).toBe('invalid_name');
    expect(codeOf(' 买买提•艾力 ')).toBe('买买提·艾力');
    expect(codeOf('Wang Xiaoming')).toBe('Wang Xiaoming');
  });
  it('its OpenAPI pattern (STAFF_PERSON_NAME_PATTERN) says the same', () => {
    const pattern = new RegExp(STAFF_PERSON_NAME_PATTERN, 'u');
    const names = ['张三', '买买提·艾力', 'Wang Xiaoming', '<b>张</b>', '王**', '张\u200b三', '·张三', '', '张>三'];
    expect(names.filter((name) => pattern.test(name) !== zStaffName.safeParse(name).success)).toEqual([]);
  });
});
