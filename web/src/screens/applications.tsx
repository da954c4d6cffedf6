import { useEffect, useState } from 'preact/hooks';
import { api, qs, type CaseRow, type CaseView, type FieldIssue, type Page } from '../api';
import { Field, useSubmission } from '../components/forms';
import { ErrorNotice, Link, Loading, PageTitle, ProvisionalBadge } from '../components/ui';
import { deadlineLabel, fmtDuration, fmtTime, issueMessage } from '../i18n';
import { may, useApp } from '../state';
import { useAppsText, type AppsMessages } from '../i18n-apps';

/** The application's stages, in order (domain/application.ts APPLICATION_STAGES); names come from i18n. */
const STAGES = ['submitted', 'returned', 'verification', 'investigation', 'deliberation', 'town_review', 'notice', 'district_approval', 'in_benefit', 're_review'] as const;

/**
 * 救助申请: the open applications in the caller's jurisdiction with an open deadline, overdue first then
 * soonest due (GET /v1/cases?kind=application&sort=due); narrowed to a stage, every open application at it
 * (with or without a deadline), in due order; each links to its page. An application is started from its
 * household's page (住户档案).
 */
export function ApplicationsPage() {
  const { t, lang } = useApp();
  const appsText = useAppsText();
  const [stage, setStage] = useState('');
  const [rows, setRows] = useState<CaseRow[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const now = Date.now();

  const load = async (after?: string) => {
    try {
      // All stages: the work, i.e. the applications with an open deadline, overdue first (the API's due order).
      // One stage: every application at it, deadline or not (in benefit has none until its re-review), the
      // loaded ones in due order here, those without a deadline last.
      const page = await api.get<Page<CaseRow>>(`/v1/cases${qs({ kind: 'application', sort: stage ? 'id' : 'due', stage, limit: stage ? 200 : 50, cursor: after })}`);
      const byDue = (a: CaseRow, b: CaseRow) => (a.dueAt ?? '\uffff').localeCompare(b.dueAt ?? '\uffff') || a.caseId.localeCompare(b.caseId);
      setRows((r) => {
        const all = after ? [...(r ?? []), ...page.items] : page.items;
        return stage ? [...all].sort(byDue) : all;
      });
      setCursor(page.nextCursor);
      setError(null);
    } catch (err) {
      setError(err);
    }
  };
  useEffect(() => {
    setRows(null);
    void load();
  }, [stage]);

  return (
    <section aria-labelledby="page-title">
      <PageTitle>{appsText.title}</PageTitle>
      <p class="muted small">{appsText.intro}</p>
      <div class="form filters">
        <div class="field">
          <label for="apps-stage">{appsText.stage}</label>
          <select id="apps-stage" value={stage} onChange={(e) => setStage(e.currentTarget.value)}>
            <option value="">{t.common.all}</option>
            {STAGES.map((s) => (
              <option key={s} value={s}>
                {appsText.stages[s]}
              </option>
            ))}
          </select>
        </div>
      </div>
      {error !== null && <ErrorNotice error={error} onRetry={() => void load()} />}
      {rows === null ? (
        error === null && <Loading />
      ) : rows.length === 0 ? (
        <p class="muted" role="status">
          {appsText.none}
        </p>
      ) : (
        <>
          <ul class="cards application-list" data-testid="application-list">
            {rows.map((r) => {
              const due = r.dueAt ? Date.parse(r.dueAt) : null;
              const overdue = due !== null && (r.overdue || due <= now);
              return (
                <li key={r.caseId} class="card" data-case={r.caseId}>
                  <h2 class="card-head">
                    <Link to={`/cases/${encodeURIComponent(r.caseId)}`} aria-label={t.common.openCaseOf(r.household?.headName ?? r.caseId)}>
                      {r.household?.headName ?? r.householdId ?? r.caseId}
                    </Link>{' '}
                    <span class="badge">{r.stage ? (appsText.stages[r.stage] ?? r.stage) : ''}</span>
                  </h2>
                  <p class="muted small">
                    {r.household?.address ?? ''} · {r.unit.name}
                  </p>
                  {due !== null && (
                    <p>
                      {deadlineLabel(t, r.dueKind, r.dueLabel)} · {fmtTime(lang, r.dueAt)} <ProvisionalBadge provisional={r.dueProvisional} />{' '}
                      <span class={`status ${overdue ? 'status-overdue' : r.atRisk ? 'status-at-risk' : 'status-upcoming'}`}>
                        {overdue ? t.tasks.overdue(fmtDuration(t, now - due)) : t.tasks.upcoming(fmtDuration(t, due - now))}
                      </span>
                    </p>
                  )}
                </li>
              );
            })}
          </ul>
          {cursor && (
            <button type="button" class="btn" onClick={() => void load(cursor)}>
              {t.common.loadMore}
            </button>
          )}
        </>
      )}
    </section>
  );
}

/** One rule a step enforces, in words, with its source (GET /v1/applications/rules). */
interface StepRules {
  step: StepName;
  path: string;
  summary: string;
  stages: string[];
  roles: string[];
  rules: { text: string; source: string }[];
}
interface RulesAnswer {
  policyVersion: string;
  steps: StepRules[];
}

/** GET /v1/applications/:id: the view and the working days left before its open deadline. */
interface ApplicationView extends CaseView {
  stage: string;
  category: string;
  labourCapacity: string;
  policyVersion: string;
  dueWorkingDaysLeft: number | null;
  version?: number;
  verification?: { summary?: { missing?: string[] } };
  decisions?: { act: string; at: string; why: string; by: { userId: string; role: string } }[];
}

type StepName = 'acceptance' | 'supplements' | 'verificationResult' | 'investigation' | 'deliberation' | 'review' | 'objection' | 'approval' | 'extension' | 'withdrawal' | 'reReview';

/** How a form field is entered and sent: a list is one item per line (or 、，,;); a datetime is sent as an instant. */
type FieldKind = 'text' | 'textarea' | 'list' | 'datetime' | 'date' | 'number' | 'select' | 'radio' | 'check';
interface FieldSpec {
  name: string;
  kind: FieldKind;
  options?: readonly string[];
  /** Shown (and sent) only when another field has this value: the API's variants (decision, kind, …). */
  when?: readonly [string, string];
}

/**
 * The fields of each step's form, as its input schema in domain/application.ts has them (the API validates;
 * each message is shown beside its field). Ours: the web's layout of the API's inputs.
 */
const STEP_FIELDS: Record<StepName, FieldSpec[]> = {
  acceptance: [
    { name: 'decision', kind: 'radio', options: ['accept', 'return'] },
    { name: 'missing', kind: 'list', when: ['decision', 'return'] },
    { name: 'note', kind: 'textarea' },
  ],
  supplements: [
    { name: 'supplied', kind: 'list' },
    { name: 'note', kind: 'textarea' },
  ],
  verificationResult: [
    { name: 'department', kind: 'select' },
    { name: 'note', kind: 'textarea' },
  ],
  investigation: [
    { name: 'investigators', kind: 'list' },
    { name: 'visitedAt', kind: 'datetime' },
    { name: 'findings', kind: 'textarea' },
  ],
  deliberation: [
    { name: 'kind', kind: 'radio', options: ['schedule', 'record'] },
    { name: 'scheduledAt', kind: 'datetime', when: ['kind', 'schedule'] },
    { name: 'place', kind: 'text', when: ['kind', 'schedule'] },
    { name: 'heldAt', kind: 'datetime', when: ['kind', 'record'] },
    { name: 'members', kind: 'number', when: ['kind', 'record'] },
    { name: 'attendees', kind: 'number', when: ['kind', 'record'] },
    { name: 'votesFor', kind: 'number', when: ['kind', 'record'] },
    { name: 'votesAgainst', kind: 'number', when: ['kind', 'record'] },
    { name: 'minutes', kind: 'textarea', when: ['kind', 'record'] },
  ],
  review: [
    { name: 'opinion', kind: 'radio', options: ['approve', 'reject'] },
    { name: 'reason', kind: 'textarea' },
    { name: 'noticeText', kind: 'textarea', when: ['opinion', 'reject'] },
  ],
  objection: [
    { name: 'text', kind: 'textarea' },
    { name: 'from', kind: 'text' },
  ],
  approval: [
    { name: 'decision', kind: 'radio', options: ['approve', 'reject'] },
    { name: 'category', kind: 'select', when: ['decision', 'approve'] },
    { name: 'monthlyAmount', kind: 'number', when: ['decision', 'approve'] },
    { name: 'startDate', kind: 'date', when: ['decision', 'approve'] },
    { name: 'reason', kind: 'textarea' },
    { name: 'noticeText', kind: 'textarea', when: ['decision', 'reject'] },
    { name: 'appealInformed', kind: 'check', when: ['decision', 'reject'] },
  ],
  extension: [
    { name: 'stage', kind: 'select', options: ['town_review', 'district_approval'] },
    { name: 'workingDays', kind: 'number' },
    { name: 'reason', kind: 'textarea' },
  ],
  withdrawal: [{ name: 'reason', kind: 'textarea' }],
  reReview: [
    { name: 'outcome', kind: 'radio', options: ['renew', 'change', 'stop'] },
    { name: 'reason', kind: 'textarea' },
    { name: 'monthlyAmount', kind: 'number' },
    { name: 'labourCapacity', kind: 'select', options: ['no_labour_capacity', 'illness_or_disability', 'labour_capacity'] },
  ],
};

/** The body a step's form sends: only the fields shown and filled; lists split, instants as ISO, numbers as numbers. */
function bodyOf(fields: FieldSpec[], values: Record<string, string | boolean>, step: StepName): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (f.when && values[f.when[0]] !== f.when[1]) continue;
    const v = values[f.name];
    if (f.kind === 'check') {
      out[f.name] = v === true;
      continue;
    }
    if (typeof v !== 'string' || v.trim() === '') continue;
    if (f.kind === 'list')
      out[f.name] = v
        .split(/[\n,，、;；]+/)
        .map((s) => s.trim())
        .filter(Boolean);
    else if (f.kind === 'number') out[f.name] = Number(v);
    else if (f.kind === 'datetime') {
      // Entered in China time, whatever the device's zone (the deadlines are Weihai's).
      const d = new Date(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(v) ? `${v}:00+08:00` : v);
      out[f.name] = Number.isNaN(d.getTime()) ? v : d.toISOString();
    } else out[f.name] = v;
  }
  // A department entered by hand with no feed: its answer is the records entered, none here (the note says why).
  if (step === 'verificationResult') out.records = [];
  return out;
}

