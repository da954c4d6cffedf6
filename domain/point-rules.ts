/**
 * The rules of the party-member points system (党员积分制, seed 三(二)一): what earns points. How many points
 * each earns is policy (`points.rules` in domain/policy.ts, ours); the ledger (domain/points.ts,
 * store/points.ts) records each award with the points in force when it was written.
 *
 * `earnedBy`:
 * - `system` — written by the projection from a case's events (an award claim, `AwardClaim` below): nobody
 *   types it in, and it is written once per event (its key);
 * - `recorded` — recorded by village or town staff (Party-day attendance and the 三亮 actions, which happen
 *   off the system), each naming what it is for.
 */
export const POINT_RULES = [
  'visit',
  'contact_on_time',
  'discovery_confirmed',
  'wish_fulfilled',
  'party_day_attendance',
  'show_identity',
  'show_action',
  'show_result',
  'service_hour',
] as const;
export type PointRule = (typeof POINT_RULES)[number];

export const POINT_RULE_INFO: Record<PointRule, { name: string; earnedBy: 'system' | 'recorded'; source: string }> = {
  visit: { name: '走访困难群众', earnedBy: 'system', source: 'seed 三(二)一: 把党员帮扶困难群众列入“党员积分制”; a party member’s recorded visit to an alert’s household' },
  contact_on_time: { name: '帮包联系按时', earnedBy: 'system', source: 'seed 三(二)二 党员帮包: a pairing contact recorded before it was due' },
  discovery_confirmed: { name: '主动发现经核实', earnedBy: 'system', source: 'seed 三(二)三 瞭望员、吹哨人: a discovery the town confirmed (any outcome but no action)' },
  wish_fulfilled: { name: '认领心愿已实现', earnedBy: 'system', source: 'seed 三(三)二 许愿树: a claimed wish fulfilled and confirmed' },
  party_day_attendance: { name: '参加党员活动日', earnedBy: 'recorded', source: 'seed 三(三)三 每月党员活动日' },
  show_identity: { name: '亮身份', earnedBy: 'recorded', source: 'seed 三(二)一 三亮行动: 亮身份' },
  show_action: { name: '亮行动', earnedBy: 'recorded', source: 'seed 三(二)一 三亮行动: 亮行动' },
  show_result: { name: '亮成绩', earnedBy: 'recorded', source: 'seed 三(二)一 三亮行动: 亮成绩' },
  service_hour: { name: '双报到服务时长', earnedBy: 'system', source: 'seed 三(二)四 双报到: per hour of service the community confirmed' },
};

/**
 * An award a case event carries for the ledger: `event.data.awards` is a list of these (kinds from issue 13
 * on: pairing, discovery). The projection activity turns each into a ledger entry with the points the
 * policy gives the rule, keyed by `key` so a re-projection writes nothing twice. `userId` is the login of
 * the member who earns it; an award for a login with no registered party member is not written.
 * `quantity` multiplies the rule's points (hours for `service_hour`; default 1).
 */
export interface AwardClaim {
  userId: string;
  rule: PointRule;
  /** Unique per award across the system, e.g. `pairing-hh-…:contact#3`. */
  key: string;
  quantity?: number;
}
