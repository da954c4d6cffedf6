import type { Client } from '@temporalio/client';
import type { Db } from 'mongodb';
import type { HelperRef, WishCategory } from '../domain/wish';
import type { UnitRef } from '../domain/org';
import { recordPoints } from '../store/wishes';

/** What the wish workflow hands over when a fulfilment is confirmed (see domain/wish.ts pointsEntry). */
export interface PointsEntry {
  wishId: string;
  helper: HelperRef;
  points: number;
  publicTitle: string;
  category: WishCategory;
  unit: UnitRef;
  orgPath: string[];
  fulfilledAt: number;
  confirmedAt: number;
  confirmedBy: 'household' | 'staff';
}

/**
 * The wishing tree's activities: the helper-points ledger. `wishPoints` is the policy's points for a
 * fulfilled wish (`points.rules.wish_fulfilled`, issue 13): the helper ledger records that, not the
 * workflow's older flat figure (the workflow's number is kept as it was so recorded histories replay).
 */
export function createWishActivities(deps: { db: Db; temporal?: Client; wishPoints?: number }) {
  return {
    /**
     * One ledger entry per fulfilled wish, keyed by the wish id: a retried activity, a replayed workflow or
     * a second call records nothing more.
     */
    async recordHelperPoints(entry: PointsEntry): Promise<{ points: number; alreadyRecorded: boolean }> {
      return recordPoints(deps.db, {
        _id: entry.wishId,
        helperId: entry.helper.helperId,
        helperName: entry.helper.name,
        helperKind: entry.helper.kind,
        points: deps.wishPoints ?? entry.points,
        wishId: entry.wishId,
        publicTitle: entry.publicTitle,
        category: entry.category,
        unit: entry.unit,
        orgPath: entry.orgPath,
        fulfilledAt: new Date(entry.fulfilledAt),
        confirmedAt: new Date(entry.confirmedAt),
        confirmedBy: entry.confirmedBy,
        recordedAt: new Date(),
      });
    },
  };
}
