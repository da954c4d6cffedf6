import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fieldIssues } from '../../api/errors';
import { zAcceptanceInput } from '../../domain/application';
import { zHouseholdInput } from '../../domain/household';
import { zDayOfMonth, zStartsAt } from '../../domain/party-day';
import { idNumber, UNITS } from '../helpers/context';
import { deadlineLabel, errorMessage, fmtClock, fmtTime, issueMessage, MESSAGES } from '../../web/src/i18n';

/** The workspace translates what the API says by machine code, never by its text (web/src/i18n.ts). */

const { zh, en } = MESSAGES;

describe('field issues by code', () => {
  it('looks up <field>.<code>, then <code>.<format>, <code>.<origin>, then <code>', () => {
    expect(issueMessage(zh, 'visitors', { code: 'too_small', message: 'at least one visitor', params: { origin: 'array', minimum: 1 } })).toBe('请至少填写一名走访人员');
    // As the API sends it: an invalid_format issue has both a format and an origin; the format decides.
    expect(issueMessage(zh, 'visitedAt', { code: 'invalid_format', message: 'Invalid ISO datetime', params: { origin: 'string', format: 'datetime' } })).toBe('请填写有效的日期和时间');
    expect(issueMessage(zh, 'email', { code: 'invalid_format', message: 'Invalid email', params: { origin: 'string', format: 'email' } })).toBe('Invalid email');
    expect(issueMessage(zh, 'outcome', { code: 'invalid_value', message: 'Invalid option: expected one of …', params: { values: ['stable'] } })).toBe('请从选项中选择一项');
    expect(issueMessage(zh, 'reason', { code: 'required', message: 'Invalid input: expected string, received undefined' })).toBe('此项必填');
    expect(issueMessage(zh, 'applicationId', { code: 'required', message: 'required when reason is converted_to_application' })).toBe('转为救助申请时必须填写申请编号');
  });

  it('words numbers from the params', () => {
    expect(issueMessage(zh, 'notes', { code: 'too_big', message: 'Too big: …', params: { origin: 'string', maximum: 2000 } })).toBe('不能超过 2000 个字');
    expect(issueMessage(zh, 'visitors', { code: 'too_big', message: 'Too big: …', params: { origin: 'array', maximum: 20 } })).toBe('最多 20 项');
    expect(issueMessage(zh, 'reason', { code: 'too_small', message: 'Too small: …', params: { origin: 'string', minimum: 1 } })).toBe('此项不能为空');
    expect(issueMessage(zh, 'reason', { code: 'too_small', message: 'Too small: …', params: { origin: 'string', minimum: 4 } })).toBe('至少 4 个字');
  });

  it('falls back to the API’s message for an unknown code, a code without a text, or no code', () => {
    expect(issueMessage(zh, 'x', { code: 'something_new', message: 'as the API said' })).toBe('as the API said');
    expect(issueMessage(zh, 'x', { code: 'too_big', message: 'Too big: expected number to be <=100', params: { origin: 'number', maximum: 100 } })).toBe('Too big: expected number to be <=100');
    expect(issueMessage(zh, 'x', { message: 'from an older API' })).toBe('from an older API');
    expect(issueMessage(en, 'visitors', { code: 'too_small', message: 'at least one visitor' })).toBe('at least one visitor');
  });
});

describe('refusals by reason', () => {
  it('translates a known reason and shows any other message as written', () => {
    expect(errorMessage(zh, { reason: 'case_closed', message: 'alert x is closed' })).toBe('该案件已结案');
    expect(errorMessage(zh, { reason: 'visit_in_future', message: 'visitedAt is in the future' })).toBe('走访时间不能晚于现在');
    expect(errorMessage(zh, { reason: 'a_reason_from_a_newer_api', message: 'as written' })).toBe('as written');
    expect(errorMessage(zh, { message: 'no reason' })).toBe('no reason');
    expect(errorMessage(en, { reason: 'case_closed', message: 'alert x is closed' })).toBe('alert x is closed');
  });

  it('has a Chinese text for every reason the domain can give', async () => {
    const { REFUSAL_REASONS } = await import('../../domain/rejections');
    for (const reason of REFUSAL_REASONS) expect(zh.reasons[reason], reason).toBeTruthy();
  });

  it('has a Chinese text for every reason a token is refused', async () => {
    const { TOKEN_REASONS } = await import('../../api/auth');
    for (const reason of TOKEN_REASONS) expect(zh.reasons[reason], reason).toBeTruthy();
  });

  it('has a Chinese text for every reason the API gives on its own (api/errors.ts API_REASONS: ApiError takes no other)', async () => {
    const { API_REASONS } = await import('../../api/errors');
    for (const reason of API_REASONS) expect(zh.reasons[reason], reason).toBeTruthy();
  });

  it('words a role at a unit of the wrong level beside both fields, with the role and levels by name (fresh-eyes on issue 14: it showed in English)', () => {
    const message = 'role town_staff is held at a unit of level town; 371002001001 is a village (该角色不能设在此级单位)';
    const issue = { code: 'role_unit_mismatch', message, params: { role: 'town_staff', levels: ['town'], level: 'village' } };
    for (const field of ['role', 'unitCode']) expect(issueMessage(zh, field, issue)).toBe('镇(街道)工作人员须设在镇(街道)一级的单位，所选单位是村(社区)');
    expect(issueMessage(en, 'role', issue)).not.toContain('该角色');
    expect(issueMessage(zh, 'role', { code: 'role_unit_mismatch', message })).toBe('该角色不能设在此级单位');
    expect(errorMessage(zh, { reason: 'role_unit_mismatch', message })).toMatch(/^该角色不能设在此级单位/);
  });
});

