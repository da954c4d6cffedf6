import { call, failureText, issueText, PublicApiError, type FieldIssue } from './api';
import { fmtDeadline } from './deadline';
import { fmtTime, h, replace, type Child } from './dom';
import './public.css';

/**
 * The public phone page behind a village's QR code (社会救助二维码), served at `/q/{code}` (api/routes/public-page.ts):
 * the unit, its contacts (tap to call) and policies, the 公示 list, Party-day minutes and answered common issues,
 * 三亮 members; forms to report a problem, apply for assistance and post a household's wish, each giving a receipt
 * code; and 查询进度 by receipt, with the receipts this phone filed kept in localStorage. Plain DOM (web/src/public/dom.ts):
 * no framework, no pop-ups or new windows (WeChat's in-app browser), everything the API returns shown as text.
 * Source: issue 14, item 1; docs/public-page.md.
 */

interface Brief {
  code: string;
  name: string;
}
interface Category {
  code: string;
  name: string;
}
interface UnitPage {
  unit: Brief & { levelName: string };
  path: Brief[];
  policies: { text: string; categories: string[]; applicationCategories: Category[]; reportCategories: Category[] };
  contacts: Array<{ role: string; name: string; phone: string }>;
  onTime: { onTimeRate: number | null; due: number };
  partyDays: Array<{ month: string; items: Array<{ categoryName: string | null; title: string; answer: string | null; answeredBy: { roleName: string; name: string } | null }> }>;
  members: { year: number; members: Array<{ name: string; roleName: string; branch: string; points: number }> };
  notices: Array<{ caseId: string; title: string; from: string; until: string }>;
  updatedAt: string | null;
}
/** `GET /v1/public/receipts/:receipt` (the contract's item 4). */
interface Tracking {
  receipt: string;
  kindName: string;
  statusName: string;
  unit: Brief;
  handledBy: Brief;
  receivedAt: string;
  dueBy: string | null;
  steps: Array<{ name: string; at: string }>;
  result: { text: string; at: string } | null;
  /** The promised date has passed; `escalatedTo` the level it climbed to (no names). */
  overdue?: boolean;
  escalatedTo?: { level: string; levelName: string } | null;
}
interface Filed {
  receipt: string;
  handledBy?: Brief;
  acknowledgeBy?: string;
  answerBy?: string;
  acceptBy?: string;
}
interface Remembered {
  receipt: string;
  kind: string;
  at: string;
}

const root = document.getElementById('root')!;
const code = /^\/q\/(\d{6,12}(?:-G\d{2,3})?)\/?$/.exec(location.pathname)?.[1] ?? '';
const STORE_KEY = 'jiuzhu.receipts';
const KEEP = 20;

const WISH_CATEGORIES: Category[] = [
  { code: 'material', name: '物资' },
  { code: 'service', name: '服务' },
  { code: 'companionship', name: '陪伴' },
  { code: 'other', name: '其他' },
];

// ---------------------------------------------------------------- receipts kept on this phone

/** The receipts this phone filed, newest first (localStorage; nothing else about the filing is kept). */
function remembered(): Remembered[] {
  try {
    const list = JSON.parse(localStorage.getItem(STORE_KEY) ?? '[]') as unknown;
    return Array.isArray(list) ? (list as Remembered[]).filter((r) => typeof r?.receipt === 'string') : [];
  } catch {
    return [];
  }
}
function remember(receipt: string, kind: string): void {
  const list = [{ receipt, kind, at: new Date().toISOString() }, ...remembered().filter((r) => r.receipt !== receipt)].slice(0, KEEP);
  try {
    localStorage.setItem(STORE_KEY, JSON.stringify(list));
  } catch {
    // Private mode or full storage: the receipt is still shown to copy.
  }
}

// ---------------------------------------------------------------- forms

interface FieldSpec {
  name: string;
  label: string;
  kind?: 'text' | 'tel' | 'textarea' | 'select' | 'number' | 'checkbox';
  options?: Category[];
  hint?: string;
  optional?: boolean;
  attrs?: Record<string, string>;
}

