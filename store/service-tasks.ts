import { createHash, randomUUID } from 'node:crypto';
import type { Db } from 'mongodb';
import type { ServiceClaim, ServiceTask } from '../domain/service-task';
import { collections, type ServiceClaimDoc, type ServiceTaskDoc } from './collections';
import { isDuplicateKey, pageById } from './mongo';

/**
 * Community service tasks (双报到, domain/service-task.ts). A claim holds a slot by inserting the slot's
 * document (`<taskId>#<n>`): the unique `_id` is the lock, so concurrent claims on the last slot cannot both
 * win — FerretDB v1 has no transactions and a read-then-write counter would oversubscribe. Source: ours.
 */

/** A task's id from its community and the poster's idempotency key: the same post twice is one task. */
export const taskIdFor = (unitCode: string, key: string): string => `task-${createHash('sha256').update(`service-task:${unitCode}:${key}`).digest('hex').slice(0, 12)}`;

/** A claim's id: one claim per task and member. */
export const claimIdFor = (taskId: string, memberId: string): string => `${taskId}:${memberId}`;

const toTask = ({ _id, ...rest }: ServiceTaskDoc): ServiceTask => ({ ...rest, id: _id });
const toClaim = ({ _id, attempt: _a, attemptAt: _t, ...rest }: ServiceClaimDoc): ServiceClaim => ({ ...rest, id: _id });

/** Inserts a task: `{ created }`, or `{ existing }` when its id (community + key) is taken. */
export async function postTask(db: Db, task: ServiceTask): Promise<{ created: ServiceTask } | { existing: ServiceTask }> {
  const { id, ...rest } = task;
  const c = collections(db).serviceTasks;
  try {
    await c.insertOne({ ...rest, _id: id });
    return { created: task };
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    const found = await c.findOne({ _id: id });
    if (!found) throw err;
    return { existing: toTask(found) };
  }
}

export async function findTask(db: Db, taskId: string): Promise<ServiceTask | null> {
  const found = await collections(db).serviceTasks.findOne({ _id: taskId });
  return found && toTask(found);
}

/** Tasks of a unit's subtree by id after `after` (rows keep `_id` for the cursor). */
export const tasksIn = (db: Db, orgCode: string, after: string | undefined, limit: number): Promise<ServiceTaskDoc[]> => pageById(collections(db).serviceTasks, { orgPath: orgCode }, after, limit);

export { toTask as taskOfDoc };

/** A task's claims that hold a slot, by slot. */
export async function claimsOf(db: Db, taskId: string): Promise<ServiceClaim[]> {
  const docs = await collections(db).serviceClaims.find({ taskId }).toArray();
  return docs.filter((d) => d.slot !== null).sort((a, b) => a.slot! - b.slot!).map(toClaim);
}

export async function findClaim(db: Db, claimId: string): Promise<ServiceClaim | null> {
  const found = await collections(db).serviceClaims.findOne({ _id: claimId });
  return found && toClaim(found);
}

/** How long a claim may stay without its slot before a retry of the same member takes it over (a crashed request). Ours. */
export const STALE_CLAIM_MS = 60_000;

/**
 * Claims a slot of `task` for a member. No request deletes or overwrites what another wrote; each write is
 * filtered on the request's own random `attempt` id:
 * 1. the request inserts the claim document `<taskId>:<memberId>` (slot null, its `attempt`): the unique
 *    `_id` makes it the one request of this member under way. Taken → `already_claimed` (claimed, or a
 *    request of the member's under way), except a claim left slotless over STALE_CLAIM_MS by a crashed
 *    request, which one retry takes over (the unique insert of a marker `<claimId>@<stale attempt>` is the
 *    lock; the claim and its slot are then re-stamped with the retry's `attempt`);
 * 2. it takes a slot: a slot document of this claim left by the crashed request, else the first free `<taskId>#<n>` it can insert (the unique `_id` is the lock), naming the
 *    claim (`claimId`) and its `attempt`;
 * 3. it writes the slot's number into its claim (filter: `_id`, its `attempt`). No slot free: it deletes its
 *    own claim (same filter) → `full`. Its claim taken over meanwhile (a stall over STALE_CLAIM_MS): it
 *    deletes its own slot document (filter: `_id`, `claimId`, its `attempt`) → `already_claimed`.
 * So a double tap gives one claim and one `already_claimed`, never two claims nor a slot held by nothing.
 * Source: ours (FerretDB v1 has no transactions; unique `_id`s and filtered writes are the only atomics).
 */
