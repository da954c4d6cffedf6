// Masking of personal fields for roles below town level.
// Pure and I/O-free; works on code points so surrogate pairs are never split.

function chars(s: string): string[] {
  return Array.from(s);
}

/** Keep the first 4 and last 4 characters: 3710**********1234. */
export function maskIdNumber(id: string): string {
  const c = chars(id);
  // Too short to keep 4+4 and still hide something: hide all but the ends.
  if (c.length <= 8) return maskEnds(c, Math.floor(c.length / 4));
  return c.slice(0, 4).join('') + '*'.repeat(c.length - 8) + c.slice(-4).join('');
}

/** Keep the first character: 张三 → 张*, 欧阳娜娜 → 欧***; single characters stay. */
export function maskName(name: string): string {
  const c = chars(name);
  if (c.length <= 1) return name;
  return c[0] + '*'.repeat(c.length - 1);
}

/** Keep first 3 and last 4 (138****5678); shorter strings keep first and last quarter. */
export function maskPhone(phone: string): string {
  const c = chars(phone);
  if (c.length >= 11) {
    return c.slice(0, 3).join('') + '*'.repeat(c.length - 7) + c.slice(-4).join('');
  }
  return maskEnds(c, Math.floor(c.length / 4));
}

/** Keep the first 6 characters and replace any remainder with '****'. */
export function maskAddress(address: string): string {
  const c = chars(address);
  if (c.length <= 6) return address;
  return c.slice(0, 6).join('') + '****';
}

function maskEnds(c: string[], keep: number): string {
  if (c.length === 0) return '';
  return c.slice(0, keep).join('') + '*'.repeat(c.length - 2 * keep) + c.slice(c.length - keep).join('');
}