describe('deadline labels by kind', () => {
  it('English by the deadline’s kind; Chinese as the API labels it; the label when the kind is unknown or absent', () => {
    expect(deadlineLabel(en, 'alert.red', '红色预警：受理并处置')).toBe('Red alert: accept and handle');
    // The kind, not the text: an application's re-review label carries its count, and is still found.
    expect(deadlineLabel(en, 'application.re_review', '定期复核（第2次）')).toBe('Periodic re-review');
    expect(deadlineLabel(zh, 'application.re_review', '定期复核（第2次）')).toBe('定期复核（第2次）');
    expect(deadlineLabel(en, 'someday.new_kind', '新的期限')).toBe('新的期限');
    expect(deadlineLabel(en, null, '橙色预警：走访慰问')).toBe('橙色预警：走访慰问');
    expect(deadlineLabel(en, undefined, null)).toBe('');
  });
});

describe('times', () => {
  it('are shown in China time whatever the device’s zone, midnight as 00:00 in both languages', () => {
    expect(fmtTime('en', '2026-03-02T16:00:00Z')).toBe('03/03/2026, 00:00');
    expect(fmtTime('zh', '2026-03-02T16:00:00Z')).toBe('2026/03/03 00:00');
    expect(fmtClock('en', Date.parse('2026-03-02T16:00:05Z'))).toBe('00:00:05');
    expect(fmtTime('zh', Date.parse('2026-03-02T15:59:00Z'))).toMatch(/^2026\/03\/02 23:59$/);
  });
});

describe('the deadline book’s events in the timeline', () => {
  const unit = (code: string) => code;
  const dueAt = Date.parse('2026-12-01T08:00:00+08:00');
  it('a deadline opened names what is due and when, by its kind where the language has a label', () => {
    const opened = { deadline: 'red#1', kind: 'alert.red', label: '红色预警：受理并处置', opensAt: dueAt - 86_400_000, dueAt };
    expect(zh.events.deadline_opened!(opened, unit)).toBe(`期限开始：红色预警：受理并处置，${fmtTime('zh', dueAt)}前完成`);
    expect(en.events.deadline_opened!(opened, unit)).toBe(`Deadline set: Red alert: accept and handle, due ${fmtTime('en', dueAt)}`);
  });
  it('a deadline ended says why, and whether it had already passed', () => {
    expect(zh.events.deadline_ended!({ deadline: 'yellow#1', reason: 'level_changed', late: false }, unit)).toBe('期限终止（等级已调整）');
    expect(zh.events.deadline_ended!({ deadline: 'red#1', reason: 'closed', late: true }, unit)).toBe('期限终止（已结案），终止时已逾期');
    expect(en.events.deadline_ended!({ deadline: 'claim#1', reason: 'superseded', late: false }, unit)).toBe('Deadline ended (superseded by the next deadline)');
  });
});

describe('the API’s field issues a workspace form shows, in Chinese (fresh-eyes on issue 14: they showed in English)', () => {
  const zh = MESSAGES.zh;
  const han = /[\u4e00-\u9fff]/;
  /** The issues the API answers for `value` (api/errors.ts fieldIssues), each as the form words it beside its field. */
  const shown = (schema: z.ZodType, value: unknown) => {
    const parsed = schema.safeParse(value);
    expect(parsed.success).toBe(false);
    return fieldIssues(parsed.error!.issues, 'body', { value }).map((i) => ({ path: i.path, text: issueMessage(zh, i.path.replace(/^body\./, '').split('.').at(-1)!, i) }));
  };
  it('a phone, a member’s ID number given twice, a Party day’s day and time, an acceptance with no decision', () => {
    const head = { headName: '张三', headIdNumber: idNumber(1), address: '海港路1号', phone: '12345', unitCode: UNITS.haigang };
    const phone = shown(zHouseholdInput, head).find((i) => i.path === 'body.phone')!;
    expect(phone.text).toMatch(han);
    const twice = shown(zHouseholdInput, { ...head, phone: '13800000000', members: [{ name: '李四', idNumber: idNumber(2), relation: '子' }, { name: '王五', idNumber: idNumber(2), relation: '女' }] });
    expect(twice.find((i) => i.path === 'body.members.1.idNumber')!.text).toBe('该身份证号在本户中重复填写');
    expect(shown(z.object({ dayOfMonth: zDayOfMonth }), { dayOfMonth: 31 })[0]!.text).toMatch(/1–28/);
    expect(shown(z.object({ startsAt: zStartsAt }), { startsAt: '9点' })[0]!.text).toMatch(/时:分/);
    expect(shown(zAcceptanceInput, { note: '' })[0]).toEqual({ path: 'body.decision', text: '请选择处理决定' });
  });
});
