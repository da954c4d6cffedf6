import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, type CaseHistory, type CaseView } from '../api';
import { requestText } from './approvals';
import { Field, SelectField, SendForm, SubmitButtons, useSubmission, VisitForm } from '../components/forms';
import { useStepPanel } from '../components/lifecycle';
import { Detail, ErrorNotice, LevelBadge, Link, ProvisionalBadge, Loading, PageError, PageTitle, PhoneLink, TableHead, usePageData } from '../components/ui';
import { deadlineLabel, fmtDuration, fmtTime, type Lang, type Messages } from '../i18n';
import { may, useApp } from '../state';
import { CaseOrders, OrderPanel, type OrderView } from './orders';
import { IntakeSummary } from './intakes';
import { ReportSteps } from './reports';
import { WishSteps } from './wishes';
import { ApplicationSteps } from './applications';
import { useVisitorText } from '../i18n-visitor';

/**
 * The roles shown the link to the case's workflow in the Temporal UI: those who can use it (district and
 * above, the admin: the Temporal UI is an operator's tool on the internal network, not a village phone's;
 * fresh-eyes on issue 14). Source: ours.
 */
const TEMPORAL_ROLES: readonly string[] = ['district_staff', 'city_monitor', 'admin'];

/** Kinds whose steps have a panel of their own on this page (issue 14 item 3); the alert's are below (`Actions`). */
const KIND_STEPS: Record<string, ComponentType<{ view: CaseView; reload: () => Promise<void> }>> = { wish: WishSteps, report: ReportSteps, application: ApplicationSteps };

interface Household {
  headName: string;
  address: string;
  phone?: string;
}

export function CasePage(props: { id: string }) {
  const { t } = useApp();
  const { data, error, reload } = usePageData(async () => {
    const path = `/v1/cases/${encodeURIComponent(props.id)}`;
    const [view, history] = await Promise.all([api.get<CaseView>(path), api.get<CaseHistory>(`${path}/escalations`)]);
    // The household register masks names and addresses for roles below town level, as the lists do.
    const household = view.householdId ? await api.get<Household>(`/v1/households/${encodeURIComponent(view.householdId)}`).catch(() => null) : null;
    return { view, history, household };
  }, [props.id]);

  if (error !== null) return <PageError title={t.caseView.pageTitle} error={error} />;
  if (!data) return <Loading />;
  return <CaseDetail {...data} reload={reload} />;
}

