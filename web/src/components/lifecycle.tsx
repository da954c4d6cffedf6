import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, qs, type FieldIssue, type OrgUnitView } from '../api';
import { fmtTime, issueMessage } from '../i18n';
import { navigate, useLocation } from '../router';
import { useApp } from '../state';
import { useLifecycleText } from '../i18n-lifecycles';
import { Field, nestedIssues, options } from './forms';
import { ErrorNotice, Link, Loading, useNotice } from './ui';

/**
 * Pieces the wishes, public-reports and Party-day screens share (issue 14 item 3): a page of a stage list
 * (`GET /v1/wishes`, `/v1/reports`: keyset pages, 加载更多), the stage picker, a list's case cards, a group of
 * radio choices with its errors, the village a village-level page works on (the caller's own, or one of the
 * town's), a kind's steps on its case page, and the answerer's fields.
 */

/** One page after another of a keyset list; `reload` starts again from the first. */
export function usePages<T>(url: string): { rows: T[] | null; more: (() => void) | null; error: unknown; reload: () => Promise<void> } {
  const [rows, setRows] = useState<T[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = async (after: string | null) => {
    try {
      const sep = url.includes('?') ? '&' : '?';
      const page = await api.get<{ items: T[]; nextCursor: string | null }>(after ? `${url}${sep}${qs({ cursor: after }).slice(1)}` : url);
      setRows((rs) => (after && rs ? [...rs, ...page.items] : page.items));
      setCursor(page.nextCursor);
      setError(null);
    } catch (err) {
      setError(err);
    }
  };
  useEffect(() => {
    setRows(null);
    void load(null);
  }, [url]);
  return { rows, more: cursor ? () => void load(cursor) : null, error, reload: () => load(null) };
}

/** The list's stage, as a labelled select (one list per stage, as the API reads them). */
export function StagePicker(props: { id: string; stages: readonly string[]; names: Record<string, string>; value: string; onChange: (stage: string) => void }) {
  const L = useLifecycleText();
  return (
    <div class="field filters">
      <label for={props.id}>{L.stage}</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
        {options(props.stages, props.names)}
      </select>
    </div>
  );
}

/** A list's rows, its empty and loading states, and 加载更多. */
export function PagedList<T>(props: { pages: ReturnType<typeof usePages<T>>; testId: string; children: (row: T) => ComponentChildren }) {
  const { t } = useApp();
  const L = useLifecycleText();
  const { rows, more, error, reload } = props.pages;
  return (
    <>
      {error !== null && <ErrorNotice error={error} onRetry={() => void reload()} />}
      {rows === null && error === null ? <Loading /> : rows && rows.length === 0 ? <p class="muted">{L.empty}</p> : null}
      {rows && rows.length > 0 && (
        <ul class="cards" data-testid={props.testId}>
          {rows.map((r) => props.children(r))}
        </ul>
      )}
      {more && (
        <div class="actions">
          <button type="button" class="btn" onClick={more}>
            {t.common.loadMore}
          </button>
        </div>
      )}
    </>
  );
}

/** Radio choices as one labelled group, with the API's messages for the field next to it. */
export function Choices(props: { id: string; name: string; label: string; values: readonly string[]; names: Record<string, string>; value: string; onPick: (v: string) => void; issues: Map<string, FieldIssue[]> }) {
  const { t } = useApp();
  const messages = (props.issues.get(props.name) ?? []).map((i) => issueMessage(t, props.name, i));
  return (
    <fieldset class={`field${messages.length ? ' has-error' : ''}`} data-field={props.name} aria-describedby={messages.length ? `${props.id}-error` : undefined}>
      <legend>{props.label}</legend>
      <div class="choices choices-big">
        {props.values.map((v) => (
          <label key={v} class="choice">
            <input type="radio" name={props.id} value={v} checked={props.value === v} aria-invalid={messages.length ? 'true' : undefined} onChange={() => props.onPick(v)} />
            {props.names[v] ?? v}
          </label>
        ))}
      </div>
      {messages.length > 0 && (
        <p id={`${props.id}-error`} class="field-error">
          {messages.join('；')}
        </p>
      )}
    </fieldset>
  );
}

/**
 * The village/community a village-level page (the QR profile, the Party days) works on: the caller's own
 * when they are at one; above it, one of the villages under their unit, picked from the org tree
 * (`GET /v1/org-units/{code}`, its children and theirs down to the villages).
 */
export function useVillage(): { village: string | null; picker: ComponentChildren } {
  const { me } = useApp();
  const L = useLifecycleText();
  const own = me?.unit.level === 'village' ? me.unit.code : null;
  const [villages, setVillages] = useState<Array<{ code: string; name: string }> | null>(own ? [] : null);
  const [village, setVillage] = useState<string | null>(own);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (own || !me) return;
    let live = true;
    (async () => {
      const found: Array<{ code: string; name: string }> = [];
      const walk = async (code: string, depth: number): Promise<void> => {
        const unit = await api.get<OrgUnitView>(`/v1/org-units/${encodeURIComponent(code)}`);
        for (const c of unit.children) {
          if (c.level === 'village') found.push({ code: c.code, name: c.name });
          else if (c.level !== 'grid' && depth < 2) await walk(c.code, depth + 1);
        }
      };
      await walk(me.unit.code, 0);
      if (!live) return;
      setVillages(found);
      setVillage((v) => v ?? found[0]?.code ?? null);
    })().catch((err: unknown) => live && setError(err));
    return () => {
      live = false;
    };
  }, [own, me?.unit.code]);
  const picker = own ? null : error !== null ? (
    <ErrorNotice error={error} />
  ) : villages === null ? (
    <Loading />
  ) : (
    <div class="field filters">
      <label for="village-pick">{L.village}</label>
      <select id="village-pick" aria-describedby="village-pick-hint" value={village ?? ''} onChange={(e) => setVillage(e.currentTarget.value)}>
        {villages.map((v) => (
          <option key={v.code} value={v.code}>
            {v.name}
          </option>
        ))}
      </select>
      <p id="village-pick-hint" class="hint">
        {L.villageHint}
      </p>
    </div>
  );
  return { village, picker };
}

