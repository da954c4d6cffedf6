import { z } from 'zod';
import { zDuration } from './duration';

/**
 * Deadlines are policy, not code. The file (JSON or YAML, named by POLICY_FILE) is merged over these
 * defaults and validated; durations are ISO-8601.
 *
 * From the seed (威民发〔2023〕25号): red is accepted and handled within 24 hours, orange visited within
 * 72 hours, yellow visited every week. NOT from the seed — our defaults, to be set by each city:
 * every `escalateEvery` (how long a missed deadline waits at one rung before climbing to the next unit)
 * and `warnAt` (the share of the time after which a case is marked at risk).
 */
export const DEFAULT_POLICY_SOURCE = {
  alerts: {
    warnAt: 0.75,
    red: { due: 'PT24H', escalateEvery: 'PT24H' },
    orange: { due: 'PT72H', escalateEvery: 'PT48H' },
    yellow: { every: 'P7D', escalateEvery: 'P3D' },
  },
} as const;

const zShare = z.number().gt(0).lt(1);

const zDeadlineLevel = z
  .object({ due: zDuration, escalateEvery: zDuration, warnAt: zShare.optional() })
  .strict();
const zCycleLevel = z
  .object({ every: zDuration, escalateEvery: zDuration, warnAt: zShare.optional() })
  .strict();

export const zPolicyFile = z
  .object({
    version: z.string().min(1).max(64).optional(),
    alerts: z
      .object({ warnAt: zShare, red: zDeadlineLevel, orange: zDeadlineLevel, yellow: zCycleLevel })
      .strict(),
  })
  .strict();

export const ALERT_LEVELS = ['yellow', 'orange', 'red'] as const;
export const zAlertLevel = z.enum(ALERT_LEVELS);
export type AlertLevel = z.infer<typeof zAlertLevel>;
export const ALERT_LEVEL_NAMES: Record<AlertLevel, string> = { yellow: '黄色', orange: '橙色', red: '红色' };

/** What one level asks for, resolved to milliseconds: the form workflows receive. */
export interface LevelPolicy {
  /** red/orange: time from the level being set to the deadline; yellow: the length of one visit cycle. */
  dueMs: number;
  escalateEveryMs: number;
  warnAt: number;
}

export interface AlertPolicy {
  version: string;
  levels: Record<AlertLevel, LevelPolicy>;
}

export interface Policy {
  version: string;
  alerts: AlertPolicy;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge of a policy file over the defaults: objects merge, anything else replaces. */
export function mergeOverDefaults(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override === undefined ? base : override;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) out[key] = mergeOverDefaults(base[key], value);
  return out;
}

/**
 * Validates a parsed policy file (or undefined for the defaults) and resolves it. `fallbackVersion`
 * names the policy when the file does not (the config module passes a content hash).
 */
export function resolvePolicy(file: unknown, fallbackVersion: string): Policy {
  const parsed = zPolicyFile.parse(mergeOverDefaults(DEFAULT_POLICY_SOURCE, file ?? {}));
  const version = parsed.version ?? fallbackVersion;
  const a = parsed.alerts;
  const level = (p: { escalateEvery: number; warnAt?: number | undefined }, dueMs: number): LevelPolicy => ({
    dueMs,
    escalateEveryMs: p.escalateEvery,
    warnAt: p.warnAt ?? a.warnAt,
  });
  return {
    version,
    alerts: {
      version,
      levels: { red: level(a.red, a.red.due), orange: level(a.orange, a.orange.due), yellow: level(a.yellow, a.yellow.every) },
    },
  };
}