/** Steps beside the stage's own work (a department's answer, an extension, a withdrawal): folded until opened. */
const SIDE_STEPS: readonly StepName[] = ['verificationResult', 'extension', 'withdrawal'];

/**
 * Now as yyyy-MM-ddTHH:mm in China time (UTC+8, no summer time), for <input type="datetime-local">: the
 * device's zone may differ (fresh-eyes on issue 14: 入户时间 defaulted to the browser's zone); toBody reads it
 * back as China time.
 */
function localNow(): string {
  return new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 16);
}

/**
 * The application's steps on its case page: for each step the workflow takes at the current stage and the
 * signed-in role may take (GET /v1/me), a form that shows the rules it enforces with their sources (from the
 * API, so they follow the policy), the open deadline with the working days left, and the decision options.
 */
export function ApplicationSteps(props: { view: CaseView; reload: () => Promise<void> }) {
  const { t, me } = useApp();
  const appsText = useAppsText();
  const [rules, setRules] = useState<RulesAnswer | null>(null);
  const [app, setApp] = useState<ApplicationView | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [catalogue, setCatalogue] = useState<{ code: string; name: string }[]>([]);
  const id = props.view.caseId;

  useEffect(() => {
    Promise.all([
      api.get<RulesAnswer>('/v1/applications/rules'),
      api.get<ApplicationView>(`/v1/applications/${encodeURIComponent(id)}`),
      api.get<{ categories: { code: string; name: string }[] }>('/v1/catalogue').catch(() => ({ categories: [] })),
    ]).then(
      ([r, a, c]) => {
        setRules(r);
        setApp(a);
        setCatalogue(c.categories);
        setError(null);
      },
      setError,
    );
  }, [id, props.view]);

  if (error !== null) return <ErrorNotice error={error} />;
  if (!rules || !app) return <Loading />;
  const steps = rules.steps.filter((s) => app.status === 'open' && s.stages.includes(app.stage) && may(me, 'application', s.step));
  return (
    <section aria-labelledby="h-app-steps" class="application-steps" data-stage={app.stage}>
      <h2 id="h-app-steps">{appsText.stepsTitle(appsText.stages[app.stage] ?? app.stage)}</h2>
      <p class="muted small">
        {appsText.categoryIs(catalogue.find((c) => c.code === app.category)?.name ?? app.category)} · {appsText.labour[app.labourCapacity as keyof AppsMessages['labour']] ?? app.labourCapacity}
        {app.policyVersion !== rules.policyVersion ? ` · ${appsText.policyDiffers(app.policyVersion, rules.policyVersion)}` : ''}
      </p>
      {steps.length === 0 ? (
        <p class="muted">{app.status === 'open' ? appsText.noStepsForYou : t.caseView.closed}</p>
      ) : (
        <>
          {steps
            .filter((s) => !SIDE_STEPS.includes(s.step))
            .map((s) => (
              <StepForm key={`${s.step}-${app.version ?? ''}`} rules={s} app={app} catalogue={catalogue} onDone={props.reload} />
            ))}
          {steps
            .filter((s) => SIDE_STEPS.includes(s.step))
            .map((s) => (
              <details key={`${s.step}-${app.version ?? ''}`} class="step-more" data-side-step={s.step}>
                <summary>{appsText.steps[s.step] ?? s.summary}</summary>
                <StepForm rules={s} app={app} catalogue={catalogue} onDone={props.reload} />
              </details>
            ))}
        </>
      )}
    </section>
  );
}

