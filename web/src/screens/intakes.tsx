import { useEffect, useState } from 'preact/hooks';
import { api, qs } from '../api';
import { Field, useSubmission } from '../components/forms';
import { ErrorNotice, Link, Loading, PageTitle } from '../components/ui';
import { fmtTime } from '../i18n';
import { may, useApp } from '../state';
import { RegisterCheck, type RegisterMatch } from './intake-register';
import { useIntakeRegisterText, useIntakesText } from '../i18n-intakes';

/**
 * 申请受理 (`/intakes`, issue 14; docs/intake.md): the town's queue of applications filed through the villages'
 * QR pages, overdue first, then by due time (GET /v1/intakes), and on each the two answers the town gives —
 * 受理 (POST /v1/intakes/{id}/accept: the household registered when new, its application opened) or 退回 with the
 * reason the applicant reads (POST /v1/intakes/{id}/return). Validation is the API's, each message beside its
 * field. Phone-first: the town's staff may work it on a phone.
 */

const LABOUR = ['no_labour_capacity', 'illness_or_disability', 'labour_capacity'] as const;

export interface IntakeRow {
  caseId: string;
  status: 'open' | 'closed';
  stage: 'filed' | 'accepted' | 'returned';
  categoryName: string;
  householdSize: number;
  urgent: boolean;
  village: { code: string; name: string };
  situation: string;
  applicantName: string | null;
  filedAt: string;
  acceptBy: string;
  overdue: boolean;
  rung: number;
  applicationId: string | null;
}

/**
 * A deadline as the last day it still allows, in China time: a due instant at local midnight is the end of the
 * day before ("12月3日前（含）", not "12/04 00:00 前"); any other instant keeps its time of day.
 */
export function lastDay(lang: 'zh' | 'en', iso: string): string {
  const local = new Date(Date.parse(iso) + 8 * 3_600_000);
  const midnight = local.getUTCHours() === 0 && local.getUTCMinutes() === 0 && local.getUTCSeconds() === 0;
  const day = new Date(local.getTime() - (midnight ? 86_400_000 : 0));
  const m = day.getUTCMonth() + 1;
  const d = day.getUTCDate();
  const time = `${String(local.getUTCHours()).padStart(2, '0')}:${String(local.getUTCMinutes()).padStart(2, '0')}`;
  if (lang === 'zh') return midnight ? `${m}月${d}日前（含）` : `${m}月${d}日 ${time} 前`;
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][m - 1];
  return midnight ? `the end of ${month} ${d}` : `${month} ${d} ${time}`;
}

