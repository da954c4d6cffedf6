import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, qs, session } from '../api';
import { ErrorNotice, Link, Loading } from '../components/ui';
import { deadlineLabel, fmtPercent, fmtTime, type Messages } from '../i18n';
import { useApp } from '../state';
import { localMonth } from '../../../domain/china-time';
// The figures as the API sends them: the domain's own types (a type-only import, nothing in the bundle).
import type { UnitFigures as Figures } from '../../../domain/assessment';

// The yearly assessment (考核) and the monthly progress report (定期调度) of the units below a unit, with the
// drill-down from every number to the deadlines and cases behind it and the XLSX and PDF downloads
// (GET /v1/assessments/{year}, /v1/progress/{month}, …/cases; api/routes/assessments.ts).

interface Report {
  org: { code: string; name: string };
  period: { kind: 'year' | 'month'; label: string };
  generatedAt: string;
  total: Figures;
  units: Array<{ code: string; name: string; figures: Figures }>;
  kindLabels: Record<string, string>;
}
interface DrillItem {
  deadlineId: string;
  caseId: string;
  caseKind: string;
  deadlineKind: string;
  label: string | null;
  unit: { code: string; name: string };
  dueAt: string;
  metAt: string | null;
  standing: string;
  lateByDays: number | null;
}
interface DrillPage {
  total: number;
  items: DrillItem[];
  nextCursor: string | null;
}

type ColumnKey = keyof Messages['assessment']['cols'];
/** The table's columns: the figure behind each number (drill-down), or none for a rate or a score. */
const COLUMNS: Array<{ key: ColumnKey; value(f: Figures): number | null; kind: 'count' | 'rate' | 'days' | 'score'; figure?: string }> = [
  { key: 'score', kind: 'score', value: (f) => f.score },
  { key: 'due', kind: 'count', value: (f) => f.deadlines.due, figure: 'due' },
  { key: 'onTime', kind: 'count', value: (f) => f.deadlines.onTime, figure: 'onTime' },
  { key: 'late', kind: 'count', value: (f) => f.deadlines.late, figure: 'late' },
  { key: 'overdueOpen', kind: 'count', value: (f) => f.deadlines.overdueOpen, figure: 'overdueOpen' },
  { key: 'overdueClosed', kind: 'count', value: (f) => f.deadlines.overdueClosed, figure: 'overdueClosed' },
  { key: 'unhandled', kind: 'count', value: (f) => f.unhandled, figure: 'unhandled' },
  { key: 'rate', kind: 'rate', value: (f) => f.deadlines.onTimeRate },
  { key: 'overdueDays', kind: 'days', value: (f) => f.overdue.days },
  { key: 'escalated', kind: 'count', value: (f) => f.escalations.deadlines, figure: 'escalated' },
  { key: 'orders', kind: 'count', value: (f) => f.orders.count, figure: 'orders' },
  { key: 'orderRate', kind: 'rate', value: (f) => f.orders.replies.onTimeRate },
  { key: 'reportsOnTime', kind: 'count', value: (f) => f.reports.onTime, figure: 'reportsOnTime' },
  { key: 'wishes', kind: 'count', value: (f) => f.wishes.fulfilled, figure: 'wishesFulfilled' },
  { key: 'discoveries', kind: 'count', value: (f) => f.discoveries.due, figure: 'discoveries' },
  { key: 'pairingRate', kind: 'rate', value: (f) => f.pairing.contacts.onTimeRate },
  { key: 'patrolsOnTime', kind: 'count', value: (f) => f.patrols.onTime, figure: 'patrolsOnTime' },
];

