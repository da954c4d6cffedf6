import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, qs, type CaseRow, type Page } from '../api';
import { Field, useSubmission } from '../components/forms';
import { ErrorNotice, Link, Loading, PageTitle } from '../components/ui';
import { fmtTime } from '../i18n';
import { may, useApp } from '../state';

// Patrols (巡查, seed 三(二)三; docs/patrols.md), phone-first: members work in the field. "巡查计划" — the village's
// plan (cadence, focus groups, pause; PUT /v1/villages/{code}/patrol-plan) — and "巡查记录" — this cycle's
// patrol, recorded with who patrolled and whom it visited (POST /v1/patrols/{id}/record). Validation is the API's:
// each message shows next to its field.

const FOCUS_GROUPS = ['sudden_event', 'accident', 'major_illness', 'severe_disability', 'other'] as const;
const FINDINGS = ['ok', 'concern', 'discovery'] as const;
/** The cadences offered (the policy's bounds still apply: the API refuses what is outside them). */
const CADENCES = ['P1D', 'P7D', 'P14D', 'P30D'] as const;

interface Plan {
  every: string;
  focusGroups: string[];
  note: string | null;
  paused: boolean;
  nextActionTimes: string[];
}
interface PatrolView {
  caseId: string;
  status: 'open' | 'closed';
  cycleStart: string;
  cycleEnd: string;
  focusGroups: string[];
  record: { day: string; members: string[] } | null;
  visited: Array<{ householdId: string | null; description: string | null; focusGroup: string; finding: string; note: string | null; discoveryId?: string | null }>;
}
interface VisitRow {
  who: string;
  focusGroup: string;
  finding: string;
  note: string;
  /** A `discovery` finding's report (discovery-…), picked from the village's open discoveries or typed. */
  discoveryId: string;
}
/** An open discovery of the village, offered for a `discovery` finding's link. */
interface OpenDiscovery {
  caseId: string;
  householdId: string | null;
  focusGroupName: string;
  reportedAt: string;
}
const blankRow = (): VisitRow => ({ who: '', focusGroup: 'major_illness', finding: 'ok', note: '', discoveryId: '' });

/** The village a user patrols: their unit, or the village of their grid (`<village>-G01`). */
const villageOf = (code: string): string => code.replace(/-G\d{2,3}$/, '');
const today = (): string => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

export function PatrolsPage() {
  const { t, me } = useApp();
  const [village, setVillage] = useState(() => villageOf(me?.unit.code ?? ''));
  const isVillage = (me?.unit.level ?? '') === 'village' || (me?.unit.level ?? '') === 'grid';
  return (
    <section aria-labelledby="page-title" class="patrols">
      <PageTitle>{t.patrols.title}</PageTitle>
      {!isVillage && (
        <form class="form" onSubmit={(e) => e.preventDefault()}>
          <div class="field">
            <label for="patrol-village">{t.patrols.village}</label>
            <input id="patrol-village" type="text" inputMode="numeric" value={village} onChange={(e) => setVillage(e.currentTarget.value.trim())} />
          </div>
        </form>
      )}
      {/^\d{12}$/.test(village) && (
        <>
          <PlanCard village={village} key={`plan-${village}`} />
          <RecordCard village={village} key={`record-${village}`} />
        </>
      )}
    </section>
  );
}

