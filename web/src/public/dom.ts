/**
 * The public page's whole "framework": elements built with createElement, text set as text nodes, attributes
 * with setAttribute. Nothing here ever parses a string as HTML (no innerHTML, no insertAdjacentHTML), so text
 * the API returns — a staff answer, a unit's policies — is shown as text, whatever it contains. Source: ours
 * (issue 14: the same privacy rules as the JSON API; a few hundred bytes instead of a framework's 4–5 KB).
 */

/** A child: an element, text, or nothing (skipped). */
export type Child = Node | string | number | null | undefined | false;
/** Attributes: a string sets it, `true` sets it empty, `false`/undefined leaves it out; `on<event>` listens. */
export type Attrs = Record<string, string | number | boolean | undefined | ((event: Event) => void)>;

/** `h('p', { class: 'hint' }, '文字')`: an element with its attributes and children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (value === true) el.setAttribute(name, '');
    else if (value !== false && value !== undefined) el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

/** Appends children (text as text nodes). */
export function append(parent: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** Replaces an element's children. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

const TIME = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const DAY = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });

/** An instant in China time (the deadlines are Weihai's, whatever the phone's zone), or '' when absent. */
export function fmtTime(iso: string | null | undefined, dayOnly = false): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : (dayOnly ? DAY : TIME).format(d);
}