interface FormParts {
  form: HTMLFormElement;
  values: () => Record<string, string | boolean>;
  showIssues: (issues: Map<string, FieldIssue[]>) => string[];
  status: HTMLElement;
}

/** A form of labelled fields, each with its hint and its error line (bound by aria-describedby). */
function buildForm(id: string, fields: FieldSpec[], submit: string): FormParts {
  const form = h('form', { id, class: 'form', novalidate: true });
  const inputs = new Map<string, HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>();
  for (const f of fields) {
    const inputId = `${id}-${f.name}`;
    const kind = f.kind ?? 'text';
    let control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
    if (kind === 'textarea') control = h('textarea', { id: inputId, name: f.name, rows: 4, ...f.attrs });
    else if (kind === 'select')
      control = h('select', { id: inputId, name: f.name }, h('option', { value: '' }, '请选择'), ...(f.options ?? []).map((o) => h('option', { value: o.code }, o.name)));
    else control = h('input', { id: inputId, name: f.name, type: kind === 'tel' ? 'tel' : kind === 'number' ? 'text' : kind, ...(kind === 'number' ? { inputmode: 'numeric' } : {}), ...f.attrs });
    inputs.set(f.name, control);
    const hint = f.hint ? h('p', { class: 'hint', id: `${inputId}-hint` }, f.hint) : null;
    const error = h('p', { class: 'field-error', id: `${inputId}-error`, hidden: true });
    if (hint) control.setAttribute('aria-describedby', hint.id);
    const label = h('label', { for: inputId }, f.label, f.optional ? h('span', { class: 'optional' }, '（选填）') : null);
    form.append(kind === 'checkbox' ? h('div', { class: 'field check', 'data-field': f.name }, control, label, hint, error) : h('div', { class: 'field', 'data-field': f.name }, label, control, hint, error));
  }
  const status = h('p', { class: 'form-error', role: 'alert', hidden: true });
  form.append(status, h('button', { type: 'submit', class: 'primary' }, submit));
  return {
    form,
    status,
    values() {
      const out: Record<string, string | boolean> = {};
      for (const [name, el] of inputs) out[name] = el instanceof HTMLInputElement && el.type === 'checkbox' ? el.checked : el.value.trim();
      return out;
    },
    showIssues(issues) {
      const shown: string[] = [];
      for (const [name, el] of inputs) {
        const box = el.closest('.field')!;
        const line = box.querySelector<HTMLElement>('.field-error')!;
        const list = issues.get(name) ?? [];
        const hintId = box.querySelector('.hint')?.id;
        if (list.length) {
          shown.push(name);
          const value = el instanceof HTMLInputElement && el.type === 'checkbox' ? el.checked : el.value.trim();
          line.textContent = list.map((i) => issueText(name, i, value)).join('；');
          line.hidden = false;
          el.setAttribute('aria-invalid', 'true');
          el.setAttribute('aria-describedby', [hintId, line.id].filter(Boolean).join(' '));
        } else {
          line.hidden = true;
          line.textContent = '';
          el.removeAttribute('aria-invalid');
          if (hintId) el.setAttribute('aria-describedby', hintId);
          else el.removeAttribute('aria-describedby');
        }
      }
      const first = shown[0] === undefined ? undefined : inputs.get(shown[0]);
      first?.focus();
      return shown;
    },
  };
}

/** Sends a form: a refusal's field issues beside their fields, the rest above the button; the result on success. */
function wire(parts: FormParts, send: () => Promise<void>): void {
  parts.form.addEventListener('submit', (event) => {
    event.preventDefault();
    const button = parts.form.querySelector('button[type=submit]') as HTMLButtonElement;
    if (button.disabled) return;
    button.disabled = true;
    parts.status.hidden = true;
    parts.showIssues(new Map());
    send()
      .catch((err: unknown) => {
        const fields = err instanceof PublicApiError ? err.byField() : new Map<string, FieldIssue[]>();
        const shown = parts.showIssues(fields);
        if (fields.size === 0 || shown.length < fields.size) {
          parts.status.textContent = fields.size > shown.length ? '提交的内容有误，请核对后再试' : failureText(err);
          parts.status.hidden = false;
        }
      })
      .finally(() => {
        button.disabled = false;
      });
  });
}