function CaseDetail(props: { view: CaseView; history: CaseHistory; household: Household | null; reload: () => Promise<void> }) {
  const { t, lang, me } = useApp();
  const { view, history, household } = props;
  const now = Date.now();

  // Unit names by code, from everything this page knows, for the events that carry codes only.
  const names = new Map<string, string>();
  names.set(view.unit.code, view.unit.name);
  for (const e of view.escalations ?? []) {
    names.set(e.from.code, e.from.name);
    names.set(e.to.code, e.to.name);
  }
  for (const u of me?.path ?? []) names.set(u.code, u.name);
  const unitName = (code: string) => names.get(code) ?? code;

  const Steps = KIND_STEPS[view.kind];
  const title = t.caseView.title(t.kinds[view.kind] ?? view.kind, view.level ? (t.levels[view.level] ?? view.level) : '');

  return (
    <article aria-labelledby="page-title" class="case">
      <PageTitle>{title}</PageTitle>
      <p class="case-meta">
        <span class={`badge status-badge status-${view.status}`}>{t.caseView.status[view.status]}</span> <LevelBadge level={view.level} />{' '}
        <span class="muted small mono">{view.caseId}</span>
      </p>

      <dl class="summary card">
        <Detail term={t.caseView.household}>
          {household ? `${household.headName} · ${household.address}` : (view.householdId ?? t.common.none)}
          {view.householdId && (
            <>
              {' '}
              <Link to={`/households/${encodeURIComponent(view.householdId)}`}>{t.caseView.householdPage}</Link>
            </>
          )}
        </Detail>
        {household?.phone && (
          <Detail term={t.caseView.phone}>
            <PhoneLink phone={household.phone} label={t.caseView.phone} />
          </Detail>
        )}
        <Detail term={t.caseView.unit}>{view.unit.name}</Detail>
        {view.openedAt && <Detail term={t.caseView.opened}>{fmtTime(lang, view.openedAt)}</Detail>}
        {view.reasons && view.reasons.length > 0 && <Detail term={t.caseView.reasons}>{view.reasons.join(t.listSeparator)}</Detail>}
        <Detail term={t.caseView.current}>
          {view.due ? (
            <>
              {deadlineLabel(t, view.due.kind, view.due.label)} · {fmtTime(lang, view.due.dueAt)} <ProvisionalBadge provisional={view.due.provisional} />{' '}
              <DueStatus t={t} dueAt={view.due.dueAt} now={now} />
            </>
          ) : (
            t.caseView.noDeadline
          )}
        </Detail>
      </dl>

      {view.situation && (
        <p class="situation" data-testid="discovery-situation">
          <strong>{t.discovery.situation}：</strong>
          {view.situation}
        </p>
      )}

      {view.links?.cases && view.links.cases.length > 0 && (
        <section aria-labelledby="h-links">
          <h2 id="h-links">{t.caseView.linked}</h2>
          <ul data-testid="case-links">
            {view.links.cases.map((l) => (
              <li key={`${l.direction}:${l.caseId}`}>
                {(l.direction === 'from' ? t.caseView.linkedFrom : t.caseView.linkedTo)(t.kinds[l.kind] ?? l.kind)}
                <Link to={`/cases/${encodeURIComponent(l.caseId)}`}>{l.caseId}</Link>
              </li>
            ))}
          </ul>
        </section>
      )}

      {view.links?.temporal && TEMPORAL_ROLES.includes(me?.role ?? '') && (
        <p>
          <a href={view.links.temporal} target="_blank" rel="noopener noreferrer" class="external">
            {t.caseView.temporal}
          </a>
        </p>
      )}

      {view.pendingRequest && <PendingRequest view={view} reload={props.reload} />}

      {Steps ? <Steps view={view} reload={props.reload} /> : view.kind !== 'order' && <Actions view={view} reload={props.reload} />}
      {view.kind === 'order' ? <OrderPanel view={view as OrderView} reload={props.reload} /> : <CaseOrders caseId={view.caseId} />}

      <section aria-labelledby="h-deadlines">
        <h2 id="h-deadlines">{t.caseView.deadlines}</h2>
        <table class="rows compact">
          <TableHead cols={[t.caseView.deadlineCols.label, t.caseView.deadlineCols.opens, t.caseView.deadlineCols.due, t.caseView.deadlineCols.result]} />
          <tbody>
            {(view.deadlines ?? []).map((d) => (
              <tr key={d.key}>
                <th scope="row" data-label={t.caseView.deadlineCols.label}>
                  {deadlineLabel(t, d.kind, d.label)}
                </th>
                <td data-label={t.caseView.deadlineCols.opens}>{fmtTime(lang, d.opensAt)}</td>
                <td data-label={t.caseView.deadlineCols.due}>
                  {fmtTime(lang, d.dueAt)} <ProvisionalBadge provisional={d.provisional} />
                </td>
                <td data-label={t.caseView.deadlineCols.result}>{deadlineResult(t, d, now)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section aria-labelledby="h-escalations">
        <h2 id="h-escalations">{t.caseView.escalations}</h2>
        {history.escalations.length === 0 ? (
          <p class="muted">{t.caseView.noEscalations}</p>
        ) : (
          <table class="rows compact escalations">
            <TableHead cols={[t.caseView.escalationCols.rung, t.caseView.escalationCols.path, t.caseView.escalationCols.at, t.caseView.escalationCols.late, t.caseView.escalationCols.resolved]} />
            <tbody>
              {history.escalations.map((e) => (
                <tr key={`${e.deadlineKey}-${e.rung}`}>
                  <th scope="row" data-label={t.caseView.escalationCols.rung}>
                    {t.caseView.rungN(e.rung)}
                  </th>
                  <td data-label={t.caseView.escalationCols.path}>
                    {e.from.name} → {e.to.name}
                  </td>
                  <td data-label={t.caseView.escalationCols.at}>{fmtTime(lang, e.at, true)}</td>
                  <td data-label={t.caseView.escalationCols.late}>{fmtDuration(t, e.lateByMs)}</td>
                  <td data-label={t.caseView.escalationCols.resolved}>
                    {e.resolvedAt ? t.caseView.resolvedAt(fmtTime(lang, e.resolvedAt, true), t.resolutions[e.resolution ?? ''] ?? e.resolution ?? '') : t.caseView.unresolved}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section aria-labelledby="h-timeline">
        <h2 id="h-timeline">{t.caseView.timeline}</h2>
        <p class="muted small">{t.caseView.timelineIntro}</p>
        <Timeline t={t} lang={lang} view={view} history={history} unitName={unitName} now={now} />
      </section>
    </article>
  );
}

function DueStatus(props: { t: Messages; dueAt: string; now: number }) {
  const ms = Date.parse(props.dueAt) - props.now;
  return ms < 0 ? (
    <span class="status status-overdue">{props.t.caseView.deadlineResult.overdue(fmtDuration(props.t, -ms))}</span>
  ) : (
    <span class="status status-upcoming">{props.t.caseView.deadlineResult.pending(fmtDuration(props.t, ms))}</span>
  );
}

function deadlineResult(t: Messages, d: NonNullable<CaseView['deadlines']>[number], now: number) {
  const due = Date.parse(d.dueAt);
  if (d.metAt) {
    const late = Date.parse(d.metAt) - due;
    return late > 0 ? <span class="status status-overdue">{t.caseView.deadlineResult.late(fmtDuration(t, late))}</span> : <span class="status status-ok">{t.caseView.deadlineResult.onTime}</span>;
  }
  if (d.endedAt) return <span class="muted">{d.endReason === 'unhandled' ? (t.resolutions.unhandled ?? t.caseView.deadlineResult.ended) : t.caseView.deadlineResult.ended}</span>;
  return <DueStatus t={t} dueAt={d.dueAt} now={now} />;
}

/** The new level of an alert, as a select of `levels` (a change of level, or a request to lower it). */
function LevelField(props: { id: string; levels: readonly string[]; value: string; onChange: (level: string) => void; issues: Parameters<typeof Field>[0]['issues'] }) {
  const { t } = useApp();
  return <SelectField id={props.id} name="level" label={t.caseView.newLevel} values={props.levels} names={t.levels} value={props.value} onChange={props.onChange} issues={props.issues} />;
}

interface Entry {
  at: number;
  kind: string;
  text: string;
  who: string | null;
}

/** The lifecycle in order: every audited event (actions, warnings, escalations) and each deadline's due time. */
function Timeline(props: { t: Messages; lang: Lang; view: CaseView; history: CaseHistory; unitName: (code: string) => string; now: number }) {
  const { t, lang, unitName } = props;
  const entries: Entry[] = props.history.events.map((e) => ({
    at: Date.parse(e.at),
    kind: e.type,
    text: `${e.caseId ? t.caseView.fromOrder(e.caseId) : ''}${(t.events[e.type] ?? (() => t.unknownEvent(e.type)))(e.data ?? {}, unitName)}`,
    who: e.actor ? t.caseView.by(`${t.roles[e.actor.role] ?? e.actor.role} ${e.actor.userId}`, unitName(e.actor.unitCode)) : null,
  }));
  for (const d of props.view.deadlines ?? []) {
    const at = Date.parse(d.dueAt);
    if (at <= props.now && !(d.metAt && Date.parse(d.metAt) <= at) && !(d.endedAt && Date.parse(d.endedAt) <= at))
      entries.push({ at, kind: 'due', text: t.caseView.dueEntry(deadlineLabel(t, d.kind, d.label)), who: null });
  }
  entries.sort((a, b) => a.at - b.at);
  return (
    <ol class="timeline">
      {entries.map((e, i) => (
        <li key={i} class={`tl tl-${e.kind}`} data-event={e.kind}>
          <p class="tl-when">
            <time dateTime={new Date(e.at).toISOString()}>{fmtTime(lang, e.at, true)}</time>
          </p>
          <p class="tl-what">{e.text}</p>
          <p class="tl-who muted small">{e.who ?? t.caseView.system}</p>
        </li>
      ))}
    </ol>
  );
}

type Panel = 'ack' | 'visit' | 'dispose' | 'level' | 'close' | 'request' | 'visitor' | null;
/** Each panel's action on an alert, as `GET /v1/me` names it. */
const PANEL_ACTIONS: Record<Exclude<Panel, null>, string> = { ack: 'acknowledge', visit: 'recordVisit', dispose: 'dispose', level: 'changeLevel', close: 'close', request: 'request', visitor: 'assignVisitor' };
const DISPOSITION_KINDS = ['application', 'referral', 'temporary_assistance', 'no_further_action'];

/**
 * The request awaiting the town's decision (issue 12, no quiet defusing): what is asked, by whom, until when;
 * for those who decide (`alert.decide`: the town supervisor and above) the approve and refuse buttons.
 */
function PendingRequest(props: { view: CaseView; reload: () => Promise<void> }) {
  const { t, lang, me } = useApp();
  const r = props.view.pendingRequest!;
  const [reason, setReason] = useState('');
  const [decision, setDecision] = useState<'approve' | 'refuse'>('approve');
  const submission = useSubmission();
  const { issues, busy } = submission;
  const due = (props.view.deadlines ?? []).filter((d) => d.kind === 'alert.approval').at(-1);
  const who = `${t.roles[r.by.role] ?? r.by.role} ${r.by.userId}`;
  return (
    <section aria-labelledby="h-pending" class="card pending-request" data-testid="pending-request">
      <h2 id="h-pending">{t.followUp.pendingTitle}</h2>
      <p>{t.followUp.pendingText(requestText(t, r), who, r.reason)}</p>
      <p class="muted small">
        {t.followUp.requestedBy(who, fmtTime(lang, r.at))}
        {due ? ` · ${t.followUp.approvalDue(fmtTime(lang, due.dueAt))}` : ''}
      </p>
      {may(me, 'alert', 'decide') && props.view.status === 'open' ? (
        <SendForm submission={submission} send={() => alertPost(props.view.caseId, 'requests/decision', { request: r.id, decision, reason })} onSent={() => props.reload()}>
          <NoteField id="decide-reason" name="reason" label={t.followUp.decisionReason} value={reason} onChange={setReason} issues={issues} />
          <div class="actions">
            <button type="submit" class="btn btn-primary" disabled={busy} onClick={() => setDecision('approve')}>
              {t.followUp.approve}
            </button>
            <button type="submit" class="btn" disabled={busy} onClick={() => setDecision('refuse')}>
              {t.followUp.refuse}
            </button>
          </div>
        </SendForm>
      ) : (
        <p class="muted">{t.followUp.awaiting}</p>
      )}
    </section>
  );
}
const LEVELS = ['red', 'orange', 'yellow'];
const CLOSE_REASONS = ['resolved', 'not_eligible', 'moved_away', 'deceased', 'converted_to_application'];

/** What the signed-in role may do on this case, as `GET /v1/me` lists it: for alerts 受理, 走访, 调整等级, 结案 (the API decides in the end). */
function Actions(props: { view: CaseView; reload: () => Promise<void> }) {
  const { t, lang, me } = useApp();
  const visitorText = useVisitorText();
  const { view } = props;
  const { panel, setPanel, notice, hide, finished } = useStepPanel<Exclude<Panel, null>>(props.reload, t.caseView.done);

  const allowed = (p: Exclude<Panel, null>) => may(me, 'alert', PANEL_ACTIONS[p]);
  let body;
  // An intake is accepted or returned on its own screen (申请受理, issue 14); here, what was decided.
  if (view.kind === 'intake') body = <IntakeSummary view={view as unknown as Parameters<typeof IntakeSummary>[0]['view']} />;
  // A patrol is recorded on its own screen (巡查记录).
  else if (view.kind === 'patrol') body = view.status === 'open' && may(me, 'patrol', 'record') ? <Link to="/patrols">{t.patrols.recordHere}</Link> : <p class="muted">{t.caseView.notAlertActions}</p>;
  else if (!(Object.keys(PANEL_ACTIONS) as Exclude<Panel, null>[]).some(allowed)) body = <p class="muted">{t.caseView.readOnly}</p>;
  else if (view.kind !== 'alert') body = <p class="muted">{t.caseView.notAlertActions}</p>;
  else if (view.status === 'closed') body = <p class="muted">{t.caseView.closed}</p>;
  else {
    const toggle = (p: Exclude<Panel, null>) => () => {
      hide();
      setPanel(panel === p ? null : p);
    };
    const button = (p: Exclude<Panel, null>, label: string, disabled = false) =>
      allowed(p) && (
        <button type="button" class="btn" aria-expanded={panel === p} aria-controls="action-panel" disabled={disabled} onClick={toggle(p)}>
          {label}
        </button>
      );
    body = (
      <>
        {view.acknowledgedAt && <p class="muted small">{t.caseView.acknowledged(fmtTime(lang, view.acknowledgedAt))}</p>}
        {view.visitor && (
          <p class="muted small" data-testid="visitor">
            {visitorText.current(view.visitor.userId, t.roles[view.visitor.role] ?? view.visitor.role)}
          </p>
        )}
        <div class="actions">
          {button('ack', t.caseView.acknowledge, Boolean(view.acknowledgedAt))}
          {button('visit', t.caseView.visit)}
          {button('dispose', t.followUp.dispose)}
          {button('level', t.caseView.changeLevel)}
          {button('close', t.caseView.closeCase)}
          {button('request', t.followUp.request, Boolean(view.pendingRequest))}
          {button('visitor', visitorText.assign)}
        </div>
        {panel && (
          <div id="action-panel" class="card action-panel">
            {panel === 'ack' && <AckForm caseId={view.caseId} onDone={() => finished()} onCancel={() => setPanel(null)} />}
            {panel === 'visit' && <VisitForm caseId={view.caseId} subject={view.householdId ?? view.caseId} onDone={() => void finished()} onCancel={() => setPanel(null)} />}
            {panel === 'level' && <LevelForm view={view} onDone={() => finished()} onCancel={() => setPanel(null)} />}
            {panel === 'close' && <CloseForm caseId={view.caseId} onDone={() => finished()} onCancel={() => setPanel(null)} />}
            {panel === 'dispose' && <DisposeForm caseId={view.caseId} onDone={() => finished()} onCancel={() => setPanel(null)} />}
            {panel === 'request' && <RequestForm view={view} onDone={() => finished()} onCancel={() => setPanel(null)} />}
            {panel === 'visitor' && <VisitorForm view={view} onDone={() => finished()} onCancel={() => setPanel(null)} />}
          </div>
        )}
      </>
    );
  }
  return (
    <section aria-labelledby="h-actions" class="card">
      <h2 id="h-actions">{t.caseView.actions}</h2>
      {notice}
      {body}
    </section>
  );
}

/** A two-line text of an alert's form: a note, a reason. */
function NoteField(props: { id: string; name: string; label: string; value: string; onChange: (value: string) => void; issues: Parameters<typeof Field>[0]['issues'] }) {
  return (
    <Field id={props.id} name={props.name} label={props.label} issues={props.issues}>
      {(aria) => <textarea {...aria} rows={2} value={props.value} onInput={(e) => props.onChange(e.currentTarget.value)} />}
    </Field>
  );
}

/** `POST /v1/alerts/{id}/{step}`: one of the alert's steps. */
const alertPost = (caseId: string, step: string, body: unknown) => api.post(`/v1/alerts/${encodeURIComponent(caseId)}/${step}`, body);

function AckForm(props: { caseId: string; onDone: () => Promise<void>; onCancel: () => void }) {
  const { t } = useApp();
  const [note, setNote] = useState('');
  const submission = useSubmission();
  const { issues, busy } = submission;
  return (
    <SendForm heading={t.caseView.acknowledge} submission={submission} send={() => alertPost(props.caseId, 'acknowledgements', note.trim() ? { note } : {})} onSent={() => props.onDone()}>
      <NoteField id="ack-note" name="note" label={t.caseView.ackNote} value={note} onChange={setNote} issues={issues} />
      <SubmitButtons busy={busy} label={t.caseView.acknowledge} onCancel={props.onCancel} />
    </SendForm>
  );
}

/** One user who may be named the alert's visitor (GET /v1/alerts/{id}/visitor-candidates). */
interface VisitorCandidate {
  login: string;
  name: string;
  role: string;
  unitCode: string;
  unitName: string;
}

/**
 * Issue 14: names the alert's visitor (POST /v1/alerts/{id}/visitor), picked from those who may be named — the
 * active grid workers, party members and village staff of its village and grids (a typed login named anyone:
 * fresh-eyes on issue 14); the API's messages show by their fields.
 */
function VisitorForm(props: { view: CaseView; onDone: () => Promise<void>; onCancel: () => void }) {
  const { t } = useApp();
  const visitorText = useVisitorText();
  const [candidates, setCandidates] = useState<VisitorCandidate[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [userId, setUserId] = useState('');
  const [note, setNote] = useState('');
  const submission = useSubmission();
  const { issues, busy } = submission;
  useEffect(() => {
    api
      .get<{ items: VisitorCandidate[] }>(`/v1/alerts/${encodeURIComponent(props.view.caseId)}/visitor-candidates`)
      .then((r) => setCandidates(r.items))
      .catch(setLoadError);
  }, [props.view.caseId]);
  return (
    <SendForm heading={visitorText.assign} submission={submission} send={() => alertPost(props.view.caseId, 'visitor', { userId, ...(note.trim() ? { note } : {}) })} onSent={() => props.onDone()}>
      {loadError !== null && <ErrorNotice error={loadError} />}
      {candidates === null && loadError === null && <Loading />}
      {candidates !== null && candidates.length === 0 && <p class="notice">{visitorText.none}</p>}
      {candidates !== null && candidates.length > 0 && (
        <Field id="visitor-user" name="userId" label={visitorText.userId} hint={visitorText.userIdHint} issues={issues}>
          {(aria) => (
            <select {...aria} value={userId} onChange={(e) => setUserId(e.currentTarget.value)}>
              <option value="">{visitorText.choose}</option>
              {candidates.map((c) => (
                <option key={c.login} value={c.login}>
                  {visitorText.candidate(c.name, t.roles[c.role] ?? c.role, c.unitName, c.login)}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      {candidates !== null && candidates.length > 0 && <NoteField id="visitor-note" name="note" label={visitorText.note} value={note} onChange={setNote} issues={issues} />}
      {candidates !== null && candidates.length > 0 ? (
        <SubmitButtons busy={busy} label={visitorText.assign} onCancel={props.onCancel} />
      ) : (
        <div class="actions">
          <button type="button" class="btn" onClick={props.onCancel}>
            {t.common.cancel}
          </button>
        </div>
      )}
    </SendForm>
  );
}

function LevelForm(props: { view: CaseView; onDone: () => Promise<void>; onCancel: () => void }) {
  const { t } = useApp();
  const [level, setLevel] = useState(props.view.level ?? '');
  const [reason, setReason] = useState('');
  const submission = useSubmission();
  const { issues, busy } = submission;
  return (
    <SendForm heading={t.caseView.changeLevel} submission={submission} send={() => alertPost(props.view.caseId, 'level', { level, reason })} onSent={() => props.onDone()}>
      <LevelField id="level-level" levels={LEVELS} value={level} onChange={setLevel} issues={issues} />
      <Field id="level-reason" name="reason" label={t.caseView.reason} issues={issues}>
        {(aria) => <input type="text" {...aria} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />}
      </Field>
      <SubmitButtons busy={busy} label={t.caseView.changeLevel} onCancel={props.onCancel} />
    </SendForm>
  );
}

function CloseForm(props: { caseId: string; onDone: () => Promise<void>; onCancel: () => void }) {
  const { t } = useApp();
  const [reason, setReason] = useState('resolved');
  const [applicationId, setApplicationId] = useState('');
  const [date, setDate] = useState('');
  const [note, setNote] = useState('');
  const submission = useSubmission();
  const { issues, busy } = submission;
  const body = () => ({ reason, ...(applicationId.trim() ? { applicationId: applicationId.trim() } : {}), ...(dated(reason) && date ? { date } : {}), ...(note.trim() ? { note } : {}) });
  return (
    <SendForm heading={t.caseView.closeCase} submission={submission} send={() => alertPost(props.caseId, 'closure', body())} onSent={() => props.onDone()}>
      <SelectField id="close-reason" name="reason" label={t.caseView.closeReason} values={CLOSE_REASONS} names={t.closeReasons} value={reason} onChange={setReason} issues={issues} />
      {reason === 'converted_to_application' && (
        <Field id="close-app" name="applicationId" label={t.caseView.applicationId} issues={issues}>
          {(aria) => <input type="text" {...aria} value={applicationId} onInput={(e) => setApplicationId(e.currentTarget.value)} />}
        </Field>
      )}
      {dated(reason) && (
        <Field id="close-date" name="date" label={t.followUp.closeDate} issues={issues}>
          {(aria) => <input type="date" {...aria} value={date} onInput={(e) => setDate(e.currentTarget.value)} />}
        </Field>
      )}
      <NoteField id="close-note" name="note" label={t.caseView.note} value={note} onChange={setNote} issues={issues} />
      <SubmitButtons busy={busy} label={t.caseView.closeCase} onCancel={props.onCancel} />
    </SendForm>
  );
}

/** A death or a move is closed with its date (issue 12: closure evidence). */
const dated = (reason: string) => reason === 'deceased' || reason === 'moved_away';

/** 处置: what was done for the household (issue 12) — an application (its id), a referral (to whom), temporary assistance (yuan), or no further action (why). */
function DisposeForm(props: { caseId: string; onDone: () => Promise<void>; onCancel: () => void }) {
  const { t } = useApp();
  const [kind, setKind] = useState('referral');
  const [applicationId, setApplicationId] = useState('');
  const [to, setTo] = useState('');
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [note, setNote] = useState('');
  const submission = useSubmission();
  const { issues, busy } = submission;
  const detail = (): Record<string, unknown> =>
    kind === 'application' ? { applicationId: applicationId.trim() } : kind === 'referral' ? { to } : kind === 'temporary_assistance' ? { amount: amount.trim() === '' ? undefined : Number(amount) } : { reason };
  return (
    <SendForm heading={t.followUp.dispose} submission={submission} send={() => alertPost(props.caseId, 'dispositions', { kind, ...detail(), ...(note.trim() ? { note } : {}) })} onSent={() => props.onDone()}>
      <SelectField id="dispose-kind" name="kind" label={t.followUp.dispositionKind} values={DISPOSITION_KINDS} names={t.followUp.dispositionKinds} value={kind} onChange={setKind} issues={issues} />
      {kind === 'application' && (
        <Field id="dispose-app" name="applicationId" label={t.caseView.applicationId} issues={issues}>
          {(aria) => <input type="text" {...aria} value={applicationId} onInput={(e) => setApplicationId(e.currentTarget.value)} />}
        </Field>
      )}
      {kind === 'referral' && (
        <Field id="dispose-to" name="to" label={t.followUp.referralTo} issues={issues}>
          {(aria) => <input type="text" {...aria} value={to} onInput={(e) => setTo(e.currentTarget.value)} />}
        </Field>
      )}
      {kind === 'temporary_assistance' && (
        <Field id="dispose-amount" name="amount" label={t.followUp.amount} issues={issues}>
          {(aria) => <input type="number" min="0.01" step="0.01" inputMode="decimal" {...aria} value={amount} onInput={(e) => setAmount(e.currentTarget.value)} />}
        </Field>
      )}
      {kind === 'no_further_action' && (
        <Field id="dispose-reason" name="reason" label={t.followUp.noActionReason} issues={issues}>
          {(aria) => <input type="text" {...aria} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />}
        </Field>
      )}
      <NoteField id="dispose-note" name="note" label={t.caseView.note} value={note} onChange={setNote} issues={issues} />
      <SubmitButtons busy={busy} label={t.followUp.dispose} onCancel={props.onCancel} />
    </SendForm>
  );
}

/** A request to lower the alert or close it early, for the town to approve (issue 12, no quiet defusing). */
function RequestForm(props: { view: CaseView; onDone: () => Promise<void>; onCancel: () => void }) {
  const { t } = useApp();
  const lower = LEVELS.filter((l) => LEVELS.indexOf(l) > LEVELS.indexOf(props.view.level ?? 'yellow'));
  const [change, setChange] = useState<'lower' | 'close'>(lower.length ? 'lower' : 'close');
  const [level, setLevel] = useState(lower[0] ?? '');
  const [closeReason, setCloseReason] = useState('resolved');
  const [date, setDate] = useState('');
  const [reason, setReason] = useState('');
  const submission = useSubmission();
  const { issues, busy } = submission;
  const body = () => (change === 'lower' ? { change, level, reason } : { change, closure: { reason: closeReason, ...(dated(closeReason) && date ? { date } : {}) }, reason });
  return (
    <SendForm heading={t.followUp.request} intro={<p class="muted small">{t.followUp.requestHint}</p>} submission={submission} send={() => alertPost(props.view.caseId, 'requests', body())} onSent={() => props.onDone()}>
      <Field id="request-change" name="change" label={t.followUp.change} issues={issues}>
        {(aria) => (
          <select {...aria} value={change} onChange={(e) => setChange(e.currentTarget.value as 'lower' | 'close')}>
            {lower.length > 0 && <option value="lower">{t.followUp.changes.lower}</option>}
            <option value="close">{t.followUp.changes.close}</option>
          </select>
        )}
      </Field>
      {change === 'lower' ? (
        <LevelField id="request-level" levels={lower} value={level} onChange={setLevel} issues={issues} />
      ) : (
        <>
          <SelectField
            id="request-close-reason"
            name="closure.reason"
            label={t.caseView.closeReason}
            values={CLOSE_REASONS.filter((r) => r !== 'converted_to_application')}
            names={t.closeReasons}
            value={closeReason}
            onChange={setCloseReason}
            issues={issues}
          />
          {dated(closeReason) && (
            <Field id="request-close-date" name="closure.date" label={t.followUp.closeDate} issues={issues}>
              {(aria) => <input type="date" {...aria} value={date} onInput={(e) => setDate(e.currentTarget.value)} />}
            </Field>
          )}
        </>
      )}
      <Field id="request-reason" name="reason" label={t.followUp.requestReason} issues={issues}>
        {(aria) => <input type="text" {...aria} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />}
      </Field>
      <SubmitButtons busy={busy} label={t.followUp.request} onCancel={props.onCancel} />
    </SendForm>
  );
}
