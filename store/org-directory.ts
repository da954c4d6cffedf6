import type { Db } from 'mongodb';
import { ladderOf, toRef, type OrgUnit, type UnitRef } from '../domain/org';
import { collections } from './collections';

/**
 * The org tree, read from MongoDB once and kept in memory: a city has a few thousand units and every
 * request needs the caller's unit. `refresh()` reloads after the tree is edited or seeded; a
 * `maxAgeMs` makes several API instances converge without coordination.
 */
export class OrgDirectory {
  private units = new Map<string, OrgUnit>();
  private children = new Map<string, OrgUnit[]>();
  private loadedAt = 0;

  constructor(private readonly db: Db, private readonly maxAgeMs = 60_000) {}

  async refresh(): Promise<void> {
    const docs = await collections(this.db).orgUnits.find({}).toArray();
    const units = new Map<string, OrgUnit>();
    const children = new Map<string, OrgUnit[]>();
    for (const { _id, name, level, parent, path } of docs) units.set(_id, { code: _id, name, level, parent, path });
    for (const unit of units.values()) {
      if (unit.parent === null) continue;
      const siblings = children.get(unit.parent) ?? [];
      siblings.push(unit);
      children.set(unit.parent, siblings);
    }
    for (const list of children.values()) list.sort((a, b) => a.code.localeCompare(b.code));
    this.units = units;
    this.children = children;
    this.loadedAt = Date.now();
  }

  private async fresh(): Promise<void> {
    if (Date.now() - this.loadedAt > this.maxAgeMs) await this.refresh();
  }

  async get(code: string): Promise<OrgUnit | undefined> {
    await this.fresh();
    const unit = this.units.get(code);
    if (!unit && this.loadedAt > 0 && Date.now() - this.loadedAt > 1000) {
      // A unit added since the last load: one reload, not one per request.
      await this.refresh();
      return this.units.get(code);
    }
    return unit;
  }

  async childrenOf(code: string): Promise<OrgUnit[]> {
    await this.fresh();
    return this.children.get(code) ?? [];
  }

  /**
   * Units of the subtree of `rootCode` (the root included) whose name contains `query` or whose code starts
   * with it, in code order, at most `limit`. Case-insensitive; an empty query matches nothing. Ours.
   */
  async search(rootCode: string, query: string, limit: number): Promise<OrgUnit[]> {
    await this.fresh();
    const q = query.trim().toLowerCase();
    if (!q) return [];
    const out: OrgUnit[] = [];
    for (const unit of this.units.values()) {
      if (!unit.path.includes(rootCode)) continue;
      if (unit.code.toLowerCase().startsWith(q) || unit.name.toLowerCase().includes(q)) out.push(unit);
    }
    return out.sort((a, b) => a.code.localeCompare(b.code)).slice(0, limit);
  }

  /** The unit and its ancestors up to the city: the rungs an escalation climbs. */
  async ladder(code: string): Promise<UnitRef[]> {
    const unit = await this.get(code);
    if (!unit) throw new Error(`unknown org unit ${code}`);
    return ladderOf(unit.path, (c) => {
      const u = this.units.get(c);
      return u && toRef(u);
    });
  }
}
