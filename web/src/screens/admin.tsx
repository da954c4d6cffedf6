import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, qs, type FieldIssue } from '../api';
import { Field, useSubmission } from '../components/forms';
import { ErrorNotice, Link, Loading, PageTitle } from '../components/ui';
import { fmtTime, issueMessage } from '../i18n';
import { navigate } from '../router';
import { may, useApp } from '../state';
import { useAdminText } from '../i18n-admin';

// Admin screens (issue 14, item 3): the org tree (组织机构), the holiday calendar (节假日日历) and the "9+N+1"
// catalogue (救助目录). Every rule is the API's (api/routes/org.ts, api/routes/calendar.ts,
// api/routes/reference.ts; docs/admin.md): the forms send what was entered and show the API's message beside
// each field, by its issue code in Chinese. Everyone who may read sees the data; the edit controls show for
// those whom GET /v1/me gives the edit action (the API still decides: a city-wide cell needs a city admin).

interface UnitSummary {
  code: string;
  name: string;
  level: string;
  levelName: string;
}
interface UnitView extends UnitSummary {
  parent: string | null;
  path: string[];
  trail: Array<{ code: string; name: string }>;
  children: UnitSummary[];
  /** The level of a unit added below, and a code it could have (domain/org.ts childCodeExample); null below a grid. */
  childLevel: string | null;
  childCodeExample: string | null;
}
interface FoundUnit extends UnitSummary {
  path: Array<{ code: string; name: string }>;
}

/**
 * useSubmission for a form whose fields are rows of lists: the API's field issues keyed by their whole path
 * inside the body (`holidays.3`, `items.7.code`), a failure no field names as the form-level error, and the
 * keyboard taken to the first field marked invalid.
 */
