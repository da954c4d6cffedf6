import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, qs, type FieldIssue } from '../api';
import { Field, useSubmission } from '../components/forms';
import { ErrorNotice, Link, Loading, PageTitle } from '../components/ui';
import { fmtTime, issueMessage } from '../i18n';
import { useApp } from '../state';

/**
 * Active discovery (主动发现, issue 13; docs/discovery.md), phone-first: members work in the field.
 * - 主动发现上报 (`/discover`): the report form (POST /v1/discoveries); validation is the API's, each message
 *   shown next to its field.
 * - 我的上报 (`/my-discoveries`): the caller's reports with the town's decisions (GET /v1/discoveries/mine).
 * - 发现待研判 (`/discoveries`): the town's queue, urgent first, and the decision (POST /v1/discoveries/{id}/decide).
 */

const FOCUS_GROUPS = ['sudden_event', 'accident', 'major_illness', 'severe_disability', 'other'] as const;
const URGENCIES = ['urgent', 'normal'] as const;
const OUTCOMES = ['alert', 'application', 'referral', 'no_action'] as const;
const LEVELS = ['red', 'orange', 'yellow'] as const;
const LABOUR = ['no_labour_capacity', 'illness_or_disability', 'labour_capacity'] as const;

export interface DiscoveryRow {
  caseId: string;
  status: 'open' | 'closed';
  urgency: 'urgent' | 'normal';
  focusGroup: string;
  village: { code: string; name: string };
  householdId: string | null;
  newHousehold: boolean;
  situation: string;
  reportedAt: string;
  dueAt: string | null;
  overdue: boolean;
  decision: { outcome: string; caseId: string | null; level?: string | null; category?: string | null; referredTo?: string | null; reason?: string | null } | null;
  /** The household as the caller may see it (the API masks it below town unless by need); a new one as reported. */
  household: { headName: string; address: string } | null;
}

/** How a row names its household: the head's name (as the caller may see it), else the household id, else 新发现户. */
export const householdNameOf = (t: ReturnType<typeof useApp>['t'], r: Pick<DiscoveryRow, 'household' | 'householdId'>): string => r.household?.headName ?? r.householdId ?? t.discovery.newHousehold;

/** A household the reporter may pick (datalist): its id, and its head's name and address as the API shows them to the caller. */
interface Pickable {
  id: string;
  label: string;
}

/**
 * The households the reporter can pick from, as the caller may read them: a party member's own pairings
 * (GET /v1/pairings/mine: households they see in full), anyone else the registered households of their unit
 * (GET /v1/households?org=, up to 200). Nothing when the read fails: the id can still be typed.
 */
function usePickable(me: ReturnType<typeof useApp>['me']): Pickable[] {
  const [items, setItems] = useState<Pickable[]>([]);
  useEffect(() => {
    if (!me) return;
    const read =
      me.role === 'party_member'
        ? api.get<{ items: Array<{ householdId: string; stage: string; household: { headName: string; address: string } | null }> }>('/v1/pairings/mine').then((r) =>
            r.items.filter((p) => p.stage !== 'ended').map((p) => ({ id: p.householdId, label: p.household ? `${p.household.headName} · ${p.household.address}` : p.householdId })),
          )
        : api.get<{ items: Array<{ id: string; headName: string; address: string }> }>(`/v1/households${qs({ org: me.unit.code, limit: 200 })}`).then((r) => r.items.map((h) => ({ id: h.id, label: `${h.headName} · ${h.address}` })));
    read.then(setItems, () => setItems([]));
  }, [me?.role, me?.unit.code]);
  return items;
}

/** The issues of one field inside an object field (`body.newHousehold.name` → `name`), keyed by that field. */
function within(issues: Map<string, FieldIssue[]>, parent: string, field: string): Map<string, FieldIssue[]> {
  const mine = (issues.get(parent) ?? []).filter((i) => i.path.split('.')[2] === field);
  return mine.length ? new Map([[field, mine]]) : new Map();
}

