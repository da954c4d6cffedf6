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
