import { describe, it, expect } from 'vitest';
import data from '../../scripts/seed/weihai-org.json' with { type: 'json' };

type Level = 'city' | 'district' | 'town' | 'village' | 'grid';
interface SeedUnit {
  code: string;
  name: string;
  level: Level;
  parent: string | null;
  officialCode?: boolean;
}

const units = data as SeedUnit[];
const LEVELS: Level[] = ['city', 'district', 'town', 'village', 'grid'];
const CODE_SHAPE: Record<Level, RegExp> = {
  city: /^\d{6}$/,
  district: /^\d{6}$/,
  town: /^\d{9}$/,
  village: /^\d{12}$/,
  grid: /^\d{12}-G\d{2}$/,
};

describe('scripts/seed/weihai-org.json', () => {
  const byCode = new Map(units.map((u) => [u.code, u]));

  it('is an array of 60–120 well-formed units', () => {
    expect(Array.isArray(data)).toBe(true);
    expect(units.length).toBeGreaterThanOrEqual(60);
    expect(units.length).toBeLessThanOrEqual(120);
    for (const u of units) {
      const allowed = ['code', 'name', 'level', 'parent', 'officialCode'];
      expect(Object.keys(u).filter((k) => !allowed.includes(k)), u.code).toEqual([]);
      expect(typeof u.name).toBe('string');
      expect(u.name.length).toBeGreaterThan(0);
      expect(LEVELS).toContain(u.level);
    }
  });

  it('has exactly one root: 威海市 371000', () => {
    const roots = units.filter((u) => u.parent === null);
    expect(roots).toHaveLength(1);
    expect(roots[0]).toMatchObject({ code: '371000', name: '威海市', level: 'city' });
    expect(units[0]!.code).toBe('371000');
  });

  it('has unique codes', () => {
    expect(byCode.size).toBe(units.length);
  });

  it('lists every parent before its children', () => {
    const seen = new Set<string>();
    for (const u of units) {
      if (u.parent !== null) expect(seen.has(u.parent), `${u.code} before parent ${u.parent}`).toBe(true);
      seen.add(u.code);
    }
  });

  it('puts each child exactly one level below its parent', () => {
    for (const u of units) {
      if (u.parent === null) continue;
      const parent = byCode.get(u.parent);
      expect(parent, u.code).toBeDefined();
      expect(LEVELS.indexOf(u.level), u.code).toBe(LEVELS.indexOf(parent!.level) + 1);
    }
  });

  it('uses 6/9/12-digit codes for district/town/village', () => {
    for (const u of units) expect(u.code, `${u.code} (${u.level})`).toMatch(CODE_SHAPE[u.level]);
  });

  it('prefixes each code with its parent code below district level', () => {
    for (const u of units) {
      if (u.level === 'town' || u.level === 'village' || u.level === 'grid') {
        expect(u.code.startsWith(u.parent!), `${u.code} under ${u.parent}`).toBe(true);
      }
    }
  });

  it('contains the districts, county-level cities and development zones of Weihai', () => {
    const districts = units.filter((u) => u.level === 'district').map((u) => [u.code, u.name]);
    expect(new Map(districts as [string, string][])).toEqual(
      new Map([
        ['371002', '环翠区'],
        ['371003', '文登区'],
        ['371082', '荣成市'],
        ['371083', '乳山市'],
        ['371071', '威海火炬高技术产业开发区'],
        ['371072', '威海经济技术开发区'],
        ['371073', '威海临港经济技术开发区'],
        ['371074', '南海新区'],
      ]),
    );
    // Only 南海新区 lacks an official division code.
    expect(units.filter((u) => u.officialCode === false).map((u) => u.code)).toEqual(['371074']);
  });

  it('gives every district 2–3 towns and every town 2–3 villages', () => {
    const childCount = (code: string) => units.filter((u) => u.parent === code).length;
    for (const u of units) {
      if (u.level === 'district' || u.level === 'town') {
        expect(childCount(u.code), u.code).toBeGreaterThanOrEqual(2);
        expect(childCount(u.code), u.code).toBeLessThanOrEqual(3);
      }
    }
    expect(units.some((u) => u.level === 'grid')).toBe(true);
  });
});
