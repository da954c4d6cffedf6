import { describe, expect, it } from 'vitest';
import { fmtDeadline } from '../../web/src/public/deadline';

/** The phone page's deadline text (web/src/public/deadline.ts fmtDeadline), pure: like the workspace's last day inclusive. */
describe('the phone page says a deadline like the workspace', () => {
  it('an end-of-day deadline (00:00 China time) is the last day inclusive; another instant keeps its time', () => {
    // 2026-12-22 00:00 in Weihai = 2026-12-21T16:00Z: the workspace says 12月21日前（含）.
    expect(fmtDeadline('2026-12-21T16:00:00.000Z')).toBe('2026/12/21 前（含）');
    expect(fmtDeadline('2026-12-21T06:30:00.000Z')).toBe('2026/12/21 14:30 前');
    expect(fmtDeadline(null)).toBe('');
  });
});
