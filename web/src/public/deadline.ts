const TIME = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const DAY = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });
const HOUR_MINUTE = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/**
 * A deadline as the phone page says it, like the workspace: one at the end of a day (00:00 China time, the
 * instant the next day starts) as that last day inclusive — "2026/12/21 前（含）" — else the instant and "前".
 * '' when absent. Ours (fresh-eyes on issue 14: "2026/12/22 00:00 前" beside the workspace's "12月21日前（含）").
 */
export function fmtDeadline(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  if (HOUR_MINUTE.format(d) === '00:00') return `${DAY.format(new Date(d.getTime() - 1))} 前（含）`;
  return `${TIME.format(d)} 前`;
}
