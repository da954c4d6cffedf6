import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { useApp } from '../state';
import { Link } from './ui';

/** How often the badge asks for the unread count while the tab is visible (ms). Polling: ours, docs/notifications.md. */
export const INBOX_POLL_MS = 3_000;
/** Fired (on window) when this tab marked notices read, so the badge re-reads at once. */
export const INBOX_CHANGED = 'jiuzhu:inbox-changed';

/**
 * The header's unread badge: a link to the inbox saying how many notices the signed-in user has not read,
 * kept live by polling `GET /v1/notifications/unread-count` every few seconds while the tab is visible
 * (and at once when the tab comes back or this tab marks notices read). A polite live region, so a screen
 * reader hears a new count.
 */
export function InboxBadge() {
  const { t } = useApp();
  const [count, setCount] = useState<number | null>(null);
  useEffect(() => {
    let alive = true;
    const read = () => {
      if (document.hidden) return;
      api.get<{ unread: number }>('/v1/notifications/unread-count').then(
        (r) => alive && setCount(r.unread),
        () => undefined,
      );
    };
    read();
    const timer = window.setInterval(read, INBOX_POLL_MS);
    window.addEventListener(INBOX_CHANGED, read);
    document.addEventListener('visibilitychange', read);
    return () => {
      alive = false;
      window.clearInterval(timer);
      window.removeEventListener(INBOX_CHANGED, read);
      document.removeEventListener('visibilitychange', read);
    };
  }, []);
  const n = count ?? 0;
  return (
    <Link to="/inbox" class="inbox-link" aria-label={n > 0 ? t.inbox.badge(n) : t.inbox.badgeNone}>
      <span aria-hidden="true">{t.inbox.title}</span>
      <span class={`inbox-count${n > 0 ? ' has-unread' : ''}`} data-testid="inbox-badge" data-count={n} aria-live="polite">
        {n > 99 ? '99+' : n}
      </span>
    </Link>
  );
}
