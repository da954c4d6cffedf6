import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { AnswererFields, answeredBy, Items, useItems, useVillage, type Answerer } from '../components/lifecycle';
import { Field, SendForm, SubmitButtons, useSubmission } from '../components/forms';
import { ErrorNotice, Link, Loading, PageError, PageTitle, useNotice, usePageData } from '../components/ui';
import { fmtTime } from '../i18n';
import { may, useApp } from '../state';
import { useLifecycleText } from '../i18n-lifecycles';

/**
 * 党员活动日 (issue 14 item 3; docs/party-day.md), for the village and its town:
 * - `/party-days`: the village's monthly schedule (`GET`/`PUT /v1/units/{code}/party-day-schedule`) and its
 *   months (`GET /v1/units/{code}/party-days`);
 * - `/party-days/{unitCode}:{YYYY-MM}`: one month — the agenda (its common issues and reports), the answers
 *   given on site recorded item by item (`POST /v1/party-days/{id}/answers`), and the minutes, printable
 *   (the browser's print, with the page's print CSS: the minutes alone).
 */

interface Schedule {
  dayOfMonth: number | null;
  startsAt: string | null;
  paused: boolean;
  note: string | null;
  nextActionTimes: string[];
}

interface Item {
  itemId: string;
  kind: string;
  origin: string;
  category: string;
  title: string;
  carriedFrom?: string;
  answer?: string;
  answeredBy?: { role: string; name: string };
  answeredAt?: string | number;
  ended?: { reason: string };
}

interface Month {
  _id: string;
  month: string;
  status: string;
  items: Item[];
}

interface PartyDayView {
  caseId: string;
  partyDayId: string;
  status: 'open' | 'closed';
  stage: string;
  month: string;
  unit: { code: string; name: string };
  scheduledAt: string;
  answersDueAt: string | null;
  handedOverTo: string | null;
  items: Item[];
}

/** `/party-days`: the village's schedule and its months (a town picks the village). */
export function PartyDaysPage() {
  const L = useLifecycleText();
  const p = L.partyDays;
  const { village, picker } = useVillage();
  return (
    <section aria-labelledby="page-title" class="lifecycle party-days">
      <PageTitle>{p.title}</PageTitle>
      <p class="muted">{p.intro}</p>
      {picker}
      {village && <ScheduleSection key={`s${village}`} village={village} />}
      {village && <MonthsSection key={`m${village}`} village={village} />}
    </section>
  );
}

function ScheduleSection(props: { village: string }) {
  const { lang, me } = useApp();
  const L = useLifecycleText();
  const p = L.partyDays;
  const [schedule, setSchedule] = useState<Schedule | null | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [f, setF] = useState({ dayOfMonth: '15', startsAt: '09:00', note: '' });
  const saved = useNotice();
  const submission = useSubmission();
  const { issues, busy } = submission;
  const url = `/v1/units/${encodeURIComponent(props.village)}/party-day-schedule`;
  const show = (s: Schedule) => {
    setSchedule(s);
    setF({ dayOfMonth: String(s.dayOfMonth ?? ''), startsAt: s.startsAt ?? '', note: s.note ?? '' });
  };
  useEffect(() => {
    api.get<Schedule>(url).then(show, (err: unknown) => (err instanceof ApiError && err.status === 404 ? setSchedule(null) : setError(err)));
  }, [url]);
  if (error !== null) return <ErrorNotice error={error} />;
  if (schedule === undefined) return <Loading />;
  return (
    <section aria-labelledby="h-schedule" class="card">
      <h2 id="h-schedule">{p.schedule}</h2>
      <p data-testid="party-day-schedule">
        {schedule === null ? p.noSchedule : schedule.nextActionTimes[0] ? p.nextTimes(fmtTime(lang, schedule.nextActionTimes[0])) : ''}
        {schedule?.paused ? ` · ${p.paused}` : ''}
      </p>
      {saved.notice}
      {may(me, 'party_day', 'schedule') && (
        <SendForm
          label={p.schedule}
          submission={submission}
          send={() => {
            saved.hide();
            const day = /^\d+$/.test(f.dayOfMonth.trim()) ? Number(f.dayOfMonth) : f.dayOfMonth;
            return api.put<Schedule>(url, { dayOfMonth: day, startsAt: f.startsAt, ...(f.note.trim() ? { note: f.note } : {}) });
          }}
          onSent={(s) => {
            show(s);
            saved.show(p.scheduleSaved);
          }}
        >
          <Field id="schedule-day" name="dayOfMonth" label={p.dayOfMonth} hint={p.dayOfMonthHint} issues={issues}>
            {(aria) => <input type="number" min="1" max="28" inputMode="numeric" {...aria} value={f.dayOfMonth} onInput={(e) => setF({ ...f, dayOfMonth: e.currentTarget.value })} />}
          </Field>
          <Field id="schedule-time" name="startsAt" label={p.startsAt} issues={issues}>
            {(aria) => <input type="time" {...aria} value={f.startsAt} onInput={(e) => setF({ ...f, startsAt: e.currentTarget.value })} />}
          </Field>
          <Field id="schedule-note" name="note" label={p.scheduleNote} issues={issues}>
            {(aria) => <input type="text" {...aria} value={f.note} onInput={(e) => setF({ ...f, note: e.currentTarget.value })} />}
          </Field>
          <SubmitButtons busy={busy} label={p.saveSchedule} big />
        </SendForm>
      )}
      {schedule && may(me, 'party_day', 'schedule') && <PauseForm url={url} paused={schedule.paused} onDone={show} />}
    </section>
  );
}

