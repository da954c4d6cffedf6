import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, type FieldIssue } from '../api';
import { Choices, useVillage } from '../components/lifecycle';
import { Field, useSubmission } from '../components/forms';
import { ErrorNotice, Link, Loading, PageTitle } from '../components/ui';
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
  const { t, lang, me } = useApp();
  const L = useLifecycleText();
  const p = L.partyDays;
  const [schedule, setSchedule] = useState<Schedule | null | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [f, setF] = useState({ dayOfMonth: '15', startsAt: '09:00', note: '' });
  const [saved, setSaved] = useState(false);
  const savedRef = useRef<HTMLParagraphElement>(null);
  const { issues, failure, busy, run } = useSubmission();
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
      <p class="notice notice-ok" role="status" tabIndex={-1} ref={savedRef} hidden={!saved}>
        {p.scheduleSaved}
      </p>
      {may(me, 'party_day', 'schedule') && (
        <form
          class="form"
          noValidate
          aria-label={p.schedule}
          onSubmit={async (e) => {
            e.preventDefault();
            setSaved(false);
            const day = /^\d+$/.test(f.dayOfMonth.trim()) ? Number(f.dayOfMonth) : f.dayOfMonth;
            const s = await run(e.currentTarget, () => api.put<Schedule>(url, { dayOfMonth: day, startsAt: f.startsAt, ...(f.note.trim() ? { note: f.note } : {}) }));
            if (s) {
              show(s);
              setSaved(true);
              window.setTimeout(() => savedRef.current?.focus(), 0);
            }
          }}
        >
          {failure !== null && <ErrorNotice error={failure} />}
          <Field id="schedule-day" name="dayOfMonth" label={p.dayOfMonth} hint={p.dayOfMonthHint} issues={issues}>
            {(aria) => <input type="number" min="1" max="28" inputMode="numeric" {...aria} value={f.dayOfMonth} onInput={(e) => setF({ ...f, dayOfMonth: e.currentTarget.value })} />}
          </Field>
          <Field id="schedule-time" name="startsAt" label={p.startsAt} issues={issues}>
            {(aria) => <input type="time" {...aria} value={f.startsAt} onInput={(e) => setF({ ...f, startsAt: e.currentTarget.value })} />}
          </Field>
          <Field id="schedule-note" name="note" label={p.scheduleNote} issues={issues}>
            {(aria) => <input type="text" {...aria} value={f.note} onInput={(e) => setF({ ...f, note: e.currentTarget.value })} />}
          </Field>
          <div class="actions">
            <button type="submit" class="btn btn-primary btn-big" disabled={busy}>
              {busy ? t.common.saving : p.saveSchedule}
            </button>
          </div>
        </form>
      )}
      {schedule && may(me, 'party_day', 'schedule') && <PauseForm url={url} paused={schedule.paused} onDone={show} />}
    </section>
  );
}

/** Pause (with the reason, kept as the schedule's note) or resume the schedule: `POST …/party-day-schedule/pause|unpause`. */
function PauseForm(props: { url: string; paused: boolean; onDone: (s: Schedule) => void }) {
  const L = useLifecycleText();
  const [reason, setReason] = useState('');
  const { issues, failure, busy, run } = useSubmission();
  const label = props.paused ? L.partyDays.resume : L.partyDays.pause;
  return (
    <form
      class="form"
      noValidate
      aria-label={label}
      onSubmit={async (e) => {
        e.preventDefault();
        const s = await run(e.currentTarget, () => api.post<Schedule>(`${props.url}/${props.paused ? 'unpause' : 'pause'}`, props.paused ? {} : { reason }));
        if (s) {
          setReason('');
          props.onDone(s);
        }
      }}
    >
      {failure !== null && <ErrorNotice error={failure} />}
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
    </form>
  );
}

const isOpen = (i: Item) => i.answer === undefined && i.ended === undefined;

function MonthsSection(props: { village: string }) {
  const L = useLifecycleText();
  const p = L.partyDays;
  const [months, setMonths] = useState<Month[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    api.get<{ items: Month[] }>(`/v1/units/${encodeURIComponent(props.village)}/party-days`).then(
      (x) => setMonths(x.items),
      (err: unknown) => setError(err),
    );
  }, [props.village]);
  return (
    <section aria-labelledby="h-months">
      <h2 id="h-months">{p.months}</h2>
      {error !== null ? (
        <ErrorNotice error={error} />
      ) : months === null ? (
        <Loading />
      ) : months.length === 0 ? (
        <p class="muted">{p.noMonths}</p>
      ) : (
        <ul class="cards" data-testid="party-day-months">
          {months.map((m) => (
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
    </section>
  );
}

/** One month's Q&A: the agenda with an answer form for each open item, and the minutes. */
export function PartyDayPage(props: { id: string }) {
  const { t, lang, me } = useApp();
  const L = useLifecycleText();
  const p = L.partyDays;
  const [view, setView] = useState<PartyDayView | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [open, setOpen] = useState<string | null>(null);
  const load = async () => {
    try {
      setView(await api.get<PartyDayView>(`/v1/party-days/${encodeURIComponent(props.id)}`));
      setError(null);
    } catch (err) {
      setError(err);
    }
  };
  useEffect(() => {
    void load();
  }, [props.id]);
  if (error !== null)
    return (
      <section aria-labelledby="page-title">
        <PageTitle>{p.title}</PageTitle>
        <ErrorNotice error={error} />
      </section>
    );
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
  const { t } = useApp();
  const L = useLifecycleText();
  const p = L.partyDays;
  const [answer, setAnswer] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState('');
  const { issues, failure, busy, run } = useSubmission();
  // The API names the answerer's fields `body.answeredBy.name` / `.role`: each message beside its own field.
  const answerer = new Map<string, FieldIssue[]>();
  for (const i of issues.get('answeredBy') ?? []) {
    const field = i.path.split('.')[2] ?? 'name';
    answerer.set(field, [...(answerer.get(field) ?? []), i]);
  }
  const base = `pd-${props.item.itemId}`;
  return (
    <form
      class="form"
      noValidate
      aria-label={p.answerItem(props.item.itemId)}
      onSubmit={async (e) => {
        e.preventDefault();
        const v = await run(e.currentTarget, () => api.post<PartyDayView>(`/v1/party-days/${encodeURIComponent(props.id)}/answers`, { itemId: props.item.itemId, answer, answeredBy: { name, ...(role ? { role } : {}) } }));
        if (v) props.onDone(v);
      }}
    >
      {failure !== null && <ErrorNotice error={failure} />}
      <Field id={`${base}-answer`} name="answer" label={p.answer} issues={issues}>
        {(aria) => <textarea {...aria} rows={3} value={answer} onInput={(e) => setAnswer(e.currentTarget.value)} />}
      </Field>
      <div data-field="answeredBy">
        <Field id={`${base}-name`} name="name" label={p.answeredByName} issues={answerer}>
          {(aria) => <input type="text" {...aria} autocomplete="off" value={name} onInput={(e) => setName(e.currentTarget.value)} />}
        </Field>
        <Choices id={`${base}-role`} name="role" label={p.answeredByRole} values={['committee_member', 'civil_affairs_assistant']} names={p.answererRoles} value={role} onPick={setRole} issues={answerer} />
      </div>
      <div class="actions">
        <button type="submit" class="btn btn-primary btn-big" disabled={busy}>
          {busy ? t.common.saving : p.record}
        </button>
      </div>
    </form>
  );
}
