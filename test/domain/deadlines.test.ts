import { describe, expect, it } from 'vitest';
import {
  advanceDeadline,
  createDeadline,
  currentRung,
  endDeadline,
  isAtRisk,
  isOpen,
  isOverdue,
  meetDeadline,
  nextWakeAt,
  outcomeOf,
  type Deadline,
  type Escalation,
} from '../../domain/deadlines';
import type { UnitRef } from '../../domain/org';

// A fake clock: plain milliseconds from an arbitrary origin.
const H = 3_600_000;
const T0 = 1_000_000_000_000;

const VILLAGE: UnitRef = { code: '371002001001', name: '海港社区居委会', level: 'village' };
const TOWN: UnitRef = { code: '371002001', name: '鲸园街道', level: 'town' };
const DISTRICT: UnitRef = { code: '371002', name: '环翠区', level: 'district' };
const CITY: UnitRef = { code: '371000', name: '威海市', level: 'city' };
const LADDER = [VILLAGE, TOWN, DISTRICT, CITY];

/** A red-style deadline: due 24 h after T0, escalating every 24 h, warned at 75 %. */
function red(overrides: Partial<Parameters<typeof createDeadline>[0]> = {}): Deadline {
  return createDeadline({
    key: 'red#1',
    kind: 'alert.red',
    label: '红色预警：受理并处置',
    opensAt: T0,
    dueAt: T0 + 24 * H,
    warnAt: 0.75,
    escalateEveryMs: 24 * H,
    ...overrides,
  });
}

describe('createDeadline', () => {
  it('turns the warn share into the instant at that share of the span', () => {
    expect(red().warnAt).toBe(T0 + 18 * H);
    const cycle = createDeadline({ key: 'yellow#2', kind: 'alert.yellow', label: 'y', opensAt: T0 + 168 * H, dueAt: T0 + 336 * H, warnAt: 0.75, escalateEveryMs: 72 * H });
    // Measured from when the deadline opens, not from now or the epoch.
    expect(cycle.warnAt).toBe(T0 + 168 * H + 126 * H);
  });

  it('starts open, neither warned nor breached', () => {
    const d = red();
    expect(isOpen(d)).toBe(true);
    expect(d.warnedAt).toBeUndefined();
    expect(d.breachedAt).toBeUndefined();
    expect(outcomeOf(d)).toBe('pending');
  });
});

