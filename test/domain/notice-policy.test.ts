import { describe, expect, it } from 'vitest';
import type { Notice } from '../../domain/case';
import { DEFAULT_NOTICE_POLICY, needsLadder, noticesTold, ruleFor, zNoticePolicy, type NoticeRule } from '../../domain/notice-policy';
import type { UnitRef } from '../../domain/org';

const village: UnitRef = { code: '371002001001', name: '海港社区居委会', level: 'village' };
const town: UnitRef = { code: '371002001', name: '鲸园街道', level: 'town' };
const district: UnitRef = { code: '371002', name: '环翠区', level: 'district' };
const city: UnitRef = { code: '371000', name: '威海市', level: 'city' };
const ladder = [village, town, district, city];

const opened: Notice = { unit: village, kind: 'opened', message: '新的红色预警（hh-1）' };
const told = (level: string | null, notices: Notice[], policy: readonly NoticeRule[] = DEFAULT_NOTICE_POLICY) => noticesTold(policy, { kind: 'alert', level, ladder }, notices);

describe('who is told (domain/notice-policy.ts)', () => {
  it('tells the village of every alert’s opening, and the town too when it is red', () => {
    expect(told('red', [opened]).map((n) => n.unit.code)).toEqual([village.code, town.code]);
    expect(told('orange', [opened]).map((n) => n.unit.code)).toEqual([village.code]);
    expect(told('yellow', [opened]).map((n) => n.unit.code)).toEqual([village.code]);
  });

  it('tells the town at once when an alert is raised to red, not when raised to orange', () => {
    const raised: Notice = { unit: village, kind: 'level_raised', message: '预警升级为红色（hh-1）' };
    expect(told('red', [raised]).map((n) => n.unit.code)).toEqual([village.code, town.code]);
    expect(told('orange', [raised]).map((n) => n.unit.code)).toEqual([village.code]);
  });

  it('leaves notices no rule names as the workflow addressed them, in order; copies carry kind and message, no user', () => {
    const escalated: Notice = { unit: district, kind: 'escalated', message: '督办' };
    const out = told('red', [escalated, { ...opened, userId: 'u1' }]);
    expect(out.map((n) => [n.unit.code, n.kind])).toEqual([[district.code, 'escalated'], [village.code, 'opened'], [town.code, 'opened']]);
    expect(out[1]!.userId).toBe('u1');
    expect(out[2]).toEqual({ unit: town, kind: 'opened', message: opened.message });
  });

  it('tells a unit once when a rung is the addressee itself, and skips rungs the ladder lacks', () => {
    const townCase: Notice = { unit: town, kind: 'opened', message: 'x' };
    expect(noticesTold(DEFAULT_NOTICE_POLICY, { kind: 'alert', level: 'red', ladder: [town, district, city] }, [townCase]).map((n) => n.unit.code)).toEqual([town.code]);
    const policy: NoticeRule[] = [{ caseKind: 'alert', noticeKind: 'opened', rungs: ['district', 'city'], source: 'test' }];
    expect(noticesTold(policy, { kind: 'alert', level: 'red', ladder: [village, town] }, [opened])).toEqual([]);
    expect(told('red', [opened], policy).map((n) => n.unit.code)).toEqual([district.code, city.code]);
  });

  it('takes the first matching rule; matches case kind, notice kind and level', () => {
    expect(ruleFor(DEFAULT_NOTICE_POLICY, 'alert', 'opened', 'red')?.rungs).toEqual(['unit', 'town']);
    expect(ruleFor(DEFAULT_NOTICE_POLICY, 'alert', 'opened', 'yellow')?.rungs).toEqual(['unit']);
    expect(ruleFor(DEFAULT_NOTICE_POLICY, 'application', 'opened', 'red')).toBeUndefined();
    expect(needsLadder(DEFAULT_NOTICE_POLICY, { kind: 'alert', level: 'yellow' }, [opened])).toBe(false);
    expect(needsLadder(DEFAULT_NOTICE_POLICY, { kind: 'alert', level: 'red' }, [opened])).toBe(true);
  });

  it('is valid data, every rule with its source', () => {
    expect(zNoticePolicy.parse(DEFAULT_NOTICE_POLICY)).toHaveLength(DEFAULT_NOTICE_POLICY.length);
    expect(DEFAULT_NOTICE_POLICY.filter((r) => r.level === 'red').every((r) => r.source.startsWith('seed 三(三)一'))).toBe(true);
    expect(zNoticePolicy.safeParse([{ caseKind: 'alert', noticeKind: 'opened', rungs: ['village'], source: 'x' }]).success).toBe(false);
  });
});
