import { z } from 'zod';

/** The three alert colours (三色预警), lowest first (seed 三(三)一), and their Chinese names. */
export const ALERT_LEVELS = ['yellow', 'orange', 'red'] as const;
export const zAlertLevel = z.enum(ALERT_LEVELS);
export type AlertLevel = z.infer<typeof zAlertLevel>;
export const ALERT_LEVEL_NAMES: Record<AlertLevel, string> = { yellow: '黄色', orange: '橙色', red: '红色' };