/** The receipt, large, with a copy button and what happens next; remembered on this phone. */
function receiptBox(kindName: string, filed: Filed, next: Child[]): HTMLElement {
  remember(filed.receipt, kindName);
  renderRemembered();
  const copied = h('span', { class: 'copied', role: 'status' });
  const copy = h('button', { type: 'button', class: 'secondary' }, '复制回执码');
  copy.addEventListener('click', () => {
    void copyText(filed.receipt).then((ok) => {
      copied.textContent = ok ? '已复制' : '请长按回执码复制';
    });
  });
  const track = h('button', { type: 'button', class: 'secondary' }, '查询进度');
  track.addEventListener('click', () => openTracking(filed.receipt));
  return h(
    'div',
    { class: 'receipt-box', 'data-testid': 'receipt-box', tabindex: -1 },
    h('p', null, `${kindName}已提交。请保存回执码，凭它查询进度：`),
    h('p', { class: 'receipt', 'data-testid': 'receipt' }, filed.receipt),
    h('div', { class: 'row' }, copy, track, copied),
    filed.handledBy ? h('p', { 'data-testid': 'handled-by' }, `受理单位：${filed.handledBy.name}`) : null,
    ...next,
    h('p', { class: 'hint' }, '回执码已保存在本机，可在“我提交的”中一键查询。'),
  );
}

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

function showDone(parts: FormParts, box: HTMLElement): void {
  parts.form.hidden = true;
  parts.form.after(box);
  box.focus();
}

function reportForm(page: UnitPage): HTMLElement {
  const conductHint = '“工作作风”类反映由上级镇(街道)受理和答复，本村(社区)看不到。';
  const parts = buildForm(
    'report',
    [
      { name: 'category', label: '反映类别', kind: 'select', options: page.policies.reportCategories, hint: '请选择最接近的一类。' + conductHint },
      { name: 'text', label: '反映内容', kind: 'textarea', hint: '请写明事情经过；不必填写身份证号等个人信息。' },
      { name: 'contact', label: '联系方式', optional: true, hint: '希望当面答复时填写，仅工作人员可见。', attrs: { autocomplete: 'tel' } },
    ],
    '提交反映',
  );
  const select = parts.form.querySelector<HTMLSelectElement>('select[name=category]')!;
  const hint = parts.form.querySelector<HTMLElement>('[data-field=category] .hint')!;
  select.addEventListener('change', () => {
    hint.textContent = select.value === 'staff_conduct' ? conductHint : '请选择最接近的一类。' + conductHint;
  });
  wire(parts, async () => {
    const v = parts.values();
    const filed = await call<Filed>('/v1/public/reports', { unitCode: code, category: v.category || undefined, text: v.text, ...(v.contact ? { contact: v.contact } : {}) });
    showDone(parts, receiptBox('反映', filed, [filed.answerBy ? h('p', null, `将在 ${fmtDeadline(filed.answerBy)}答复。`) : null]));
  });
  return section('report-panel', '反映问题', parts.form);
}

