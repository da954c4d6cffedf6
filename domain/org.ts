import { z } from 'zod';

/** Levels of the org tree, top down: 市 → 区市 → 镇(街道) → 村(社区) → 网格. */
export const ORG_LEVELS = ['city', 'district', 'town', 'village', 'grid'] as const;
export const zOrgLevel = z.enum(ORG_LEVELS);
export type OrgLevel = z.infer<typeof zOrgLevel>;

export const ORG_LEVEL_NAMES: Record<OrgLevel, string> = {
  city: '市',
  district: '区市',
  town: '镇(街道)',
  village: '村(社区)',
  grid: '网格',
};

/** An org-unit code as stored: administrative-division digits, optionally a grid suffix (-G01). */
export const zOrgCode = z.string().regex(/^\d{6,12}(?:-G\d{2,3})?$/, 'expected an administrative-division code such as 371002001001');

export const zOrgUnit = z.object({
  code: zOrgCode,
  name: z.string().min(1),
  level: zOrgLevel,
  parent: zOrgCode.nullable(),
  /** Codes from the root down to this unit, inclusive: the materialised path. */
  path: z.array(zOrgCode).min(1),
});
export type OrgUnit = z.infer<typeof zOrgUnit>;

/** The short reference to a unit that cases carry. */
export interface UnitRef {
  code: string;
  name: string;
  level: OrgLevel;
}

export function toRef(unit: OrgUnit): UnitRef {
  return { code: unit.code, name: unit.name, level: unit.level };
}

/** True when `unit` lies in the subtree rooted at `rootCode` (a unit is inside its own subtree). */
export function isWithin(unitPath: readonly string[], rootCode: string): boolean {
  return unitPath.includes(rootCode);
}

/**
 * Builds materialised paths for a list of units given parents-first or in any order.
 * Throws on a missing parent or a cycle, naming the unit.
 */
export function withPaths(units: ReadonlyArray<Omit<OrgUnit, 'path'>>): OrgUnit[] {
  const byCode = new Map(units.map((u) => [u.code, u]));
  const paths = new Map<string, string[]>();
  const pathOf = (code: string, seen: Set<string>): string[] => {
    const known = paths.get(code);
    if (known) return known;
    const unit = byCode.get(code);
    if (!unit) throw new Error(`org unit ${code} is referenced as a parent but not defined`);
    if (seen.has(code)) throw new Error(`org unit ${code} is its own ancestor`);
    seen.add(code);
    const path = unit.parent === null ? [code] : [...pathOf(unit.parent, seen), code];
    paths.set(code, path);
    return path;
  };
  return units.map((u) => ({ ...u, path: pathOf(u.code, new Set()) }));
}

/**
 * The escalation ladder of a unit: the unit itself, then each ancestor up to the root.
 * Grids are skipped as responsible units: a case belongs to its village/community.
 */
export function ladderOf(path: readonly string[], lookup: (code: string) => UnitRef | undefined): UnitRef[] {
  const ladder: UnitRef[] = [];
  for (let i = path.length - 1; i >= 0; i--) {
    const ref = lookup(path[i]!);
    if (!ref) throw new Error(`org unit ${path[i]} is missing from the tree`);
    if (ref.level !== 'grid') ladder.push(ref);
  }
  return ladder;
}

/** The level of a unit's children (a grid has none): 市 → 区市 → 镇(街道) → 村(社区) → 网格. Ours, from ORG_LEVELS. */
export function childLevelOf(level: OrgLevel): OrgLevel | null {
  return ORG_LEVELS[ORG_LEVELS.indexOf(level) + 1] ?? null;
}

/**
 * Whether `code` may be the code of a new child of `parent`: a child's code extends its parent's, in the
 * national administrative-division style the seed follows (GB/T 2260 for the city and its districts, the
 * 统计用区划代码 for towns and villages; the grid suffix is ours):
 * - a district (区市) under the city: six digits sharing the city's first four (371000 → 371002);
 * - a town (镇/街道) under a district: the district's six digits and three more (371002 → 371002001);
 * - a village (村/社区) under a town: the town's nine digits and three more (371002001 → 371002001001);
 * - a grid (网格) under a village: the village's code and `-G` with two or three digits (…001-G03).
 * Returns null when the code fits, else the rule it breaks in English (the API's message; the web says it
 * in Chinese by the issue code `code_not_under_parent`). A grid has no children.
 */
export function childCodeProblem(parent: Pick<OrgUnit, 'code' | 'level'>, code: string): string | null {
  const p = parent.code;
  const example = childCodeExample(parent);
  switch (parent.level) {
    case 'city':
      return new RegExp(`^${p.slice(0, 4)}\\d{2}$`).test(code) && code !== p ? null : `a district's code is six digits starting ${p.slice(0, 4)} (e.g. ${example})`;
    case 'district':
      return new RegExp(`^${p}\\d{3}$`).test(code) ? null : `a town's code is its district's code and three digits (e.g. ${example})`;
    case 'town':
      return new RegExp(`^${p}\\d{3}$`).test(code) ? null : `a village's code is its town's code and three digits (e.g. ${example})`;
    case 'village':
      return new RegExp(`^${p}-G\\d{2,3}$`).test(code) ? null : `a grid's code is its village's code and -G with two or three digits (e.g. ${example})`;
    case 'grid':
      return 'a grid has no units below it';
  }
}

/** A code a new child of `parent` could have (see childCodeProblem), or null below a grid: the form's hint. Ours. */
export function childCodeExample(parent: Pick<OrgUnit, 'code' | 'level'>): string | null {
  const p = parent.code;
  switch (parent.level) {
    case 'city':
      return `${p.slice(0, 4)}02`;
    case 'district':
    case 'town':
      return `${p}001`;
    case 'village':
      return `${p}-G01`;
    case 'grid':
      return null;
  }
}
