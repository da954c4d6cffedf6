import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ASSESSMENT_WEIGHTS, assessmentOf, weightsOf, factsBehind, FIGURES, monthPeriod, scoreOf, standingOf, Tally, yearPeriod, type DeadlineFact, type Figure, type UnitFigures } from '../../domain/assessment';

const NOW = Date.parse('2026-06-15T00:00:00Z');
const fact = (over: Partial<DeadlineFact>): DeadlineFact => ({
  id: 'c:k#1',
  caseId: 'c',
  caseKind: 'alert',
  deadlineKind: 'alert.red',
  orgPath: ['371000', '371002', '371002001'],
  dueAt: Date.parse('2026-03-01T00:00:00Z'),
  metAt: null,
  endedAt: null,
  outcome: 'on_time',
  escalations: 0,
  ...over,
});

describe('what a deadline counts as', () => {
  it('pending before its due time, overdue and open after it; unhandled is due and not on time; not_due is not counted', () => {
    expect(standingOf({ outcome: 'pending', dueAt: NOW + 1, metAt: null }, NOW)).toBe('pending');
    expect(standingOf({ outcome: 'pending', dueAt: NOW, metAt: null }, NOW)).toBe('overdue_open');
    const t = new Tally();
    t.add(fact({ outcome: 'unhandled' }), NOW);
    t.add(fact({ outcome: 'not_due' }), NOW);
    t.add(fact({ outcome: 'pending', dueAt: NOW + 3_600_000 }), NOW);
    const f = t.figures();
    expect(f.deadlines).toEqual({ due: 1, onTime: 0, late: 0, overdueOpen: 0, overdueClosed: 0, unhandled: 1, pending: 1, onTimeRate: 0 });
    expect(f.unhandled).toBe(1);
  });

  it('overdue days: met late by metAt − dueAt, still open by now − dueAt', () => {
    const t = new Tally();
    t.add(fact({ outcome: 'late', metAt: Date.parse('2026-03-03T12:00:00Z') }), NOW);
    t.add(fact({ outcome: 'pending', dueAt: NOW - 86_400_000 }), NOW);
    expect(t.figures().overdue).toEqual({ count: 2, days: 3.5, maxDays: 2.5 });
  });
});

describe('the score', () => {
  it('leaves out the parts a unit has nothing of and weighs the others in full; null with nothing due', () => {
    expect(ASSESSMENT_WEIGHTS.reduce((s, w) => s + w.weight, 0)).toBe(100);
    const t = new Tally();
    t.add(fact({ deadlineKind: 'alert.yellow', outcome: 'on_time' }), NOW);
    t.add(fact({ deadlineKind: 'alert.yellow', outcome: 'late', metAt: Date.parse('2026-03-02T00:00:00Z'), escalations: 1 }), NOW);
    // on time 0.5 (40), handled 1 (10), not escalated 0.5 (10); no red, order or report: (20 + 10 + 5) ÷ 60
    expect(t.figures().score).toBe(58.3);
    // The weights are the policy's: only on-time weighted gives its rate alone; the report names the weights used.
    const onlyOnTime = weightsOf({ weights: { onTime: 1, redOnTime: 0, orderReplies: 0, reports: 0, handled: 0, notEscalated: 0 } });
    expect(t.figures(onlyOnTime).score).toBe(50);
    const facts = [fact({ deadlineKind: 'alert.yellow', outcome: 'on_time' })];
    const report = assessmentOf({ org: { code: 'root', name: 'R' }, depth: 1, children: [], period: yearPeriod(2026), facts, now: NOW, weights: onlyOnTime });
    expect(report.weights.map((w) => [w.id, w.weight])).toEqual([['onTime', 1], ['redOnTime', 0], ['orderReplies', 0], ['reports', 0], ['handled', 0], ['notEscalated', 0]]);
    expect(new Tally().figures().score).toBeNull();
    expect(scoreOf(new Tally().figures())).toBeNull();
  });
});

describe('periods in China time', () => {
  it('a year and a month start at local midnight (UTC+8)', () => {
    expect(yearPeriod(2026)).toEqual({ kind: 'year', label: '2026', from: Date.parse('2025-12-31T16:00:00Z'), to: Date.parse('2026-12-31T16:00:00Z') });
    expect(monthPeriod('2026-12')).toEqual({ kind: 'month', label: '2026-12', from: Date.parse('2026-11-30T16:00:00Z'), to: Date.parse('2026-12-31T16:00:00Z') });
  });
});

