import { describe, expect, it } from 'vitest';
import { childCodeExample, childCodeProblem, childLevelOf, ORG_LEVELS } from '../../domain/org';
import { weihaiOrgUnits } from '../../store/seed';

/** A new unit's code (domain/org.ts childCodeProblem): the rule agrees with the shipped tree, and refuses codes out of place. */
describe('a child unit’s code', () => {
  const units = weihaiOrgUnits();
  const byCode = new Map(units.map((u) => [u.code, u]));

  it('holds for every unit of the shipped Weihai tree, at the level below its parent', () => {
    for (const u of units.filter((x) => x.parent !== null)) {
      const parent = byCode.get(u.parent!)!;
      expect(childCodeProblem(parent, u.code), u.code).toBeNull();
      expect(childLevelOf(parent.level), u.code).toBe(u.level);
    }
  });

  it('the example code of each level fits its own rule; a grid has no children', () => {
    for (const level of ORG_LEVELS.slice(0, -1)) {
      const parent = units.find((u) => u.level === level)!;
      expect(childCodeProblem(parent, childCodeExample(parent)!), level).toBeNull();
    }
    const grid = units.find((u) => u.level === 'grid')!;
    expect(childLevelOf('grid')).toBeNull();
    expect(childCodeExample(grid)).toBeNull();
    expect(childCodeProblem(grid, `${grid.code}-G01`)).toMatch(/no units below/);
  });

  it('refuses a code under another parent, of the wrong length, or the parent’s own', () => {
    const city = byCode.get('371000')!;
    const town = byCode.get('371002001')!;
    const village = byCode.get('371002001001')!;
    expect(childCodeProblem(city, '371000')).not.toBeNull();
    expect(childCodeProblem(city, '370102')).not.toBeNull();
    expect(childCodeProblem(town, '371002002004')).not.toBeNull();
    expect(childCodeProblem(town, '3710020010011')).not.toBeNull();
    expect(childCodeProblem(town, '371002001')).not.toBeNull();
    expect(childCodeProblem(village, '371002001002-G01')).not.toBeNull();
    expect(childCodeProblem(village, '371002001001-G1')).not.toBeNull();
    expect(childCodeProblem(village, '371002001001-G100')).toBeNull();
  });
});