describe('advanceDeadline', () => {
  it('does nothing before 75 % of the time has passed', () => {
    const d = red();
    const escalations: Escalation[] = [];
    expect(advanceDeadline(d, escalations, LADDER, T0 + 18 * H - 1)).toEqual([]);
    expect(d.warnedAt).toBeUndefined();
    expect(isAtRisk(d, T0 + 18 * H - 1)).toBe(false);
  });

  it('warns once at 75 %', () => {
    const d = red();
    const escalations: Escalation[] = [];
    const events = advanceDeadline(d, escalations, LADDER, T0 + 18 * H);
    expect(events).toEqual([{ type: 'warned', deadline: d, at: T0 + 18 * H }]);
    expect(d.warnedAt).toBe(T0 + 18 * H);
    expect(isAtRisk(d, T0 + 18 * H)).toBe(true);
    expect(advanceDeadline(d, escalations, LADDER, T0 + 20 * H)).toEqual([]);
    expect(escalations).toEqual([]);
  });

  it('breaches at the due time and escalates to the parent unit at once', () => {
    const d = red();
    const escalations: Escalation[] = [];
    advanceDeadline(d, escalations, LADDER, T0 + 18 * H);
    expect(advanceDeadline(d, escalations, LADDER, T0 + 24 * H - 1)).toEqual([]);
    expect(isOverdue(d, T0 + 24 * H - 1)).toBe(false);

    const events = advanceDeadline(d, escalations, LADDER, T0 + 24 * H);
    expect(events.map((e) => e.type)).toEqual(['breached', 'escalated']);
    expect(d.breachedAt).toBe(T0 + 24 * H);
    expect(isOverdue(d, T0 + 24 * H)).toBe(true);
    expect(isAtRisk(d, T0 + 24 * H)).toBe(false);
    expect(escalations).toEqual([
      { rung: 1, from: VILLAGE, to: TOWN, at: T0 + 24 * H, deadlineKey: 'red#1', deadlineLabel: '红色预警：受理并处置', dueAt: T0 + 24 * H, lateByMs: 0 },
    ]);
  });

  it('climbs one rung per escalateEvery and stops at the top of the ladder', () => {
    const d = red();
    const escalations: Escalation[] = [];
    for (const h of [18, 24]) advanceDeadline(d, escalations, LADDER, T0 + h * H);

    expect(advanceDeadline(d, escalations, LADDER, T0 + 48 * H - 1)).toEqual([]);
    const second = advanceDeadline(d, escalations, LADDER, T0 + 48 * H);
    expect(second).toEqual([{ type: 'escalated', escalation: escalations[1] }]);
    expect(escalations[1]).toMatchObject({ rung: 2, from: TOWN, to: DISTRICT, at: T0 + 48 * H, lateByMs: 24 * H, dueAt: T0 + 24 * H });

    const third = advanceDeadline(d, escalations, LADDER, T0 + 72 * H);
    expect(third).toHaveLength(1);
    expect(escalations[2]).toMatchObject({ rung: 3, from: DISTRICT, to: CITY, at: T0 + 72 * H, lateByMs: 48 * H });

    // The city is the top: nothing more, however long it waits.
    expect(advanceDeadline(d, escalations, LADDER, T0 + 96 * H)).toEqual([]);
    expect(advanceDeadline(d, escalations, LADDER, T0 + 1000 * H)).toEqual([]);
    expect(escalations).toHaveLength(3);
    expect(currentRung(d, escalations)).toBe(3);
  });

  it('records every rung whose time has come when time jumps, each with its own from/to', () => {
    const d = red();
    const escalations: Escalation[] = [];
    const now = T0 + 50 * H; // past rung 1 (24 h) and rung 2 (48 h), before rung 3 (72 h)
    const events = advanceDeadline(d, escalations, LADDER, now);
    // The warning phase passed unseen: no warning is sent after the deadline has passed.
    expect(events.map((e) => e.type)).toEqual(['breached', 'escalated', 'escalated']);
    expect(d.warnedAt).toBe(now);
    expect(escalations.map((e) => [e.rung, e.from.code, e.to.code, e.at, e.lateByMs])).toEqual([
      [1, VILLAGE.code, TOWN.code, now, 26 * H],
      [2, TOWN.code, DISTRICT.code, now, 26 * H],
    ]);
    expect(nextWakeAt(d, escalations, LADDER.length)).toBe(T0 + 72 * H);

    const all = red({ key: 'red#2' });
    const more: Escalation[] = [];
    const jumped = advanceDeadline(all, more, LADDER, T0 + 500 * H);
    expect(jumped.filter((e) => e.type === 'escalated')).toHaveLength(3);
    expect(more.map((e) => e.to.code)).toEqual([TOWN.code, DISTRICT.code, CITY.code]);
    expect(nextWakeAt(all, more, LADDER.length)).toBeUndefined();
  });

  it('never escalates when the responsible unit is already the top', () => {
    const d = red();
    const escalations: Escalation[] = [];
    const events = advanceDeadline(d, escalations, [CITY], T0 + 100 * H);
    expect(events.map((e) => e.type)).toEqual(['breached']);
    expect(escalations).toEqual([]);
    expect(nextWakeAt(d, escalations, 1)).toBeUndefined();
  });

  it("counts only this deadline's escalations towards its rung", () => {
    const older = red({ key: 'red#1' });
    const escalations: Escalation[] = [];
    advanceDeadline(older, escalations, LADDER, T0 + 72 * H); // three rungs for red#1
    const d = red({ key: 'red#2', opensAt: T0 + 100 * H, dueAt: T0 + 124 * H });
    advanceDeadline(d, escalations, LADDER, T0 + 124 * H);
    expect(escalations.filter((e) => e.deadlineKey === 'red#2')).toEqual([
      expect.objectContaining({ rung: 1, from: VILLAGE, to: TOWN, lateByMs: 0 }),
    ]);
  });

  it('does nothing to a deadline that was met or ended', () => {
    const met = red();
    const escalations: Escalation[] = [];
    meetDeadline(met, escalations, T0 + H);
    expect(advanceDeadline(met, escalations, LADDER, T0 + 100 * H)).toEqual([]);
    const ended = red({ key: 'red#2' });
    endDeadline(ended, escalations, T0 + H, 'closed');
    expect(advanceDeadline(ended, escalations, LADDER, T0 + 100 * H)).toEqual([]);
    expect(escalations).toEqual([]);
  });
});

describe('nextWakeAt', () => {
  it('names the warning, the due time, then each rung, then nothing', () => {
    const d = red();
    const escalations: Escalation[] = [];
    const wakes: (number | undefined)[] = [];
    let at = nextWakeAt(d, escalations, LADDER.length);
    // Drive the deadline the way the workflow does: sleep until the next wake, advance, repeat.
    while (at !== undefined && wakes.length < 10) {
      wakes.push(at);
      advanceDeadline(d, escalations, LADDER, at);
      at = nextWakeAt(d, escalations, LADDER.length);
    }
    expect(wakes).toEqual([T0 + 18 * H, T0 + 24 * H, T0 + 48 * H, T0 + 72 * H]);
    expect(escalations.map((e) => e.rung)).toEqual([1, 2, 3]);
  });

  it('is the due time when the warning was handled, and undefined once met', () => {
    const d = red();
    const escalations: Escalation[] = [];
    advanceDeadline(d, escalations, LADDER, T0 + 19 * H);
    expect(nextWakeAt(d, escalations, LADDER.length)).toBe(T0 + 24 * H);
    meetDeadline(d, escalations, T0 + 20 * H);
    expect(nextWakeAt(d, escalations, LADDER.length)).toBeUndefined();
  });

  it('still names the due time when a deadline is warned late (the warn instant stays in the past)', () => {
    const d = red();
    const escalations: Escalation[] = [];
    // No warning processed yet: the earliest pending instant is the warning's.
    expect(nextWakeAt(d, escalations, LADDER.length)).toBe(T0 + 18 * H);
    advanceDeadline(d, escalations, LADDER, T0 + 23 * H);
    expect(nextWakeAt(d, escalations, LADDER.length)).toBe(T0 + 24 * H);
  });
});

