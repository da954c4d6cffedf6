import { useEffect, useRef, useState } from 'preact/hooks';
import { api, qs, type CaseView, type FieldIssue } from '../api';
import { Choices, PagedList, StagePicker, usePages, useVillage } from '../components/lifecycle';
import { Field, useSubmission } from '../components/forms';
import { ErrorNotice, Link, Loading, PageTitle } from '../components/ui';
import { fmtTime } from '../i18n';
import { navigate, useLocation } from '../router';
import { may, useApp } from '../state';
import { useLifecycleText } from '../i18n-lifecycles';

/**
 * 群众反映 (issue 14 item 3; docs/reports.md): the unit's reports by stage, overdue first
 * (`GET /v1/reports?stage=`), the common issues of its villages (`GET /v1/units/{code}/common-issues`), and
 * the public profile behind a village's QR page (`PUT /v1/units/{code}/profile`) edited from a form. A
 * report's steps — 受理, 答复, 标记共性问题 — are on its case page (`ReportSteps`, shown by screens/case.tsx).
 * The list shows whatever the API gives the caller (a staff-conduct complaint may be routed to the town).
 */

const STAGES = ['received', 'acknowledged', 'answered'] as const;

interface ReportRow {
  caseId: string;
  status: 'open' | 'closed';
  stage: string;
  unit: { code: string; name: string };
  dueKind: string | null;
  dueAt: string | null;
  overdue: boolean;
  category: string;
  text: string;
  receivedAt: string;
  answeredAt: string | null;
  commonIssue: { issueId: string; status: 'proposed' | 'confirmed' } | null;
}

interface CommonIssue {
  issueId: string;
  unit: { code: string; name: string };
  category: string;
  month: string;
  title: string;
  reportIds: string[];
  status: string;
}

/** `/reports`: the list of one stage (`?stage=`, 待受理 by default), the common issues, and the QR profile form for the roles that may edit it. */
export function ReportsPage() {
  const { me } = useApp();
  const L = useLifecycleText();
  const r = L.reports;
  const { query } = useLocation();
  const stage = (STAGES as readonly string[]).includes(query.get('stage') ?? '') ? query.get('stage')! : 'received';
  const pages = usePages<ReportRow>(`/v1/reports${qs({ stage })}`);
  return (
    <section aria-labelledby="page-title" class="lifecycle reports">
      <PageTitle>{r.title}</PageTitle>
      <p class="muted">{r.intro}</p>
      <StagePicker id="report-stage" stages={STAGES} names={r.stages} value={stage} onChange={(s) => navigate(`/reports?stage=${s}`, { replace: true })} />
      <PagedList pages={pages} testId="report-list">
        {(row) => <ReportCard key={row.caseId} row={row} />}
      </PagedList>
      {me && <CommonIssues unitCode={me.unit.code} />}
      {may(me, 'unit_profile', 'edit') && <ProfileSection />}
    </section>
  );
}

function ReportCard(props: { row: ReportRow }) {
  const { t, lang } = useApp();
  const L = useLifecycleText();
  const r = L.reports;
  const row = props.row;
  return (
    <li class={`card report-card${row.overdue ? ' urgent' : ''}`} data-case={row.caseId}>
      <p class="card-head">
        <strong>{r.categories[row.category] ?? row.category}</strong> · {row.unit.name}
        {row.commonIssue && <span class="badge"> {r.common[row.commonIssue.status]}</span>}
      </p>
      <p class="situation">{row.text}</p>
      <p class="muted">
        {r.received(fmtTime(lang, row.receivedAt))}
        {row.status === 'open' && row.dueAt ? ` · ${L.due(fmtTime(lang, row.dueAt))}` : ''}
        {row.overdue && <span class="status status-overdue"> {L.overdue}</span>}
      </p>
      <p>
        <Link to={`/cases/${encodeURIComponent(row.caseId)}`} aria-label={L.openCase(row.caseId)}>
          {t.common.openCase}
        </Link>
      </p>
    </li>
  );
}