/** Pause (with the reason, kept as the schedule's note) or resume the schedule: `POST …/party-day-schedule/pause|unpause`. */
function PauseForm(props: { url: string; paused: boolean; onDone: (s: Schedule) => void }) {
  const L = useLifecycleText();
  const [reason, setReason] = useState('');
  const submission = useSubmission();
  const { issues, busy } = submission;
  const label = props.paused ? L.partyDays.resume : L.partyDays.pause;
  return (
    <SendForm
      label={label}
      submission={submission}
      send={() => api.post<Schedule>(`${props.url}/${props.paused ? 'unpause' : 'pause'}`, props.paused ? {} : { reason })}
      onSent={(s) => {
        setReason('');
        props.onDone(s);
      }}
    >
      {!props.paused && (
        <Field id="schedule-pause-reason" name="reason" label={L.partyDays.pauseReason} issues={issues}>
          {(aria) => <input type="text" {...aria} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />}
        </Field>
      )}
      <div class="actions">
        <button type="submit" class="btn" disabled={busy}>
          {label}
        </button>
      </div>
    </SendForm>
  );
}

const isOpen = (i: Item) => i.answer === undefined && i.ended === undefined;

function MonthsSection(props: { village: string }) {
  const p = useLifecycleText().partyDays;
  const months = useItems<Month>(`/v1/units/${encodeURIComponent(props.village)}/party-days`);
  return (
    <section aria-labelledby="h-months">
      <h2 id="h-months">{p.months}</h2>
      <Items state={months} empty={p.noMonths}>
        {(items) => (
          <ul class="cards" data-testid="party-day-months">
            {items.map((m) => (
              <li key={m._id} class="card" data-party-day={m._id}>
                <p class="card-head">
                  <Link to={`/party-days/${encodeURIComponent(m._id)}`}>{p.month(m.month)}</Link>
                </p>
                <p class="muted">
                  {p.statuses[m.status] ?? m.status} · {p.items(m.items.filter((i) => !isOpen(i)).length, m.items.length)}
                </p>
              </li>
            ))}
          </ul>
        )}
      </Items>
    </section>
  );
}

