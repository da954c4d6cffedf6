import { allHandlersFinished, condition, workflowInfo } from '@temporalio/workflow';
import type { Outcome } from '../../domain/case';
import type { Deadline, Escalation } from '../../domain/deadlines';
import type { CaseProjection, CaseSummary } from '../../domain/projection';
import { Projector } from './projector';

const DEFAULT_CONTINUE_AS_NEW_AFTER = 2000;

/** What the runtime needs of every kind's state. */
export interface CaseState {
  version: number;
  status: 'open' | 'closed';
  deadlines: Deadline[];
  escalations: Escalation[];
}

/** A kind-specific read model written after the case projection of each change (an activity call). */
export type Sink<S> = (state: S) => Promise<void>;

/**
 * The mechanism every case workflow shares: commit a change (bump the version, project it in order, wake
 * the main loop), sleep until the next deadline or change, continue as new when the history grows, and
 * finish once every handler is done. A workflow supplies its state, its view and its rules.
 */
export class CaseRuntime<S extends CaseState, V extends CaseSummary & Record<string, unknown>> {
  private changed = false;
  private readonly projector: Projector;

  constructor(
    kind: CaseProjection['kind'],
    readonly state: S,
    private readonly view: (s: S, now: number) => V,
    private readonly continueAsNewAfterEvents = DEFAULT_CONTINUE_AS_NEW_AFTER,
    private readonly sinks: readonly Sink<S>[] = [],
  ) {
    this.projector = new Projector(kind);
  }

  now(): number {
    return Date.now();
  }

  current(): V {
    return this.view(this.state, this.now());
  }

  /** Records a change: the new version is projected (in order), then each sink written, before this resolves with the view. */
  async commit(outcome: Outcome): Promise<V> {
    this.state.version += 1;
    this.changed = true;
    const view = this.current();
    await this.projector.project({ version: this.state.version, view, outcome, deadlines: this.state.deadlines, escalations: this.state.escalations });
    for (const sink of this.sinks) await sink(this.state);
    return view;
  }

  /** Sleeps until `wakeAt` (if any) or until something changes the case, whichever comes first. */
  async sleepUntil(wakeAt: number | undefined): Promise<void> {
    this.changed = false;
    if (wakeAt === undefined) await condition(() => this.changed);
    else if (wakeAt > this.now()) await condition(() => this.changed, wakeAt - this.now());
  }

  /** True when the history is long enough to continue as new (the server suggests it, or our limit). */
  shouldContinueAsNew(): boolean {
    const info = workflowInfo();
    return this.state.status === 'open' && (info.continueAsNewSuggested || info.historyLength > this.continueAsNewAfterEvents);
  }

  /** Waits for every update handler and projection, so nothing is lost across continue-as-new or completion. */
  async settle(): Promise<void> {
    await condition(allHandlersFinished);
    await this.projector.drained();
  }
}