function PlanCard(props: { village: string }) {
  const { t, lang, me } = useApp();
  const [plan, setPlan] = useState<Plan | null | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [every, setEvery] = useState('P7D');
  const [groups, setGroups] = useState<string[]>(['sudden_event', 'accident', 'major_illness', 'severe_disability']);
  const [note, setNote] = useState('');
  const [paused, setPaused] = useState(false);
  const [saved, setSaved] = useState(false);
  const { issues, failure, busy, run } = useSubmission();
  const canPlan = may(me, 'patrol', 'plan');
  const url = `/v1/villages/${props.village}/patrol-plan`;

  const show = (p: Plan) => {
    setPlan(p);
    setEvery(p.every);
    setGroups(p.focusGroups);
    setNote(p.note ?? '');
    setPaused(p.paused);
  };
  useEffect(() => {
    api.get<Plan>(url).then(show, (err: unknown) => (err instanceof ApiError && err.status === 404 ? setPlan(null) : setError(err)));
  }, [url]);

  const submit = async (e: Event) => {
    e.preventDefault();
    setSaved(false);
    const p = await run(e.currentTarget as HTMLFormElement, () => api.put<Plan>(url, { every, focusGroups: groups, paused, ...(note.trim() ? { note: note.trim() } : {}) }));
    if (p) {
      show(p);
      setSaved(true);
    }
  };
  const toggle = (g: string) => setGroups((gs) => (gs.includes(g) ? gs.filter((x) => x !== g) : [...gs, g]));
  const groupErrors = issues.get('focusGroups') ?? [];

  return (
    <section class="card" aria-labelledby="h-patrol-plan" data-patrol-plan={props.village}>
      <h2 id="h-patrol-plan">{t.patrols.planTitle}</h2>
      {error !== null && <ErrorNotice error={error} />}
      {plan === undefined && error === null && <Loading />}
      {plan === null && <p class="muted">{t.patrols.noPlan}</p>}
      {plan && (
        <p data-testid="plan-summary">
          {t.patrols.planSummary(t.patrols.cadences[plan.every] ?? plan.every, plan.focusGroups.map((g) => t.patrols.focusGroups[g] ?? g).join(t.listSeparator))}
          {plan.paused ? ` · ${t.patrols.paused}` : plan.nextActionTimes[0] ? ` · ${t.patrols.nextFire(fmtTime(lang, plan.nextActionTimes[0]))}` : ''}
        </p>
      )}
      {canPlan && plan !== undefined && (
        <form class="form" noValidate onSubmit={submit}>
          {failure !== null && <ErrorNotice error={failure} />}
          <Field id="plan-every" name="every" label={t.patrols.every} issues={issues}>
            {(aria) => (
              <select {...aria} value={every} onChange={(e) => setEvery(e.currentTarget.value)}>
                {[...new Set([...CADENCES, every])].map((c) => (
                  <option key={c} value={c}>
                    {t.patrols.cadences[c] ?? c}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <fieldset class={`field${groupErrors.length ? ' has-error' : ''}`} data-field="focusGroups">
            <legend>{t.patrols.focus}</legend>
            <div class="choices">
              {FOCUS_GROUPS.map((g) => (
                <label key={g} class="choice">
                  <input type="checkbox" checked={groups.includes(g)} onChange={() => toggle(g)} />
                  {t.patrols.focusGroups[g]}
                </label>
              ))}
            </div>
            {groupErrors.length > 0 && <p class="field-error">{t.patrols.focusNeeded}</p>}
          </fieldset>
          <Field id="plan-note" name="note" label={t.patrols.note} issues={issues}>
            {(aria) => <input type="text" {...aria} value={note} onInput={(e) => setNote(e.currentTarget.value)} />}
          </Field>
          <label class="choice">
            <input type="checkbox" checked={paused} onChange={(e) => setPaused(e.currentTarget.checked)} />
            {t.patrols.pause}
          </label>
          <div class="actions">
            <button type="submit" class="btn btn-primary" disabled={busy}>
              {busy ? t.common.saving : t.patrols.savePlan}
            </button>
            {saved && (
              <span role="status" class="muted">
                {t.patrols.saved}
              </span>
            )}
          </div>
        </form>
      )}
    </section>
  );
}

function RecordCard(props: { village: string }) {
  const { t, lang, me } = useApp();
  const [patrol, setPatrol] = useState<PatrolView | null | undefined>(undefined);
  /** The village's open patrols, the overdue first (most overdue first), then the newest: any of them is recorded here. */
  const [open, setOpen] = useState<CaseRow[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [day, setDay] = useState(today);
  const [members, setMembers] = useState(me?.userId ?? '');
  const [rows, setRows] = useState<VisitRow[]>([blankRow()]);
  const [discoveries, setDiscoveries] = useState<OpenDiscovery[]>([]);
  const [note, setNote] = useState('');
  const { issues, failure, busy, run } = useSubmission();

  useEffect(() => {
    // The village's open patrols (its plan opens one per cycle; an overdue one stays open when the next fires).
    api.get<Page<CaseRow>>(`/v1/cases${qs({ org: props.village, kind: 'patrol', status: 'open', limit: 50 })}`).then(async (page) => {
      const sorted = [...page.items].sort((a, b) => Number(b.overdue) - Number(a.overdue) || b.overdueByMs - a.overdueByMs || (a.caseId < b.caseId ? 1 : -1));
      setOpen(sorted);
      setPatrol(sorted[0] ? await api.get<PatrolView>(`/v1/patrols/${encodeURIComponent(sorted[0].caseId)}`) : null);
    }, setError);
    // The village's open discoveries, to link a `discovery` finding to (a user who may not list them types the id).
    api.get<{ items: OpenDiscovery[] }>(`/v1/discoveries${qs({ org: props.village, status: 'open', limit: 200 })}`).then(
      (page) => setDiscoveries(page.items),
      () => setDiscoveries([]),
    );
  }, [props.village]);

  const pick = (caseId: string) => {
    setPatrol(undefined);
    api.get<PatrolView>(`/v1/patrols/${encodeURIComponent(caseId)}`).then(setPatrol, setError);
  };
  const setRow = (i: number, change: Partial<VisitRow>) => setRows((rs) => rs.map((r, j) => (j === i ? { ...r, ...change } : r)));
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!patrol) return;
    const body = {
      day,
      members: members
        .split(/[,，、;；\s]+/)
        .map((s) => s.trim())
        .filter(Boolean),
      visited: rows.map((r) => ({
        // A registered household by its id, else a description (without personal data).
        ...(/^hh-[0-9a-f]{12}$/.test(r.who.trim()) ? { householdId: r.who.trim() } : { description: r.who.trim() }),
        focusGroup: r.focusGroup,
        finding: r.finding,
        ...(r.note.trim() ? { note: r.note.trim() } : {}),
        ...(r.finding === 'discovery' && r.discoveryId.trim() ? { discoveryId: r.discoveryId.trim() } : {}),
      })),
      ...(note.trim() ? { note: note.trim() } : {}),
    };
    const view = await run(e.currentTarget as HTMLFormElement, () => api.post<PatrolView>(`/v1/patrols/${encodeURIComponent(patrol.caseId)}/record`, body));
    if (view) setPatrol(view);
  };
  const visitedErrors = issues.get('visited') ?? [];

  return (
    <section class="card" aria-labelledby="h-patrol-record">
      <h2 id="h-patrol-record">{t.patrols.recordTitle}</h2>
      {error !== null && <ErrorNotice error={error} />}
      {patrol === undefined && error === null && <Loading />}
      {patrol === null && <p class="muted">{t.patrols.noPatrol}</p>}
      {open.length > 1 && (
        <p class="field">
          <label for="patrol-pick">{t.patrols.pickPatrol}</label>
          <select id="patrol-pick" data-testid="patrol-pick" value={patrol?.caseId ?? open[0]!.caseId} onChange={(e) => pick(e.currentTarget.value)}>
            {open.map((o) => (
              <option key={o.caseId} value={o.caseId}>
                {o.caseId}
                {o.overdue ? t.patrols.overdueTag : ''}
              </option>
            ))}
          </select>
        </p>
      )}
      {patrol && (
        <p data-testid="patrol-cycle">
          <Link to={`/cases/${encodeURIComponent(patrol.caseId)}`}>{patrol.caseId}</Link> · {t.patrols.cycle(fmtTime(lang, patrol.cycleStart), fmtTime(lang, patrol.cycleEnd))}
        </p>
      )}
      {patrol?.status === 'closed' && patrol.record && (
        <div role="status" data-testid="patrol-recorded">
          <p>{t.patrols.recorded(patrol.record.day, patrol.record.members.join(t.listSeparator))}</p>
          <ul class="plain">
            {patrol.visited.map((v, i) => (
              <li key={i}>
                {v.householdId ?? v.description} · {t.patrols.focusGroups[v.focusGroup] ?? v.focusGroup} · {t.patrols.findings[v.finding] ?? v.finding}
                {v.note ? ` · ${v.note}` : ''}
                {v.discoveryId && (
                  <>
                    {' · '}
                    <Link to={`/cases/${encodeURIComponent(v.discoveryId)}`}>{v.discoveryId}</Link>
                  </>
                )}
              </li>
            ))}
          </ul>
        </div>
      )}
      {patrol?.status === 'open' && may(me, 'patrol', 'record') && (
        <form class="form" noValidate onSubmit={submit}>
          {failure !== null && <ErrorNotice error={failure} />}
          <Field id="patrol-day" name="day" label={t.patrols.day} issues={issues}>
            {(aria) => <input type="date" {...aria} value={day} onInput={(e) => setDay(e.currentTarget.value)} />}
          </Field>
          <Field id="patrol-members" name="members" label={t.patrols.members} hint={t.patrols.membersHint} issues={issues}>
            {(aria) => <input type="text" {...aria} autocomplete="off" value={members} onInput={(e) => setMembers(e.currentTarget.value)} />}
          </Field>
          <fieldset class={`field${visitedErrors.length ? ' has-error' : ''}`} data-field="visited">
            <legend>{t.patrols.visited}</legend>
            {rows.map((r, i) => (
              <div key={i} class="visit-row" data-visit-row={i}>
                <label for={`visit-${i}-who`}>{t.patrols.who(i + 1)}</label>
                <input id={`visit-${i}-who`} type="text" autocomplete="off" placeholder={t.patrols.whoHint} value={r.who} onInput={(e) => setRow(i, { who: e.currentTarget.value })} />
                <label for={`visit-${i}-group`}>{t.patrols.focusGroup}</label>
                <select id={`visit-${i}-group`} value={r.focusGroup} onChange={(e) => setRow(i, { focusGroup: e.currentTarget.value })}>
                  {FOCUS_GROUPS.map((g) => (
                    <option key={g} value={g}>
                      {t.patrols.focusGroups[g]}
                    </option>
                  ))}
                </select>
                <label for={`visit-${i}-finding`}>{t.patrols.finding}</label>
                <select id={`visit-${i}-finding`} value={r.finding} onChange={(e) => setRow(i, { finding: e.currentTarget.value })}>
                  {FINDINGS.map((f) => (
                    <option key={f} value={f}>
                      {t.patrols.findings[f]}
                    </option>
                  ))}
                </select>
                {r.finding === 'discovery' && (
                  <>
                    <label for={`visit-${i}-discovery`}>{t.patrols.discoveryId}</label>
                    <input
                      id={`visit-${i}-discovery`}
                      type="text"
                      autocomplete="off"
                      list={`visit-${i}-discoveries`}
                      aria-describedby={`visit-${i}-discovery-hint`}
                      value={r.discoveryId}
                      onInput={(e) => setRow(i, { discoveryId: e.currentTarget.value })}
                    />
                    <datalist id={`visit-${i}-discoveries`}>
                      {discoveries
                        .filter((o) => o.householdId === null || !/^hh-/.test(r.who.trim()) || o.householdId === r.who.trim())
                        .map((o) => (
                          <option key={o.caseId} value={o.caseId}>
                            {`${o.focusGroupName} · ${o.householdId ?? t.discovery.newHousehold} · ${fmtTime(lang, o.reportedAt)}`}
                          </option>
                        ))}
                    </datalist>
                    <p id={`visit-${i}-discovery-hint`} class="hint">
                      {t.patrols.discoveryIdHint}
                    </p>
                  </>
                )}
                <label for={`visit-${i}-note`}>{t.patrols.visitNote}</label>
                <input id={`visit-${i}-note`} type="text" value={r.note} onInput={(e) => setRow(i, { note: e.currentTarget.value })} />
                {rows.length > 1 && (
                  <button type="button" class="btn btn-quiet" onClick={() => setRows((rs) => rs.filter((_, j) => j !== i))}>
                    {t.patrols.removeVisit}
                  </button>
                )}
              </div>
            ))}
            {visitedErrors.length > 0 && <p class="field-error">{visitedErrors.map((x) => x.message).join('；')}</p>}
            <button type="button" class="btn" onClick={() => setRows((rs) => [...rs, blankRow()])}>
              {t.patrols.addVisit}
            </button>
          </fieldset>
          <Field id="patrol-note" name="note" label={t.patrols.note} issues={issues}>
            {(aria) => <textarea {...aria} rows={2} value={note} onInput={(e) => setNote(e.currentTarget.value)} />}
          </Field>
          <div class="actions">
            <button type="submit" class="btn btn-primary" disabled={busy}>
              {busy ? t.common.saving : t.patrols.submit}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