/** One month's Q&A: the agenda with an answer form for each open item, and the minutes. */
export function PartyDayPage(props: { id: string }) {
  const { t, lang, me } = useApp();
  const L = useLifecycleText();
  const p = L.partyDays;
  const { data: view, setData: setView, error } = usePageData(() => api.get<PartyDayView>(`/v1/party-days/${encodeURIComponent(props.id)}`), [props.id]);
  const [open, setOpen] = useState<string | null>(null);
  if (error !== null) return <PageError title={p.title} error={error} />;
  if (!view) return <Loading />;
  const canAnswer = view.status === 'open' && !view.handedOverTo && may(me, 'party_day', 'answer');
  const answered = view.items.filter((i) => i.answer !== undefined);
  const who = (i: Item) => p.answered(p.answererRoles[i.answeredBy!.role] ?? i.answeredBy!.role, i.answeredBy!.name, fmtTime(lang, i.answeredAt));
  return (
    <article aria-labelledby="page-title" class="lifecycle party-day">
      <div class="no-print">
        <PageTitle>{`${view.unit.name} · ${p.month(view.month)}`}</PageTitle>
        <p class="muted">
          {p.statuses[view.stage] ?? view.stage}
          {view.answersDueAt ? ` · ${p.answersDue(fmtTime(lang, view.answersDueAt))}` : ''}
          {view.handedOverTo ? ` · ${p.handedOver(view.handedOverTo)}` : ''} · <Link to={`/cases/${encodeURIComponent(view.caseId)}`}>{t.common.openCase}</Link>
        </p>
        <section aria-labelledby="h-agenda">
          <h2 id="h-agenda">{p.agenda}</h2>
          <ol class="cards" data-testid="party-day-agenda">
            {view.items.map((i) => (
              <li key={i.itemId} class="card" data-item={i.itemId}>
                <p class="card-head">
                  <strong>{i.itemId}</strong> · {p.itemKinds[i.kind] ?? i.kind} · {i.title}
                </p>
                {i.carriedFrom && <p class="muted small">{p.carriedFrom(i.carriedFrom)}</p>}
                {i.answer !== undefined ? (
                  <p>
                    {i.answer} <span class="muted small">— {who(i)}</span>
                  </p>
                ) : i.ended ? (
                  <p class="muted">{p.ended}</p>
                ) : canAnswer ? (
                  open === i.itemId ? (
                    <AnswerForm
                      id={view.partyDayId}
                      item={i}
                      onDone={(v) => {
                        setOpen(null);
                        setView(v);
                      }}
                    />
                  ) : (
                    <button type="button" class="btn btn-primary btn-big" onClick={() => setOpen(i.itemId)}>
                      {p.answerItem(i.itemId)}
                    </button>
                  )
                ) : null}
              </li>
            ))}
          </ol>
        </section>
      </div>
      <section aria-labelledby="h-minutes" class="minutes" data-testid="party-day-minutes">
        <h2 id="h-minutes">{p.minutesOf(view.unit.name, view.month)}</h2>
        {answered.length === 0 ? (
          <p class="muted">{p.minutesEmpty}</p>
        ) : (
          <ol>
            {answered.map((i) => (
              <li key={i.itemId}>
                <p>
                  <strong>{p.question}：</strong>
                  {i.title}
                </p>
                <p>
                  <strong>{p.answer}：</strong>
                  {i.answer}
                </p>
                <p class="muted small">{who(i)}</p>
              </li>
            ))}
          </ol>
        )}
        {answered.length > 0 && (
          <div class="actions no-print">
            <button type="button" class="btn" onClick={() => window.print()}>
              {p.print}
            </button>
          </div>
        )}
      </section>
    </article>
  );
}

function AnswerForm(props: { id: string; item: Item; onDone: (view: PartyDayView) => void }) {
  const p = useLifecycleText().partyDays;
  const [answer, setAnswer] = useState('');
  const [answerer, setAnswerer] = useState<Answerer>({ name: '', role: '' });
  const submission = useSubmission();
  const { issues, busy } = submission;
  const base = `pd-${props.item.itemId}`;
  return (
    <SendForm
      label={p.answerItem(props.item.itemId)}
      submission={submission}
      send={() => api.post<PartyDayView>(`/v1/party-days/${encodeURIComponent(props.id)}/answers`, { itemId: props.item.itemId, answer, answeredBy: answeredBy(answerer) })}
      onSent={props.onDone}
    >
      <Field id={`${base}-answer`} name="answer" label={p.answer} issues={issues}>
        {(aria) => <textarea {...aria} rows={3} value={answer} onInput={(e) => setAnswer(e.currentTarget.value)} />}
      </Field>
      <AnswererFields
        id={base}
        value={answerer}
        onChange={setAnswerer}
        nameLabel={p.answeredByName}
        roleLabel={p.answeredByRole}
        roles={['committee_member', 'civil_affairs_assistant']}
        roleNames={p.answererRoles}
        issues={issues}
      />
      <SubmitButtons busy={busy} label={p.record} big />
    </SendForm>
  );
}
