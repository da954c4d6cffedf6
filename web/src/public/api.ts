/**
 * The public page's calls to the public channel (`/v1/public/…`, no sign-in; docs/public-page.md), and what it
 * makes of a refusal: each field issue of a 400/422 (`details[].path` `body.phone` → field `phone`) in Chinese
 * beside its field, anything else as one message for the form. Source of the shapes: the public channel's
 * contract (api/routes/public.ts; issue 14, item 1).
 */

/** One field's issue as the API's one error shape lists it (api/errors.ts FieldIssue). */
export interface FieldIssue {
  path: string;
  code?: string;
  message: string;
  params?: Record<string, unknown>;
}

/** A failed call: its HTTP status (0: no answer), the error's code and reason, the field issues. */
export class PublicApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly details: FieldIssue[],
    readonly retryAfterSeconds: number | null,
  ) {
    super(`${status} ${code}`);
  }

  /** The field issues by form field: `body.contact` → `contact`, `body.members.0.name` → `members`. */
  byField(): Map<string, FieldIssue[]> {
    const out = new Map<string, FieldIssue[]>();
    for (const d of this.details) {
      const field = d.path.replace(/^body\./, '').split('.')[0] ?? d.path;
      out.set(field, [...(out.get(field) ?? []), d]);
    }
    return out;
  }
}

/** GET or POST JSON; resolves with the body of a 2xx, rejects with PublicApiError otherwise. */
export async function call<T>(path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, body === undefined ? { headers: { accept: 'application/json' } } : { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) });
  } catch {
    throw new PublicApiError(0, 'network', [], null);
  }
  const json = (await res.json().catch(() => null)) as { error?: { code?: string; details?: unknown } } | null;
  if (res.ok) return json as T;
  const details = Array.isArray(json?.error?.details) ? (json.error.details as FieldIssue[]).filter((d) => d && typeof d.path === 'string') : [];
  const retry = Number(res.headers.get('retry-after'));
  throw new PublicApiError(res.status, json?.error?.code ?? 'error', details, Number.isFinite(retry) && retry > 0 ? retry : null);
}

const FIELD_MESSAGES: Record<string, string> = {
  'phone.invalid_format': '电话号码格式不对（手机 11 位）',
  'phone.too_small': '请填写 11 位手机号码',
  'phone.too_big': '请填写 11 位手机号码',
  'idNumber.invalid_format': '请填写 18 位居民身份证号码',
  'headIdNumber.invalid_format': '请填写 18 位居民身份证号码',
  'unitCode.invalid': '该村(社区)不接收网上申请，请联系服务站',
  'receipt.not_found': '没有这个回执码，请核对',
  'receipt.malformed': '回执码是 12 位字母和数字，请核对',
};
const CODE_MESSAGES: Record<string, string> = {
  required: '请填写此项',
  invalid_type: '请填写此项',
  invalid_value: '请从选项中选择一项',
  invalid_format: '格式不正确，请核对',
  invalid_id_number: '身份证号码有误（18 位，请核对最后一位校验码）',
  household_not_matched: '未找到与该身份证号码和电话都相符的登记户，请核对，或联系村(社区)工作人员代为发布',
  not_found: '未找到',
  invalid_character: '含有不能使用的字符（如控制字符、零宽空格等看不见的字符），请删去后重新输入',
  // A name's rule (domain/text.ts personName): the separator · only between the parts of a name.
  invalid_name: '间隔号“·”只能写在名字中间，不能在开头或结尾',
};

/**
 * The public forms' person names (domain/text.ts zPublicPersonName: no `<` or `>`, besides the control and invisible
 * characters every text refuses — both as `invalid_character`, so the value tells which rule a name broke).
 */
const NAME_FIELDS = new Set(['applicantName']);
const NAME_ANGLE_BRACKETS = '姓名中不能有 < 或 > 符号，请删去';

/**
 * A field issue in Chinese: an empty field is 请填写此项 whatever the rule it failed (an empty phone is not
 * "格式不对"); a name with `<` or `>` refused as `invalid_character`, that rule; else by field and code, else by
 * code (with the limit it names), else a general line.
 */
export function issueText(field: string, issue: FieldIssue, value?: string | boolean): string {
  // A select left at its placeholder keeps its own line (请从选项中选择一项).
  if (value === '' && issue.code !== 'invalid_value') return '请填写此项';
  const code = issue.code ?? '';
  if (code === 'invalid_character' && NAME_FIELDS.has(field) && typeof value === 'string' && /[<>]/.test(value)) return NAME_ANGLE_BRACKETS;
  const known = FIELD_MESSAGES[`${field}.${code}`] ?? (code === 'too_big' || code === 'too_small' ? limitText(issue) : CODE_MESSAGES[code]);
  return known ?? '填写有误，请核对';
}

function limitText(issue: FieldIssue): string | undefined {
  const p = issue.params ?? {};
  const origin = p.origin;
  if (issue.code === 'too_big') {
    if (origin === 'string') return `最多 ${String(p.maximum)} 个字`;
    if (origin === 'number') return `不能大于 ${String(p.maximum)}`;
    return '超出允许范围';
  }
  if (origin === 'string') return Number(p.minimum) <= 1 ? '请填写此项' : `至少 ${String(p.minimum)} 个字`;
  if (origin === 'number') return `不能小于 ${String(p.minimum)}`;
  return '请填写此项';
}

/** What went wrong in one line of Chinese, for a failure no field shows. */
export function failureText(err: unknown): string {
  if (!(err instanceof PublicApiError)) return '出错了，请稍后再试';
  if (err.status === 0) return '网络连接失败，请检查网络后再试';
  if (err.status === 429) return `提交过于频繁，请${err.retryAfterSeconds ? ` ${Math.ceil(err.retryAfterSeconds / 60)} 分钟` : '稍'}后再试`;
  if (err.status === 404) return '未找到，请核对后再试';
  if (err.status === 413) return '内容过长，请精简后再提交';
  if (err.status >= 500) return '服务暂时不可用，请稍后再试，或拨打下方电话';
  return '提交的内容有误，请核对后再试';
}
