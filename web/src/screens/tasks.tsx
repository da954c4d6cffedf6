import { useEffect, useRef, useState } from 'preact/hooks';
import { api, qs, type AssignedAlert, type CaseRow, type CaseView, type Page } from '../api';
import { VisitForm } from '../components/forms';
import { ErrorNotice, LevelBadge, ProvisionalBadge, Link, Loading, PageTitle, PhoneLink } from '../components/ui';
import { deadlineLabel, fmtDuration, fmtTime, type Messages } from '../i18n';
import { may, useApp } from '../state';

const PAGE = 50;
const REFRESH_MS = 30_000;

type Urgency = 'overdue' | 'at-risk' | 'upcoming';

/** Overdue and at-risk come from the API; the time left is counted here so the text stays current. */
function urgencyOf(r: CaseRow, now: number): { urgency: Urgency; ms: number } {
  const due = r.dueAt ? Date.parse(r.dueAt) : Infinity;
  if (r.overdue || due <= now) return { urgency: 'overdue', ms: now - due };
  return { urgency: r.atRisk ? 'at-risk' : 'upcoming', ms: due - now };
}

function urgencyText(t: Messages, u: Urgency, ms: number): string {
  const d = fmtDuration(t, ms);
  return u === 'overdue' ? t.tasks.overdue(d) : u === 'at-risk' ? t.tasks.atRisk(d) : t.tasks.upcoming(d);
}

const byDue = (a: CaseRow, b: CaseRow) => (a.dueAt ?? '').localeCompare(b.dueAt ?? '') || a.caseId.localeCompare(b.caseId);

/** An alert assigned to the caller (issue 14) as a task row: a grid worker's unit does not hold it, so /v1/cases does not list it. */
const assignedRow = (a: AssignedAlert): CaseRow => ({
  caseId: a.caseId,
  kind: 'alert',
  status: 'open',
  level: a.level,
  unit: a.unit,
  householdId: a.householdId,
  household: a.household,
  dueKind: null,
  dueLabel: a.dueLabel,
  dueAt: a.dueAt,
  overdue: a.overdue,
  overdueByMs: 0,
  atRisk: false,
  rung: 0,
  escalatedTo: null,
});

/** The task list's rows with the caller's assigned alerts it does not hold yet, in due order. */
const withAssigned = (rows: CaseRow[], assigned: AssignedAlert[]): CaseRow[] => [...rows, ...assigned.filter((a) => !rows.some((r) => r.caseId === a.caseId)).map(assignedRow)].sort(byDue);