export function IntakeQueue() {
  const { t, lang } = useApp();
  const intakeRegisterText = useIntakeRegisterText();
  const intakesText = useIntakesText();
  const s = intakesText;
  const [rows, setRows] = useState<IntakeRow[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [open, setOpen] = useState<{ id: string; form: 'accept' | 'return' } | null>(null);
  const [done, setDone] = useState<{ text: string; applicationId: string | null } | null>(null);
  const reload = async () => {
    try {
      setRows((await api.get<{ items: IntakeRow[] }>(`/v1/intakes${qs({ status: 'open' })}`)).items);
      setError(null);
    } catch (err) {
      setError(err);
    }
  };
  useEffect(() => {
    void reload();
  }, []);
  const finished = (text: string, applicationId: string | null) => {
    setOpen(null);
    setDone({ text, applicationId });
    void reload();
  };
  return (
    <section aria-labelledby="page-title" class="discovery intakes">
      <PageTitle>{s.title}</PageTitle>
      <p class="muted">{s.intro}</p>
      {done && (
        <p role="status" class="notice" data-testid="intake-done">
          {done.text}
          {done.applicationId && (
            <>
              {' '}
              <Link to={`/cases/${encodeURIComponent(done.applicationId)}`}>{done.applicationId}</Link>
            </>
          )}
        </p>
      )}
      {error !== null && <ErrorNotice error={error} onRetry={() => void reload()} />}
      {rows === null && error === null ? <Loading /> : rows && rows.length === 0 ? <p class="muted">{s.empty}</p> : null}
      {rows && rows.length > 0 && (
        <ul class="cards" data-testid="intake-queue">
          {rows.map((r) => (
            <li key={r.caseId} class={`card discovery-card${r.urgent ? ' urgent' : ''}`} data-case={r.caseId}>
              <p class="card-head">
                <strong>{r.categoryName}</strong>
                {r.urgent ? ` · ${s.urgent}` : ''} · {r.village.name} · {s.size(r.householdSize)}
              </p>
              <p class="situation">{r.situation}</p>
              <p class="muted">
                {s.filedAt(fmtTime(lang, r.filedAt))} · {s.acceptBy(lastDay(lang, r.acceptBy))}
                {r.overdue ? ` · ${s.overdue}` : ''}
              </p>
              <p>
                <Link to={`/cases/${encodeURIComponent(r.caseId)}`}>{t.common.openCase}</Link>
              </p>
              {open?.id === r.caseId && open.form === 'accept' ? (
                <AcceptForm row={r} onCancel={() => setOpen(null)} onDone={(applicationId, joined) => finished(joined ? intakeRegisterText.acceptedJoined(r.caseId) : s.accepted(r.caseId), applicationId)} />
              ) : open?.id === r.caseId && open.form === 'return' ? (
                <ReturnForm row={r} onCancel={() => setOpen(null)} onDone={() => finished(s.returned(r.caseId), null)} />
              ) : (
                <div class="actions">
                  <button type="button" class="btn btn-primary btn-big" onClick={() => setOpen({ id: r.caseId, form: 'accept' })}>
                    {s.acceptButton(r.applicantName ?? r.caseId)}
                  </button>
                  <button type="button" class="btn btn-big" onClick={() => setOpen({ id: r.caseId, form: 'return' })}>
                    {s.returnButton(r.applicantName ?? r.caseId)}
                  </button>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** 受理: the application's labour capacity (its re-review cadence) and a note. */
function AcceptForm(props: { row: IntakeRow; onDone: (applicationId: string | null, joined: boolean) => void; onCancel: () => void }) {
  const { t } = useApp();
  const intakesText = useIntakesText();
  const s = intakesText;
  const id = (f: string) => `accept-${props.row.caseId}-${f}`;
  const [labourCapacity, setLabour] = useState('');
  const [note, setNote] = useState('');
  const { issues, failure, busy, run } = useSubmission();
  const [register, setRegister] = useState<RegisterMatch | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    const body = { ...(labourCapacity ? { labourCapacity } : {}), ...(note.trim() ? { note } : {}) };
    const view = await run(e.currentTarget as HTMLFormElement, () => api.post<{ applicationId: string | null }>(`/v1/intakes/${encodeURIComponent(props.row.caseId)}/accept`, body));
    if (view) props.onDone(view.applicationId, view.applicationId !== null && view.applicationId === register?.openApplicationId);
  };
  return (
    <form class="form decide-form" noValidate onSubmit={submit} aria-labelledby={id('legend')}>
      <h3 id={id('legend')}>{s.acceptButton(props.row.applicantName ?? props.row.caseId)}</h3>
      <p class="hint">{s.acceptRule}</p>
      <RegisterCheck caseId={props.row.caseId} onRead={setRegister} />
      {failure !== null && <ErrorNotice error={failure} />}
      <Field id={id('labourCapacity')} name="labourCapacity" label={s.labourCapacity} issues={issues}>
        {(aria) => (
          <select {...aria} value={labourCapacity} onChange={(e) => setLabour((e.currentTarget as HTMLSelectElement).value)}>
            <option value="">{s.choose}</option>
            {LABOUR.map((l) => (
              <option key={l} value={l}>
                {t.discovery.labourCapacities[l] ?? l}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field id={id('note')} name="note" label={s.note} issues={issues}>
        {(aria) => <textarea {...aria} rows={2} value={note} onInput={(e) => setNote((e.currentTarget as HTMLTextAreaElement).value)} />}
      </Field>
      <div class="actions">
        <button type="submit" class="btn btn-primary btn-big" disabled={busy}>
          {s.acceptSubmit}
        </button>
        <button type="button" class="btn btn-big" onClick={props.onCancel}>
          {t.common.cancel}
        </button>
      </div>
    </form>
  );
}

/** 退回: the reason, told to the applicant at once and in full (一次性告知). */
function ReturnForm(props: { row: IntakeRow; onDone: () => void; onCancel: () => void }) {
  const { t } = useApp();
  const intakesText = useIntakesText();
  const s = intakesText;
  const id = (f: string) => `return-${props.row.caseId}-${f}`;
  const [reason, setReason] = useState('');
  const { issues, failure, busy, run } = useSubmission();
  const submit = async (e: Event) => {
    e.preventDefault();
    const view = await run(e.currentTarget as HTMLFormElement, () => api.post<unknown>(`/v1/intakes/${encodeURIComponent(props.row.caseId)}/return`, reason.trim() ? { reason } : {}));
    if (view) props.onDone();
  };
  return (
    <form class="form decide-form" noValidate onSubmit={submit} aria-labelledby={id('legend')}>
      <h3 id={id('legend')}>{s.returnButton(props.row.caseId)}</h3>
      {failure !== null && <ErrorNotice error={failure} />}
      <Field id={id('reason')} name="reason" label={s.reason} hint={s.reasonHint} issues={issues}>
        {(aria) => <textarea {...aria} rows={3} value={reason} onInput={(e) => setReason((e.currentTarget as HTMLTextAreaElement).value)} />}
      </Field>
      <div class="actions">
        <button type="submit" class="btn btn-primary btn-big" disabled={busy}>
          {s.returnSubmit}
        </button>
        <button type="button" class="btn btn-big" onClick={props.onCancel}>
          {t.common.cancel}
        </button>
      </div>
    </form>
  );
}

/**
 * An intake on the case page: what the town decided (the return's reason, the application it opened) or, while
 * open, by when and where to decide it (申请受理).
 */
export function IntakeSummary(props: { view: { caseId: string; status: string; acceptBy?: string; decision?: { outcome: string; reason: string | null; applicationId: string | null; at: string } | null } }) {
  const { lang, me } = useApp();
  const intakesText = useIntakesText();
  const s = intakesText;
  const v = props.view;
  const d = v.decision;
  // The applicant (name, ID number, phone, address) as the API shows it to the caller: whole for the town, which
  // must reach them to say what is missing; masked below (GET /v1/intakes/{id}, an audited read).
  const [applicant, setApplicant] = useState<{ applicantName: string; idNumber: string; phone: string; address: string } | null>(null);
  useEffect(() => {
    api
      .get<{ applicant: typeof applicant }>(`/v1/intakes/${encodeURIComponent(v.caseId)}`)
      .then((x) => setApplicant(x.applicant))
      .catch(() => setApplicant(null));
  }, [v.caseId]);
  const decision =
    d?.outcome === 'returned' ? (
      s.returnedWith(fmtTime(lang, d.at), d.reason ?? '')
    ) : d?.outcome === 'accepted' && d.applicationId ? (
      <>
        {s.acceptedAt(fmtTime(lang, d.at))} <Link to={`/cases/${encodeURIComponent(d.applicationId)}`}>{d.applicationId}</Link>
      </>
    ) : (
      <>
        {v.acceptBy ? s.acceptBy(fmtTime(lang, v.acceptBy)) : ''} {v.status === 'open' && may(me, 'intake', 'accept') && <Link to="/intakes">{s.workHere}</Link>}
      </>
    );
  return (
    <>
      {applicant && (
        <p data-testid="intake-applicant">
          {s.applicant}：{applicant.applicantName} · {applicant.idNumber} · {applicant.phone} · {applicant.address}
        </p>
      )}
      <p data-testid="intake-decision">{decision}</p>
    </>
  );
}
