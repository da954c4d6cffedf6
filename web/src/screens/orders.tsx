import { useEffect, useState } from 'preact/hooks';
import { api, qs, type CaseView, type Page, type UnitRef } from '../api';
import { Field, useSubmission } from '../components/forms';
import { PrintLink } from '../components/print-link';
import { ErrorNotice, Link, Loading, PageTitle, TableHead } from '../components/ui';
import { deadlineLabel, fmtTime } from '../i18n';
import { may, useApp } from '../state';

// Supervision orders (督办单), summons (约谈) and circulars (通报) — issue 12 items 4 and 5. The rules are the
// API's (domain/order.ts, api/routes/orders.ts, api/routes/supervision.ts): forms send what was entered and
// show the API's message beside each field.

interface OrderRow {
  caseId: string;
  status: 'open' | 'closed';
  stage: string | null;
  unit: UnitRef;
  dueAt: string | null;
  overdue: boolean;
  rung: number;
  escalatedTo: UnitRef | null;
}

interface OrderReply {
  text: string;
  evidence: string | null;
  attachments: string[];
  at: string;
  by: { userId: string; role: string; unitCode: string };
  decision: { outcome: 'accepted' | 'returned'; at: string; note?: string; reason?: string; replyBy: string | null } | null;
}

export interface OrderView extends CaseView {
  stage: string;
  issuer: { unit: UnitRef; userId: string; role: string };
  targetCaseId: string | null;
  requirement: string;
  replyBy: string;
  origin: { kind: string; id: string } | null;
  linkedCaseIds: string[];
  replies: OrderReply[];
}

