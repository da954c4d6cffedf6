import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api';
import { errorMessage } from '../i18n';
import { followLink, BASE } from '../router';
import { useApp } from '../state';

export function Link(props: { to: string; class?: string; children: ComponentChildren; 'aria-current'?: 'page' | undefined; 'aria-label'?: string }) {
  const { to, children, ...rest } = props;
  return (
    <a href={BASE + to} onClick={(e) => followLink(e, to)} {...rest}>
      {children}
    </a>
  );
}

/**
 * The page's h1. It takes focus when the page opens after a navigation, so that a screen reader
 * announces the new page and keyboard users continue from its top.
 */
export function PageTitle(props: { children: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  const { t } = useApp();
  useEffect(() => {
    document.title = `${props.children} · ${t.appName}`;
  }, [props.children, t.appName]);
  useEffect(() => {
    if (document.activeElement && document.activeElement !== document.body) ref.current?.focus({ preventScroll: true });
  }, []);
  return (
    <h1 id="page-title" tabIndex={-1} ref={ref}>
      {props.children}
    </h1>
  );
}

/** An API failure as a sentence: 403 and 404 in plain words, never the data it was about. */
export function ErrorNotice(props: { error: unknown; onRetry?: () => void }) {
  const { t } = useApp();
  const e = props.error;
  let text: string;
  if (e instanceof ApiError) {
    if (e.status === 0) text = t.common.network;
    else if (e.status === 403) text = t.common.forbidden;
    else if (e.status === 404) text = t.common.notFound;
    else text = t.common.error(errorMessage(t, e));
  } else text = t.common.error(String((e as Error)?.message ?? e));
  const detail = e instanceof ApiError && (e.status === 403 || e.status === 404) ? e.message : undefined;
  return (
    <div class="notice notice-error" role="alert" data-status={e instanceof ApiError ? e.status : undefined}>
      <p>{text}</p>
      {detail && <p class="muted small" lang="en">{detail}</p>}
      {props.onRetry && (
        <button type="button" class="btn" onClick={props.onRetry}>
          {t.common.retry}
        </button>
      )}
    </div>
  );
}

export function Loading() {
  const { t } = useApp();
  return (
    <p class="muted" role="status">
      {t.common.loading}
    </p>
  );
}

/**
 * "预计" beside a due time counted on a provisional holiday calendar year (the API's `provisional` /
 * `dueProvisional`): the date is an estimate until that year's arrangement is published. Nothing otherwise.
 */
export function ProvisionalBadge(props: { provisional: boolean | undefined }) {
  const { t } = useApp();
  if (!props.provisional) return null;
  return (
    <span class="badge provisional" title={t.common.provisionalHint}>
      {t.common.provisional}
      <span class="visually-hidden"> {t.common.provisionalHint}</span>
    </span>
  );
}

/** The alert level as a coloured badge that also says its colour in words. */
export function LevelBadge(props: { level: string | null | undefined }) {
  const { t } = useApp();
  if (!props.level) return null;
  return <span class={`badge level-${props.level}`}>{t.levels[props.level] ?? props.level}</span>;
}

/**
 * A phone number as a `tel:` link, so field staff call the household from their phone (issue 14 fresh-eyes);
 * a masked number (with `*`, shown to those without need) is plain text, as it cannot be dialled.
 */
export function PhoneLink(props: { phone: string | null | undefined; label: string }) {
  const { phone, label } = props;
  if (!phone) return null;
  if (phone.includes('*')) return <span class="phone" data-testid="phone">{phone}</span>;
  return (
    <a class="phone" data-testid="phone" href={`tel:${phone.replace(/[^0-9+]/g, '')}`} aria-label={`${label} ${phone}`}>
      {phone}
    </a>
  );
}

/** One term of a `<dl class="summary">`: its name and what it holds (`testId` on the `<dd>`, `class` too). */
export function Detail(props: { term: ComponentChildren; testId?: string; class?: string; children: ComponentChildren }) {
  return (
    <div>
      <dt>{props.term}</dt>
      <dd class={props.class} data-testid={props.testId}>
        {props.children}
      </dd>
    </div>
  );
}

/**
 * A 已保存 / 已完成 notice (`role="status"`), hidden until `show(text)`, which also takes the keyboard to it so that
 * a screen reader says it; `hide()` hides it again (before the next attempt).
 */
export function useNotice(): { notice: ComponentChildren; show: (text: string) => void; hide: () => void } {
  const [text, setText] = useState<string | null>(null);
  const ref = useRef<HTMLParagraphElement>(null);
  const notice = (
    <p class="notice notice-ok" role="status" tabIndex={-1} ref={ref} hidden={text === null}>
      {text}
    </p>
  );
  const show = (next: string) => {
    setText(next);
    window.setTimeout(() => ref.current?.focus(), 0);
  };
  return { notice, show, hide: () => setText(null) };
}

/**
 * A page's data (a case, a household, a Party day): `fetch` runs when the page opens and again when `deps`
 * change (the page's id; what was shown is dropped first) and on `reload()`, after a change. `data` is null
 * while it loads or after a failure, which is kept in `error` until the next answer; `setData` puts in place
 * what a step's answer returned.
 */
export function usePageData<T>(fetch: () => Promise<T>, deps: unknown[]): { data: T | null; setData: (data: T) => void; error: unknown; reload: () => Promise<void> } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const reload = async () => {
    try {
      setData(await fetch());
      setError(null);
    } catch (err) {
      setData(null);
      setError(err);
    }
  };
  useEffect(() => {
    setData(null);
    setError(null);
    void reload();
  }, deps);
  return { data, setData, error, reload };
}

/** A page that could not be opened: its title, and why (`ErrorNotice`). */
export function PageError(props: { title: string; error: unknown }) {
  return (
    <section aria-labelledby="page-title">
      <PageTitle>{props.title}</PageTitle>
      <ErrorNotice error={props.error} />
    </section>
  );
}

/** A table's head: one `<th scope="col">` a column, in order. */
export function TableHead(props: { cols: readonly string[] }) {
  return (
    <thead>
      <tr>
        {props.cols.map((c, i) => (
          <th key={i} scope="col">
            {c}
          </th>
        ))}
      </tr>
    </thead>
  );
}
