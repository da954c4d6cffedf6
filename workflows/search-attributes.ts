import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes every case workflow keeps current, so that
 * `temporal workflow list --query 'Overdue = true AND OrgUnits = "371002001"'` finds what the overdue board shows.
 * The local dev server registers them at start (scripts/lib/stack.ts); a real cluster needs
 * `temporal operator search-attribute create` once (see README).
 */
export const CaseKind = defineSearchAttributeKey('CaseKind', SearchAttributeType.KEYWORD);
export const AlertLevel = defineSearchAttributeKey('AlertLevel', SearchAttributeType.KEYWORD);
/** Every unit on the path from the city to the responsible unit: `OrgUnits = "<code>"` selects a subtree. */
export const OrgUnits = defineSearchAttributeKey('OrgUnits', SearchAttributeType.KEYWORD_LIST);
export const Overdue = defineSearchAttributeKey('Overdue', SearchAttributeType.BOOL);
export const NextDeadline = defineSearchAttributeKey('NextDeadline', SearchAttributeType.DATETIME);
export const EscalationRung = defineSearchAttributeKey('EscalationRung', SearchAttributeType.INT);

/** Name → CLI type, for `temporal server start-dev --search-attribute` and the operator service. */
export const SEARCH_ATTRIBUTES: Record<string, 'Keyword' | 'KeywordList' | 'Bool' | 'Datetime' | 'Int'> = {
  CaseKind: 'Keyword',
  AlertLevel: 'Keyword',
  OrgUnits: 'KeywordList',
  Overdue: 'Bool',
  NextDeadline: 'Datetime',
  EscalationRung: 'Int',
};