export function Tasks() {
  const { t, lang, me } = useApp();
  const [rows, setRows] = useState<CaseRow[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [assignedIds, setAssignedIds] = useState<Set<string>>(new Set());
  const [message, setMessage] = useState<string | null>(null);
  const [now, setNow] = useState(Date.now());
  const statusRef = useRef<HTMLParagraphElement>(null);
  const shown = useRef(0);

  const load = async (keep: boolean) => {
    try {
      const [page, assigned] = await Promise.all([
        api.get<Page<CaseRow>>(`/v1/cases${qs({ sort: 'due', actionable: 'true', limit: keep ? Math.min(200, Math.max(PAGE, shown.current)) : PAGE })}`),
        api.get<{ items: AssignedAlert[] }>('/v1/alerts/assigned'),
      ]);
      shown.current = page.items.length;
      setAssignedIds(new Set(assigned.items.map((a) => a.caseId)));
      setRows(withAssigned(page.items, assigned.items));
      setCursor(page.nextCursor);
      setNow(Date.now());
      setError(null);
    } catch (err) {
      setError(err);
    }
  };

  useEffect(() => {
    void load(false);
    const timer = window.setInterval(() => {
      if (!document.hidden) void load(true);
    }, REFRESH_MS);
    return () => window.clearInterval(timer);
  }, []);

  const loadMore = async () => {
    if (!cursor) return;
    try {
      const page = await api.get<Page<CaseRow>>(`/v1/cases${qs({ sort: 'due', actionable: 'true', limit: PAGE, cursor })}`);
      setRows((r) => {
        const next = [...(r ?? []), ...page.items.filter((x) => !(r ?? []).some((y) => y.caseId === x.caseId))];
        shown.current = next.length;
        return next;
      });
      setCursor(page.nextCursor);
    } catch (err) {
      setError(err);
    }
  };

  /** The visit's answer is the case as it is now: update the list at once, then re-read it. */
  const visited = (view: CaseView) => {
    const done = view.status === 'closed' || !view.due;
    setRows((rs) =>
      (rs ?? [])
        .flatMap((r) =>
          r.caseId !== view.caseId
            ? [r]
            : done
              ? []
              : [{ ...r, dueKind: view.due?.kind ?? null, dueLabel: view.due?.label ?? null, dueAt: view.dueAt, dueProvisional: view.due?.provisional === true, overdue: view.overdue, atRisk: view.atRisk, rung: view.rung, escalatedTo: view.escalatedTo }],
        )
        .sort(byDue),
    );
    setOpen(null);
    setNow(Date.now());
    setMessage(done ? t.tasks.visitSavedDone : t.tasks.visitSaved);
    window.setTimeout(() => statusRef.current?.focus(), 0);
    void load(true);
  };

  return (
    <section aria-labelledby="page-title">
      <PageTitle>{t.nav.tasks}</PageTitle>
      <p class="lead">{t.tasks.intro}</p>
      {me && (
        <p class="muted small">
          {t.tasks.scope(me.unit.name)}
        </p>
      )}
      <p class="notice notice-ok" role="status" tabIndex={-1} ref={statusRef} hidden={!message}>
        {message}
      </p>
      {error !== null && <ErrorNotice error={error} onRetry={() => void load(true)} />}
      {rows === null && error === null && <Loading />}
      {rows && rows.length === 0 && <p class="empty">{t.tasks.empty}</p>}
      {rows && rows.length > 0 && (
        <ul class="tasks" aria-label={t.tasks.caption}>
          {rows.map((r) => {
            const { urgency, ms } = urgencyOf(r, now);
            const subject = r.household?.headName ?? r.caseId;
            const canVisit = r.kind === 'alert' && may(me, 'alert', 'recordVisit');
            const formId = `task-${r.caseId}-form`;
            return (
              <li key={r.caseId} class={`task task-${urgency}`} data-case-id={r.caseId}>
                <div class="task-main">
                  <p class={`status status-${urgency}`}>
                    <span class="status-icon" aria-hidden="true">
                      {urgency === 'overdue' ? '!' : urgency === 'at-risk' ? '◔' : '○'}
                    </span>
                    {urgencyText(t, urgency, ms)}
                  </p>
                  <h2 class="task-title">
                    <Link to={`/cases/${encodeURIComponent(r.caseId)}`}>{subject}</Link> <LevelBadge level={r.level} />
                    {assignedIds.has(r.caseId) && <span class="badge badge-assigned">{t.tasks.assignedToMe}</span>}
                  </h2>
                  <p class="task-what">
                    {t.kinds[r.kind] ?? r.kind} · {deadlineLabel(t, r.dueKind, r.dueLabel)}
                  </p>
                  <p class="muted small">
                    {t.tasks.dueAt(fmtTime(lang, r.dueAt))} <ProvisionalBadge provisional={r.dueProvisional} />
                    {r.household ? ` · ${r.household.address}` : ''} · {r.unit.name}
                  </p>
                  {r.household?.phone && (
                    <p class="task-phone">
                      {t.caseView.phone} <PhoneLink phone={r.household.phone} label={t.caseView.phone} />
                    </p>
                  )}
                </div>
                <div class="task-actions">
                  {canVisit && (
                    <button type="button" class="btn btn-primary" aria-expanded={open === r.caseId} aria-controls={formId} onClick={() => setOpen(open === r.caseId ? null : r.caseId)}>
                      {t.tasks.recordVisit}
                    </button>
                  )}
                  <Link class="btn" to={`/cases/${encodeURIComponent(r.caseId)}`} aria-label={t.common.openCaseOf(subject)}>
                    {t.common.openCase}
                  </Link>
                </div>
                {open === r.caseId && (
                  <div id={formId} class="task-form">
                    <VisitForm caseId={r.caseId} subject={subject} onDone={visited} onCancel={() => setOpen(null)} />
                  </div>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {cursor && (
        <p>
          <button type="button" class="btn" onClick={() => void loadMore()}>
            {t.common.loadMore}
          </button>
        </p>
      )}
    </section>
  );
}