export async function claimSlot(db: Db, task: ServiceTask, claim: Omit<ServiceClaim, 'id' | 'slot' | 'hours' | 'confirmed'>): Promise<{ claimed: ServiceClaim } | { refused: 'already_claimed' | 'full' }> {
  const c = collections(db);
  const id = claimIdFor(task.id, claim.memberId);
  const attempt = randomUUID();
  const now = () => new Date().toISOString();
  try {
    await c.serviceClaims.insertOne({ ...claim, _id: id, slot: null, hours: null, confirmed: null, attempt, attemptAt: now() });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    const existing = await c.serviceClaims.findOne({ _id: id });
    const stale = existing !== null && existing.slot === null && (existing.attemptAt ?? '') < new Date(Date.now() - STALE_CLAIM_MS).toISOString();
    if (!stale) return { refused: 'already_claimed' };
    // One retry takes over a given stale attempt: the unique insert of a marker is the lock (FerretDB's
    // filtered updates are read-modify-write, no compare-and-set).
    try {
      await c.serviceSlots.insertOne({ _id: `${id}@${existing.attempt ?? ''}`, taskId: `takeover:${task.id}`, memberId: claim.memberId, attempt, at: now() });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      return { refused: 'already_claimed' };
    }
    await c.serviceClaims.updateOne({ _id: id, slot: null, attempt: existing.attempt }, { $set: { attempt, attemptAt: now() } });
  }
  let slot: number | null = null;
  for (const left of await c.serviceSlots.find({ taskId: task.id, claimId: id }).toArray()) {
    const adopted = await c.serviceSlots.updateOne({ _id: left._id, claimId: id, attempt: left.attempt }, { $set: { attempt, at: now() } });
    if (adopted.modifiedCount === 1) {
      slot = Number(left._id.split('#').at(-1));
      break;
    }
  }
  for (let n = 1; slot === null && n <= task.slots; n++) {
    try {
      await c.serviceSlots.insertOne({ _id: `${task.id}#${n}`, taskId: task.id, memberId: claim.memberId, claimId: id, attempt, at: now() });
      slot = n;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }
  if (slot === null) {
    await c.serviceClaims.deleteOne({ _id: id, slot: null, attempt });
    return { refused: 'full' };
  }
  const held = await c.serviceClaims.updateOne({ _id: id, slot: null, attempt }, { $set: { slot } });
  if (held.modifiedCount !== 1) {
    await c.serviceSlots.deleteOne({ _id: `${task.id}#${slot}`, claimId: id, attempt });
    return { refused: 'already_claimed' };
  }
  return { claimed: { ...claim, id, slot, hours: null, confirmed: null } };
}

/** Records (or corrects, before confirmation) a claim's hours; null when the claim is confirmed already or missing. */
export async function recordHours(db: Db, claimId: string, hours: NonNullable<ServiceClaim['hours']>): Promise<ServiceClaim | null> {
  const updated = await collections(db).serviceClaims.findOneAndUpdate({ _id: claimId, confirmed: null }, { $set: { hours } }, { returnDocument: 'after' });
  return updated && toClaim(updated);
}

/** Marks a claim's hours confirmed (once: null when it was confirmed already or has no hours). */
export async function confirmHours(db: Db, claimId: string, confirmed: NonNullable<ServiceClaim['confirmed']>): Promise<ServiceClaim | null> {
  const updated = await collections(db).serviceClaims.findOneAndUpdate({ _id: claimId, confirmed: null, hours: { $ne: null } }, { $set: { confirmed } }, { returnDocument: 'after' });
  return updated && toClaim(updated);
}