function applicationForm(page: UnitPage): HTMLElement {
  const parts = buildForm(
    'application',
    [
      { name: 'category', label: '申请类别', kind: 'select', options: page.policies.applicationCategories, hint: '不确定时可选最接近的一类，镇(街道)受理时会核对。' },
      { name: 'applicantName', label: '申请人姓名', attrs: { autocomplete: 'name' } },
      { name: 'idNumber', label: '身份证号码', hint: '18 位居民身份证号码。', attrs: { autocomplete: 'off', maxlength: '18', autocapitalize: 'characters' } },
      { name: 'phone', label: '手机号码', kind: 'tel', attrs: { autocomplete: 'tel', maxlength: '11' } },
      { name: 'address', label: '居住地址', attrs: { autocomplete: 'street-address' } },
      { name: 'householdSize', label: '家庭人口数', kind: 'number', hint: '共同生活的家庭成员人数（1–20）。', attrs: { maxlength: '2' } },
      { name: 'situation', label: '困难情况', kind: 'textarea', hint: '家庭收入、疾病、残疾、突发事件等情况。' },
      { name: 'urgent', label: '情况紧急（如突发重病、灾害、断炊）', kind: 'checkbox' },
    ],
    '提交申请',
  );
  wire(parts, async () => {
    const v = parts.values();
    const size = String(v.householdSize);
    const filed = await call<Filed>('/v1/public/applications', {
      unitCode: code,
      category: v.category || undefined,
      applicantName: v.applicantName,
      idNumber: String(v.idNumber).toUpperCase(),
      phone: v.phone,
      address: v.address,
      householdSize: size === '' ? undefined : /^\d+$/.test(size) ? Number(size) : size,
      situation: v.situation,
      urgent: v.urgent === true,
    });
    showDone(parts, receiptBox('救助申请', filed, [filed.acceptBy ? h('p', null, `镇(街道)将在 ${fmtDeadline(filed.acceptBy)}受理或退回。`) : null]));
  });
  return section('application-panel', '申请救助', h('p', { class: 'hint' }, '提交后由镇(街道)受理；材料不齐会退回并说明原因。'), parts.form);
}

function wishForm(): HTMLElement {
  const parts = buildForm(
    'wish',
    [
      { name: 'headIdNumber', label: '户主身份证号码', hint: '本户已在村(社区)登记时才能发布。', attrs: { autocomplete: 'off', maxlength: '18', autocapitalize: 'characters' } },
      { name: 'phone', label: '登记的联系电话', kind: 'tel', hint: '登记户时留的电话（手机或座机）。', attrs: { autocomplete: 'tel', maxlength: '13' } },
      { name: 'title', label: '心愿', hint: '例如：一台助听器、每周陪老人聊天。' },
      { name: 'description', label: '说明', kind: 'textarea', optional: true },
      { name: 'category', label: '心愿类别', kind: 'select', options: WISH_CATEGORIES },
    ],
    '发布心愿',
  );
  wire(parts, async () => {
    const v = parts.values();
    const filed = await call<Filed>('/v1/public/wishes', {
      unitCode: code,
      headIdNumber: String(v.headIdNumber).toUpperCase(),
      phone: v.phone,
      title: v.title,
      ...(v.description ? { description: v.description } : {}),
      category: v.category || undefined,
    });
    showDone(parts, receiptBox('微心愿', filed, [h('p', null, '镇(街道)审核后公布，认领、实现时可凭回执码查看。')]));
  });
  return section('wish-panel', '发布微心愿', parts.form);
}

// ---------------------------------------------------------------- tracking

let trackInput: HTMLInputElement | undefined;
let trackResult: HTMLElement | undefined;
let rememberedList: HTMLElement | undefined;

