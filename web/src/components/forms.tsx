import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { api, ApiError, type CaseView, type FieldIssue } from '../api';
import { issueMessage } from '../i18n';
import { useApp } from '../state';
import { ErrorNotice } from './ui';

/**
 * Field-level messages from a 400, a 409 or a 422 (the API names the field in `details[].path` for both: a malformed
 * value, or a well-formed one its rules refuse — another household's discovery, say), and anything else, or
 * what no field of the form shows, as one form-level error.
 */
export function useSubmission() {
  const [issues, setIssues] = useState<Map<string, FieldIssue[]>>(new Map());
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const run = async <T,>(form: HTMLFormElement, work: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setFailure(null);
    setIssues(new Map());
    try {
      return await work();
    } catch (err) {
      // A 409 naming its field (an ID number another household holds) is shown beside it as well.
      const fields = err instanceof ApiError && (err.status === 400 || err.status === 409 || err.status === 422) ? err.fieldIssues() : new Map<string, FieldIssue[]>();
      setIssues(fields);
      // What no field of this form shows goes to the form-level message.
      const shown = [...fields.keys()].filter((k) => form.querySelector(`[data-field="${k}"]`));
      if (fields.size === 0 || shown.length < fields.size) setFailure(err);
      // Take the keyboard to the first field that needs fixing.
      const first = shown[0] === undefined ? null : form.querySelector<HTMLElement>(`[data-field="${shown[0]}"] input, [data-field="${shown[0]}"] select, [data-field="${shown[0]}"] textarea`);
      window.setTimeout(() => first?.focus(), 0);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { issues, failure, busy, run };
}

/** A labelled field with its hint and the API's messages for it, bound by id for assistive tech. */
export function Field(props: { id: string; name: string; label: string; hint?: string; issues: Map<string, FieldIssue[]>; children: (aria: FieldAria) => ComponentChildren }) {
  const { t } = useApp();
  const messages = (props.issues.get(props.name) ?? []).map((issue) => issueMessage(t, props.name, issue));
  const describedBy = [props.hint ? `${props.id}-hint` : '', messages.length ? `${props.id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field${messages.length ? ' has-error' : ''}`} data-field={props.name}>
      <label for={props.id}>{props.label}</label>
      {props.children({ id: props.id, name: props.name, 'aria-describedby': describedBy, 'aria-invalid': messages.length ? 'true' : undefined })}
      {props.hint && (
        <p id={`${props.id}-hint`} class="hint">
          {props.hint}
        </p>
      )}
      {messages.length > 0 && (
        <p id={`${props.id}-error`} class="field-error">
          {messages.join('；')}
        </p>
      )}
    </div>
  );
}

export interface FieldAria {
  id: string;
  name: string;
  'aria-describedby': string | undefined;
  'aria-invalid': 'true' | undefined;
}

/** What `useSubmission` gives a form: the API's messages by field, the form-level failure, busy, and `run`. */
export type Submission = ReturnType<typeof useSubmission>;

/**
 * A form that sends one request (noValidate: validation is the API's). It shows `heading` (an h3) and `intro`
 * first, then the form-level failure, then its fields and buttons (`children`). On submit it runs `send` through
 * the form's `submission` and, when that gives a result (a truthy value: the API accepted), calls `onSent` with it.
 * `label` names the form for assistive tech when it has no heading.
 */
export function SendForm<T>(props: {
  submission: Submission;
  send: () => Promise<T>;
  onSent: (result: T) => unknown;
  label?: string;
  heading?: string;
  intro?: ComponentChildren;
  class?: string;
  children: ComponentChildren;
}) {
  const { failure, run } = props.submission;
  return (
    <form
      class={props.class ?? 'form'}
      noValidate
      aria-label={props.label}
      onSubmit={async (e) => {
        e.preventDefault();
        const result = await run(e.currentTarget, props.send);
        if (result) await props.onSent(result);
      }}
    >
      {props.heading && <h3>{props.heading}</h3>}
      {props.intro}
      {failure !== null && <ErrorNotice error={failure} />}
      {props.children}
    </form>
  );
}

/** A form's submit button (保存中… while `busy`), and 取消 when `onCancel` is given; `big` for the phone-first screens' 48 px targets. */
export function SubmitButtons(props: { busy: boolean; label: string; big?: boolean; onCancel?: () => void }) {
  const { t } = useApp();
  const big = props.big ? ' btn-big' : '';
  return (
    <div class="actions">
      <button type="submit" class={`btn btn-primary${big}`} disabled={props.busy}>
        {props.busy ? t.common.saving : props.label}
      </button>
      {props.onCancel && (
        <button type="button" class={`btn${big}`} onClick={props.onCancel}>
          {t.common.cancel}
        </button>
      )}
    </div>
  );
}

/** The `<option>`s of a select of `values`, each shown by its name in `names` (the value itself when it has none). */
export function options(values: readonly string[], names: Readonly<Record<string, string | undefined>>) {
  return values.map((v) => (
    <option key={v} value={v}>
      {names[v] ?? v}
    </option>
  ));
}

/**
 * A labelled select of `values`, each shown by its name in `names` (the value itself when it has none), with an
 * empty first option when `empty` is given; a `Field`, so its hint and the API's messages sit beside it.
 */
export function SelectField(props: {
  id: string;
  name: string;
  label: string;
  hint?: string;
  issues: Map<string, FieldIssue[]>;
  values: readonly string[];
  names: Readonly<Record<string, string | undefined>>;
  empty?: string;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <Field id={props.id} name={props.name} label={props.label} hint={props.hint} issues={props.issues}>
      {(aria) => (
        <select {...aria} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
          {props.empty !== undefined && <option value="">{props.empty}</option>}
          {options(props.values, props.names)}
        </select>
      )}
    </Field>
  );
}

/**
 * The messages of an object's own fields, by their names, for the fields shown inside it: `field` `answeredBy`
 * turns `body.answeredBy.name` into `name`; with `index` 1, `field` `contacts` turns `body.contacts.1.phone` into
 * `phone` (the other entries' messages are left out). A message naming the object itself goes under `whole`, or
 * is left out when `whole` is not given. The path's `body.` (or `querystring.`, `params.`) is set aside, as `ApiError.fieldIssues` does.
 */
export function nestedIssues(issues: Map<string, FieldIssue[]>, field: string, opts: { index?: number; whole?: string } = {}): Map<string, FieldIssue[]> {
  const out = new Map<string, FieldIssue[]>();
  for (const i of issues.get(field) ?? []) {
    const rest = i.path.replace(/^(body|querystring|params)\./, '').split('.').slice(1);
    if (opts.index !== undefined && Number(rest.shift()) !== opts.index) continue;
    const name = rest[0] || opts.whole;
    if (name) out.set(name, [...(out.get(name) ?? []), i]);
  }
  return out;
}

/** yyyy-MM-ddTHH:mm in the device's time, for <input type="datetime-local">. */
function localInputValue(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

const OUTCOMES = ['stable', 'needs_assistance', 'referred'] as const;

/**
 * Records a visit (走访). Validation is the API's: the form sends what was entered and shows each
 * message next to its field, so the rules live in one place (domain/alert.ts zVisitInput).
 */
export function VisitForm(props: { caseId: string; subject: string; onDone: (view: CaseView) => void; onCancel?: () => void }) {
  const { t, me } = useApp();
  const id = (f: string) => `visit-${props.caseId}-${f}`;
  const [visitors, setVisitors] = useState(me?.name ?? '');
  const [visitedAt, setVisitedAt] = useState(() => localInputValue(new Date()));
  const [outcome, setOutcome] = useState('');
  const [notes, setNotes] = useState('');
  const { issues, failure, busy, run } = useSubmission();

  const submit = async (e: Event) => {
    e.preventDefault();
    const at = visitedAt ? new Date(visitedAt) : null;
    const body = {
      visitors: visitors
        .split(/[,，、;；\n]+/)
        .map((s) => s.trim())
        .filter(Boolean),
      visitedAt: at && !Number.isNaN(at.getTime()) ? at.toISOString() : visitedAt,
      ...(outcome ? { outcome } : {}),
      notes,
    };
    const view = await run(e.currentTarget as HTMLFormElement, () => api.post<CaseView>(`/v1/alerts/${encodeURIComponent(props.caseId)}/visits`, body));
    if (view) props.onDone(view);
  };

  const outcomeErrors = (issues.get('outcome') ?? []).map((issue) => issueMessage(t, 'outcome', issue));
  return (
    <form class="form visit-form" noValidate onSubmit={submit} aria-labelledby={id('legend')}>
      <h3 id={id('legend')}>{t.visit.legend(props.subject)}</h3>
      {failure !== null && <ErrorNotice error={failure} />}
      <Field id={id('visitors')} name="visitors" label={t.visit.visitors} hint={t.visit.visitorsHint} issues={issues}>
        {(aria) => <input type="text" {...aria} autocomplete="off" value={visitors} onInput={(e) => setVisitors(e.currentTarget.value)} />}
      </Field>
      <Field id={id('visitedAt')} name="visitedAt" label={t.visit.visitedAt} issues={issues}>
        {(aria) => <input type="datetime-local" {...aria} value={visitedAt} onInput={(e) => setVisitedAt(e.currentTarget.value)} />}
      </Field>
      <fieldset class={`field${outcomeErrors.length ? ' has-error' : ''}`} data-field="outcome" aria-describedby={outcomeErrors.length ? id('outcome-error') : undefined}>
        <legend>{t.visit.outcome}</legend>
        <div class="choices">
          {OUTCOMES.map((o) => (
            <label key={o} class="choice">
              <input type="radio" name={id('outcome')} value={o} checked={outcome === o} aria-invalid={outcomeErrors.length ? 'true' : undefined} onChange={() => setOutcome(o)} />
              {t.outcomes[o]}
            </label>
          ))}
        </div>
        {outcomeErrors.length > 0 && (
          <p id={id('outcome-error')} class="field-error">
            {outcomeErrors.join('；')}
          </p>
        )}
      </fieldset>
      <Field id={id('notes')} name="notes" label={t.visit.notes} issues={issues}>
        {(aria) => <textarea {...aria} rows={3} value={notes} onInput={(e) => setNotes(e.currentTarget.value)} />}
      </Field>
      <div class="actions">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? t.common.saving : t.visit.submit}
        </button>
        {props.onCancel && (
          <button type="button" class="btn" onClick={props.onCancel}>
            {t.common.cancel}
          </button>
        )}
      </div>
    </form>
  );
}
