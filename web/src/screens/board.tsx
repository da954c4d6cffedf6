import { useEffect, useRef, useState } from 'preact/hooks';
import { api, qs, type CaseRow, type OrgUnitView, type Page } from '../api';
import { ErrorNotice, LevelBadge, Link, Loading, PageTitle, ProvisionalBadge, TableHead } from '../components/ui';
import { deadlineLabel, fmtClock, fmtDuration, fmtTime } from '../i18n';
import { useApp } from '../state';

const PAGE = 50;
/** The board polls: FerretDB v1 has no change streams, and 10 s is fresh enough for hour-long deadlines. */
export const BOARD_REFRESH_MS = 10_000;
const KINDS = ['alert', 'application', 'report', 'wish', 'party_day', 'order', 'pairing', 'discovery', 'patrol'];
const LEVELS = ['red', 'orange', 'yellow'];

interface Filters {
  kind: string;
  level: string;
  org: string;
}

export function Board() {
  const { t, lang, me } = useApp();
  const [filters, setFilters] = useState<Filters>({ kind: '', level: '', org: '' });
  const [rows, setRows] = useState<CaseRow[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [updatedAt, setUpdatedAt] = useState<number | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [children, setChildren] = useState<OrgUnitView['children']>([]);
  const shown = useRef(0);
  const generation = useRef(0);

  // The unit filter's options wait for the first rows: the board's own request goes first.
  const loaded = rows !== null || error !== null;
  const childrenOf = useRef<string | null>(null);
  useEffect(() => {
    if (!me || !loaded || childrenOf.current === me.unit.code) return;
    childrenOf.current = me.unit.code;
    api.get<OrgUnitView>(`/v1/org-units/${me.unit.code}`).then(
      (u) => setChildren(u.children),
      () => setChildren([]),
    );
  }, [me?.unit.code, loaded]);

  // Only alerts have a level: the API refuses a level beside another kind (contradictory filters).
  const query = (limit: number, after?: string | null) =>
    `/v1/cases${qs({ overdue: 'true', kind: filters.kind, level: filters.kind === '' || filters.kind === 'alert' ? filters.level : undefined, org: filters.org, limit, cursor: after })}`;

  /** Loads (or, when polling, reloads) as many rows as are shown, so a refresh keeps "load more" pages. */
  const refresh = async (keep: boolean) => {
    const gen = generation.current;
    try {
      const page = await api.get<Page<CaseRow>>(query(keep ? Math.min(200, Math.max(PAGE, shown.current)) : PAGE));
      if (gen !== generation.current) return; // the filters changed meanwhile
      shown.current = page.items.length;
      setRows(page.items);
      setCursor(page.nextCursor);
      setUpdatedAt(Date.now());
      setError(null);
    } catch (err) {
      if (gen === generation.current) setError(err);
    }
  };

  useEffect(() => {
    generation.current += 1;
    shown.current = 0;
    setRows(null);
    void refresh(false);
    const timer = window.setInterval(() => {
      if (!document.hidden) void refresh(true);
    }, BOARD_REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [filters.kind, filters.level, filters.org]);

  useEffect(() => {
    if (rows && rows.length > 0) performance.mark('board:rows');
  }, [rows !== null && rows.length > 0]);

  const loadMore = async () => {
    if (!cursor) return;
    setLoadingMore(true);
    const gen = generation.current;
    try {
      const page = await api.get<Page<CaseRow>>(query(PAGE, cursor));
      if (gen !== generation.current) return;
      setRows((r) => {
        const next = [...(r ?? []), ...page.items.filter((x) => !(r ?? []).some((y) => y.caseId === x.caseId))];
        shown.current = next.length;
        return next;
      });
      setCursor(page.nextCursor);
    } catch (err) {
      setError(err);
    } finally {
      setLoadingMore(false);
    }
  };

  const set = (k: keyof Filters) => (e: Event) => setFilters((f) => ({ ...f, [k]: (e.currentTarget as HTMLSelectElement).value }));

  return (
    <section aria-labelledby="page-title">
      <PageTitle>{t.board.title}</PageTitle>
      <p class="lead">{t.board.intro}</p>

      <form class="filters card" aria-label={t.board.filters} onSubmit={(e) => e.preventDefault()}>
        <div class="field">
          <label for="f-kind">{t.board.kind}</label>
          <select id="f-kind" value={filters.kind} onChange={set('kind')}>
            <option value="">{t.common.all}</option>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {t.kinds[k]}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="f-level">{t.board.level}</label>
          <select id="f-level" value={filters.level} onChange={set('level')}>
            <option value="">{t.common.all}</option>
            {LEVELS.map((l) => (
              <option key={l} value={l}>
                {t.levels[l]}
              </option>
            ))}
          </select>
        </div>
        {children.length > 0 && (
          <div class="field">
            <label for="f-org">{t.board.unit}</label>
            <select id="f-org" value={filters.org} onChange={set('org')}>
              <option value="">{t.common.all}</option>
              {children.map((c) => (
                <option key={c.code} value={c.code}>
                  {c.name}
                </option>
              ))}
            </select>
          </div>
        )}
      </form>

      <div class="list-status">
        <p role="status">{rows ? (rows.length ? t.common.shown(rows.length) : t.board.empty) : ''}</p>
        {updatedAt && (
          <p class="muted small">
            {t.common.updatedAt(fmtClock(lang, updatedAt))} · {t.board.autoRefresh}
          </p>
        )}
      </div>

      {error !== null && <ErrorNotice error={error} onRetry={() => void refresh(true)} />}
      {rows === null && error === null && <Loading />}

      {rows && rows.length > 0 && (
        <table class="rows board">
          <caption class="visually-hidden">{t.board.caption}</caption>
          <TableHead cols={[t.board.household, t.board.matter, t.board.due, t.board.late, t.board.rung, t.board.responsible]} />
          <tbody>
            {rows.map((r) => (
              <tr key={r.caseId} data-case-id={r.caseId} class="row-overdue">
                <th scope="row" data-label={t.board.household}>
                  <Link to={`/cases/${encodeURIComponent(r.caseId)}`}>{r.household?.headName ?? r.caseId}</Link>
                  {r.household && <span class="sub">{r.household.address}</span>}
                </th>
                <td data-label={t.board.matter}>
                  {t.kinds[r.kind] ?? r.kind} <LevelBadge level={r.level} />
                </td>
                <td data-label={t.board.due}>
                  {deadlineLabel(t, r.dueKind, r.dueLabel)}
                  <span class="sub">
                    {fmtTime(lang, r.dueAt)} <ProvisionalBadge provisional={r.dueProvisional} />
                  </span>
                </td>
                <td data-label={t.board.late} class="late">
                  <span class="status status-overdue">{t.board.overdueBy(fmtDuration(t, r.overdueByMs))}</span>
                </td>
                <td data-label={t.board.rung}>{r.rung > 0 && r.escalatedTo ? t.board.rungTo(r.rung, r.escalatedTo.name) : t.board.notEscalated}</td>
                <td data-label={t.board.responsible}>{r.unit.name}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {cursor && (
        <p>
          <button type="button" class="btn" disabled={loadingMore} onClick={() => void loadMore()}>
            {loadingMore ? t.common.loading : t.common.loadMore}
          </button>
        </p>
      )}
    </section>
  );
}