function StepForm(props: { rules: StepRules; app: ApplicationView; catalogue: { code: string; name: string }[]; onDone: () => Promise<void> }) {
  const { t, lang } = useApp();
  const appsText = useAppsText();
  const { rules, app } = props;
  const fields = STEP_FIELDS[rules.step];
  const [values, setValues] = useState<Record<string, string | boolean>>(() => {
    const init: Record<string, string | boolean> = {};
    for (const f of fields) if (f.kind === 'datetime') init[f.name] = localNow();
    return init;
  });
  const { issues, failure, busy, run } = useSubmission();
  const fid = (name: string) => `step-${rules.step}-${name}`;
  const label = (name: string) => appsText.fields[`${rules.step}.${name}`] ?? appsText.fields[name] ?? name;
  const optionLabel = (name: string, value: string) =>
    (name === 'category' ? props.catalogue.find((c) => c.code === value)?.name : undefined) ??
    appsText.options[`${name}.${value}`] ??
    appsText.stages[value] ??
    appsText.labour[value as keyof AppsMessages['labour']] ??
    value;
  const set = (name: string, v: string | boolean) => setValues({ ...values, [name]: v });
  const departments = app.verification?.summary?.missing ?? [];

  const control = (f: FieldSpec) => {
    const v = values[f.name];
    if (f.kind === 'radio' || f.kind === 'check') {
      const msgs = (issues.get(f.name) ?? []).map((x: FieldIssue) => issueMessage(t, f.name, x));
      const errId = `${fid(f.name)}-error`;
      return (
        <fieldset key={f.name} class={`field${msgs.length ? ' has-error' : ''}`} data-field={f.name} aria-describedby={msgs.length ? errId : undefined}>
          <legend>{label(f.name)}</legend>
          <div class="choices">
            {f.kind === 'check' ? (
              <label class="choice">
                <input type="checkbox" checked={v === true} onChange={(e) => set(f.name, e.currentTarget.checked)} />
                {appsText.fields[`${f.name}.yes`] ?? label(f.name)}
              </label>
            ) : (
              (f.options ?? []).map((o) => (
                <label key={o} class="choice">
                  <input type="radio" name={fid(f.name)} value={o} checked={v === o} onChange={() => set(f.name, o)} />
                  {optionLabel(f.name, o)}
                </label>
              ))
            )}
          </div>
          {msgs.length > 0 && (
            <p id={errId} class="field-error">
              {msgs.join('；')}
            </p>
          )}
        </fieldset>
      );
    }
    const hint = f.kind === 'list' ? appsText.listHint : undefined;
    return (
      <Field key={f.name} id={fid(f.name)} name={f.name} label={label(f.name)} hint={hint} issues={issues}>
        {(aria) => {
          const str = typeof v === 'string' ? v : '';
          const onInput = (e: Event) => set(f.name, (e.currentTarget as HTMLInputElement).value);
          if (f.kind === 'textarea' || f.kind === 'list') return <textarea {...aria} rows={f.kind === 'list' ? 2 : 3} value={str} onInput={onInput} />;
          if (f.kind === 'select') {
            // A department without an answer (verification), a benefit category from the catalogue, or the step's own options.
            const options = f.options ?? (f.name === 'category' ? props.catalogue.map((c) => c.code) : departments);
            return (
              <select {...aria} value={str} onChange={onInput}>
                <option value="">{appsText.choose}</option>
                {options.map((o) => (
                  <option key={o} value={o}>
                    {optionLabel(f.name, o)}
                  </option>
                ))}
              </select>
            );
          }
          if (f.kind === 'datetime') return <input type="datetime-local" {...aria} value={str} onInput={onInput} />;
          if (f.kind === 'date') return <input type="date" {...aria} value={str} onInput={onInput} />;
          return <input type="text" {...aria} inputMode={f.kind === 'number' ? 'decimal' : 'text'} autocomplete="off" value={str} onInput={onInput} />;
        }}
      </Field>
    );
  };

  return (
    <form
      class="form card step-form"
      data-step={rules.step}
      noValidate
      aria-labelledby={fid('title')}
      onSubmit={async (e) => {
        e.preventDefault();
        const done = await run(e.currentTarget, () => api.post<CaseView>(`/v1/applications/${encodeURIComponent(app.caseId)}/${rules.path}`, bodyOf(fields, values, rules.step)));
        if (done) await props.onDone();
      }}
    >
      <h3 id={fid('title')}>{appsText.steps[rules.step] ?? rules.summary}</h3>
      <div class="step-rules" data-testid={`rules-${rules.step}`}>
        <p class="small">
          <strong>{appsText.rulesTitle}</strong>
        </p>
        <ul class="small">
          {rules.rules.map((r, i) => (
            <li key={i}>
              <span lang="zh-CN">{r.text}</span> <span class="muted">（{r.source}）</span>
            </li>
          ))}
        </ul>
        {app.due && (
          <p class="small" data-testid={`deadline-${rules.step}`}>
            {appsText.deadline(deadlineLabel(t, app.due.kind, app.due.label), fmtTime(lang, app.due.dueAt))} <ProvisionalBadge provisional={app.due.provisional} />{' '}
            {app.dueWorkingDaysLeft !== null && (
              <span class={`status ${app.dueWorkingDaysLeft === 0 ? 'status-overdue' : 'status-upcoming'}`}>
                {app.dueWorkingDaysLeft === 0 ? appsText.noWorkingDaysLeft : appsText.workingDaysLeft(app.dueWorkingDaysLeft)}
              </span>
            )}
          </p>
        )}
      </div>
      {failure !== null && <ErrorNotice error={failure} />}
      {fields.filter((f) => !f.when || values[f.when[0]] === f.when[1]).map(control)}
      <div class="actions">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? t.common.saving : appsText.submitStep(appsText.steps[rules.step] ?? rules.summary)}
        </button>
      </div>
    </form>
  );
}