/** Downloads a report file with the session's token (a plain link would carry none). */
async function download(path: string, filename: string): Promise<void> {
  const res = await fetch(path, { headers: { authorization: `Bearer ${session.token() ?? ''}` } });
  if (!res.ok) throw new ApiError(res.status, `http_${res.status}`, res.statusText);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** One report (a year or a month) of `org`'s units: table, drill-down, downloads. */
export function AssessmentPanel(props: { org: string; kind: 'year' | 'month' }) {
  const { t, lang } = useApp();
  const now = Date.now();
  const [period, setPeriod] = useState(props.kind === 'year' ? localMonth(now).slice(0, 4) : localMonth(now));
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [drill, setDrill] = useState<{ unit: string; unitName: string; figure: string; column: ColumnKey; page: DrillPage } | null>(null);
  const base = props.kind === 'year' ? `/v1/assessments/${period}` : `/v1/progress/${period}`;

  useEffect(() => {
    setReport(null);
    setError(null);
    setDrill(null);
    api.get<Report>(`${base}${qs({ org: props.org })}`).then(setReport, setError);
  }, [base, props.org]);

  const open = (unit: string, unitName: string, figure: string, column: ColumnKey, cursor?: string) =>
    api.get<DrillPage>(`${base}/cases${qs({ org: props.org, unit, figure, cursor, limit: 20 })}`).then(
      (page) => setDrill((prev) => ({ unit, unitName, figure, column, page: cursor && prev ? { ...page, items: [...prev.page.items, ...page.items] } : page })),
      setError,
    );

  const title = props.kind === 'year' ? t.assessment.yearTitle : t.assessment.monthTitle;
  const id = `h-assessment-${props.kind}`;
  const years = Array.from({ length: 5 }, (_, i) => String(Number(localMonth(now).slice(0, 4)) - i));
  const cell = (f: Figures, c: (typeof COLUMNS)[number], unit: { code: string; name: string }) => {
    const v = c.value(f);
    if (c.kind === 'rate') return fmtPercent(lang, v);
    if (v === null) return '—';
    if (c.kind === 'days' || c.kind === 'score') return v.toFixed(1);
    if (!c.figure || v === 0) return String(v);
    return (
      <button type="button" class="linklike" data-figure={c.figure} aria-label={t.assessment.drill(unit.name, t.assessment.cols[c.key])} onClick={() => void open(unit.code, unit.name, c.figure!, c.key)}>
        {v}
      </button>
    );
  };
  const file = `${props.kind === 'year' ? 'assessment' : 'progress'}-${props.org}-${period}`;

  return (
    <section aria-labelledby={id} class="card assessment" data-assessment={props.kind}>
      <h2 id={id}>{title}</h2>
      <div class="assessment-tools">
        <label>
          {props.kind === 'year' ? t.assessment.year : t.assessment.month}{' '}
          {props.kind === 'year' ? (
            <select value={period} onChange={(e) => setPeriod((e.target as HTMLSelectElement).value)}>
              {years.map((y) => (
                <option key={y} value={y}>
                  {y}
                </option>
              ))}
            </select>
          ) : (
            <input type="month" value={period} required onChange={(e) => (e.target as HTMLInputElement).value && setPeriod((e.target as HTMLInputElement).value)} />
          )}
        </label>
        <button type="button" data-download="xlsx" onClick={() => void download(`${base}${qs({ org: props.org, format: 'xlsx' })}`, `${file}.xlsx`).catch(setError)}>
          {t.assessment.downloadXlsx}
        </button>
        <button type="button" data-download="pdf" onClick={() => void download(`${base}${qs({ org: props.org, format: 'pdf' })}`, `${file}.pdf`).catch(setError)}>
          {t.assessment.downloadPdf}
        </button>
      </div>
      {error !== null && <ErrorNotice error={error} />}
      {!report && error === null && <Loading />}
      {report && (
        <div class="table-scroll">
          <table class="rows numbers assessment-table">
            <caption class="visually-hidden">{t.assessment.caption(report.org.name, report.period.label)}</caption>
            <thead>
              <tr>
                <th scope="col">{t.monitor.cols.unit}</th>
                {COLUMNS.map((c) => (
                  <th scope="col" key={c.key}>
                    {t.assessment.cols[c.key]}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {[...report.units, { code: report.org.code, name: t.assessment.total(report.org.name), figures: report.total }].map((u) => (
                <tr key={u.code} data-assessment-unit={u.code}>
                  <th scope="row" data-label={t.monitor.cols.unit}>
                    {u.name}
                  </th>
                  {COLUMNS.map((c) => (
                    <td key={c.key} data-label={t.assessment.cols[c.key]} data-col={c.key}>
                      {cell(u.figures, c, u)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {drill && (
        <section aria-labelledby={`${id}-drill`} class="drill" data-drill={drill.figure}>
          <h3 id={`${id}-drill`}>{t.assessment.drillTitle(drill.unitName, t.assessment.cols[drill.column], drill.page.total)}</h3>
          <ul class="case-list">
            {drill.page.items.map((d) => (
              <li key={d.deadlineId} data-case-id={d.caseId}>
                <Link to={`/cases/${encodeURIComponent(d.caseId)}`}>{d.caseId}</Link>
                <span class="sub">
                  {t.kinds[d.caseKind] ?? d.caseKind} · {deadlineLabel(t, d.deadlineKind, d.label ?? d.deadlineKind)} · {fmtTime(lang, d.dueAt)} · {d.unit.name}
                  {d.standing === 'overdue_closed' && ` · ${t.assessment.cols.overdueClosed}`}
                  {d.lateByDays !== null && ` · ${t.assessment.lateBy(d.lateByDays)}`}
                </span>
              </li>
            ))}
          </ul>
          {drill.page.nextCursor && (
            <button type="button" onClick={() => void open(drill.unit, drill.unitName, drill.figure, drill.column, drill.page.nextCursor!)}>
              {t.assessment.more}
            </button>
          )}
        </section>
      )}
    </section>
  );
}
