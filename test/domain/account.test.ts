import { describe, expect, it } from 'vitest';
import { afterFailure, lockedFor, passwordIssues, zLogin, zUserId } from '../../domain/account';

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

describe('lockout', () => {
  const rule = { maxFailures: 3, windowMs: 60_000, lockoutMs: 120_000 };
  it('locks on the n-th failure within the window, for the lockout time, and forgets failures older than the window', () => {
    let s = { failures: [] as number[], lockedUntil: null as number | null };
    s = afterFailure(s, 1_000, rule);
    s = afterFailure(s, 2_000, rule);
    expect(lockedFor(s, 2_000)).toBe(0);
    // The first failure has left the window: two within it, not locked.
    s = afterFailure(s, 61_500, rule);
    expect(s.failures).toEqual([2_000, 61_500]);
    expect(lockedFor(s, 61_500)).toBe(0);
    s = afterFailure(s, 61_900, rule);
    expect(lockedFor(s, 61_900)).toBe(120_000);
    expect(s.failures).toEqual([]);
    expect(lockedFor(s, 61_900 + 120_000)).toBe(0);
  });
});

describe('logins', () => {
  it('are lowercase with . _ @ -; OIDC users are oidc:<sub> and only as ids', () => {
    for (const ok of ['li.web', 'a1', 'wang_3@haigang', 'x-y']) expect(zLogin.safeParse(ok).success, ok).toBe(true);
    for (const bad of ['Li', 'a', '.lead', 'li web', 'oidc:zhang', `a${'b'.repeat(64)}`]) expect(zLogin.safeParse(bad).success, bad).toBe(false);
    expect(zUserId.safeParse('oidc:zhang.town').success).toBe(true);
  });
});
