import { z } from 'zod';

// ISO-8601 durations as the policy file writes them (PT24H, P7D, P1DT12H, P2W). Calendar units with
// variable length (years, months) are refused: a deadline must mean the same span in every month.
const ISO_DURATION = /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

const MS = { week: 7 * 86_400_000, day: 86_400_000, hour: 3_600_000, minute: 60_000, second: 1000 } as const;

/** Milliseconds in an ISO-8601 duration, or null when the text is not one we accept. */
export function parseDuration(text: string): number | null {
  const m = ISO_DURATION.exec(text);
  if (!m || text === 'P' || text.endsWith('T')) return null;
  const [, w, d, h, min, s] = m;
  const ms =
    Number(w ?? 0) * MS.week +
    Number(d ?? 0) * MS.day +
    Number(h ?? 0) * MS.hour +
    Number(min ?? 0) * MS.minute +
    Number(s ?? 0) * MS.second;
  return Math.round(ms);
}

/** Shortest readable ISO-8601 form of a span, for messages and the read model. */
export function formatDuration(ms: number): string {
  if (ms <= 0) return 'PT0S';
  let rest = Math.round(ms / 1000);
  const days = Math.floor(rest / 86_400);
  rest -= days * 86_400;
  const hours = Math.floor(rest / 3600);
  rest -= hours * 3600;
  const minutes = Math.floor(rest / 60);
  const seconds = rest - minutes * 60;
  const time = `${hours ? `${hours}H` : ''}${minutes ? `${minutes}M` : ''}${seconds ? `${seconds}S` : ''}`;
  return `P${days ? `${days}D` : ''}${time ? `T${time}` : ''}`;
}

/** A zod field holding an ISO-8601 duration; parses to milliseconds, refuses zero and calendar units. */
export const zDuration = z
  .string()
  .transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === null || ms <= 0) {
      ctx.addIssue({ code: 'custom', message: `expected a positive ISO-8601 duration such as PT24H or P7D, got "${text}"` });
      return z.NEVER;
    }
    return ms;
  });