/** What `usePages` gives a list. */
export type Pages<T> = ReturnType<typeof usePages<T>>;

/**
 * A stage list's page (`/wishes`, `/reports`): the stage from the route's `?stage=` (the first of `stages` when it
 * is absent or not one of them), that stage's rows (`GET {api}?stage=`, page by page), and the picker, which
 * replaces the route's `?stage=` (so the back button leaves the page, not the stage).
 */
export function useStageList<T>(opts: { route: string; api: string; id: string; stages: readonly string[]; names: Record<string, string> }): { stage: string; pages: Pages<T>; picker: ComponentChildren } {
  const { query } = useLocation();
  const asked = query.get('stage') ?? '';
  const stage = opts.stages.includes(asked) ? asked : opts.stages[0]!;
  const pages = usePages<T>(`${opts.api}${qs({ stage })}`);
  const picker = <StagePicker id={opts.id} stages={opts.stages} names={opts.names} value={stage} onChange={(s) => navigate(`${opts.route}?stage=${s}`, { replace: true })} />;
  return { stage, pages, picker };
}

/** A row of a stage list as its card (`{kind}-card`, marked urgent when overdue): `children`, then the link to the case page. */
export function CaseCard(props: { kind: string; row: { caseId: string; overdue: boolean }; children: ComponentChildren }) {
  const { t } = useApp();
  const L = useLifecycleText();
  const { caseId, overdue } = props.row;
  return (
    <li class={`card ${props.kind}-card${overdue ? ' urgent' : ''}`} data-case={caseId}>
      {props.children}
      <p>
        <Link to={`/cases/${encodeURIComponent(caseId)}`} aria-label={L.openCase(caseId)}>
          {t.common.openCase}
        </Link>
      </p>
    </li>
  );
}

/** The end of a card's line: ` · 应于…前` while the case is open and has a due time, and 已超期 when it is overdue. */
export function DueNote(props: { row: { status: string; dueAt: string | null; overdue: boolean } }) {
  const { lang } = useApp();
  const L = useLifecycleText();
  const { status, dueAt, overdue } = props.row;
  return (
    <>
      {status === 'open' && dueAt ? ` · ${L.due(fmtTime(lang, dueAt))}` : ''}
      {overdue && <span class="status status-overdue"> {L.overdue}</span>}
    </>
  );
}

/**
 * The step panel open on a case page's steps, and the notice after a step: `finished(message)` closes the panel,
 * reloads the case, then shows `message` (`doneText` when none is given) and takes the keyboard to it.
 */
