import { createHash } from 'node:crypto';
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
const toClaim = ({ _id, ...rest }: ServiceClaimDoc): ServiceClaim => ({ ...rest, id: _id });

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

/**
 * Claims a slot of `task` for a member: inserts the claim (one per member: `already_claimed` when it holds
 * a slot), then tries the task's slots in order, each an insert of `<taskId>#<n>` that only one claim can
 * win. No slot free: the claim is removed and `full` returned. A claim left without a slot by a crash is
 * taken up again by the member's retry.
 */
export async function claimSlot(db: Db, task: ServiceTask, claim: Omit<ServiceClaim, 'id' | 'slot' | 'hours' | 'confirmed'>): Promise<{ claimed: ServiceClaim } | { refused: 'already_claimed' | 'full' }> {
  const c = collections(db);
  const id = claimIdFor(task.id, claim.memberId);
  try {
    await c.serviceClaims.insertOne({ ...claim, _id: id, slot: null, hours: null, confirmed: null });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    const existing = await c.serviceClaims.findOne({ _id: id });
    if (existing?.slot !== null) return { refused: 'already_claimed' };
  }
  // A slot this member already holds (a retry after a crash between the slot and the claim's update).
  const held = await c.serviceSlots.findOne({ taskId: task.id, memberId: claim.memberId });
  let slot: number | null = held ? Number(held._id.split('#').at(-1)) : null;
  for (let n = 1; slot === null && n <= task.slots; n++) {
    try {
      await c.serviceSlots.insertOne({ _id: `${task.id}#${n}`, taskId: task.id, memberId: claim.memberId });
      slot = n;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }
  if (slot === null) {
    await c.serviceClaims.deleteOne({ _id: id, slot: null });
    return { refused: 'full' };
  }
  await c.serviceClaims.updateOne({ _id: id }, { $set: { slot } });
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