function CommonIssues(props: { unitCode: string }) {
  const L = useLifecycleText();
  const r = L.reports;
  const [items, setItems] = useState<CommonIssue[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    api.get<{ items: CommonIssue[] }>(`/v1/units/${encodeURIComponent(props.unitCode)}/common-issues`).then(
      (p) => setItems(p.items),
      (err: unknown) => setError(err),
    );
  }, [props.unitCode]);
  return (
    <section aria-labelledby="h-common">
      <h2 id="h-common">{r.commonIssues}</h2>
      {error !== null ? (
        <ErrorNotice error={error} />
      ) : items === null ? (
        <Loading />
      ) : items.length === 0 ? (
        <p class="muted">{r.commonIssuesEmpty}</p>
      ) : (
        <ul data-testid="common-issues">
          {items.map((i) => (
            <li key={i.issueId}>
              {i.title} · {i.unit.name} · {i.month} · {r.common[i.status] ?? i.status}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

interface Profile {
  policies: string;
  contacts: Array<{ role: string; name: string; phone: string }>;
  updatedAt: string | null;
  updatedBy: string | null;
}

/** The issues of one contact's field (`body.contacts.1.phone` → contact 1's `phone`). */
function contactIssues(issues: Map<string, FieldIssue[]>, index: number): Map<string, FieldIssue[]> {
  const out = new Map<string, FieldIssue[]>();
  for (const i of issues.get('contacts') ?? []) {
    const [, , n, field] = i.path.split('.');
    if (Number(n) === index && field) out.set(field, [...(out.get(field) ?? []), i]);
  }
  return out;
}

/** 公开信息: the village's policy text and office contacts shown on its QR page (`GET`/`PUT /v1/units/{code}/profile`). */
function ProfileSection() {
  const { t, lang } = useApp();
  const L = useLifecycleText();
  const r = L.reports;
  const { village, picker } = useVillage();
  const [profile, setProfile] = useState<Profile | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const savedRef = useRef<HTMLParagraphElement>(null);
  const { issues, failure, busy, run } = useSubmission();
  useEffect(() => {
    if (!village) return;
    setProfile(null);
    setSaved(false);
    api.get<Profile>(`/v1/units/${encodeURIComponent(village)}/profile`).then(setProfile, (err: unknown) => setError(err));
  }, [village]);
  const setContact = (i: number, k: 'role' | 'name' | 'phone', value: string) => setProfile({ ...profile!, contacts: profile!.contacts.map((c, j) => (j === i ? { ...c, [k]: value } : c)) });
  return (
    <section aria-labelledby="h-profile" class="card profile">
      <h2 id="h-profile">{r.profileTitle}</h2>
      <p class="muted">{r.profileIntro}</p>
      {picker}
      {error !== null && <ErrorNotice error={error} />}
      {village && !profile && error === null && <Loading />}
      {profile && (
        <form
          class="form profile-form"
          noValidate
          aria-label={r.profileTitle}
          onSubmit={async (e) => {
            e.preventDefault();
            setSaved(false);
            const doc = await run(e.currentTarget, () => api.put<Profile>(`/v1/units/${encodeURIComponent(village!)}/profile`, { policies: profile.policies, contacts: profile.contacts }));
            if (doc) {
              setProfile(doc);
              setSaved(true);
              window.setTimeout(() => savedRef.current?.focus(), 0);
            }
          }}
        >
          <p class="muted small" data-testid="profile-updated">
            {profile.updatedAt ? r.profileUpdated(fmtTime(lang, profile.updatedAt), profile.updatedBy ?? '') : r.profileNever}
          </p>
          <p class="notice notice-ok" role="status" tabIndex={-1} ref={savedRef} hidden={!saved}>
            {r.profileSaved}
          </p>
          {failure !== null && <ErrorNotice error={failure} />}
          <Field id="profile-policies" name="policies" label={r.policies} issues={issues}>
            {(aria) => <textarea {...aria} rows={5} value={profile.policies} onInput={(e) => setProfile({ ...profile, policies: e.currentTarget.value })} />}
          </Field>
          <div data-field="contacts">
            <h3>{r.contacts}</h3>
            {profile.contacts.map((c, i) => {
              const mine = contactIssues(issues, i);
              return (
                <fieldset key={i} class="contact">
                  <legend>{r.contactN(i + 1)}</legend>
                  <Field id={`contact-${i}-role`} name="role" label={r.contactRole} issues={mine}>
                    {(aria) => <input type="text" {...aria} value={c.role} onInput={(e) => setContact(i, 'role', e.currentTarget.value)} />}
                  </Field>
                  <Field id={`contact-${i}-name`} name="name" label={r.contactName} issues={mine}>
                    {(aria) => <input type="text" {...aria} value={c.name} onInput={(e) => setContact(i, 'name', e.currentTarget.value)} />}
                  </Field>
                  <Field id={`contact-${i}-phone`} name="phone" label={r.contactPhone} hint={r.contactPhoneHint} issues={mine}>
                    {(aria) => <input type="tel" {...aria} inputMode="tel" value={c.phone} onInput={(e) => setContact(i, 'phone', e.currentTarget.value)} />}
                  </Field>
                  <button type="button" class="btn" onClick={() => setProfile({ ...profile, contacts: profile.contacts.filter((_, j) => j !== i) })}>
                    {r.removeContact(i + 1)}
                  </button>
                </fieldset>
              );
            })}
            <div class="actions">
              <button type="button" class="btn" onClick={() => setProfile({ ...profile, contacts: [...profile.contacts, { role: '', name: '', phone: '' }] })}>
                {r.addContact}
              </button>
            </div>
          </div>
          <div class="actions">
            <button type="submit" class="btn btn-primary btn-big" disabled={busy}>
              {busy ? t.common.saving : r.saveProfile}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

/** The report's fields the case page reads (`GET /v1/cases/{id}`: the report's view). */
interface ReportView extends CaseView {
  version: number;
  stage: string;
  category: string;
  text: string;
  receivedAt: string;
  acknowledgement: { at: string; note?: string } | null;
  answer: { text: string; answeredBy: { name: string; role: string }; at: string } | null;
  commonIssue: { issueId: string; status: 'proposed' | 'confirmed'; title?: string } | null;
}

type Step = 'acknowledgement' | 'answer' | 'commonIssue';
const PATHS: Record<Step, string> = { acknowledgement: 'acknowledgement', answer: 'answer', commonIssue: 'common-issue' };

/** A report on its case page: the text, the contact as the caller may see it, what was done; 受理, 答复, 标记共性问题. */
export function ReportSteps(props: { view: CaseView; reload: () => Promise<void> }) {
  const { t, lang, me } = useApp();
  const L = useLifecycleText();
  const r = L.reports;
  const v = props.view as ReportView;
  const [contact, setContact] = useState<string | null>(null);
  const [panel, setPanel] = useState<Step | null>(null);
  const [done, setDone] = useState(false);
  const doneRef = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    // The contact lives beside the report (masked below town level): only the report's own route gives it.
    api.get<{ contact: string | null }>(`/v1/reports/${encodeURIComponent(v.caseId)}`).then(
      (x) => setContact(x.contact),
      () => setContact(null),
    );
  }, [v.caseId, v.version]);
  const steps = (v.status === 'open' ? (['acknowledgement', 'answer', 'commonIssue'] as Step[]) : [])
    .filter((s) => may(me, 'report', s))
    .filter((s) => !(s === 'acknowledgement' && v.acknowledgement) && !(s === 'commonIssue' && v.commonIssue?.status === 'confirmed'));
  const label: Record<Step, string> = { acknowledgement: r.acknowledge, answer: r.answer, commonIssue: r.markCommon };
  const finished = async () => {
    setPanel(null);
    await props.reload();
    setDone(true);
    window.setTimeout(() => doneRef.current?.focus(), 0);
  };
  return (
    <section aria-labelledby="h-report" class="card report-steps" data-testid="report-steps">
      <h2 id="h-report">{r.title}</h2>
      <dl class="summary">
        <div>
          <dt>{r.text}</dt>
          <dd>{v.text}</dd>
        </div>
        <div>
          <dt>{L.stage}</dt>
          <dd data-testid="report-stage">
            {r.categories[v.category] ?? v.category} · {r.stages[v.stage] ?? v.stage} · {r.received(fmtTime(lang, v.receivedAt))}
          </dd>
        </div>
        {contact && (
          <div>
            <dt>{r.contact}</dt>
            <dd>{contact}</dd>
          </div>
        )}
        {v.acknowledgement && (
          <div>
            <dt>{r.acknowledge}</dt>
            <dd>
              {r.acknowledged(fmtTime(lang, v.acknowledgement.at))}
              {v.acknowledgement.note ? `：${v.acknowledgement.note}` : ''}
            </dd>
          </div>
        )}
        {v.answer && (
          <div>
            <dt>{r.answer}</dt>
            <dd data-testid="report-answer">{r.answered(fmtTime(lang, v.answer.at), `${r.answererRoles[v.answer.answeredBy.role] ?? v.answer.answeredBy.role} ${v.answer.answeredBy.name}`, v.answer.text)}</dd>
          </div>
        )}
        {v.commonIssue && (
          <div>
            <dt>{r.commonIssues}</dt>
            <dd data-testid="report-common">
              {r.common[v.commonIssue.status]} {v.commonIssue.title ?? ''}
            </dd>
          </div>
        )}
      </dl>
      <p class="notice notice-ok" role="status" tabIndex={-1} ref={doneRef} hidden={!done}>
        {t.caseView.done}
      </p>
      {steps.length > 0 && (
        <div class="actions">
          {steps.map((s) => (
            <button key={s} type="button" class="btn btn-big" aria-expanded={panel === s} aria-controls="report-panel" onClick={() => setPanel(panel === s ? null : s)}>
              {label[s]}
            </button>
          ))}
        </div>
      )}
      {panel && (
        <div id="report-panel" class="card action-panel">
          <ReportStepForm view={v} step={panel} label={label[panel]} onDone={finished} />
        </div>
      )}
    </section>
  );
}

function ReportStepForm(props: { view: ReportView; step: Step; label: string; onDone: () => Promise<void> }) {
  const { t } = useApp();
  const L = useLifecycleText();
  const r = L.reports;
  const [text, setText] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState('');
  const { issues, failure, busy, run } = useSubmission();
  const s = props.step;
  const body = () =>
    s === 'answer' ? { answer: text, answeredBy: { name, ...(role ? { role } : {}) } } : s === 'acknowledgement' ? (text.trim() ? { note: text } : {}) : text.trim() ? { title: text } : {};
  // The API names the answerer's fields `body.answeredBy.name` / `.role`: each message beside its own field.
  const answerer = new Map<string, FieldIssue[]>();
  for (const i of issues.get('answeredBy') ?? []) {
    const field = i.path.split('.')[2];
    if (field) answerer.set(field, [...(answerer.get(field) ?? []), i]);
    else answerer.set('name', [...(answerer.get('name') ?? []), i]);
  }
  const field = s === 'answer' ? 'answer' : s === 'acknowledgement' ? 'note' : 'title';
  return (
    <form
      class="form"
      noValidate
      aria-label={props.label}
      onSubmit={async (e) => {
        e.preventDefault();
        if (await run(e.currentTarget, () => api.post(`/v1/reports/${encodeURIComponent(props.view.caseId)}/${PATHS[s]}`, body()))) await props.onDone();
      }}
    >
      {failure !== null && <ErrorNotice error={failure} />}
      <Field id={`report-${s}-${field}`} name={field} label={s === 'answer' ? r.answerText : s === 'acknowledgement' ? r.ackNote : r.commonTitle} hint={s === 'commonIssue' ? r.commonTitleHint : undefined} issues={issues}>
        {(aria) => <textarea {...aria} rows={s === 'answer' ? 4 : 2} value={text} onInput={(e) => setText(e.currentTarget.value)} />}
      </Field>
      {s === 'answer' && (
        <div data-field="answeredBy">
          <Field id="report-answer-name" name="name" label={r.answeredByName} issues={answerer}>
            {(aria) => <input type="text" {...aria} autocomplete="off" value={name} onInput={(e) => setName(e.currentTarget.value)} />}
          </Field>
          <Choices id="report-answer-role" name="role" label={r.answeredByRole} values={['committee_member', 'civil_affairs_assistant', 'staff']} names={r.answererRoles} value={role} onPick={setRole} issues={answerer} />
        </div>
      )}
      <div class="actions">
        <button type="submit" class="btn btn-primary btn-big" disabled={busy}>
          {busy ? t.common.saving : props.label}
        </button>
      </div>
    </form>
  );
}
