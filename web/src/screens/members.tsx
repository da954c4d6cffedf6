import { useEffect, useState } from 'preact/hooks';
import { api, qs, type Page } from '../api';
import { Field, useSubmission } from '../components/forms';
import { ErrorNotice, Loading, PageTitle, TableHead } from '../components/ui';
import { fmtTime } from '../i18n';
import { may, useApp } from '../state';

// Party members (issue 13): the register (list + add, phones masked by the API), a member's own points,
// the branch ranking by month or year, and 双报到 service tasks. Every rule is the API's
// (api/routes/party-members.ts, api/routes/service-tasks.ts): forms send what was entered and show the
// API's message beside each field. Phone-first: each list is a stack of cards that fits 375 px.

interface Member {
  id: string;
  userId: string;
  name: string;
  phone: string;
  role: string;
  kind: string;
  branch: string;
  unitCode: string;
  gridCode: string | null;
  agency?: string;
  skills: string[];
  publicConsent: boolean;
  status: string;
}
interface Entry {
  id: string;
  rule: string;
  ruleName: string;
  points: number;
  quantity: number;
  at: string;
  note?: string;
  reverses?: string;
  reason?: string;
  reversedBy?: string | null;
}
interface Ranking {
  org: string;
  month: string | null;
  year: number | null;
  branches: { villageCode: string; branch: string; members: { rank: number; memberId: string; name: string; role: string | null; points: number }[] }[];
}
interface Claim {
  id: string;
  memberId: string;
  name: string;
  slot: number | null;
  hours: { hours: number; day: string } | null;
  confirmed: { by: string; at: string } | null;
}
interface Task {
  id: string;
  unitCode: string;
  title: string;
  description: string;
  day: string;
  hoursExpected: number;
  slots: number;
  skills: string[];
  claimed: number;
  claims?: Claim[];
}

