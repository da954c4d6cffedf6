import type { FunctionComponent } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, qs, type CaseRow, type MonthlyStats, type OrgUnitView, type Page } from '../api';
import type { RateChart as RateChartType } from '../components/chart';
import { ErrorNotice, LevelBadge, Link, Loading, PageTitle, ProvisionalBadge, TableHead } from '../components/ui';
import { deadlineLabel, fmtDuration, fmtPercent, fmtTime } from '../i18n';
import { useApp } from '../state';
import { AssessmentPanel } from './assessment';

type ChartComponent = typeof RateChartType;
let chartModule: Promise<ChartComponent> | undefined;
const loadChart = () => (chartModule ??= import('../components/chart').then((m) => m.RateChart));

/**
 * The city monitor's view (考核): the on-time rate of each child unit month by month, escalations per
 * unit, and a drill-down from a unit to its own children and to its cases; the yearly assessment and the
 * monthly progress report with their drill-down and downloads (./assessment.tsx).
 */
export function Monitor(props: { code?: string }) {
  const { t, lang, me } = useApp();
  const code = props.code ?? me?.unit.code ?? '';
  const [stats, setStats] = useState<MonthlyStats | null>(null);
  const [unit, setUnit] = useState<OrgUnitView | null>(null);
  const [parent, setParent] = useState<OrgUnitView | null>(null);
  const [cases, setCases] = useState<CaseRow[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [Chart, setChart] = useState<ChartComponent | null>(null);

  useEffect(() => {
    void loadChart().then((c) => setChart(() => c));
  }, []);

  useEffect(() => {
    setStats(null);
    setUnit(null);
    setParent(null);
    setCases(null);
    setError(null);
    Promise.all([api.get<MonthlyStats>(`/v1/stats/on-time/monthly${qs({ org: code, months: 12 })}`), api.get<OrgUnitView>(`/v1/org-units/${code}`)]).then(([s, u]) => {
      setStats(s);
      setUnit(u);
      if (u.parent && code !== me?.unit.code) api.get<OrgUnitView>(`/v1/org-units/${u.parent}`).then(setParent, () => setParent(null));
    }, setError);
    // Below the top of one's own view, the unit's open cases (soonest due first) lead to their timelines.
    if (code !== me?.unit.code) api.get<Page<CaseRow>>(`/v1/cases${qs({ org: code, sort: 'due', limit: 50 })}`).then((p) => setCases(p.items), setError);
  }, [code]);

  const rows = useMemo(
    () =>
      stats?.units.map((u) => {
        const sum = u.series.reduce((a, m) => ({ due: a.due + m.due, onTime: a.onTime + m.onTime, late: a.late + m.late, escalations: a.escalations + m.escalations }), { due: 0, onTime: 0, late: 0, escalations: 0 });
        return { ...u, ...sum, rate: sum.due ? sum.onTime / sum.due : null };
      }) ?? [],
    [stats],
  );
  const series = useMemo(() => stats?.units.map((u) => ({ name: u.name, values: u.series.map((m) => m.onTimeRate) })) ?? [], [stats]);
  const childLevel = new Map(unit?.children.map((c) => [c.code, c.level]) ?? []);

  const name = unit?.name ?? code;
  return (
    <section aria-labelledby="page-title">
      <PageTitle>{unit ? `${t.nav.monitor} · ${name}` : t.nav.monitor}</PageTitle>
      {parent && (
        <p>
          <Link to={parent.code === me?.unit.code ? '/monitor' : `/monitor/${parent.code}`}>← {t.monitor.up(parent.name)}</Link>
        </p>
      )}
      {error !== null && <ErrorNotice error={error} />}
      {!stats && error === null && <Loading />}
      {stats && (
        <>
          <p class="lead">{t.monitor.intro(stats.org.name)}</p>
          <section aria-labelledby="h-chart" class="card">
            <h2 id="h-chart">{t.monitor.chart}</h2>
            {Chart ? (
              <Chart months={stats.months} series={series} label={t.monitor.chartSummary(stats.org.name, series.length)} monthTitle={t.monitor.month} percent={(v) => fmtPercent(lang, v)} />
            ) : (
              <Loading />
            )}
          </section>
          <section aria-labelledby="h-units">
            <h2 id="h-units">{t.monitor.table(stats.months[0] ?? '', stats.months.at(-1) ?? '')}</h2>
            <p class="muted small" data-testid="monitor-period">
              {t.monitor.tablePeriod}
            </p>
            <table class="rows numbers units">
              <caption class="visually-hidden">{t.monitor.tableCaption(stats.org.name)}</caption>
              <TableHead cols={[t.monitor.cols.unit, t.monitor.cols.due, t.monitor.cols.onTime, t.monitor.cols.late, t.monitor.cols.rate, t.monitor.cols.escalations]} />
              <tbody>
                {rows.map((r) => (
                  <tr key={r.code} data-unit={r.code}>
                    <th scope="row" data-label={t.monitor.cols.unit}>
                      {childLevel.get(r.code) === 'grid' ? r.name : <Link to={`/monitor/${r.code}`} aria-label={t.monitor.drill(r.name)}>{r.name}</Link>}
                    </th>
                    <td data-label={t.monitor.cols.due}>{r.due}</td>
                    <td data-label={t.monitor.cols.onTime}>{r.onTime}</td>
                    <td data-label={t.monitor.cols.late}>{r.late}</td>
                    <td data-label={t.monitor.cols.rate}>{fmtPercent(lang, r.rate)}</td>
                    <td data-label={t.monitor.cols.escalations}>{r.escalations}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </>
      )}
      {me?.actions.assessment?.includes('read') && code !== '' && (
        <>
          <AssessmentPanel org={code} kind="year" />
          <AssessmentPanel org={code} kind="month" />
        </>
      )}
      {code !== me?.unit.code && (
        <section aria-labelledby="h-cases">
          <h2 id="h-cases">{t.monitor.casesTitle(name)}</h2>
          {cases === null ? <Loading /> : cases.length === 0 ? <p class="muted">{t.monitor.casesEmpty}</p> : <CaseList rows={cases} />}
        </section>
      )}
    </section>
  );
}

const CaseList: FunctionComponent<{ rows: CaseRow[] }> = ({ rows }) => {
  const { t, lang } = useApp();
  return (
    <ul class="case-list">
      {rows.map((r) => (
        <li key={r.caseId} data-case-id={r.caseId} class={r.overdue ? 'task-overdue' : r.atRisk ? 'task-at-risk' : 'task-upcoming'}>
          <Link to={`/cases/${encodeURIComponent(r.caseId)}`}>{r.household?.headName ?? r.caseId}</Link> <LevelBadge level={r.level} />
          <span class="sub">
            {t.kinds[r.kind] ?? r.kind} · {deadlineLabel(t, r.dueKind, r.dueLabel)} · {fmtTime(lang, r.dueAt)} <ProvisionalBadge provisional={r.dueProvisional} /> · {r.unit.name}
          </span>
          {r.overdue && <span class="status status-overdue">{t.board.overdueBy(fmtDuration(t, r.overdueByMs))}</span>}
          {r.rung > 0 && r.escalatedTo && <span class="sub">{t.board.rungTo(r.rung, r.escalatedTo.name)}</span>}
        </li>
      ))}
    </ul>
  );
};
