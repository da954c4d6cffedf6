import { useEffect, useState } from 'preact/hooks';
import { api, type ApprovalRow } from '../api';
import { ErrorNotice, LevelBadge, Link, Loading, PageTitle, TableHead } from '../components/ui';
import { fmtTime, type Messages } from '../i18n';
import { useApp } from '../state';

const REFRESH_MS = 30_000;

/** What a request asks, in the users' words: 降为黄色, 销号（已迁出）. */
export function requestText(t: Messages, r: ApprovalRow['request']): string {
  return r.change === 'lower' ? t.followUp.lowerTo(t.levels[r.level ?? ''] ?? r.level ?? '') : t.followUp.closeAs(t.closeReasons[r.closure?.reason ?? ''] ?? r.closure?.reason ?? '');
}

/**
 * 待审批: the requests to lower or close alerts early in the supervisor's jurisdiction, oldest first
 * (GET /v1/alerts/approvals, issue 12). Each links to its case page, where the supervisor approves or refuses.
 */
export function Approvals() {
  const { t, lang } = useApp();
  const [rows, setRows] = useState<ApprovalRow[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  const load = async () => {
    try {
      setRows((await api.get<{ items: ApprovalRow[] }>('/v1/alerts/approvals')).items);
      setError(null);
    } catch (err) {
      setError(err);
    }
  };
  useEffect(() => {
    void load();
    const timer = window.setInterval(() => {
      if (!document.hidden) void load();
    }, REFRESH_MS);
    return () => window.clearInterval(timer);
  }, []);

  return (
    <section aria-labelledby="page-title">
      <PageTitle>{t.followUp.approvalsTitle}</PageTitle>
      <p class="muted">{t.followUp.approvalsIntro}</p>
      {error !== null && <ErrorNotice error={error} onRetry={() => void load()} />}
      {rows === null && error === null ? (
        <Loading />
      ) : rows && rows.length === 0 ? (
        <p class="muted" data-testid="approvals-empty">
          {t.followUp.approvalsEmpty}
        </p>
      ) : rows ? (
        <table class="rows" data-testid="approvals">
          <caption>{t.followUp.approvalsCaption}</caption>
          <TableHead cols={[t.followUp.cols.household, t.followUp.cols.unit, t.followUp.cols.request, t.followUp.cols.reason, t.followUp.cols.requestedAt, t.followUp.cols.due]} />
          <tbody>
            {rows.map((r) => (
              <tr key={r.caseId} data-case={r.caseId}>
                <th scope="row" data-label={t.followUp.cols.household}>
                  <Link to={`/cases/${encodeURIComponent(r.caseId)}`}>{r.householdId}</Link> <LevelBadge level={r.level} />
                </th>
                <td data-label={t.followUp.cols.unit}>{r.unit.name}</td>
                <td data-label={t.followUp.cols.request}>{requestText(t, r.request)}</td>
                <td data-label={t.followUp.cols.reason}>{r.request.reason}</td>
                <td data-label={t.followUp.cols.requestedAt}>{fmtTime(lang, r.request.at)}</td>
                <td data-label={t.followUp.cols.due}>{r.approvalDueAt ? fmtTime(lang, r.approvalDueAt) : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