export function useStepPanel<S extends string>(reload: () => Promise<void>, doneText: string) {
  const [panel, setPanel] = useState<S | null>(null);
  const { notice, show, hide } = useNotice();
  const finished = async (message: string = doneText) => {
    setPanel(null);
    await reload();
    show(message);
  };
  return { panel, setPanel, notice, hide, finished };
}

/**
 * A kind's steps on its case page (`{kind}-steps`; the wish's and the report's): the title, what was posted and
 * done (`summary`: `Detail` rows), the notice after a step, a button for each step the caller may take (each
 * opens and closes its panel), and the open step's panel (`children(panel)`: its form).
 */
export function StepsCard<S extends string>(props: {
  kind: string;
  title: string;
  state: ReturnType<typeof useStepPanel<S>>;
  steps: readonly S[];
  labels: Record<S, string>;
  summary: ComponentChildren;
  children: (panel: S) => ComponentChildren;
}) {
  const { kind } = props;
  const { panel, setPanel, notice } = props.state;
  return (
    <section aria-labelledby={`h-${kind}`} class={`card ${kind}-steps`} data-testid={`${kind}-steps`}>
      <h2 id={`h-${kind}`}>{props.title}</h2>
      <dl class="summary">{props.summary}</dl>
      {notice}
      {props.steps.length > 0 && (
        <div class="actions">
          {props.steps.map((s) => (
            <button key={s} type="button" class="btn btn-big" aria-expanded={panel === s} aria-controls={`${kind}-panel`} onClick={() => setPanel(panel === s ? null : s)}>
              {props.labels[s]}
            </button>
          ))}
        </div>
      )}
      {panel && (
        <div id={`${kind}-panel`} class="card action-panel">
          {props.children(panel)}
        </div>
      )}
    </section>
  );
}

/** Who gave an answer (`answeredBy` of a report's answer, of a Party day's item): the name typed, the role picked ('' for none). */
export interface Answerer {
  name: string;
  role: string;
}

/** The body's `answeredBy`: the name, and the role only when one was picked. */
export const answeredBy = (a: Answerer) => ({ name: a.name, ...(a.role ? { role: a.role } : {}) });

/**
 * The answerer's fields (`{id}-name`, the `{id}-role` choices), inside `data-field="answeredBy"`; the API's
 * messages for `body.answeredBy.name` / `.role` each beside its own field, one for the whole object beside the name.
 */
export function AnswererFields(props: {
  id: string;
  value: Answerer;
  onChange: (a: Answerer) => void;
  nameLabel: string;
  roleLabel: string;
  roles: readonly string[];
  roleNames: Record<string, string>;
  issues: Map<string, FieldIssue[]>;
}) {
  const mine = nestedIssues(props.issues, 'answeredBy', { whole: 'name' });
  const a = props.value;
  return (
    <div data-field="answeredBy">
      <Field id={`${props.id}-name`} name="name" label={props.nameLabel} issues={mine}>
        {(aria) => <input type="text" {...aria} autocomplete="off" value={a.name} onInput={(e) => props.onChange({ ...a, name: e.currentTarget.value })} />}
      </Field>
      <Choices id={`${props.id}-role`} name="role" label={props.roleLabel} values={props.roles} names={props.roleNames} value={a.role} onPick={(role) => props.onChange({ ...a, role })} issues={mine} />
    </div>
  );
}

/** `GET url`'s `items` (a unit's common issues, its Party days), fetched again when `url` changes: null while they load; a failure in `error`. */
export function useItems<T>(url: string): { items: T[] | null; error: unknown } {
  const [items, setItems] = useState<T[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    api.get<{ items: T[] }>(url).then(
      (p) => setItems(p.items),
      (err: unknown) => setError(err),
    );
  }, [url]);
  return { items, error };
}

/** What `useItems` got: the failure, 加载中, `empty` (a muted line) when there are none, or `children(items)`. */
export function Items<T>(props: { state: { items: T[] | null; error: unknown }; empty: string; children: (items: T[]) => ComponentChildren }) {
  const { items, error } = props.state;
  if (error !== null) return <ErrorNotice error={error} />;
  if (items === null) return <Loading />;
  if (items.length === 0) return <p class="muted">{props.empty}</p>;
  return <>{props.children(items)}</>;
}