describe('meetDeadline', () => {
  it('meets on time before the due time, resolving nothing', () => {
    const d = red();
    const escalations: Escalation[] = [];
    advanceDeadline(d, escalations, LADDER, T0 + 18 * H);
    expect(meetDeadline(d, escalations, T0 + 23 * H)).toEqual([]);
    expect(d.metAt).toBe(T0 + 23 * H);
    expect(isOpen(d)).toBe(false);
    expect(isAtRisk(d, T0 + 23 * H)).toBe(false);
    expect(isOverdue(d, T0 + 30 * H)).toBe(false);
    expect(outcomeOf(d)).toBe('on_time');
  });

  it('meets late after the due time, resolving every open escalation of that deadline', () => {
    const d = red();
    const other = red({ key: 'orange#1', dueAt: T0 + 72 * H });
    const escalations: Escalation[] = [];
    advanceDeadline(d, escalations, LADDER, T0 + 50 * H);
    advanceDeadline(other, escalations, LADDER, T0 + 72 * H);
    expect(currentRung(d, escalations)).toBe(2);

    const resolved = meetDeadline(d, escalations, T0 + 60 * H);
    expect(resolved.map((e) => e.rung)).toEqual([1, 2]);
    for (const e of resolved) expect(e).toMatchObject({ deadlineKey: 'red#1', resolvedAt: T0 + 60 * H, resolution: 'met' });
    expect(outcomeOf(d)).toBe('late');
    expect(currentRung(d, escalations)).toBe(0);
    // Another deadline's escalation is left alone.
    expect(escalations.find((e) => e.deadlineKey === 'orange#1')?.resolvedAt).toBeUndefined();

    // Meeting twice changes nothing.
    expect(meetDeadline(d, escalations, T0 + 70 * H)).toEqual([]);
    expect(d.metAt).toBe(T0 + 60 * H);
  });

  it('counts a deadline met exactly at its due time as on time', () => {
    const d = red();
    meetDeadline(d, [], T0 + 24 * H);
    expect(outcomeOf(d)).toBe('on_time');
  });
});

describe('endDeadline', () => {
  it('ends an unexpired deadline as not due', () => {
    const d = red();
    expect(endDeadline(d, [], T0 + 10 * H, 'level_changed')).toEqual([]);
    expect(d).toMatchObject({ endedAt: T0 + 10 * H, endReason: 'level_changed' });
    expect(d.metAt).toBeUndefined();
    expect(isOpen(d)).toBe(false);
    expect(outcomeOf(d)).toBe('not_due');
    expect(nextWakeAt(d, [], LADDER.length)).toBeUndefined();
  });

  it('keeps a passed deadline counted late and resolves its escalations with the reason', () => {
    const d = red();
    const escalations: Escalation[] = [];
    advanceDeadline(d, escalations, LADDER, T0 + 30 * H);
    const resolved = endDeadline(d, escalations, T0 + 31 * H, 'closed');
    expect(resolved).toEqual([expect.objectContaining({ rung: 1, resolvedAt: T0 + 31 * H, resolution: 'closed' })]);
    expect(outcomeOf(d)).toBe('late');
    expect(currentRung(d, escalations)).toBe(0);
  });

  it('does not touch a deadline already met', () => {
    const d = red();
    const escalations: Escalation[] = [];
    advanceDeadline(d, escalations, LADDER, T0 + 30 * H);
    meetDeadline(d, escalations, T0 + 31 * H);
    expect(endDeadline(d, escalations, T0 + 32 * H, 'closed')).toEqual([]);
    expect(d.endedAt).toBeUndefined();
    expect(escalations[0]?.resolution).toBe('met');
    expect(outcomeOf(d)).toBe('late');
  });
});

describe('outcomeOf', () => {
  it('classifies each way a deadline can finish', () => {
    const at = (patch: Partial<Deadline>) => outcomeOf({ ...red(), ...patch });
    expect(at({})).toBe('pending');
    expect(at({ metAt: T0 + 23 * H })).toBe('on_time');
    expect(at({ metAt: T0 + 24 * H + 1 })).toBe('late');
    expect(at({ endedAt: T0 + 23 * H, endReason: 'closed' })).toBe('not_due');
    expect(at({ endedAt: T0 + 25 * H, endReason: 'level_changed' })).toBe('late');
  });
});
