import { describe, expect, it } from 'vitest';
import { advanceBook, bookWakeAt, endAllOpen, meetOpen, openDeadline, openDeadlines, openNext, type DeadlineBook, type DeadlineSpec } from '../../domain/deadline-book';
import { deadlineView, outcomeOf } from '../../domain/deadlines';
import type { UnitRef } from '../../domain/org';

/** The deadline book's tracks (issue 12): a main track and side tracks, each with at most one open deadline. */

const H = 3_600_000;
const T0 = Date.UTC(2026, 2, 2, 8, 0, 0);
const VILLAGE: UnitRef = { code: 'v', name: '村', level: 'village' };
const TOWN: UnitRef = { code: 't', name: '镇', level: 'town' };
const DISTRICT: UnitRef = { code: 'd', name: '区', level: 'district' };
const PATH = { unit: VILLAGE, ladder: [VILLAGE, TOWN, DISTRICT], subject: 'hh1' };

const spec = (name: string, dueAt: number, track?: string): DeadlineSpec => ({ prefix: 'k', name, label: name, opensAt: T0, dueAt, warn: 0.75, escalateEveryMs: 10 * H, ...(track ? { track } : {}) });
const book = (): DeadlineBook => ({ deadlines: [], escalations: [] });

describe('deadline book tracks', () => {
  it('opens a side deadline beside the main one without superseding it; opening on the same track supersedes', () => {
    const b = book();
    openNext(b, spec('main', T0 + 72 * H), T0);
    const side = openNext(b, spec('approval', T0 + 24 * H, 'approval'), T0);
    expect(side.events.map((e) => e.type)).toEqual(['deadline_opened']);
    expect(side.events[0]?.data).toMatchObject({ track: 'approval' });
    expect(openDeadline(b)?.key).toBe('main#1');
    expect(openDeadline(b, 'approval')?.key).toBe('approval#1');
    expect(openDeadlines(b).map((d) => d.key)).toEqual(['approval#1', 'main#1']);
    const again = openNext(b, spec('approval', T0 + 30 * H, 'approval'), T0 + H);
    expect(again.events.map((e) => [e.type, e.data?.deadline])).toEqual([
      ['deadline_ended', 'approval#1'],
      ['deadline_opened', 'approval#2'],
    ]);
    expect(openDeadline(b)?.key).toBe('main#1');
  });

  it('shows the earliest open deadline as the view’s single due, and meets each track on its own', () => {
    const b = book();
    openNext(b, spec('main', T0 + 72 * H), T0);
    openNext(b, spec('approval', T0 + 24 * H, 'approval'), T0);
    expect(deadlineView(b.deadlines, b.escalations, T0).due).toMatchObject({ key: 'approval#1' });
    expect(meetOpen(b, T0 + H, undefined, 'approval')[0]?.data).toMatchObject({ deadline: 'approval#1', track: 'approval' });
    expect(deadlineView(b.deadlines, b.escalations, T0 + H).due).toMatchObject({ key: 'main#1' });
    expect(openDeadline(b, 'approval')).toBeUndefined();
  });

  it('advances and wakes for every open deadline, each escalating along its own path', () => {
    const b = book();
    openNext(b, spec('main', T0 + 48 * H), T0);
    openNext(b, spec('approval', T0 + 24 * H, 'approval'), T0);
    const townUp = { unit: TOWN, ladder: [TOWN, DISTRICT], subject: 'hh1' };
    const pathOf = (d: { track?: string }) => (d.track === 'approval' ? townUp : PATH);
    expect(bookWakeAt(b, (d) => pathOf(d).ladder.length)).toBe(T0 + 18 * H); // the approval's warning
    const out = advanceBook(b, pathOf, T0 + 48 * H);
    expect(b.escalations.map((e) => [e.deadlineKey, e.rung, e.from.code, e.to.code])).toEqual([
      ['approval#1', 1, 't', 'd'],
      ['main#1', 1, 'v', 't'],
    ]);
    expect(out.notices.filter((n) => n.kind === 'escalated').map((n) => n.unit.code)).toEqual(['d', 't']);
    // The approval is at the top of its ladder; the main deadline's next rung is still ahead.
    expect(bookWakeAt(b, (d) => pathOf(d).ladder.length)).toBe(T0 + 58 * H);
  });

  it('a book with one track behaves as before: one open deadline, the last', () => {
    const b = book();
    openNext(b, spec('a', T0 + 10 * H), T0);
    openNext(b, spec('b', T0 + 20 * H), T0 + H);
    expect(openDeadlines(b).map((d) => d.key)).toEqual(['b#1']);
    expect(bookWakeAt(b, 3)).toBe(T0 + Math.round(20 * H * 0.75));
  });

  it('ends every open deadline of every track; one ended early without handling is unhandled, never not due', () => {
    const b = book();
    openNext(b, spec('main', T0 + 72 * H), T0);
    openNext(b, spec('decision', T0 + 24 * H, 'decision'), T0);
    const events = endAllOpen(b, T0 + 2 * H, (d) => (d.track ? 'closed' : 'unhandled'));
    expect(events.map((e) => [e.data?.deadline, e.data?.reason])).toEqual([
      ['main#1', 'unhandled'],
      ['decision#1', 'closed'],
    ]);
    expect(openDeadlines(b)).toEqual([]);
    expect(b.deadlines.map(outcomeOf)).toEqual(['unhandled', 'not_due']);
  });
});
