import { useEffect, useState } from 'preact/hooks';
import { api, qs, type Notice, type Page } from '../api';
import { INBOX_CHANGED } from '../components/inbox-badge';
import { PrintLink } from '../components/print-link';
import { ErrorNotice, Link, Loading, PageTitle } from '../components/ui';
import { fmtTime } from '../i18n';
import { useApp } from '../state';

const PAGE = 50;
/** Kinds of case the workspace has a page for (the notice links there). */
const CASE_KINDS = new Set(['alert', 'application', 'report', 'wish', 'party_day', 'order', 'pairing', 'discovery', 'patrol']);

/** A summons' or circular's notice: its record (caseId is the record's id; older notices have no caseKind). */
const recordKindOf = (n: Notice): 'summons' | 'circular' | null =>
  n.caseKind === 'summons' || n.caseKind === 'circular' ? n.caseKind : n.kind === 'summons' || n.kind === 'circular' ? n.kind : null;

/**
 * The inbox (`GET /v1/notifications`): the notices of the user's unit and those addressed to the user,
 * newest first, each with its delivery per channel and a link to its case (a summons' or circular's: to its
 * record on the supervision page, and a circular's printable page); mark one or all read (for this
 * user only).
 */
export function Inbox() {
  const { t, lang } = useApp();
  const [items, setItems] = useState<Notice[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [unreadOnly, setUnreadOnly] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [message, setMessage] = useState<string | null>(null);

  const load = async (more: boolean) => {
    try {
      const page = await api.get<Page<Notice>>(`/v1/notifications${qs({ limit: PAGE, unread: unreadOnly ? 'true' : undefined, cursor: more ? cursor : undefined })}`);
      setItems((old) => (more ? [...(old ?? []), ...page.items] : page.items));
      setCursor(page.nextCursor);
      setError(null);
    } catch (err) {
      setError(err);
    }
  };
  useEffect(() => {
    void load(false);
  }, [unreadOnly]);

  const changed = () => window.dispatchEvent(new Event(INBOX_CHANGED));
  const markRead = async (id: string) => {
    try {
      await api.post(`/v1/notifications/${encodeURIComponent(id)}/read`, {});
      setItems((xs) => (xs ?? []).map((x) => (x.id === id ? { ...x, read: true } : x)));
      changed();
    } catch (err) {
      setError(err);
    }
  };
  const markAll = async () => {
    try {
      const r = await api.post<{ marked: number }>('/v1/notifications/read', {});
      setMessage(t.inbox.markedAll(r.marked));
      changed();
      await load(false);
    } catch (err) {
      setError(err);
    }
  };

  return (
    <section aria-labelledby="page-title">
      <PageTitle>{t.inbox.title}</PageTitle>
      <p class="lead">{t.inbox.intro}</p>
      <div class="inbox-tools">
        <label>
          <input type="checkbox" checked={unreadOnly} onChange={(e) => setUnreadOnly((e.target as HTMLInputElement).checked)} /> {t.inbox.unreadOnly}
        </label>
        <button type="button" class="btn" onClick={() => void markAll()}>
          {t.inbox.markAllRead}
        </button>
      </div>
      <p class="notice notice-ok" role="status" hidden={!message}>
        {message}
      </p>
      {error !== null && <ErrorNotice error={error} onRetry={() => void load(false)} />}
      {items === null && error === null && <Loading />}
      {items && items.length === 0 && <p class="empty">{t.inbox.empty}</p>}
      {items && items.length > 0 && (
        <ul class="inbox" aria-label={t.inbox.caption}>
          {items.map((n) => {
            const deliveries = Object.entries(n.deliveries);
            return (
              <li key={n.id} class={`notice-item${n.read ? '' : ' unread'}${n.kind === 'delivery_failed' || deliveries.some(([, d]) => d.status === 'failed') ? ' failed' : ''}`} data-notice-id={n.id}>
                <p class="notice-head">
                  <span class="badge notice-kind">{t.inbox.kinds[n.kind] ?? n.kind}</span> <span class="muted small">{n.read ? t.inbox.read : <strong>{t.inbox.unread}</strong>}</span>{' '}
                  <span class="muted small">
                    {fmtTime(lang, n.at)} · {n.unit.name}
                  </span>
                </p>
                <p class="notice-message">{n.message}</p>
                <p class="muted small">
                  {t.inbox.cols.delivery}：
                  {deliveries.length === 0
                    ? t.inbox.noChannel
                    : deliveries.map(([ch, d]) => <span key={ch} class={`delivery delivery-${d.status}`}>{t.inbox.deliveryOf(t.inbox.channels[ch] ?? ch, t.inbox.delivery[d.status] ?? d.status, d.attempts)} </span>)}
                </p>
                <p class="notice-actions">
                  {n.caseKind && CASE_KINDS.has(n.caseKind) && (
                    <Link class="btn" to={`/cases/${encodeURIComponent(n.caseId)}`}>
                      {t.inbox.openCase}
                    </Link>
                  )}
                  {recordKindOf(n) && (
                    <Link class="btn" to={`/supervision#record-${encodeURIComponent(n.caseId)}`}>
                      {t.inbox.openRecord(recordKindOf(n)!)}
                    </Link>
                  )}
                  {recordKindOf(n) === 'circular' && <PrintLink id={n.caseId} label={t.inbox.printCircular} />}{' '}
                  {!n.read && (
                    <button type="button" class="btn" onClick={() => void markRead(n.id)}>
                      {t.inbox.markRead}
                    </button>
                  )}
                </p>
              </li>
            );
          })}
        </ul>
      )}
      {cursor && (
        <p>
          <button type="button" class="btn" onClick={() => void load(true)}>
            {t.common.loadMore}
          </button>
        </p>
      )}
    </section>
  );
}