/** The number of the figures a drill-down figure stands for. */
function numberOf(f: UnitFigures, figure: Figure): number {
  const map: Record<Figure, number> = {
    due: f.deadlines.due,
    onTime: f.deadlines.onTime,
    late: f.deadlines.late,
    overdueOpen: f.deadlines.overdueOpen,
    overdueClosed: f.deadlines.overdueClosed,
    overdue: f.overdue.count,
    unhandled: f.unhandled,
    pending: f.deadlines.pending,
    escalated: f.escalations.deadlines,
    rung1: f.escalations.byRung[0]!,
    rung2: f.escalations.byRung[1]!,
    rung3: f.escalations.byRung[2]!,
    orders: f.orders.count,
    orderReplies: f.orders.replies.due,
    orderRepliesOnTime: f.orders.replies.onTime,
    reports: f.reports.due,
    reportsOnTime: f.reports.onTime,
    wishesFulfilled: f.wishes.fulfilled,
    discoveries: f.discoveries.due,
    discoveriesOnTime: f.discoveries.onTime,
    pairingAssignments: f.pairing.assignments.due,
    pairingAssignmentsOnTime: f.pairing.assignments.onTime,
    pairingContacts: f.pairing.contacts.due,
    pairingContactsOnTime: f.pairing.contacts.onTime,
    patrols: f.patrols.due,
    patrolsOnTime: f.patrols.onTime,
  };
  return map[figure];
}

describe('the drill-down lists exactly what each number counts', () => {
  const zFact = fc.record({
    caseNo: fc.integer({ min: 0, max: 8 }),
    caseKind: fc.constantFrom('alert', 'report', 'wish', 'order', 'application', 'discovery', 'pairing', 'patrol'),
    deadlineKind: fc.constantFrom('alert.red', 'alert.yellow', 'report.answer', 'wish.fulfilment', 'order.reply', 'application.town_review', 'discovery.assess', 'pairing.assign', 'pairing.contact', 'patrol.record'),
    child: fc.constantFrom('A', 'B', 'C'),
    dueOffsetH: fc.integer({ min: -2000, max: 500 }),
    metOffsetH: fc.option(fc.integer({ min: -100, max: 200 })),
    endOffsetH: fc.option(fc.integer({ min: 0, max: 200 })),
    outcome: fc.constantFrom('pending', 'on_time', 'late', 'not_due', 'unhandled'),
    escalations: fc.integer({ min: 0, max: 4 }),
  });
  it('for every figure, per unit and in total (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(zFact, { maxLength: 60 }), (raw) => {
        const facts = raw.map((r, i): DeadlineFact => {
          const dueAt = NOW + r.dueOffsetH * 3_600_000;
          return {
            id: `c${r.caseNo}:k#${i}`,
            caseId: `c${r.caseNo}`,
            caseKind: r.caseKind,
            deadlineKind: r.deadlineKind,
            orgPath: ['root', r.child],
            dueAt,
            metAt: r.metOffsetH === null ? null : dueAt + r.metOffsetH * 3_600_000,
            endedAt: r.endOffsetH === null ? null : dueAt + r.endOffsetH * 3_600_000,
            outcome: r.outcome as DeadlineFact['outcome'],
            escalations: r.escalations,
          };
        });
        const report = assessmentOf({ org: { code: 'root', name: 'R' }, depth: 1, children: ['A', 'B', 'C'].map((c) => ({ code: c, name: c })), period: yearPeriod(2026), facts, now: NOW });
        for (const figure of FIGURES) {
          expect(factsBehind(figure, facts, NOW).length, figure).toBe(numberOf(report.total, figure));
          for (const u of report.units) expect(factsBehind(figure, facts.filter((d) => d.orgPath[1] === u.code), NOW).length, `${u.code} ${figure}`).toBe(numberOf(u.figures, figure));
        }
        for (const [kind, counts] of Object.entries(report.total.byKind)) {
          expect(factsBehind('due', facts, NOW, kind).length).toBe(counts.due);
          expect(factsBehind('onTime', facts, NOW, kind).length).toBe(counts.onTime);
        }
      }),
      { numRuns: 200 },
    );
  });
});
