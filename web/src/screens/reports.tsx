import { useEffect, useState } from 'preact/hooks';
import { api, type CaseView } from '../api';
import { AnswererFields, answeredBy, CaseCard, DueNote, Items, PagedList, StepsCard, useItems, useStageList, useStepPanel, useVillage, type Answerer } from '../components/lifecycle';
import { Field, nestedIssues, SendForm, SubmitButtons, useSubmission } from '../components/forms';
import { Detail, ErrorNotice, Loading, PageTitle, useNotice } from '../components/ui';
import { fmtTime } from '../i18n';
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
  const list = useStageList<ReportRow>({ route: '/reports', api: '/v1/reports', id: 'report-stage', stages: STAGES, names: r.stages });
  return (
    <section aria-labelledby="page-title" class="lifecycle reports">
      <PageTitle>{r.title}</PageTitle>
      <p class="muted">{r.intro}</p>
      {list.picker}
      <PagedList pages={list.pages} testId="report-list">
        {(row) => <ReportCard key={row.caseId} row={row} />}
      </PagedList>
      {me && <CommonIssues unitCode={me.unit.code} />}
      {may(me, 'unit_profile', 'edit') && <ProfileSection />}
    </section>
  );
}

function ReportCard(props: { row: ReportRow }) {
  const { lang } = useApp();
  const r = useLifecycleText().reports;
  const row = props.row;
  return (
    <CaseCard kind="report" row={row}>
      <p class="card-head">
        <strong>{r.categories[row.category] ?? row.category}</strong> · {row.unit.name}
        {row.commonIssue && <span class="badge"> {r.common[row.commonIssue.status]}</span>}
      </p>
      <p class="situation">{row.text}</p>
      <p class="muted">
        {r.received(fmtTime(lang, row.receivedAt))}
        <DueNote row={row} />
      </p>
    </CaseCard>
  );
}

function CommonIssues(props: { unitCode: string }) {
  const r = useLifecycleText().reports;
  const issues = useItems<CommonIssue>(`/v1/units/${encodeURIComponent(props.unitCode)}/common-issues`);
  return (
    <section aria-labelledby="h-common">
      <h2 id="h-common">{r.commonIssues}</h2>
      <Items state={issues} empty={r.commonIssuesEmpty}>
        {(items) => (
          <ul data-testid="common-issues">
            {items.map((i) => (
              <li key={i.issueId}>
                {i.title} · {i.unit.name} · {i.month} · {r.common[i.status] ?? i.status}
              </li>
            ))}
          </ul>
        )}
      </Items>
    </section>
  );
}

interface Profile {
  policies: string;
  contacts: Array<{ role: string; name: string; phone: string }>;
  updatedAt: string | null;
  updatedBy: string | null;
}

