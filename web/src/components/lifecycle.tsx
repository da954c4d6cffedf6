import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, qs, type FieldIssue, type OrgUnitView } from '../api';
import { issueMessage } from '../i18n';
import { useApp } from '../state';
import { useLifecycleText } from '../i18n-lifecycles';
import { ErrorNotice, Loading } from './ui';

/**
 * Pieces the wishes, public-reports and Party-day screens share (issue 14 item 3): a page of a stage list
 * (`GET /v1/wishes`, `/v1/reports`: keyset pages, 加载更多), the stage picker, a group of radio choices with
 * its errors, and the village a village-level page works on (the caller's own, or one of the town's).
 */

/** One page after another of a keyset list; `reload` starts again from the first. */
export function usePages<T>(url: string): { rows: T[] | null; more: (() => void) | null; error: unknown; reload: () => Promise<void> } {
  const [rows, setRows] = useState<T[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = async (after: string | null) => {
    try {
      const sep = url.includes('?') ? '&' : '?';
      const page = await api.get<{ items: T[]; nextCursor: string | null }>(after ? `${url}${sep}${qs({ cursor: after }).slice(1)}` : url);
      setRows((rs) => (after && rs ? [...rs, ...page.items] : page.items));
      setCursor(page.nextCursor);
      setError(null);
    } catch (err) {
      setError(err);
    }
  };
  useEffect(() => {
    setRows(null);
    void load(null);
  }, [url]);
  return { rows, more: cursor ? () => void load(cursor) : null, error, reload: () => load(null) };
}

/** The list's stage, as a labelled select (one list per stage, as the API reads them). */
export function StagePicker(props: { id: string; stages: readonly string[]; names: Record<string, string>; value: string; onChange: (stage: string) => void }) {
  const L = useLifecycleText();
  return (
    <div class="field filters">
      <label for={props.id}>{L.stage}</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
        {props.stages.map((s) => (
          <option key={s} value={s}>
            {props.names[s] ?? s}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A list's rows, its empty and loading states, and 加载更多. */
export function PagedList<T>(props: { pages: ReturnType<typeof usePages<T>>; testId: string; children: (row: T) => ComponentChildren }) {
  const { t } = useApp();
  const L = useLifecycleText();
  const { rows, more, error, reload } = props.pages;
  return (
    <>
      {error !== null && <ErrorNotice error={error} onRetry={() => void reload()} />}
      {rows === null && error === null ? <Loading /> : rows && rows.length === 0 ? <p class="muted">{L.empty}</p> : null}
      {rows && rows.length > 0 && (
        <ul class="cards" data-testid={props.testId}>
          {rows.map((r) => props.children(r))}
        </ul>
      )}
      {more && (
        <div class="actions">
          <button type="button" class="btn" onClick={more}>
            {t.common.loadMore}
          </button>
        </div>
      )}
    </>
  );
}

/** Radio choices as one labelled group, with the API's messages for the field next to it. */
export function Choices(props: { id: string; name: string; label: string; values: readonly string[]; names: Record<string, string>; value: string; onPick: (v: string) => void; issues: Map<string, FieldIssue[]> }) {
  const { t } = useApp();
  const messages = (props.issues.get(props.name) ?? []).map((i) => issueMessage(t, props.name, i));
  return (
    <fieldset class={`field${messages.length ? ' has-error' : ''}`} data-field={props.name} aria-describedby={messages.length ? `${props.id}-error` : undefined}>
      <legend>{props.label}</legend>
      <div class="choices choices-big">
        {props.values.map((v) => (
          <label key={v} class="choice">
            <input type="radio" name={props.id} value={v} checked={props.value === v} aria-invalid={messages.length ? 'true' : undefined} onChange={() => props.onPick(v)} />
            {props.names[v] ?? v}
          </label>
        ))}
      </div>
      {messages.length > 0 && (
        <p id={`${props.id}-error`} class="field-error">
          {messages.join('；')}
        </p>
      )}
    </fieldset>
  );
}

/**
 * The village/community a village-level page (the QR profile, the Party days) works on: the caller's own
 * when they are at one; above it, one of the villages under their unit, picked from the org tree
 * (`GET /v1/org-units/{code}`, its children and theirs down to the villages).
 */
export function useVillage(): { village: string | null; picker: ComponentChildren } {
  const { me } = useApp();
  const L = useLifecycleText();
  const own = me?.unit.level === 'village' ? me.unit.code : null;
  const [villages, setVillages] = useState<Array<{ code: string; name: string }> | null>(own ? [] : null);
  const [village, setVillage] = useState<string | null>(own);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (own || !me) return;
    let live = true;
    (async () => {
      const found: Array<{ code: string; name: string }> = [];
      const walk = async (code: string, depth: number): Promise<void> => {
        const unit = await api.get<OrgUnitView>(`/v1/org-units/${encodeURIComponent(code)}`);
        for (const c of unit.children) {
          if (c.level === 'village') found.push({ code: c.code, name: c.name });
          else if (c.level !== 'grid' && depth < 2) await walk(c.code, depth + 1);
        }
      };
      await walk(me.unit.code, 0);
      if (!live) return;
      setVillages(found);
      setVillage((v) => v ?? found[0]?.code ?? null);
    })().catch((err: unknown) => live && setError(err));
    return () => {
      live = false;
    };
  }, [own, me?.unit.code]);
  const picker = own ? null : error !== null ? (
    <ErrorNotice error={error} />
  ) : villages === null ? (
    <Loading />
  ) : (
    <div class="field filters">
      <label for="village-pick">{L.village}</label>
      <select id="village-pick" aria-describedby="village-pick-hint" value={village ?? ''} onChange={(e) => setVillage(e.currentTarget.value)}>
        {villages.map((v) => (
          <option key={v.code} value={v.code}>
            {v.name}
          </option>
        ))}
      </select>
      <p id="village-pick-hint" class="hint">
        {L.villageHint}
      </p>
    </div>
  );
  return { village, picker };
}