function useRowSubmission() {
  const [issues, setIssues] = useState<Map<string, FieldIssue[]>>(new Map());
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const run = async <T,>(form: HTMLFormElement, work: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setFailure(null);
    setIssues(new Map());
    try {
      return await work();
    } catch (err) {
      const byPath = err instanceof ApiError && (err.status === 400 || err.status === 422) ? err.fieldIssues(true) : new Map<string, FieldIssue[]>();
      setIssues(byPath);
      if (byPath.size === 0) setFailure(err);
      window.setTimeout(() => form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(), 0);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { issues, failure, busy, run };
}

/** Today in China time, YYYY-MM-DD. */
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());

// ---- 组织机构 ------------------------------------------------------------------------------------------

/** The org tree from `code` (default: the caller's unit): its trail, its children, search, and the admin's add and rename forms. */
export function OrgTreePage(props: { code?: string }) {
  const { t, me } = useApp();
  const o = useAdminText().org;
  const code = props.code ?? me?.unit.code ?? '';
  const [unit, setUnit] = useState<UnitView | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = async () => {
    try {
      setUnit(await api.get<UnitView>(`/v1/org-units/${encodeURIComponent(code)}`));
      setError(null);
    } catch (err) {
      setError(err);
    }
  };
  useEffect(() => {
    setUnit(null);
    void load();
  }, [code]);
  const editable = may(me, 'org', 'edit');
  return (
    <section aria-labelledby="page-title" class="org-tree">
      <PageTitle>{o.title}</PageTitle>
      <p class="lead">{o.intro}</p>
      <OrgSearch />
      {error !== null && <ErrorNotice error={error} onRetry={() => void load()} />}
      {unit === null && error === null && <Loading />}
      {unit && (
        <div class="card" data-unit={unit.code}>
          <nav aria-label={o.up}>
            <ol class="trail" data-testid="org-trail">
              {unit.trail.map((u, i) => (
                <li key={u.code}>
                  {i < unit.trail.length - 1 ? <Link to={`/org/${u.code}`}>{u.name}</Link> : <span aria-current="page">{u.name}</span>}
                </li>
              ))}
            </ol>
          </nav>
          <h2 data-testid="org-unit-name">
            {unit.name} <span class="badge">{t.orgLevels[unit.level] ?? unit.levelName}</span>
          </h2>
          <p class="muted small">
            {o.code} <span class="mono">{unit.code}</span>
          </p>
          <h3>{o.children}</h3>
          {unit.children.length === 0 ? (
            <p class="empty">{o.noChildren}</p>
          ) : (
            <ul class="org-children" aria-label={o.children}>
              {unit.children.map((c) => (
                <li key={c.code}>
                  <Link to={`/org/${c.code}`}>{c.name}</Link> <span class="badge">{t.orgLevels[c.level] ?? c.levelName}</span> <span class="muted small mono">{c.code}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {unit && editable && (
        <>
          <p class="muted small">{o.casesNote}</p>
          <RenameForm key={`rename-${unit.code}`} unit={unit} onDone={setUnit} />
          {unit.childLevel && <AddUnitForm key={`add-${unit.code}`} unit={unit} onDone={() => void load()} />}
        </>
      )}
    </section>
  );
}

function OrgSearch() {
  const { t } = useApp();
  const o = useAdminText().org;
  const [q, setQ] = useState('');
  const [found, setFound] = useState<FoundUnit[] | null>(null);
  const { issues, failure, busy, run } = useSubmission();
  const submit = async (e: Event) => {
    e.preventDefault();
    const res = await run(e.currentTarget as HTMLFormElement, () => api.get<{ items: FoundUnit[] }>(`/v1/org-units${qs({ q })}`));
    if (res) setFound(res.items);
  };
  return (
    <form class="form filters org-search" role="search" noValidate onSubmit={submit}>
      {failure !== null && <ErrorNotice error={failure} />}
      <Field id="org-search-q" name="q" label={o.searchLabel} hint={o.searchHint} issues={issues}>
        {(aria) => <input type="search" {...aria} value={q} onInput={(e) => setQ(e.currentTarget.value)} />}
      </Field>
      <div class="actions">
        <button type="submit" class="btn" disabled={busy}>
          {o.search}
        </button>
      </div>
      {found && found.length === 0 && <p class="empty">{o.noResults}</p>}
      {found && found.length > 0 && (
        <ul class="org-results" aria-label={o.results}>
          {found.map((u) => (
            <li key={u.code}>
              <Link to={`/org/${u.code}`}>{u.name}</Link> <span class="badge">{t.orgLevels[u.level] ?? u.levelName}</span>{' '}
              <span class="muted small">{u.path.slice(0, -1).map((p) => p.name).join(' / ')}</span>
            </li>
          ))}
        </ul>
      )}
    </form>
  );
}

function AddUnitForm(props: { unit: UnitView; onDone: () => void }) {
  const { t } = useApp();
  const o = useAdminText().org;
  const level = props.unit.childLevel ?? '';
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const { issues, failure, busy, run } = useSubmission();
  const [conflict, setConflict] = useState<Map<string, FieldIssue[]>>(new Map());
  const submit = async (e: Event) => {
    e.preventDefault();
    setConflict(new Map());
    setDone(null);
    let taken: unknown = null;
    const created = await run(e.currentTarget as HTMLFormElement, async () => {
      try {
        return await api.post<UnitView>(`/v1/org-units/${encodeURIComponent(props.unit.code)}/children`, { code, name });
      } catch (err) {
        // A taken code (409) is still the code field's problem: shown beside it.
        if (err instanceof ApiError && err.status === 409) {
          taken = err;
          return undefined;
        }
        throw err;
      }
    });
    if (taken) setConflict((taken as ApiError).fieldIssues());
    if (created) {
      setDone(o.added(created.name));
      setCode('');
      setName('');
      props.onDone();
    }
  };
  const all = new Map([...issues, ...conflict]);
  const shown = new Map([...all].map(([k, v]) => [k === 'code' ? 'orgCode' : k, v]));
  return (
    <form class="form card" noValidate onSubmit={submit} aria-labelledby="org-add-legend" data-testid="org-add">
      <h2 id="org-add-legend">{o.addTitle(t.orgLevels[level] ?? level)}</h2>
      {failure !== null && <ErrorNotice error={failure} />}
      <p class="notice notice-ok" role="status" hidden={!done}>
        {done}
      </p>
      <div data-field="code">
        <Field id="org-add-code" name="orgCode" label={o.addCode} hint={o.addCodeHint(props.unit.childCodeExample ?? '')} issues={shown}>
          {(aria) => <input type="text" {...aria} autocomplete="off" value={code} onInput={(e) => setCode(e.currentTarget.value.trim())} />}
        </Field>
      </div>
      <Field id="org-add-name" name="name" label={o.addName} issues={shown}>
        {(aria) => <input type="text" {...aria} autocomplete="off" value={name} onInput={(e) => setName(e.currentTarget.value)} />}
      </Field>
      <button type="submit" class="btn btn-primary" disabled={busy}>
        {busy ? t.common.saving : o.add}
      </button>
    </form>
  );
}

function RenameForm(props: { unit: UnitView; onDone: (u: UnitView) => void }) {
  const { t } = useApp();
  const o = useAdminText().org;
  const [name, setName] = useState(props.unit.name);
  const [done, setDone] = useState<string | null>(null);
  const { issues, failure, busy, run } = useSubmission();
  const submit = async (e: Event) => {
    e.preventDefault();
    setDone(null);
    const renamed = await run(e.currentTarget as HTMLFormElement, () => api.patch<UnitView>(`/v1/org-units/${encodeURIComponent(props.unit.code)}`, { name }));
    if (renamed) {
      setDone(o.renamed(renamed.name));
      props.onDone(renamed);
    }
  };
  return (
    <form class="form card" noValidate onSubmit={submit} aria-labelledby="org-rename-legend" data-testid="org-rename">
      <h2 id="org-rename-legend">{o.renameTitle}</h2>
      {failure !== null && <ErrorNotice error={failure} />}
      <p class="notice notice-ok" role="status" hidden={!done}>
        {done}
      </p>
      <Field id="org-rename-name" name="name" label={o.addName} issues={issues}>
        {(aria) => <input type="text" {...aria} autocomplete="off" value={name} onInput={(e) => setName(e.currentTarget.value)} />}
      </Field>
      <button type="submit" class="btn" disabled={busy}>
        {busy ? t.common.saving : o.rename}
      </button>
    </form>
  );
}

// ---- 节假日日历 ------------------------------------------------------------------------------------------

interface CalendarYear {
  year: number;
  holidays: string[];
  workdays: string[];
  provisional: boolean;
  source?: string;
  updatedAt: string;
  updatedBy: string;
}
interface WorkingDays {
  days: number;
  dueAt: string;
  lastWorkingDay: string;
  warnings: string[];
}

/** One year of the holiday calendar (`?year=`, default this year): view, edit and save, and the working-day count. */
export function CalendarPage() {
  const { t, me, lang } = useApp();
  const c = useAdminText().calendar;
  const initial = Number(new URLSearchParams(location.search).get('year')) || Number(today().slice(0, 4));
  const [year, setYear] = useState(initial);
  const [yearInput, setYearInput] = useState(String(initial));
  const [stored, setStored] = useState<CalendarYear | null | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [version, setVersion] = useState(0);
  const [saved, setSaved] = useState(false);
  const load = async () => {
    setStored(undefined);
    setSaved(false);
    try {
      setStored(await api.get<CalendarYear>(`/v1/calendar/${year}`));
      setError(null);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) {
        setStored(null);
        setError(null);
      } else setError(err);
    }
  };
  useEffect(() => void load(), [year]);
  // The calendar is city-wide: editing needs calendar.edit at the city (domain/permissions.ts scope 'city').
  const editable = may(me, 'calendar', 'edit') && me?.unit.level === 'city';
  const show = (e: Event) => {
    e.preventDefault();
    const y = Number(yearInput);
    if (Number.isInteger(y) && y >= 2000 && y <= 2100) {
      setYear(y);
      navigate(`/calendar?year=${y}`, { replace: true });
    }
  };
  return (
    <section aria-labelledby="page-title" class="calendar-admin">
      <PageTitle>{c.title}</PageTitle>
      <p class="lead">{c.intro}</p>
      <form class="form filters" noValidate onSubmit={show}>
        <div class="field">
          <label for="calendar-year">{c.year}</label>
          <input id="calendar-year" type="number" inputMode="numeric" min={2000} max={2100} value={yearInput} onInput={(e) => setYearInput(e.currentTarget.value)} />
        </div>
        <div class="actions">
          <button type="submit" class="btn">
            {c.show}
          </button>
        </div>
      </form>
      {error !== null && <ErrorNotice error={error} onRetry={() => void load()} />}
      {stored === undefined && error === null && <Loading />}
      {stored !== undefined && (
        <div class="card" data-year={year}>
          <h2>
            {year}{' '}
            {stored?.provisional && (
              <span class="badge provisional" data-testid="calendar-provisional" title={c.provisionalHint}>
                {c.provisional}
              </span>
            )}
          </h2>
          {/* Outside the form: the form is made anew from the saved year. */}
          <p class="notice notice-ok" role="status" hidden={!saved} data-testid="calendar-saved">
            {c.saved(year)}
          </p>
          {stored === null ? (
            <p class="notice notice-warn">{c.notStored(year)}</p>
          ) : (
            <p class="muted small">
              {stored.source ? `${stored.source} · ` : ''}
              {c.updated(fmtTime(lang, stored.updatedAt), stored.updatedBy)}
            </p>
          )}
          {editable ? (
            <CalendarForm
              key={`${year}-${stored?.updatedAt ?? 'none'}`}
              year={year}
              stored={stored}
              onStart={() => setSaved(false)}
              onSaved={(doc) => {
                setStored(doc);
                setSaved(true);
                setVersion((v) => v + 1);
              }}
            />
          ) : (
            stored && (
              <>
                <h3>{c.holidays}</h3>
                <p data-testid="calendar-holidays">{stored.holidays.join(t.listSeparator) || c.none}</p>
                <h3>{c.workdays}</h3>
                <p data-testid="calendar-workdays">{stored.workdays.join(t.listSeparator) || c.none}</p>
              </>
            )
          )}
        </div>
      )}
      <WorkingDayCount year={year} version={version} />
    </section>
  );
}

function CalendarForm(props: { year: number; stored: CalendarYear | null; onStart: () => void; onSaved: (doc: CalendarYear) => void }) {
  const { t } = useApp();
  const c = useAdminText().calendar;
  const [holidays, setHolidays] = useState<string[]>(props.stored?.holidays ?? []);
  const [workdays, setWorkdays] = useState<string[]>(props.stored?.workdays ?? []);
  const [provisional, setProvisional] = useState(props.stored?.provisional ?? false);
  const [source, setSource] = useState(props.stored?.source ?? '');
  const { issues, failure, busy, run } = useRowSubmission();
  const submit = async (e: Event) => {
    e.preventDefault();
    props.onStart();
    const body = { holidays: holidays.filter(Boolean), workdays: workdays.filter(Boolean), provisional, ...(source.trim() ? { source: source.trim() } : {}) };
    // Blank rows are dropped; the rows sent keep their positions so the API's paths point at them.
    setHolidays(body.holidays);
    setWorkdays(body.workdays);
    const saved = await run(e.currentTarget as HTMLFormElement, () => api.put<CalendarYear>(`/v1/calendar/${props.year}`, body));
    if (saved) props.onSaved(saved);
  };
  const list = (key: 'holidays' | 'workdays', label: string, days: string[], set: (d: string[]) => void, addLabel: string) => (
    <fieldset class="field day-list" data-field={key}>
      <legend>{label}</legend>
      {key === 'workdays' && <p class="hint">{c.workdaysHint}</p>}
      {days.length === 0 && <p class="muted small">{c.none}</p>}
      <ol>
        {days.map((day, i) => {
          const messages = (issues.get(`${key}.${i}`) ?? []).map((issue) => issueMessage(t, key, issue));
          const id = `calendar-${key}-${i}`;
          return (
            <li key={`${key}-${i}`} class={messages.length ? 'has-error' : undefined}>
              <label for={id} class="visually-hidden">
                {c.day(label, i + 1)}
              </label>
              <input
                id={id}
                type="date"
                value={day}
                aria-invalid={messages.length ? 'true' : undefined}
                aria-describedby={messages.length ? `${id}-error` : undefined}
                onInput={(e) => set(days.map((d, j) => (j === i ? e.currentTarget.value : d)))}
              />
              <button type="button" class="btn btn-quiet" aria-label={c.remove(c.day(label, i + 1))} onClick={() => set(days.filter((_, j) => j !== i))}>
                ✕
              </button>
              {messages.length > 0 && (
                <p id={`${id}-error`} class="field-error">
                  {messages.join('；')}
                </p>
              )}
            </li>
          );
        })}
      </ol>
      {(issues.get(key) ?? []).length > 0 && <p class="field-error">{(issues.get(key) ?? []).map((issue) => issueMessage(t, key, issue)).join('；')}</p>}
      <button type="button" class="btn" onClick={() => set([...days, ''])}>
        {addLabel}
      </button>
    </fieldset>
  );
  return (
    <form class="form calendar-form" noValidate onSubmit={submit} aria-label={c.title}>
      {failure !== null && <ErrorNotice error={failure} />}
      {list('holidays', c.holidays, holidays, setHolidays, c.addHoliday)}
      {list('workdays', c.workdays, workdays, setWorkdays, c.addWorkday)}
      <label class="choice">
        <input type="checkbox" checked={provisional} onChange={(e) => setProvisional(e.currentTarget.checked)} />
        {c.isProvisional}
      </label>
      <Field id="calendar-source" name="source" label={c.source} issues={issues}>
        {(aria) => <input type="text" {...aria} value={source} onInput={(e) => setSource(e.currentTarget.value)} />}
      </Field>
      <button type="submit" class="btn btn-primary" disabled={busy}>
        {busy ? t.common.saving : c.save}
      </button>
    </form>
  );
}

/** "Within n working days" from a day of the year, as the API counts it (GET /v1/calendar/:year/working-days). */
function WorkingDayCount(props: { year: number; version: number }) {
  const { lang } = useApp();
  const c = useAdminText().calendar;
  const [from, setFrom] = useState(`${props.year}-01-05`);
  const [days, setDays] = useState('10');
  const [result, setResult] = useState<WorkingDays | null>(null);
  const { issues, failure, busy, run } = useSubmission();
  const count = async (form: HTMLFormElement | null) => {
    if (!form) return;
    const res = await run(form, () => api.get<WorkingDays>(`/v1/calendar/${props.year}/working-days${qs({ from, days })}`));
    setResult(res ?? null);
  };
  useEffect(() => {
    setFrom((f) => (f.startsWith(`${props.year}-`) ? f : `${props.year}-01-05`));
  }, [props.year]);
  // Recounted after each save, so the effect of a changed holiday shows at once.
  useEffect(() => {
    if (result) void count(document.querySelector<HTMLFormElement>('form.working-days'));
  }, [props.version]);
  return (
    <form
      class="form card working-days"
      noValidate
      aria-labelledby="working-days-legend"
      onSubmit={(e) => {
        e.preventDefault();
        void count(e.currentTarget as HTMLFormElement);
      }}
    >
      <h2 id="working-days-legend">{c.countTitle}</h2>
      {failure !== null && <ErrorNotice error={failure} />}
      <Field id="working-days-from" name="from" label={c.countFrom} issues={issues}>
        {(aria) => <input type="date" {...aria} value={from} onInput={(e) => setFrom(e.currentTarget.value)} />}
      </Field>
      <Field id="working-days-days" name="days" label={c.countDays} issues={issues}>
        {(aria) => <input type="number" inputMode="numeric" min={1} max={366} {...aria} value={days} onInput={(e) => setDays(e.currentTarget.value)} />}
      </Field>
      <button type="submit" class="btn" disabled={busy}>
        {c.count}
      </button>
      {result && (
        <p role="status" data-testid="working-days-result">
          {c.countResult(result.days, result.lastWorkingDay, fmtTime(lang, result.dueAt))}
        </p>
      )}
      {result && result.warnings.length > 0 && (
        <ul class="muted small" lang="en">
          {result.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}
    </form>
  );
}

// ---- 救助目录 ------------------------------------------------------------------------------------------

interface Entry {
  code: string;
  name: string;
}
interface Catalogue {
  categories: Entry[];
  items: Entry[];
  socialForces: Entry[];
}
const LISTS = ['categories', 'items', 'socialForces'] as const;

/** The "9+N+1" catalogue: its three lists, each entry's code and name editable by a city admin, saved whole (PUT /v1/catalogue). */
export function CataloguePage() {
  const { t, me } = useApp();
  const c = useAdminText().catalogue;
  const [cat, setCat] = useState<Catalogue | null>(null);
  const [error, setError] = useState<unknown>(null);
  const { issues, failure, busy, run } = useRowSubmission();
  const [done, setDone] = useState(false);
  const load = async () => {
    try {
      setCat(await api.get<Catalogue>('/v1/catalogue'));
      setError(null);
    } catch (err) {
      setError(err);
    }
  };
  useEffect(() => void load(), []);
  const editable = may(me, 'catalogue', 'edit') && me?.unit.level === 'city';
  const change = (list: (typeof LISTS)[number], i: number, key: keyof Entry, value: string) => {
    if (!cat) return;
    setCat({ ...cat, [list]: cat[list].map((e, j) => (j === i ? { ...e, [key]: value } : e)) });
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!cat) return;
    setDone(false);
    const saved = await run(e.currentTarget as HTMLFormElement, () => api.put<Catalogue>('/v1/catalogue', cat));
    if (saved) {
      setCat(saved);
      setDone(true);
    }
  };
  const messages = (path: string, field: string) => (issues.get(path) ?? []).map((issue) => issueMessage(t, field, issue));
  return (
    <section aria-labelledby="page-title" class="catalogue-admin">
      <PageTitle>{c.title}</PageTitle>
      <p class="lead">{c.intro}</p>
      {!editable && <p class="muted">{c.readOnly}</p>}
      {error !== null && <ErrorNotice error={error} onRetry={() => void load()} />}
      {cat === null && error === null && <Loading />}
      {cat && (
        <form class="form catalogue-form" noValidate onSubmit={submit} aria-label={c.title}>
          {failure !== null && <ErrorNotice error={failure} />}
          {LISTS.map((list) => (
            <fieldset key={list} class="card" data-list={list}>
              <legend>
                <h2>{c[list]}</h2>
              </legend>
              {messages(list, list).length > 0 && <p class="field-error">{messages(list, list).join('；')}</p>}
              <ol class="catalogue-entries">
                {cat[list].map((entry, i) => {
                  const id = `catalogue-${list}-${i}`;
                  const codeErr = messages(`${list}.${i}.code`, 'entryCode');
                  const nameErr = messages(`${list}.${i}.name`, 'name');
                  const what = c.entry(c[list], i + 1);
                  return (
                    <li key={`${list}-${i}`} data-entry={entry.code}>
                      {editable ? (
                        <>
                          <div class={`field${codeErr.length ? ' has-error' : ''}`}>
                            <label for={`${id}-code`}>{`${what} · ${c.code}`}</label>
                            <input
                              type="text"
                              id={`${id}-code`}
                              class="mono"
                              autocomplete="off"
                              value={entry.code}
                              aria-invalid={codeErr.length ? 'true' : undefined}
                              aria-describedby={codeErr.length ? `${id}-code-error` : undefined}
                              onInput={(e) => change(list, i, 'code', e.currentTarget.value)}
                            />
                            {codeErr.length > 0 && (
                              <p id={`${id}-code-error`} class="field-error">
                                {codeErr.join('；')}
                              </p>
                            )}
                          </div>
                          <div class={`field${nameErr.length ? ' has-error' : ''}`}>
                            <label for={`${id}-name`}>{`${what} · ${c.name}`}</label>
                            <input
                              type="text"
                              id={`${id}-name`}
                              autocomplete="off"
                              value={entry.name}
                              aria-invalid={nameErr.length ? 'true' : undefined}
                              aria-describedby={nameErr.length ? `${id}-name-error` : undefined}
                              onInput={(e) => change(list, i, 'name', e.currentTarget.value)}
                            />
                            {nameErr.length > 0 && (
                              <p id={`${id}-name-error`} class="field-error">
                                {nameErr.join('；')}
                              </p>
                            )}
                          </div>
                          <button type="button" class="btn btn-quiet" onClick={() => setCat({ ...cat, [list]: cat[list].filter((_, j) => j !== i) })}>
                            {c.remove(what)}
                          </button>
                        </>
                      ) : (
                        <>
                          {entry.name} <span class="muted small mono">{entry.code}</span>
                        </>
                      )}
                    </li>
                  );
                })}
              </ol>
              {editable && (
                <button type="button" class="btn" onClick={() => setCat({ ...cat, [list]: [...cat[list], { code: '', name: '' }] })}>
                  {c.add(c[list])}
                </button>
              )}
            </fieldset>
          ))}
          {editable && (
            <>
              <p class="notice notice-ok" role="status" hidden={!done} data-testid="catalogue-saved">
                {c.saved}
              </p>
              <p class="hint">{c.codeHint}</p>
              <button type="submit" class="btn btn-primary" disabled={busy}>
                {busy ? t.common.saving : c.save}
              </button>
            </>
          )}
        </form>
      )}
    </section>
  );
}