/** 公开信息: the village's policy text and office contacts shown on its QR page (`GET`/`PUT /v1/units/{code}/profile`). */
function ProfileSection() {
  const { lang } = useApp();
  const L = useLifecycleText();
  const r = L.reports;
  const { village, picker } = useVillage();
  const [profile, setProfile] = useState<Profile | null>(null);
  const [error, setError] = useState<unknown>(null);
  const saved = useNotice();
  const submission = useSubmission();
  const { issues, busy } = submission;
  useEffect(() => {
    if (!village) return;
    setProfile(null);
    saved.hide();
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
        <SendForm
          class="form profile-form"
          label={r.profileTitle}
          submission={submission}
          send={() => {
            saved.hide();
            return api.put<Profile>(`/v1/units/${encodeURIComponent(village!)}/profile`, { policies: profile.policies, contacts: profile.contacts });
          }}
          onSent={(doc) => {
            setProfile(doc);
            saved.show(r.profileSaved);
          }}
          intro={
            <>
              <p class="muted small" data-testid="profile-updated">
                {profile.updatedAt ? r.profileUpdated(fmtTime(lang, profile.updatedAt), profile.updatedBy ?? '') : r.profileNever}
              </p>
              {saved.notice}
            </>
          }
        >
          <Field id="profile-policies" name="policies" label={r.policies} issues={issues}>
            {(aria) => <textarea {...aria} rows={5} value={profile.policies} onInput={(e) => setProfile({ ...profile, policies: e.currentTarget.value })} />}
          </Field>
          <div data-field="contacts">
            <h3>{r.contacts}</h3>
            {profile.contacts.map((c, i) => {
              const mine = nestedIssues(issues, 'contacts', { index: i });
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
          <SubmitButtons busy={busy} label={r.saveProfile} big />
        </SendForm>
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
  const state = useStepPanel<Step>(props.reload, t.caseView.done);
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
  return (
    <StepsCard
      kind="report"
      title={r.title}
      state={state}
      steps={steps}
      labels={label}
      summary={
        <>
          <Detail term={r.text}>{v.text}</Detail>
          <Detail term={L.stage} testId="report-stage">
            {r.categories[v.category] ?? v.category} · {r.stages[v.stage] ?? v.stage} · {r.received(fmtTime(lang, v.receivedAt))}
          </Detail>
          {contact && <Detail term={r.contact}>{contact}</Detail>}
          {v.acknowledgement && (
            <Detail term={r.acknowledge}>
              {r.acknowledged(fmtTime(lang, v.acknowledgement.at))}
              {v.acknowledgement.note ? `：${v.acknowledgement.note}` : ''}
            </Detail>
          )}
          {v.answer && (
            <Detail term={r.answer} testId="report-answer">
              {r.answered(fmtTime(lang, v.answer.at), `${r.answererRoles[v.answer.answeredBy.role] ?? v.answer.answeredBy.role} ${v.answer.answeredBy.name}`, v.answer.text)}
            </Detail>
          )}
          {v.commonIssue && (
            <Detail term={r.commonIssues} testId="report-common">
              {r.common[v.commonIssue.status]} {v.commonIssue.title ?? ''}
            </Detail>
          )}
        </>
      }
    >
      {(panel) => <ReportStepForm view={v} step={panel} label={label[panel]} onDone={state.finished} />}
    </StepsCard>
  );
}

function ReportStepForm(props: { view: ReportView; step: Step; label: string; onDone: () => Promise<void> }) {
  const r = useLifecycleText().reports;
  const [text, setText] = useState('');
  const [answerer, setAnswerer] = useState<Answerer>({ name: '', role: '' });
  const submission = useSubmission();
  const { issues, busy } = submission;
  const s = props.step;
  const body = () => (s === 'answer' ? { answer: text, answeredBy: answeredBy(answerer) } : s === 'acknowledgement' ? (text.trim() ? { note: text } : {}) : text.trim() ? { title: text } : {});
  const field = s === 'answer' ? 'answer' : s === 'acknowledgement' ? 'note' : 'title';
  return (
    <SendForm label={props.label} submission={submission} send={() => api.post(`/v1/reports/${encodeURIComponent(props.view.caseId)}/${PATHS[s]}`, body())} onSent={() => props.onDone()}>
      <Field id={`report-${s}-${field}`} name={field} label={s === 'answer' ? r.answerText : s === 'acknowledgement' ? r.ackNote : r.commonTitle} hint={s === 'commonIssue' ? r.commonTitleHint : undefined} issues={issues}>
        {(aria) => <textarea {...aria} rows={s === 'answer' ? 4 : 2} value={text} onInput={(e) => setText(e.currentTarget.value)} />}
      </Field>
      {s === 'answer' && (
        <AnswererFields
          id="report-answer"
          value={answerer}
          onChange={setAnswerer}
          nameLabel={r.answeredByName}
          roleLabel={r.answeredByRole}
          roles={['committee_member', 'civil_affairs_assistant', 'staff']}
          roleNames={r.answererRoles}
          issues={issues}
        />
      )}
      <SubmitButtons busy={busy} label={props.label} big />
    </SendForm>
  );
}
