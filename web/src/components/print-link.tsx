import { session } from '../api';

/**
 * A circular's printable page (`GET /v1/circulars/{id}/print`). It needs the Bearer token, so it is fetched,
 * then opened as a blob in a new tab. Used by the supervision page and the inbox (a circular's notice).
 */
export function PrintLink(props: { id: string; label: string }) {
  const open = async () => {
    const res = await fetch(`/v1/circulars/${encodeURIComponent(props.id)}/print`, { headers: { authorization: `Bearer ${session.token() ?? ''}` } });
    if (!res.ok) return;
    window.open(URL.createObjectURL(new Blob([await res.text()], { type: 'text/html' })), '_blank', 'noopener');
  };
  return (
    <button type="button" class="btn btn-quiet" data-print={props.id} onClick={() => void open()}>
      {props.label}
    </button>
  );
}