function trackingPanel(): HTMLElement {
  const parts = buildForm('track', [{ name: 'receipt', label: '回执码', hint: '提交时得到的回执码，不区分大小写。', attrs: { autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false' } }], '查询');
  trackInput = parts.form.querySelector<HTMLInputElement>('input[name=receipt]')!;
  trackResult = h('div', { class: 'track-result', 'aria-live': 'polite' });
  wire(parts, async () => {
    replace(trackResult!);
    const view = await track(String(parts.values().receipt));
    replace(trackResult!, trackingView(view));
  });
  return section('track-panel', '查询进度', parts.form, trackResult);
}

/** Follows a receipt (`GET /v1/public/receipts/:receipt`, every kind); an unknown or malformed one is said beside the field. */
async function track(receipt: string): Promise<Tracking> {
  const key = encodeURIComponent(receipt.replace(/[\s-]/g, '').toUpperCase());
  if (!key) throw new PublicApiError(400, 'bad_request', [{ path: 'receipt', code: 'required', message: 'required' }], null);
  try {
    return await call<Tracking>(`/v1/public/receipts/${key}`);
  } catch (err) {
    throw asReceiptIssue(err);
  }
}

/** A malformed or unknown receipt is said beside the receipt field. */
function asReceiptIssue(err: unknown): unknown {
  if (err instanceof PublicApiError && err.status === 404) return new PublicApiError(404, 'not_found', [{ path: 'receipt', code: 'not_found', message: 'no such receipt' }], null);
  if (err instanceof PublicApiError && err.status === 400) return new PublicApiError(400, 'bad_request', [{ path: 'receipt', code: 'malformed', message: 'malformed' }], null);
  return err;
}

function trackingView(t: Tracking): HTMLElement {
  return h(
    'div',
    { class: 'card', 'data-testid': 'tracking', 'data-receipt': t.receipt },
    h('p', { class: 'receipt small' }, t.receipt),
    h('p', null, h('strong', null, t.kindName), ' · ', h('span', { class: 'status', 'data-testid': 'status' }, t.statusName)),
    h('p', null, `提交至：${t.unit.name}`),
    h('p', { 'data-testid': 'tracking-handled-by' }, `受理单位：${t.handledBy.name}`),
    t.dueBy ? h('p', null, `承诺办理时限：${fmtDeadline(t.dueBy)}`) : null,
    t.overdue ? h('p', { class: 'overdue', 'data-testid': 'overdue' }, `已超期${t.escalatedTo ? `，已上报${t.escalatedTo.levelName}级督办` : '，已提醒上级督办'}`) : null,
    h('ol', { class: 'steps' }, ...t.steps.map((s) => h('li', null, h('span', null, s.name), h('time', { datetime: s.at }, fmtTime(s.at))))),
    t.result ? h('div', { class: 'result', 'data-testid': 'result' }, h('p', { class: 'label' }, `结果（${fmtTime(t.result.at)}）`), h('p', { class: 'text' }, t.result.text)) : null,
  );
}

function openTracking(receipt: string): void {
  showPanel('track');
  if (!trackInput) return;
  trackInput.value = receipt;
  trackInput.form?.requestSubmit();
}

function renderRemembered(): void {
  if (!rememberedList) return;
  const list = remembered();
  const box = rememberedList.closest('section')!;
  box.hidden = list.length === 0;
  replace(
    rememberedList,
    ...list.map((r) =>
      h(
        'li',
        null,
        h('button', { type: 'button', class: 'link-button', 'aria-label': `查询 ${r.kind} ${r.receipt}`, onclick: () => openTracking(r.receipt) }, h('span', { class: 'receipt small' }, r.receipt), h('span', null, `${r.kind} · ${fmtTime(r.at, true)}`)),
      ),
    ),
  );
}

// ---------------------------------------------------------------- the page

function section(id: string, title: string, ...children: Child[]): HTMLElement {
  return h('section', { id, 'aria-labelledby': `${id}-title` }, h('h2', { id: `${id}-title` }, title), ...children);
}

const PANELS = ['report', 'application', 'wish', 'track'] as const;
type Panel = (typeof PANELS)[number];
const PANEL_NAMES: Record<Panel, string> = { report: '反映问题', application: '申请救助', wish: '发布微心愿', track: '查询进度' };
const panels = new Map<Panel, HTMLElement>();
const tabs = new Map<Panel, HTMLButtonElement>();

function showPanel(which: Panel): void {
  for (const p of PANELS) {
    const open = p === which;
    panels.get(p)!.hidden = !open;
    tabs.get(p)!.setAttribute('aria-expanded', String(open));
  }
  panels.get(which)!.scrollIntoView({ block: 'start' });
}

function render(page: UnitPage): void {
  document.title = `${page.unit.name} · 社会救助服务`;
  panels.set('report', reportForm(page));
  panels.set('application', applicationForm(page));
  panels.set('wish', wishForm());
  panels.set('track', trackingPanel());
  for (const p of panels.values()) p.hidden = true;
  const nav = h('nav', { class: 'actions', 'aria-label': '办事' });
  for (const p of PANELS) {
    const b = h('button', { type: 'button', 'aria-expanded': 'false', 'aria-controls': `${p}-panel`, onclick: () => showPanel(p) }, PANEL_NAMES[p]);
    tabs.set(p, b);
    nav.append(b);
  }
  rememberedList = h('ul', { class: 'remembered' });
  const rememberedBox = section('mine', '我提交的', rememberedList);

  const notices = page.notices;
  const answered = page.partyDays.flatMap((d) => d.items.filter((i) => i.answer !== null).map((i) => ({ ...i, month: d.month })));
  const members = page.members.members;

  replace(
    root,
    h('header', { class: 'top' }, h('p', { class: 'path' }, page.path.slice(0, -1).map((u) => u.name).join(' › ')), h('h1', null, page.unit.name), h('p', { class: 'sub' }, '社会救助服务 · 无需登录')),
    nav,
    ...panels.values(),
    rememberedBox,
    section(
      'contacts',
      '联系我们',
      page.contacts.length
        ? h('ul', { class: 'contacts' }, ...page.contacts.map((c) => h('li', null, h('span', null, `${c.role} ${c.name}`), h('a', { href: `tel:${c.phone.replace(/[^0-9+]/g, '')}`, class: 'call', 'aria-label': `拨打${c.role}${c.name}电话 ${c.phone}` }, c.phone))))
        : h('p', { class: 'empty' }, '暂无联系电话，请到村(社区)服务站咨询。'),
    ),
    section(
      'policies',
      '救助政策',
      page.policies.text ? h('p', { class: 'policy-text' }, page.policies.text) : null,
      h('p', null, '救助对象类别：'),
      h('ul', { class: 'tags' }, ...page.policies.applicationCategories.map((c) => h('li', null, c.name))),
      h('p', { class: 'hint', 'data-testid': 'updated-at' }, page.updatedAt ? `更新于 ${fmtTime(page.updatedAt)}` : '本村(社区)尚未发布政策说明'),
    ),
    section(
      'notices',
      '公示',
      notices.length
        ? h('ul', { class: 'list' }, ...notices.map((n) => h('li', { 'data-case': n.caseId }, h('span', null, n.title), h('span', { class: 'hint' }, `公示期 ${fmtTime(n.from, true)} 至 ${fmtTime(n.until, true)}`))))
        : h('p', { class: 'empty' }, '当前没有正在公示的事项。'),
    ),
    section(
      'answers',
      '党员活动日答复',
      answered.length
        ? h(
            'ul',
            { class: 'list' },
            ...answered.map((i) =>
              h('li', null, h('p', { class: 'q' }, `${i.month} · ${i.categoryName ? `${i.categoryName}：` : ''}${i.title}`), h('p', { class: 'a' }, i.answer), i.answeredBy ? h('p', { class: 'hint' }, `${i.answeredBy.roleName} ${i.answeredBy.name} 答复`) : null),
            ),
          )
        : h('p', { class: 'empty' }, '暂无已答复的问题。'),
    ),
    members.length
      ? section(
          'members',
          `党员三亮（${page.members.year} 年）`,
          h('ul', { class: 'list' }, ...members.map((m) => h('li', null, h('span', null, `${m.name} · ${m.roleName}`), h('span', { class: 'hint' }, `${m.branch} · 积分 ${m.points}`)))),
        )
      : null,
    page.onTime.onTimeRate !== null ? h('footer', null, `近一年按时办结率 ${Math.round(page.onTime.onTimeRate * 100)}%（共 ${page.onTime.due} 件到期）`) : null,
  );
  renderRemembered();
  root.removeAttribute('aria-busy');
}

function renderFailure(text: string): void {
  replace(root, h('header', { class: 'top' }, h('h1', null, '社会救助服务')), h('p', { class: 'form-error', role: 'alert' }, text));
  root.removeAttribute('aria-busy');
}

if (!code) renderFailure('二维码地址不完整，请重新扫码。');
else
  call<UnitPage>(`/v1/public/units/${code}`).then(render, (err: unknown) =>
    renderFailure(err instanceof PublicApiError && err.status === 404 ? '未找到该村(社区)的服务页，请核对二维码。' : failureText(err)),
  );
