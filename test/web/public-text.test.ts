import { describe, expect, it } from 'vitest';
import { failureText, issueText, PublicApiError } from '../../web/src/public/api';

/** The public page's words for what the API refuses (web/src/public/api.ts): by field and code, in Chinese. */

describe('the public page words field issues in Chinese by code', () => {
  it('by field and code first, then by code with the limit the issue names', () => {
    expect(issueText('phone', { path: 'body.phone', code: 'invalid_format', message: 'expected an 11-digit mobile number', params: { origin: 'string', format: 'regex' } })).toBe('电话号码格式不对（手机 11 位）');
    // An empty phone is 请填写此项, not 格式不对 (the regex is what an empty string fails).
    expect(issueText('phone', { path: 'body.phone', code: 'invalid_format', message: 'expected an 11-digit mobile number', params: { origin: 'string', format: 'regex' } }, '')).toBe('请填写此项');
    expect(issueText('phone', { path: 'body.phone', code: 'invalid_format', message: 'expected an 11-digit mobile number', params: { origin: 'string', format: 'regex' } }, '1391')).toBe('电话号码格式不对（手机 11 位）');
    expect(issueText('idNumber', { path: 'body.idNumber', code: 'invalid_id_number', message: 'check digit' })).toContain('身份证号码有误');
    expect(issueText('headIdNumber', { path: 'body.headIdNumber', code: 'household_not_matched', message: 'no household' })).toContain('未找到与该身份证号码和电话都相符的登记户');
    expect(issueText('text', { path: 'body.text', code: 'too_big', message: 'Too big', params: { origin: 'string', maximum: 500 } })).toBe('最多 500 个字');
    expect(issueText('householdSize', { path: 'body.householdSize', code: 'too_big', message: 'Too big', params: { origin: 'number', maximum: 20 } })).toBe('不能大于 20');
    expect(issueText('householdSize', { path: 'body.householdSize', code: 'too_small', message: 'Too small', params: { origin: 'number', minimum: 1 } })).toBe('不能小于 1');
    expect(issueText('text', { path: 'body.text', code: 'too_small', message: 'Too small', params: { origin: 'string', minimum: 1 } })).toBe('请填写此项');
    expect(issueText('category', { path: 'body.category', code: 'invalid_value', message: 'Invalid option' })).toBe('请从选项中选择一项');
    expect(issueText('text', { path: 'body.text', code: 'required', message: 'required' })).toBe('请填写此项');
  });

  it('a name refused for < or > says that rule beside the field, not the general line (fresh-eyes on issue 14)', () => {
    const issue = { path: 'body.applicantName', code: 'invalid_character', message: 'a name holds no < or >' };
    expect(issueText('applicantName', issue, '王<秀英>')).toBe('姓名中不能有 < 或 > 符号，请删去');
    // The same code for an invisible character: that rule instead; free text keeps the general rule of the code.
    expect(issueText('applicantName', { ...issue, message: 'a name holds no control, bidirectional or invisible character' }, '王\u200b秀英')).toContain('看不见的字符');
    expect(issueText('situation', { path: 'body.situation', code: 'invalid_character', message: 'contains a control character' }, '1 < 2')).toContain('不能使用的字符');
    expect(issueText('applicantName', { path: 'body.applicantName', code: 'invalid_name', message: 'the separator · stands between the parts of a name' }, '·王')).toContain('间隔号');
  });

  it('never shows the API’s English: an unknown code, or none, gets a general line', () => {
    expect(issueText('x', { path: 'body.x', code: 'something_new', message: 'as the API said' })).toBe('填写有误，请核对');
    expect(issueText('x', { path: 'body.x', message: 'no code' })).toBe('填写有误，请核对');
  });

  it('maps details[].path to the form field: body.phone → phone, body.members.0.name → members', () => {
    const err = new PublicApiError(422, 'unprocessable', [
      { path: 'body.phone', code: 'invalid_format', message: '' },
      { path: 'body.members.0.name', code: 'required', message: '' },
      { path: 'body.members.1.name', code: 'required', message: '' },
    ], null);
    const fields = err.byField();
    expect([...fields.keys()]).toEqual(['phone', 'members']);
    expect(fields.get('members')).toHaveLength(2);
  });

  it('words a failure no field shows', () => {
    expect(failureText(new PublicApiError(0, 'network', [], null))).toBe('网络连接失败，请检查网络后再试');
    expect(failureText(new PublicApiError(429, 'too_many_requests', [], 600))).toBe('提交过于频繁，请 10 分钟后再试');
    expect(failureText(new PublicApiError(429, 'too_many_requests', [], null))).toBe('提交过于频繁，请稍后再试');
    expect(failureText(new PublicApiError(503, 'unavailable', [], null))).toContain('服务暂时不可用');
    expect(failureText(new Error('x'))).toBe('出错了，请稍后再试');
  });
});