/** A fresh idempotency key for one report (the API's `key`: letters, digits, - or _). */
const newKey = () => `w${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;

/** 主动发现上报: the report form. */
export function DiscoverForm() {
  const { t, me } = useApp();
  const d = t.discovery;
  const [kind, setKind] = useState<'registered' | 'new'>('registered');
  // A new household's unit defaults to the reporter's own village or grid (a grid member typing the village's code was refused: 403).
  const ownUnit = me && (me.unit.level === 'village' || me.unit.level === 'grid') ? me.unit.code : '';
  const blank = { householdId: '', name: '', address: '', phone: '', villageCode: ownUnit, focusGroup: '', situation: '', urgency: '' };
  const [f, setF] = useState(blank);
  const [key, setKey] = useState(newKey);
  const [sent, setSent] = useState<string | null>(null);
  const { issues, failure, busy, run } = useSubmission();
  const pickable = usePickable(me);
  const set = (k: keyof typeof f) => (e: Event) => setF({ ...f, [k]: (e.currentTarget as HTMLInputElement).value });

  const submit = async (e: Event) => {
    e.preventDefault();
    const body = {
      key,
      ...(kind === 'registered' ? { householdId: f.householdId.trim() } : { newHousehold: { name: f.name, address: f.address, ...(f.phone.trim() ? { phone: f.phone.trim() } : {}) }, villageCode: f.villageCode.trim() }),
      ...(f.focusGroup ? { focusGroup: f.focusGroup } : {}),
      situation: f.situation,
      ...(f.urgency ? { urgency: f.urgency } : {}),
    };
    const view = await run(e.currentTarget as HTMLFormElement, () => api.post<{ caseId: string }>('/v1/discoveries', body));
    if (view) setSent(view.caseId);
  };

  if (sent) {
    return (
      <section aria-labelledby="page-title" class="discovery">
        <PageTitle>{d.formTitle}</PageTitle>
        <p role="status" class="notice" data-testid="discovery-sent">
          {d.sent(sent)}
        </p>
        <div class="actions">
          <button
            type="button"
            class="btn btn-primary btn-big"
            onClick={() => {
              setSent(null);
              setKey(newKey());
              setF(blank);
            }}
          >
            {d.another}
          </button>
          <Link to="/my-discoveries" class="btn btn-big">
            {t.nav['my-discoveries']}
          </Link>
        </div>
      </section>
    );
  }

  const radios = (name: string, label: string, values: readonly string[], names: Record<string, string>, value: string, onPick: (v: string) => void) => {
    const messages = (issues.get(name) ?? []).map((i) => issueMessage(t, name, i));
    return (
      <fieldset class={`field${messages.length ? ' has-error' : ''}`} data-field={name} aria-describedby={messages.length ? `discover-${name}-error` : undefined}>
        <legend>{label}</legend>
        <div class="choices choices-big">
          {values.map((v) => (
            <label key={v} class="choice">
              <input type="radio" name={`discover-${name}`} value={v} checked={value === v} aria-invalid={messages.length ? 'true' : undefined} onChange={() => onPick(v)} />
              {names[v] ?? v}
            </label>
          ))}
        </div>
        {messages.length > 0 && (
          <p id={`discover-${name}-error`} class="field-error">
            {messages.join('；')}
          </p>
        )}
      </fieldset>
    );
  };

  return (
    <section aria-labelledby="page-title" class="discovery">
      <PageTitle>{d.formTitle}</PageTitle>
      <p class="muted">{d.formIntro}</p>
      <form class="form discovery-form" noValidate onSubmit={submit} aria-label={d.formTitle}>
        {failure !== null && <ErrorNotice error={failure} />}
        {radios('householdKind', d.householdKind, ['registered', 'new'], d.kinds, kind, (v) => setKind(v as 'registered' | 'new'))}
        {kind === 'registered' ? (
          <Field id="discover-householdId" name="householdId" label={d.householdId} hint={me?.role === 'party_member' ? d.householdIdHintMember : d.householdIdHint} issues={issues}>
            {(aria) => (
              <>
                <input type="text" {...aria} autocomplete="off" list="discover-households" value={f.householdId} onInput={set('householdId')} />
                <datalist id="discover-households" data-testid="discover-households">
                  {pickable.map((o) => (
                    <option key={o.id} value={o.id}>
                      {o.label}
                    </option>
                  ))}
                </datalist>
              </>
            )}
          </Field>
        ) : (
          <>
            {/* The API names a new household's fields `body.newHousehold.<field>`: each message goes next to its own field. */}
            <div data-field="newHousehold">
              <Field id="discover-name" name="name" label={d.name} issues={within(issues, 'newHousehold', 'name')}>
                {(aria) => <input type="text" {...aria} autocomplete="off" value={f.name} onInput={set('name')} />}
              </Field>
              <Field id="discover-address" name="address" label={d.address} issues={within(issues, 'newHousehold', 'address')}>
                {(aria) => <input type="text" {...aria} autocomplete="off" value={f.address} onInput={set('address')} />}
              </Field>
              <Field id="discover-phone" name="phone" label={d.phone} issues={within(issues, 'newHousehold', 'phone')}>
                {(aria) => <input type="tel" {...aria} autocomplete="off" inputMode="tel" value={f.phone} onInput={set('phone')} />}
              </Field>
            </div>
            <Field id="discover-villageCode" name="villageCode" label={d.villageCode} hint={d.villageCodeHint} issues={issues}>
              {(aria) => <input type="text" {...aria} inputMode="numeric" autocomplete="off" value={f.villageCode} onInput={set('villageCode')} />}
            </Field>
          </>
        )}
        {radios('focusGroup', d.focusGroup, FOCUS_GROUPS, d.focusGroups, f.focusGroup, (v) => setF({ ...f, focusGroup: v }))}
        <Field id="discover-situation" name="situation" label={d.situation} hint={d.situationHint} issues={issues}>
          {(aria) => <textarea {...aria} rows={4} value={f.situation} onInput={set('situation')} />}
        </Field>
        {radios('urgency', d.urgency, URGENCIES, d.urgencies, f.urgency, (v) => setF({ ...f, urgency: v }))}
        <div class="actions">
          <button type="submit" class="btn btn-primary btn-big" disabled={busy}>
            {busy ? t.common.saving : d.submit}
          </button>
        </div>
      </form>
    </section>
  );
}

/** What a decided row says: the outcome and the case it led to. */
function Outcome(props: { row: DiscoveryRow }) {
  const { t } = useApp();
  const dec = props.row.decision;
  if (!dec) return <span class="muted">{t.discovery.statuses.open}</span>;
  return (
    <span data-testid="discovery-outcome">
      {t.discovery.outcomes[dec.outcome] ?? dec.outcome}
      {dec.level ? `（${t.levels[dec.level] ?? dec.level}）` : ''}
      {dec.referredTo ? `：${dec.referredTo}` : ''}
      {dec.caseId && (
        <>
          {' '}
          <Link to={`/cases/${encodeURIComponent(dec.caseId)}`} aria-label={`${t.discovery.outcomeCase} ${dec.caseId}`}>
            {dec.caseId}
          </Link>
        </>
      )}
    </span>
  );
}

/**
 * A report's urgency with the policy's assessment time, as its own deadline says (dueAt − reportedAt: whole days
 * from 48 h when a multiple of 24 h, else hours) — not fixed text, so a city's POLICY_FILE shows as it is set.
 */
function urgencyLabel(t: ReturnType<typeof useApp>['t'], r: DiscoveryRow): string {
  const ms = r.dueAt ? Date.parse(r.dueAt) - Date.parse(r.reportedAt) : NaN;
  if (!Number.isFinite(ms) || ms <= 0) return t.discovery.urgencies[r.urgency] ?? r.urgency;
  const hours = Math.round(ms / 3_600_000);
  return hours >= 48 && hours % 24 === 0 ? t.discovery.urgencyWithin(r.urgency, hours / 24, 'days') : t.discovery.urgencyWithin(r.urgency, hours, 'hours');
}

/** One discovery as a card (phone-first: a list of cards, not a wide table). */
function Card(props: { row: DiscoveryRow; children?: ComponentChildren }) {
  const { t, lang } = useApp();
  const r = props.row;
  return (
    <li class={`card discovery-card${r.urgency === 'urgent' ? ' urgent' : ''}`} data-case={r.caseId}>
      <p class="card-head">
        <strong>{t.discovery.focusGroups[r.focusGroup] ?? r.focusGroup}</strong> · {urgencyLabel(t, r)} · {r.village.name}
      </p>
      <p data-testid="discovery-household">
        {r.household ? `${r.household.headName} · ${r.household.address}` : (r.householdId ?? '')}
        {r.newHousehold ? ` ${t.discovery.newHousehold}` : ''}
      </p>
      <p class="situation">{r.situation}</p>
      <p class="muted">
        {t.discovery.reportedAt(fmtTime(lang, r.reportedAt))}
        {r.status === 'open' && r.dueAt ? ` · ${t.discovery.due(fmtTime(lang, r.dueAt))}` : ''}
        {r.status === 'open' && r.overdue ? ` · ${t.discovery.overdue}` : ''}
      </p>
      <p>
        <Outcome row={r} /> <Link to={`/cases/${encodeURIComponent(r.caseId)}`}>{t.common.openCase}</Link>
      </p>
      {props.children}
    </li>
  );
}

function useRows(url: string): { rows: DiscoveryRow[] | null; error: unknown; reload: () => Promise<void> } {
  const [rows, setRows] = useState<DiscoveryRow[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const reload = async () => {
    try {
      setRows((await api.get<{ items: DiscoveryRow[] }>(url)).items);
      setError(null);
    } catch (err) {
      setError(err);
    }
  };
  useEffect(() => {
    void reload();
  }, [url]);
  return { rows, error, reload };
}

/** 我的上报: the caller's reports with their outcomes, a page at a time (a keyset list: 加载更多 follows `nextCursor`). */
export function MyDiscoveries() {
  const { t } = useApp();
  const [rows, setRows] = useState<DiscoveryRow[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = async (after: string | null) => {
    try {
      const page = await api.get<{ items: DiscoveryRow[]; nextCursor: string | null }>(`/v1/discoveries/mine${qs({ cursor: after ?? undefined })}`);
      setRows((rs) => (after && rs ? [...rs, ...page.items] : page.items));
      setCursor(page.nextCursor);
      setError(null);
    } catch (err) {
      setError(err);
    }
  };
  useEffect(() => {
    void load(null);
  }, []);
  return (
    <section aria-labelledby="page-title" class="discovery">
      <PageTitle>{t.discovery.mineTitle}</PageTitle>
      <p class="muted">{t.discovery.mineIntro}</p>
      {error !== null && <ErrorNotice error={error} onRetry={() => void load(null)} />}
      {rows === null && error === null ? <Loading /> : rows && rows.length === 0 ? <p class="muted">{t.discovery.mineEmpty}</p> : null}
      {rows && rows.length > 0 && (
        <ul class="cards" data-testid="my-discoveries">
          {rows.map((r) => (
            <Card key={r.caseId} row={r} />
          ))}
        </ul>
      )}
      {cursor && (
        <div class="actions">
          <button type="button" class="btn" onClick={() => void load(cursor)}>
            {t.common.loadMore}
          </button>
        </div>
      )}
    </section>
  );
}

/** 发现待研判: the town's queue, each with its decision form. */
export function DiscoveryQueue() {
  const { t } = useApp();
  const { rows, error, reload } = useRows(`/v1/discoveries${qs({ status: 'open' })}`);
  const [open, setOpen] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  return (
    <section aria-labelledby="page-title" class="discovery">
      <PageTitle>{t.discovery.queueTitle}</PageTitle>
      <p class="muted">{t.discovery.queueIntro}</p>
      {message && (
        <p role="status" class="notice" data-testid="discovery-decided">
          {message}
        </p>
      )}
      {error !== null && <ErrorNotice error={error} onRetry={() => void reload()} />}
      {rows === null && error === null ? <Loading /> : rows && rows.length === 0 ? <p class="muted">{t.discovery.queueEmpty}</p> : null}
      {rows && rows.length > 0 && (
        <ul class="cards" data-testid="discovery-queue">
          {rows.map((r) => (
            <Card key={r.caseId} row={r}>
              {open === r.caseId ? (
                <DecideForm
                  row={r}
                  onCancel={() => setOpen(null)}
                  onDone={(outcome) => {
                    setOpen(null);
                    setMessage(t.discovery.decided(t.discovery.outcomes[outcome] ?? outcome));
                    void reload();
                  }}
                />
              ) : (
                <button type="button" class="btn btn-primary btn-big" onClick={() => setOpen(r.caseId)}>
                  {t.discovery.decideLegend(householdNameOf(t, r))}
                </button>
              )}
            </Card>
          ))}
        </ul>
      )}
    </section>
  );
}

/** The town's decision on one discovery: the outcome and what it needs. */
function DecideForm(props: { row: DiscoveryRow; onDone: (outcome: string) => void; onCancel: () => void }) {
  const { t } = useApp();
  const d = t.discovery;
  const id = (f: string) => `decide-${props.row.caseId}-${f}`;
  const [outcome, setOutcome] = useState('');
  const [f, setF] = useState({ level: 'red', category: '', labourCapacity: 'labour_capacity', referredTo: '', reason: '', note: '', householdId: '' });
  const { issues, failure, busy, run } = useSubmission();
  const set = (k: keyof typeof f) => (e: Event) => setF({ ...f, [k]: (e.currentTarget as HTMLInputElement).value });

  const submit = async (e: Event) => {
    e.preventDefault();
    const household = f.householdId.trim() ? { householdId: f.householdId.trim() } : {};
    const note = f.note.trim() ? { note: f.note } : {};
    const body =
      outcome === 'alert'
        ? { outcome, level: f.level, ...household, ...note }
        : outcome === 'application'
          ? { outcome, labourCapacity: f.labourCapacity, ...(f.category.trim() ? { category: f.category.trim() } : {}), ...household, ...note }
          : outcome === 'referral'
            ? { outcome, referredTo: f.referredTo, ...note }
            : outcome === 'no_action'
              ? { outcome, reason: f.reason }
              : {};
    const done = await run(e.currentTarget as HTMLFormElement, () => api.post<{ caseId: string }>(`/v1/discoveries/${encodeURIComponent(props.row.caseId)}/decide`, body));
    if (done) props.onDone(outcome);
  };

  const outcomeErrors = (issues.get('outcome') ?? []).map((i) => issueMessage(t, 'outcome', i));
  return (
    <form class="form decide-form" noValidate onSubmit={submit} aria-labelledby={id('legend')}>
      <h3 id={id('legend')}>{d.decideLegend(householdNameOf(t, props.row))}</h3>
      {failure !== null && <ErrorNotice error={failure} />}
      <fieldset class={`field${outcomeErrors.length ? ' has-error' : ''}`} data-field="outcome">
        <legend>{d.outcome}</legend>
        <div class="choices choices-big">
          {OUTCOMES.map((o) => (
            <label key={o} class="choice">
              <input type="radio" name={id('outcome')} value={o} checked={outcome === o} onChange={() => setOutcome(o)} />
              {d.outcomes[o]}
            </label>
          ))}
        </div>
        {outcomeErrors.length > 0 && <p class="field-error">{outcomeErrors.join('；')}</p>}
      </fieldset>
      {(outcome === 'alert' || outcome === 'application') && (
        <Field id={id('householdId')} name="householdId" label={d.decideHouseholdId} hint={props.row.newHousehold ? d.decideHouseholdHint : undefined} issues={issues}>
          {(aria) => <input type="text" {...aria} autocomplete="off" placeholder={props.row.householdId ?? ''} value={f.householdId} onInput={set('householdId')} />}
        </Field>
      )}
      {outcome === 'alert' && (
        <Field id={id('level')} name="level" label={d.level} issues={issues}>
          {(aria) => (
            <select {...aria} value={f.level} onChange={set('level')}>
              {LEVELS.map((l) => (
                <option key={l} value={l}>
                  {t.levels[l] ?? l}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      {outcome === 'application' && (
        <>
          <Field id={id('category')} name="category" label={d.category} hint={d.categoryHint} issues={issues}>
            {(aria) => <input type="text" {...aria} autocomplete="off" value={f.category} onInput={set('category')} />}
          </Field>
          <Field id={id('labourCapacity')} name="labourCapacity" label={d.labourCapacity} issues={issues}>
            {(aria) => (
              <select {...aria} value={f.labourCapacity} onChange={set('labourCapacity')}>
                {LABOUR.map((l) => (
                  <option key={l} value={l}>
                    {d.labourCapacities[l]}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </>
      )}
      {outcome === 'referral' && (
        <Field id={id('referredTo')} name="referredTo" label={d.referredTo} issues={issues}>
          {(aria) => <input type="text" {...aria} autocomplete="off" value={f.referredTo} onInput={set('referredTo')} />}
        </Field>
      )}
      {outcome === 'no_action' && (
        <Field id={id('reason')} name="reason" label={d.reason} issues={issues}>
          {(aria) => <textarea {...aria} rows={3} value={f.reason} onInput={set('reason')} />}
        </Field>
      )}
      {outcome && outcome !== 'no_action' && (
        <Field id={id('note')} name="note" label={d.note} issues={issues}>
          {(aria) => <textarea {...aria} rows={2} value={f.note} onInput={set('note')} />}
        </Field>
      )}
      <div class="actions">
        <button type="submit" class="btn btn-primary btn-big" disabled={busy}>
          {busy ? t.common.saving : d.decideSubmit}
        </button>
        <button type="button" class="btn btn-big" onClick={props.onCancel}>
          {t.common.cancel}
        </button>
      </div>
    </form>
  );
}