/** A client key for an idempotent post: a retried submit names the same record. */
const newKey = () => `w${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
/** Today in China time, YYYY-MM-DD (the API's days are China-time days). */
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
const list = (text: string) =>
  text
    .split(/[,，、;；\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);

/** The register (党员名册): the members of the caller's unit, and the form to add one. */
export function MembersPage() {
  const { t, me } = useApp();
  const m = t.members;
  const [items, setItems] = useState<Member[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = async () => {
    try {
      setItems((await api.get<Page<Member>>(`/v1/party-members${qs({ limit: 200 })}`)).items);
      setError(null);
    } catch (err) {
      setError(err);
    }
  };
  useEffect(() => void load(), []);
  return (
    <section aria-labelledby="page-title">
      <PageTitle>{m.registerTitle}</PageTitle>
      <p class="lead">{m.registerIntro}</p>
      {error !== null && <ErrorNotice error={error} onRetry={() => void load()} />}
      {items === null && error === null && <Loading />}
      {items && items.length === 0 && <p class="empty">{m.noMembers}</p>}
      {items && items.length > 0 && (
        <ul class="cards" aria-label={m.registerTitle}>
          {items.map((x) => (
            <li key={x.id} class="card" data-member-id={x.id}>
              <p>
                <strong>{x.name}</strong> <span class="badge">{m.roles[x.role] ?? x.role}</span> <span class="badge">{m.kinds[x.kind] ?? x.kind}</span>
                {x.status !== 'active' && <span class="badge">{m.inactive}</span>}
              </p>
              <p class="muted small">
                {x.branch} · {x.gridCode ?? x.unitCode} · {x.phone}
                {x.agency ? ` · ${x.agency}` : ''}
              </p>
              <p class="muted small">{x.publicConsent ? m.consentYes : m.consentNo}</p>
            </li>
          ))}
        </ul>
      )}
      {may(me, 'party_member', 'register') && <AddMemberForm onDone={() => void load()} />}
    </section>
  );
}

function AddMemberForm(props: { onDone: () => void }) {
  const { t, me } = useApp();
  const m = t.members;
  const id = (f: string) => `member-add-${f}`;
  const [v, setV] = useState({ userId: '', name: '', phone: '', role: 'member', kind: 'resident', branch: '', unitCode: me?.unit.code ?? '', agency: '', skills: '' });
  const [done, setDone] = useState<string | null>(null);
  const { issues, failure, busy, run } = useSubmission();
  const set = (k: keyof typeof v) => (e: Event) => setV({ ...v, [k]: (e.target as HTMLInputElement).value });
  const submit = async (e: Event) => {
    e.preventDefault();
    const body = { userId: v.userId, name: v.name, phone: v.phone, role: v.role, kind: v.kind, branch: v.branch, unitCode: v.unitCode, skills: list(v.skills), ...(v.kind === 'in_service' ? { agency: v.agency } : {}) };
    const created = await run(e.currentTarget as HTMLFormElement, () => api.post<Member>('/v1/party-members', body));
    if (created) {
      setDone(m.added(created.name));
      props.onDone();
    }
  };
  const text = (k: keyof typeof v, label: string, hint?: string) => (
    <Field id={id(k)} name={k} label={label} {...(hint ? { hint } : {})} issues={issues}>
      {(aria) => <input {...aria} value={v[k]} onInput={set(k)} />}
    </Field>
  );
  return (
    <form class="form" noValidate onSubmit={submit} aria-labelledby={id('legend')}>
      <h2 id={id('legend')}>{m.add}</h2>
      {failure !== null && <ErrorNotice error={failure} />}
      <p class="notice notice-ok" role="status" hidden={!done}>
        {done}
      </p>
      {text('userId', m.fields.userId, m.fields.userIdHint)}
      {text('name', m.fields.name)}
      {text('phone', m.fields.phone)}
      <Field id={id('role')} name="role" label={m.fields.role} issues={issues}>
        {(aria) => (
          <select {...aria} value={v.role} onChange={set('role')}>
            {Object.entries(m.roles).map(([k, name]) => (
              <option key={k} value={k}>
                {name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field id={id('kind')} name="kind" label={m.fields.kind} issues={issues}>
        {(aria) => (
          <select {...aria} value={v.kind} onChange={set('kind')}>
            {Object.entries(m.kinds).map(([k, name]) => (
              <option key={k} value={k}>
                {name}
              </option>
            ))}
          </select>
        )}
      </Field>
      {text('branch', m.fields.branch)}
      {text('unitCode', m.fields.unitCode, m.fields.unitCodeHint)}
      {v.kind === 'in_service' && text('agency', m.fields.agency)}
      {v.kind === 'in_service' && text('skills', m.fields.skills, m.fields.skillsHint)}
      <button type="submit" class="btn btn-primary" disabled={busy}>
        {busy ? t.common.saving : m.add}
      </button>
    </form>
  );
}

/** My points (我的积分): the signed-in member's own ledger, newest first, with the year's total. */
export function MyPointsPage() {
  const { t, lang } = useApp();
  const m = t.members;
  const [data, setData] = useState<{ total: number; entries: Entry[]; name: string; branch: string } | null>(null);
  const [mine, setMine] = useState<Member | null>(null);
  const [error, setError] = useState<unknown>(null);
  const year = Number(today().slice(0, 4));
  const setConsent = async (publicConsent: boolean) => {
    try {
      setMine(await api.put<Member>(`/v1/party-members/${mine!.id}/consent`, { publicConsent }));
    } catch (err) {
      setError(err);
    }
  };
  useEffect(() => {
    (async () => {
      try {
        const me = await api.get<Member>('/v1/me/party-member');
        setMine(me);
        setData(await api.get(`/v1/party-members/${me.id}/points${qs({ year })}`));
      } catch (err) {
        setError(err);
      }
    })();
  }, []);
  return (
    <section aria-labelledby="page-title">
      <PageTitle>{m.myPointsTitle}</PageTitle>
      {error !== null && <ErrorNotice error={error} />}
      {data === null && error === null && <Loading />}
      {data && (
        <>
          <p class="lead" data-testid="points-total">
            {m.totalOfYear(year, data.total)}
          </p>
          {mine && (
            <p>
              <label>
                <input type="checkbox" checked={mine.publicConsent} onChange={(e) => void setConsent((e.target as HTMLInputElement).checked)} /> {m.consentLabel}
              </label>
            </p>
          )}
          {data.entries.length === 0 && <p class="empty">{m.noEntries}</p>}
          <ul class="cards" aria-label={m.myPointsTitle}>
            {data.entries.map((e) => (
              <li key={e.id} class="card">
                <p>
                  <strong>{m.rules[e.rule] ?? e.ruleName}</strong> <span class={e.points < 0 ? 'badge badge-negative' : 'badge'}>{m.pointsOf(e.points)}</span>
                </p>
                <p class="muted small">
                  {fmtTime(lang, e.at)}
                  {e.note ? ` · ${e.note}` : ''}
                  {e.reverses ? ` · ${m.reversal(e.reason ?? '')}` : ''}
                  {e.reversedBy ? ` · ${m.reversed}` : ''}
                </p>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

/** The branch ranking (支部积分排名) of the caller's unit for a month or a year. */
export function RankingPage() {
  const { t } = useApp();
  const m = t.members;
  const [period, setPeriod] = useState<'month' | 'year'>('month');
  const [month, setMonth] = useState(() => today().slice(0, 7));
  const [year, setYear] = useState(() => today().slice(0, 4));
  const [data, setData] = useState<Ranking | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    setData(null);
    api.get<Ranking>(`/v1/points/rankings${qs(period === 'month' ? { month } : { year })}`).then(
      (r) => {
        setData(r);
        setError(null);
      },
      setError,
    );
  }, [period, month, year]);
  return (
    <section aria-labelledby="page-title">
      <PageTitle>{m.rankingTitle}</PageTitle>
      <div class="inbox-tools" role="group" aria-label={m.period}>
        <label>
          <input type="radio" name="period" checked={period === 'month'} onChange={() => setPeriod('month')} /> {m.byMonth}
        </label>
        <label>
          <input type="radio" name="period" checked={period === 'year'} onChange={() => setPeriod('year')} /> {m.byYear}
        </label>
        {period === 'month' ? (
          <label>
            {m.month} <input type="month" value={month} onChange={(e) => setMonth((e.target as HTMLInputElement).value)} />
          </label>
        ) : (
          <label>
            {m.year} <input type="number" min={2000} max={2100} value={year} onChange={(e) => setYear((e.target as HTMLInputElement).value)} />
          </label>
        )}
      </div>
      {error !== null && <ErrorNotice error={error} />}
      {data === null && error === null && <Loading />}
      {data && data.branches.length === 0 && <p class="empty">{m.noRanking}</p>}
      {data?.branches.map((b) => (
        <section key={`${b.villageCode}/${b.branch}`} aria-label={b.branch} class="ranking">
          <h2>
            {b.branch} <small class="muted">{b.villageCode}</small>
          </h2>
          <table class="table">
            <caption class="visually-hidden">{m.rankingOf(b.branch)}</caption>
            <TableHead cols={[m.cols.rank, m.cols.name, m.cols.points]} />
            <tbody>
              {b.members.map((r) => (
                <tr key={r.memberId} data-member-id={r.memberId}>
                  <td>{r.rank}</td>
                  <th scope="row">{r.name}</th>
                  <td>{r.points}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}
    </section>
  );
}

/** 双报到 service tasks: the community posts and confirms hours; in-service members claim and record hours. */
export function ServiceTasksPage() {
  const { t, me } = useApp();
  const m = t.members;
  const [items, setItems] = useState<Task[] | null>(null);
  const [mine, setMine] = useState<Member | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [message, setMessage] = useState<string | null>(null);
  const load = async () => {
    try {
      setItems((await api.get<Page<Task>>(`/v1/service-tasks${qs({ limit: 100 })}`)).items);
      setError(null);
    } catch (err) {
      setError(err);
    }
  };
  useEffect(() => {
    void load();
    if (me?.role === 'party_member') api.get<Member>('/v1/me/party-member').then(setMine, () => setMine(null));
  }, []);
  const act = async (work: () => Promise<unknown>, done: string) => {
    try {
      await work();
      setMessage(done);
      await load();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section aria-labelledby="page-title">
      <PageTitle>{m.tasksTitle}</PageTitle>
      <p class="lead">{m.tasksIntro}</p>
      <p class="notice notice-ok" role="status" hidden={!message}>
        {message}
      </p>
      {error !== null && <ErrorNotice error={error} onRetry={() => void load()} />}
      {items === null && error === null && <Loading />}
      {items && items.length === 0 && <p class="empty">{m.noTasks}</p>}
      <ul class="cards" aria-label={m.tasksTitle}>
        {items?.map((task) => {
          const myClaim = mine ? task.claims?.find((c) => c.memberId === mine.id) : undefined;
          return (
            <li key={task.id} class="card" data-task-id={task.id}>
              <p>
                <strong>{task.title}</strong> <span class="badge">{m.slotsOf(task.claimed, task.slots)}</span>
              </p>
              <p>{task.description}</p>
              <p class="muted small">
                {task.day} · {m.hoursExpected(task.hoursExpected)}
                {task.skills.length > 0 ? ` · ${task.skills.join('、')}` : ''}
              </p>
              {mine && mine.kind === 'in_service' && !myClaim && task.claimed < task.slots && (
                <button type="button" class="btn" onClick={() => void act(() => api.post(`/v1/service-tasks/${task.id}/claims`, { memberId: mine.id }), m.claimed)}>
                  {m.claim}
                </button>
              )}
              {myClaim && !myClaim.confirmed && <HoursForm taskId={task.id} memberId={myClaim.memberId} onDone={() => void load()} />}
              {(task.claims ?? []).length > 0 && (
                <ul class="claims">
                  {task.claims!.map((c) => (
                    <li key={c.id}>
                      {c.name} · {c.hours ? m.hoursRecorded(c.hours.hours, c.hours.day) : m.noHours}
                      {c.confirmed ? ` · ${m.confirmed}` : ''}
                      {!c.confirmed && c.hours && may(me, 'service_task', 'confirm') && (
                        <button type="button" class="btn" onClick={() => void act(() => api.post(`/v1/service-tasks/${task.id}/claims/${c.memberId}/confirmation`, {}), m.confirmedDone(c.name))}>
                          {m.confirm(c.name)}
                        </button>
                      )}
                    </li>
                  ))}
                </ul>
              )}
            </li>
          );
        })}
      </ul>
      {may(me, 'service_task', 'post') && <PostTaskForm onDone={() => void load()} />}
    </section>
  );
}

function HoursForm(props: { taskId: string; memberId: string; onDone: () => void }) {
  const { t } = useApp();
  const m = t.members;
  const id = (f: string) => `hours-${props.taskId}-${f}`;
  const [hours, setHours] = useState('');
  const [day, setDay] = useState(today);
  const { issues, failure, busy, run } = useSubmission();
  const submit = async (e: Event) => {
    e.preventDefault();
    const ok = await run(e.currentTarget as HTMLFormElement, () => api.put(`/v1/service-tasks/${props.taskId}/claims/${props.memberId}/hours`, { hours: Number(hours), day }));
    if (ok !== undefined) props.onDone();
  };
  return (
    <form class="form" noValidate onSubmit={submit} aria-label={m.recordHours}>
      {failure !== null && <ErrorNotice error={failure} />}
      <Field id={id('hours')} name="hours" label={m.fields.hours} issues={issues}>
        {(aria) => <input {...aria} type="number" inputMode="decimal" step="0.5" min="0.5" max="24" value={hours} onInput={(e) => setHours((e.target as HTMLInputElement).value)} />}
      </Field>
      <Field id={id('day')} name="day" label={m.fields.day} issues={issues}>
        {(aria) => <input {...aria} type="date" value={day} onInput={(e) => setDay((e.target as HTMLInputElement).value)} />}
      </Field>
      <button type="submit" class="btn" disabled={busy}>
        {m.recordHours}
      </button>
    </form>
  );
}

function PostTaskForm(props: { onDone: () => void }) {
  const { t } = useApp();
  const m = t.members;
  const id = (f: string) => `task-post-${f}`;
  const [key, setKey] = useState(newKey);
  const [v, setV] = useState({ title: '', description: '', day: today(), hoursExpected: '2', slots: '1', skills: '' });
  const { issues, failure, busy, run } = useSubmission();
  const set = (k: keyof typeof v) => (e: Event) => setV({ ...v, [k]: (e.target as HTMLInputElement).value });
  const submit = async (e: Event) => {
    e.preventDefault();
    const body = { title: v.title, description: v.description, day: v.day, hoursExpected: Number(v.hoursExpected), slots: Number(v.slots), skills: list(v.skills), key };
    const created = await run(e.currentTarget as HTMLFormElement, () => api.post<Task>('/v1/service-tasks', body));
    if (created) {
      setKey(newKey());
      props.onDone();
    }
  };
  return (
    <form class="form" noValidate onSubmit={submit} aria-labelledby={id('legend')}>
      <h2 id={id('legend')}>{m.post}</h2>
      {failure !== null && <ErrorNotice error={failure} />}
      <Field id={id('title')} name="title" label={m.fields.title} issues={issues}>
        {(aria) => <input {...aria} value={v.title} onInput={set('title')} />}
      </Field>
      <Field id={id('description')} name="description" label={m.fields.description} issues={issues}>
        {(aria) => <textarea {...aria} value={v.description} onInput={set('description')} />}
      </Field>
      <Field id={id('day')} name="day" label={m.fields.day} issues={issues}>
        {(aria) => <input {...aria} type="date" value={v.day} onInput={set('day')} />}
      </Field>
      <Field id={id('hoursExpected')} name="hoursExpected" label={m.fields.hoursExpected} issues={issues}>
        {(aria) => <input {...aria} type="number" step="0.5" value={v.hoursExpected} onInput={set('hoursExpected')} />}
      </Field>
      <Field id={id('slots')} name="slots" label={m.fields.slots} issues={issues}>
        {(aria) => <input {...aria} type="number" value={v.slots} onInput={set('slots')} />}
      </Field>
      <Field id={id('skills')} name="skills" label={m.fields.skills} hint={m.fields.skillsHint} issues={issues}>
        {(aria) => <input {...aria} value={v.skills} onInput={set('skills')} />}
      </Field>
      <button type="submit" class="btn btn-primary" disabled={busy}>
        {busy ? t.common.saving : m.post}
      </button>
    </form>
  );
}