/** A client key for an idempotent issue: a retried submit names the same order. */
const newKey = () => `w${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
/** yyyy-MM-ddTHH:mm in the device's time, `days` from now, for <input type="datetime-local">. */
function localIn(days: number): string {
  const d = new Date(Date.now() + days * 86_400_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
const isoOf = (local: string) => {
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? local : d.toISOString();
};
const list = (text: string) =>
  text
    .split(/[,，、;；\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);

/** The issue form: on a case (`caseId`) or on a unit below the caller's. */
export function IssueOrderForm(props: { caseId?: string; onDone: (view: OrderView) => void }) {
  const { t } = useApp();
  const id = (f: string) => `order-issue-${f}`;
  const [key] = useState(newKey);
  const [unitCode, setUnitCode] = useState('');
  const [requirement, setRequirement] = useState('');
  const [replyBy, setReplyBy] = useState(() => localIn(3));
  const { issues, failure, busy, run } = useSubmission();
  const submit = async (e: Event) => {
    e.preventDefault();
    const body = { key, ...(props.caseId ? { caseId: props.caseId } : {}), ...(unitCode ? { unitCode } : {}), requirement, replyBy: isoOf(replyBy) };
    const view = await run(e.currentTarget as HTMLFormElement, () => api.post<OrderView>('/v1/orders', body));
    if (view) props.onDone(view);
  };
  return (
    <form class="form" noValidate onSubmit={submit} aria-labelledby={id('legend')}>
      <h3 id={id('legend')}>{props.caseId ? t.orders.issueOnCase : t.orders.issue}</h3>
      {failure !== null && <ErrorNotice error={failure} />}
      <Field id={id('unit')} name={props.caseId ? 'unitCode' : 'caseId'} label={t.orders.unitCode} hint={t.orders.unitHint} issues={issues}>
        {(aria) => <input type="text" {...aria} inputMode="numeric" autocomplete="off" value={unitCode} onInput={(e) => setUnitCode(e.currentTarget.value.trim())} />}
      </Field>
      <Field id={id('requirement')} name="requirement" label={t.orders.requirement} issues={issues}>
        {(aria) => <textarea {...aria} rows={3} value={requirement} onInput={(e) => setRequirement(e.currentTarget.value)} />}
      </Field>
      <Field id={id('replyBy')} name="replyBy" label={t.orders.replyBy} issues={issues}>
        {(aria) => <input type="datetime-local" {...aria} value={replyBy} onInput={(e) => setReplyBy(e.currentTarget.value)} />}
      </Field>
      <div class="actions">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? t.common.saving : t.orders.issue}
        </button>
      </div>
    </form>
  );
}

function OrderTable(props: { rows: OrderRow[] }) {
  const { t, lang } = useApp();
  if (props.rows.length === 0) return <p class="muted">{t.orders.none}</p>;
  return (
    <table class="rows compact">
      <TableHead cols={[t.orders.cols.order, t.orders.cols.unit, t.orders.cols.stage, t.orders.cols.due]} />
      <tbody>
        {props.rows.map((r) => (
          <tr key={r.caseId} class={r.overdue ? 'overdue' : undefined}>
            <th scope="row" data-label={t.orders.cols.order}>
              <Link to={`/cases/${encodeURIComponent(r.caseId)}`}>{r.caseId}</Link>
            </th>
            <td data-label={t.orders.cols.unit}>{r.unit.name}</td>
            <td data-label={t.orders.cols.stage}>{t.orders.stages[r.stage ?? ''] ?? r.stage}</td>
            <td data-label={t.orders.cols.due}>
              {fmtTime(lang, r.dueAt)} {r.overdue && <span class="status status-overdue">{t.orders.overdue}</span>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** `/orders`: the unit's orders to answer (待反馈) and those it issued (with only the overdue ones on demand); the issue form. */
export function OrdersPage() {
  const { t, me } = useApp();
  const [received, setReceived] = useState<OrderRow[] | null>(null);
  const [issued, setIssued] = useState<OrderRow[] | null>(null);
  const [overdueOnly, setOverdueOnly] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const unit = me?.unit.code;
  const load = async () => {
    if (!unit) return;
    try {
      const base = `/v1/units/${encodeURIComponent(unit)}/orders`;
      const [r, i] = await Promise.all([
        api.get<Page<OrderRow>>(`${base}${qs({ direction: 'received', status: 'open', limit: 200 })}`),
        api.get<Page<OrderRow>>(`${base}${qs({ direction: 'issued', overdue: overdueOnly ? 'true' : undefined, limit: 200 })}`),
      ]);
      setReceived(r.items);
      setIssued(i.items);
      setError(null);
    } catch (err) {
      setError(err);
    }
  };
  useEffect(() => void load(), [unit, overdueOnly]);
  return (
    <section aria-labelledby="page-title">
      <PageTitle>{t.orders.title}</PageTitle>
      {error !== null && <ErrorNotice error={error} onRetry={load} />}
      <section aria-labelledby="h-received">
        <h2 id="h-received">{t.orders.received}</h2>
        {received ? <OrderTable rows={received} /> : <Loading />}
      </section>
      {may(me, 'order', 'issue') && (
        <>
          <section aria-labelledby="h-issued">
            <h2 id="h-issued">{t.orders.issued}</h2>
            <label class="choice">
              <input type="checkbox" checked={overdueOnly} onChange={(e) => setOverdueOnly(e.currentTarget.checked)} /> {t.orders.overdue}
            </label>
            {issued ? <OrderTable rows={issued} /> : <Loading />}
          </section>
          <IssueOrderForm onDone={() => void load()} />
        </>
      )}
    </section>
  );
}

/** On a case's page: the orders on it the caller may read, and the issue form for those who issue. */
export function CaseOrders(props: { caseId: string }) {
  const { t, lang, me } = useApp();
  const [orders, setOrders] = useState<OrderView[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = () =>
    api.get<{ items: OrderView[] }>(`/v1/cases/${encodeURIComponent(props.caseId)}/orders`).then(
      (r) => setOrders(r.items),
      (err: unknown) => setError(err),
    );
  useEffect(() => void load(), [props.caseId]);
  return (
    <section aria-labelledby="h-orders">
      <h2 id="h-orders">{t.orders.onCase}</h2>
      {error !== null && <ErrorNotice error={error} />}
      {orders === null ? (
        <Loading />
      ) : orders.length === 0 ? (
        <p class="muted">{t.orders.none}</p>
      ) : (
        <ul class="plain">
          {orders.map((o) => (
            <li key={o.caseId}>
              <Link to={`/cases/${encodeURIComponent(o.caseId)}`}>{o.caseId}</Link> · {o.unit.name} · {t.orders.stages[o.stage] ?? o.stage} · {t.orders.replyBy} {fmtTime(lang, o.replyBy)}
            </li>
          ))}
        </ul>
      )}
      {may(me, 'order', 'issue') && <IssueOrderForm caseId={props.caseId} onDone={() => void load()} />}
    </section>
  );
}

/** On an order's page (the case page of kind `order`): the requirement, the replies and decisions, and the step forms. */
export function OrderPanel(props: { view: OrderView; reload: () => Promise<void> }) {
  const { t, lang, me } = useApp();
  const v = props.view;
  const open = v.status === 'open';
  const mine = me?.unit.code === v.unit.code || me?.role === 'admin';
  const issuer = me?.unit.code === v.issuer.unit.code || me?.role === 'admin';
  return (
    <section aria-labelledby="h-order">
      <h2 id="h-order">{t.orders.title}</h2>
      <dl class="summary card">
        <div>
          <dt>{t.orders.issuer}</dt>
          <dd>{v.issuer.unit.name}</dd>
        </div>
        <div>
          <dt>{t.orders.target}</dt>
          <dd>{v.targetCaseId ? <Link to={`/cases/${encodeURIComponent(v.targetCaseId)}`}>{v.targetCaseId}</Link> : v.unit.name}</dd>
        </div>
        {v.origin && (
          <div>
            <dt>{t.orders.cols.stage}</dt>
            <dd>{t.orders.origin(v.origin.kind, v.origin.id)}</dd>
          </div>
        )}
        <div>
          <dt>{t.orders.cols.stage}</dt>
          <dd>{t.orders.stages[v.stage] ?? v.stage}</dd>
        </div>
        <div>
          <dt>{t.orders.requirement}</dt>
          <dd class="prewrap">{v.requirement}</dd>
        </div>
        <div>
          <dt>{t.orders.replyBy}</dt>
          <dd>
            {fmtTime(lang, v.replyBy)} {v.due && `· ${deadlineLabel(t, v.due.kind, v.due.label)}`}
          </dd>
        </div>
      </dl>
      <h3>{t.orders.replies}</h3>
      {v.replies.length === 0 ? (
        <p class="muted">{t.orders.none}</p>
      ) : (
        <ol>
          {v.replies.map((r, i) => (
            <li key={i}>
              <p class="prewrap">{r.text}</p>
              {r.evidence && <p class="muted prewrap">{r.evidence}</p>}
              {r.attachments.length > 0 && <p class="muted small mono">{r.attachments.join(t.listSeparator)}</p>}
              <p class="muted small">{fmtTime(lang, r.at)}</p>
              {r.decision && (
                <p>
                  {t.orders.decided[r.decision.outcome]} · {fmtTime(lang, r.decision.at)} {r.decision.note ?? r.decision.reason ?? ''}
                </p>
              )}
            </li>
          ))}
        </ol>
      )}
      {open && mine && may(me, 'order', 'reply') && (v.stage === 'issued' || v.stage === 'returned') && <ReplyForm id={v.caseId} reload={props.reload} />}
      {open && issuer && v.stage === 'replied' && may(me, 'order', 'accept') && <DecideForms id={v.caseId} reload={props.reload} />}
    </section>
  );
}

function ReplyForm(props: { id: string; reload: () => Promise<void> }) {
  const { t } = useApp();
  const id = (f: string) => `order-reply-${f}`;
  const [text, setText] = useState('');
  const [evidence, setEvidence] = useState('');
  const [attachments, setAttachments] = useState('');
  const { issues, failure, busy, run } = useSubmission();
  const submit = async (e: Event) => {
    e.preventDefault();
    const body = { text, ...(evidence ? { evidence } : {}), ...(attachments ? { attachments: list(attachments) } : {}) };
    if (await run(e.currentTarget as HTMLFormElement, () => api.post(`/v1/orders/${encodeURIComponent(props.id)}/reply`, body))) await props.reload();
  };
  return (
    <form class="form" noValidate onSubmit={submit} aria-labelledby={id('legend')}>
      <h3 id={id('legend')}>{t.orders.reply}</h3>
      {failure !== null && <ErrorNotice error={failure} />}
      <Field id={id('text')} name="text" label={t.orders.replyText} issues={issues}>
        {(aria) => <textarea {...aria} rows={3} value={text} onInput={(e) => setText(e.currentTarget.value)} />}
      </Field>
      <Field id={id('evidence')} name="evidence" label={t.orders.evidence} issues={issues}>
        {(aria) => <textarea {...aria} rows={2} value={evidence} onInput={(e) => setEvidence(e.currentTarget.value)} />}
      </Field>
      <Field id={id('attachments')} name="attachments" label={t.orders.attachments} hint={t.orders.attachmentsHint} issues={issues}>
        {(aria) => <input type="text" {...aria} value={attachments} onInput={(e) => setAttachments(e.currentTarget.value)} />}
      </Field>
      <div class="actions">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? t.common.saving : t.orders.reply}
        </button>
      </div>
    </form>
  );
}

function DecideForms(props: { id: string; reload: () => Promise<void> }) {
  const { t } = useApp();
  const id = (f: string) => `order-decide-${f}`;
  const [note, setNote] = useState('');
  const [reason, setReason] = useState('');
  const [replyBy, setReplyBy] = useState(() => localIn(2));
  const accept = useSubmission();
  const back = useSubmission();
  const url = (step: string) => `/v1/orders/${encodeURIComponent(props.id)}/${step}`;
  return (
    <>
      <form
        class="form"
        noValidate
        aria-labelledby={id('accept')}
        onSubmit={async (e) => {
          e.preventDefault();
          if (await accept.run(e.currentTarget, () => api.post(url('accept'), note ? { note } : {}))) await props.reload();
        }}
      >
        <h3 id={id('accept')}>{t.orders.accept}</h3>
        {accept.failure !== null && <ErrorNotice error={accept.failure} />}
        <Field id={id('note')} name="note" label={t.orders.note} issues={accept.issues}>
          {(aria) => <input type="text" {...aria} value={note} onInput={(e) => setNote(e.currentTarget.value)} />}
        </Field>
        <div class="actions">
          <button type="submit" class="btn btn-primary" disabled={accept.busy}>
            {t.orders.accept}
          </button>
        </div>
      </form>
      <form
        class="form"
        noValidate
        aria-labelledby={id('back')}
        onSubmit={async (e) => {
          e.preventDefault();
          if (await back.run(e.currentTarget, () => api.post(url('return'), { reason, replyBy: isoOf(replyBy) }))) await props.reload();
        }}
      >
        <h3 id={id('back')}>{t.orders.sendBack}</h3>
        {back.failure !== null && <ErrorNotice error={back.failure} />}
        <Field id={id('reason')} name="reason" label={t.orders.reason} issues={back.issues}>
          {(aria) => <textarea {...aria} rows={2} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />}
        </Field>
        <Field id={id('replyBy')} name="replyBy" label={t.orders.newReplyBy} issues={back.issues}>
          {(aria) => <input type="datetime-local" {...aria} value={replyBy} onInput={(e) => setReplyBy(e.currentTarget.value)} />}
        </Field>
        <div class="actions">
          <button type="submit" class="btn" disabled={back.busy}>
            {t.orders.sendBack}
          </button>
        </div>
      </form>
    </>
  );
}

interface SupervisionRecord {
  id: string;
  kind: 'summons' | 'circular';
  units: UnitRef[];
  reason: string;
  linkedCaseIds: string[];
  figures: Array<{ unitCode: string; unitName: string; due: number; onTime: number; late: number; unhandled: number; openOverdue: number; overdueClosed?: number; escalations: number }>;
  actions: Array<{ unitCode: string; requirement: string; replyBy: string; orderId: string }>;
  createdAt: string;
}

/** `/supervision`: the city's summons and circulars, and the forms to record them (the city monitor). */
export function SupervisionPage() {
  const { t, me } = useApp();
  return (
    <section aria-labelledby="page-title">
      <PageTitle>{t.orders.supervision}</PageTitle>
      {(['summons', 'circular'] as const).map((kind) => (
        <RecordList key={kind} kind={kind} canRecord={may(me, kind, 'record')} />
      ))}
    </section>
  );
}

function RecordList(props: { kind: 'summons' | 'circular'; canRecord: boolean }) {
  const { t, lang } = useApp();
  const base = props.kind === 'summons' ? '/v1/summonses' : '/v1/circulars';
  const [items, setItems] = useState<SupervisionRecord[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = () =>
    api.get<Page<SupervisionRecord>>(`${base}${qs({ limit: 200 })}`).then(
      (r) => setItems(r.items),
      (err: unknown) => setError(err),
    );
  useEffect(() => void load(), [base]);
  // Arriving from the inbox (a summons' or circular's notice links `/supervision#record-<id>`): show that record.
  useEffect(() => {
    if (items && location.hash.startsWith('#record-')) document.getElementById(decodeURIComponent(location.hash.slice(1)))?.scrollIntoView();
  }, [items]);
  const c = t.orders.figureCols;
  return (
    <section aria-labelledby={`h-${props.kind}`}>
      <h2 id={`h-${props.kind}`}>{props.kind === 'summons' ? t.orders.summonses : t.orders.circulars}</h2>
      {error !== null && <ErrorNotice error={error} />}
      {items === null ? (
        <Loading />
      ) : items.length === 0 ? (
        <p class="muted">{t.orders.none}</p>
      ) : (
        items.map((r) => (
          <article key={r.id} id={`record-${r.id}`} class="card">
            <h3 class="mono">{r.id}</h3>
            <p class="muted small">{t.orders.created(fmtTime(lang, r.createdAt))}</p>
            <p>{r.units.map((u) => u.name).join(t.listSeparator)}</p>
            <p class="prewrap">{r.reason}</p>
            <table class="rows compact">
              <caption>{t.orders.figures}</caption>
              <thead>
                <tr>
                  {[c.unit, c.due, c.onTime, c.late, c.unhandled, c.openOverdue, c.overdueClosed, c.escalations].map((h) => (
                    <th key={h} scope="col">
                      {h}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {r.figures.map((f) => (
                  <tr key={f.unitCode}>
                    <th scope="row">{f.unitName}</th>
                    <td>{f.due}</td>
                    <td>{f.onTime}</td>
                    <td>{f.late}</td>
                    <td>{f.unhandled}</td>
                    <td>{f.openOverdue}</td>
                    <td>{f.overdueClosed ?? '—'}</td>
                    <td>{f.escalations}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {r.actions.length > 0 && (
              <ul>
                {r.actions.map((a) => (
                  <li key={a.orderId}>
                    <Link to={`/cases/${encodeURIComponent(a.orderId)}`}>{a.orderId}</Link> · {a.requirement}
                  </li>
                ))}
              </ul>
            )}
            {r.kind === 'circular' && <PrintLink id={r.id} label={t.orders.print} />}
          </article>
        ))
      )}
      {props.canRecord && <RecordForm kind={props.kind} onDone={() => void load()} />}
    </section>
  );
}

function RecordForm(props: { kind: 'summons' | 'circular'; onDone: () => void }) {
  const { t } = useApp();
  const id = (f: string) => `${props.kind}-record-${f}`;
  const [key, setKey] = useState(newKey);
  const [units, setUnits] = useState('');
  const [reason, setReason] = useState('');
  const [cases, setCases] = useState('');
  const [requirement, setRequirement] = useState('');
  const [replyBy, setReplyBy] = useState(() => localIn(7));
  const { issues, failure, busy, run } = useSubmission();
  const submit = async (e: Event) => {
    e.preventDefault();
    const unitCodes = list(units);
    const body = {
      key,
      unitCodes,
      reason,
      ...(cases ? { linkedCaseIds: list(cases) } : {}),
      ...(requirement ? { actions: unitCodes.map((unitCode) => ({ unitCode, requirement, replyBy: isoOf(replyBy) })) } : {}),
    };
    const done = await run(e.currentTarget as HTMLFormElement, () => api.post(props.kind === 'summons' ? '/v1/summonses' : '/v1/circulars', body));
    if (done) {
      setKey(newKey());
      props.onDone();
    }
  };
  return (
    <form class="form" noValidate onSubmit={submit} aria-labelledby={id('legend')}>
      <h3 id={id('legend')}>{t.orders.record(props.kind)}</h3>
      {failure !== null && <ErrorNotice error={failure} />}
      <Field id={id('units')} name="unitCodes" label={t.orders.units} hint={t.orders.unitsHint} issues={issues}>
        {(aria) => <input type="text" {...aria} value={units} onInput={(e) => setUnits(e.currentTarget.value)} />}
      </Field>
      <Field id={id('reason')} name="reason" label={t.orders.reason} issues={issues}>
        {(aria) => <textarea {...aria} rows={3} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />}
      </Field>
      <Field id={id('cases')} name="linkedCaseIds" label={t.orders.linkedCases} issues={issues}>
        {(aria) => <input type="text" {...aria} value={cases} onInput={(e) => setCases(e.currentTarget.value)} />}
      </Field>
      <Field id={id('requirement')} name="actions" label={t.orders.actionRequirement} issues={issues}>
        {(aria) => <textarea {...aria} rows={2} value={requirement} onInput={(e) => setRequirement(e.currentTarget.value)} />}
      </Field>
      <Field id={id('replyBy')} name="actionsReplyBy" label={t.orders.actionReplyBy} issues={issues}>
        {(aria) => <input type="datetime-local" {...aria} value={replyBy} onInput={(e) => setReplyBy(e.currentTarget.value)} />}
      </Field>
      <div class="actions">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? t.common.saving : t.orders.record(props.kind)}
        </button>
      </div>
    </form>
  );
}
