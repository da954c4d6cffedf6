import { useEffect, useRef, useState } from 'preact/hooks';
import { api, qs, type CaseView } from '../api';
import { Choices, PagedList, StagePicker, usePages } from '../components/lifecycle';
import { Field, useSubmission } from '../components/forms';
import { ErrorNotice, Link, PageTitle } from '../components/ui';
import { fmtTime } from '../i18n';
import { navigate, useLocation } from '../router';
import { may, useApp } from '../state';
import { useLifecycleText } from '../i18n-lifecycles';

/**
 * 微心愿 (issue 14 item 3; docs/wishes.md): the unit's wishes by stage (`GET /v1/wishes?stage=`), a wish
 * posted for a household (`POST /v1/wishes`), a helper registered (`POST /v1/helpers`); each wish's steps —
 * screen, claim, fulfil, confirm, release, withdraw — on its case page (`WishSteps`, shown by
 * screens/case.tsx), each offered to the roles `GET /v1/me` lists for it. Validation is the API's: every
 * message is shown next to its field.
 */

const STAGES = ['screening', 'open', 'claimed', 'fulfilled', 'closed'] as const;
const CATEGORIES = ['material', 'service', 'companionship', 'other'] as const;
const HELPER_KINDS = ['volunteer', 'social_worker', 'organisation', 'party_member'] as const;

interface WishRow {
  caseId: string;
  status: 'open' | 'closed';
  stage: string;
  unit: { code: string; name: string };
  dueKind: string | null;
  dueAt: string | null;
  overdue: boolean;
  category: string;
  title: string;
  publicTitle: string | null;
  householdId: string;
  postedAt: string;
  neededBy: string | null;
  helperName: string | null;
  outcome: string | null;
}

/** The wish's fields the case page reads (`GET /v1/cases/{id}`: the wish's view, as the caller may see it). */
interface WishView extends CaseView {
  stage: string;
  title: string;
  publicTitle: string | null;
  description: string;
  category: string;
  neededBy: string | null;
  postedBy: string;
  outcome: string | null;
  screening: { decision: 'approve' | 'reject'; at: string; reason?: string; note?: string } | null;
  claim: { helper: { helperId: string; name: string }; fulfilBy: string } | null;
  fulfilment: { text: string; photos: string[]; at: string } | null;
  autoConfirmAt: string | null;
  confirmation: { confirmedBy: string; automatic: boolean; at: string } | null;
  withdrawal: { reason: string; at: string } | null;
}

interface Helper {
  id: string;
  kind: string;
  name: string;
  unitCode: string;
}

/** `/wishes`: the list of one stage (`?stage=`, 待审核 by default), and the form to post a wish for the roles that may. */
export function WishesPage() {
  const { me } = useApp();
  const L = useLifecycleText();
  const w = L.wishes;
  const { query } = useLocation();
  const stage = (STAGES as readonly string[]).includes(query.get('stage') ?? '') ? query.get('stage')! : 'screening';
  const pages = usePages<WishRow>(`/v1/wishes${qs({ stage })}`);
  const [posting, setPosting] = useState(false);
  const [posted, setPosted] = useState<string | null>(null);
  return (
    <section aria-labelledby="page-title" class="lifecycle wishes">
      <PageTitle>{w.title}</PageTitle>
      <p class="muted">{w.intro}</p>
      {posted && (
        <p role="status" class="notice notice-ok" data-testid="wish-posted">
          {w.posted(posted)} <Link to={`/cases/${encodeURIComponent(posted)}`}>{L.openCase(posted)}</Link>
        </p>
      )}
      {may(me, 'wish', 'post') &&
        (posting ? (
          <PostWishForm
            onCancel={() => setPosting(false)}
            onDone={(id) => {
              setPosting(false);
              setPosted(id);
              if (stage === 'screening') void pages.reload();
              else navigate('/wishes?stage=screening');
            }}
          />
        ) : (
          <div class="actions">
            <button type="button" class="btn btn-primary btn-big" onClick={() => setPosting(true)}>
              {w.post}
            </button>
          </div>
        ))}
      <StagePicker id="wish-stage" stages={STAGES} names={w.stages} value={stage} onChange={(s) => navigate(`/wishes?stage=${s}`, { replace: true })} />
      <PagedList pages={pages} testId="wish-list">
        {(r) => <WishCard key={r.caseId} row={r} />}
      </PagedList>
    </section>
  );
}

function WishCard(props: { row: WishRow }) {
  const { t, lang } = useApp();
  const L = useLifecycleText();
  const w = L.wishes;
  const r = props.row;
  return (
    <li class={`card wish-card${r.overdue ? ' urgent' : ''}`} data-case={r.caseId}>
      <p class="card-head">
        <strong>{r.publicTitle ?? r.title}</strong> · {w.categories[r.category] ?? r.category}
      </p>
      <p class="muted">
        {r.unit.name} · {r.householdId} · {w.postedAt(fmtTime(lang, r.postedAt))}
      </p>
      <p>
        {r.outcome ? (w.outcomes[r.outcome] ?? r.outcome) : (w.stages[r.stage] ?? r.stage)}
        {r.helperName ? ` · ${w.helper(r.helperName)}` : ''}
        {r.status === 'open' && r.dueAt ? ` · ${L.due(fmtTime(lang, r.dueAt))}` : ''}
        {r.overdue && <span class="status status-overdue"> {L.overdue}</span>}
      </p>
      <p>
        <Link to={`/cases/${encodeURIComponent(r.caseId)}`} aria-label={L.openCase(r.caseId)}>
          {t.common.openCase}
        </Link>
      </p>
    </li>
  );
}

function PostWishForm(props: { onDone: (id: string) => void; onCancel: () => void }) {
  const { t } = useApp();
  const L = useLifecycleText();
  const w = L.wishes;
  const [f, setF] = useState({ householdId: '', title: '', description: '', category: '', neededBy: '', postedBy: 'household' });
  const { issues, failure, busy, run } = useSubmission();
  const set = (k: keyof typeof f) => (e: Event) => setF({ ...f, [k]: (e.currentTarget as HTMLInputElement).value });
  return (
    <form
      class="form card wish-form"
      noValidate
      aria-label={w.postTitle}
      onSubmit={async (e) => {
        e.preventDefault();
        const body = { householdId: f.householdId.trim(), title: f.title, description: f.description, ...(f.category ? { category: f.category } : {}), ...(f.neededBy ? { neededBy: f.neededBy } : {}), postedBy: f.postedBy };
        const view = await run(e.currentTarget, () => api.post<{ caseId: string }>('/v1/wishes', body));
        if (view) props.onDone(view.caseId);
      }}
    >
      <h2>{w.postTitle}</h2>
      {failure !== null && <ErrorNotice error={failure} />}
      <Field id="wish-householdId" name="householdId" label={w.householdId} hint={w.householdIdHint} issues={issues}>
        {(aria) => <input type="text" {...aria} autocomplete="off" value={f.householdId} onInput={set('householdId')} />}
      </Field>
      <Field id="wish-title" name="title" label={w.wishTitle} hint={w.wishTitleHint} issues={issues}>
        {(aria) => <input type="text" {...aria} autocomplete="off" value={f.title} onInput={set('title')} />}
      </Field>
      <Field id="wish-description" name="description" label={w.description} issues={issues}>
        {(aria) => <textarea {...aria} rows={3} value={f.description} onInput={set('description')} />}
      </Field>
      <Choices id="wish-category" name="category" label={w.category} values={CATEGORIES} names={w.categories} value={f.category} onPick={(v) => setF({ ...f, category: v })} issues={issues} />
      <Field id="wish-neededBy" name="neededBy" label={w.neededBy} issues={issues}>
        {(aria) => <input type="date" {...aria} value={f.neededBy} onInput={set('neededBy')} />}
      </Field>
      <Choices id="wish-postedBy" name="postedBy" label={w.postedByLabel} values={['household', 'staff']} names={w.postedBy} value={f.postedBy} onPick={(v) => setF({ ...f, postedBy: v })} issues={issues} />
      <div class="actions">
        <button type="submit" class="btn btn-primary btn-big" disabled={busy}>
          {busy ? t.common.saving : w.post}
        </button>
        <button type="button" class="btn btn-big" onClick={props.onCancel}>
          {t.common.cancel}
        </button>
      </div>
    </form>
  );
}

type Step = 'screening' | 'claim' | 'fulfilment' | 'release' | 'confirmation' | 'withdrawal' | 'helper';
/** The steps each stage offers (docs/wishes.md): what the API would refuse at another stage is not shown. */
const STEPS_AT: Record<string, Step[]> = {
  screening: ['screening', 'withdrawal'],
  open: ['claim', 'helper', 'withdrawal'],
  claimed: ['fulfilment', 'release', 'withdrawal'],
  fulfilled: ['confirmation'],
};

/** A wish on its case page: what was posted and done so far, and the steps the caller may take at its stage. */
export function WishSteps(props: { view: CaseView; reload: () => Promise<void> }) {
  const { lang, me } = useApp();
  const L = useLifecycleText();
  const w = L.wishes;
  const v = props.view as WishView;
  const [panel, setPanel] = useState<Step | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const doneRef = useRef<HTMLParagraphElement>(null);
  const steps = (v.status === 'open' ? (STEPS_AT[v.stage] ?? []) : []).filter((s) => (s === 'helper' ? may(me, 'helpers', 'register') : may(me, 'wish', s)));
  const finished = async (message: string = w.done) => {
    setPanel(null);
    await props.reload();
    setDone(message);
    window.setTimeout(() => doneRef.current?.focus(), 0);
  };
  const label: Record<Step, string> = { screening: w.screen, claim: w.claim, fulfilment: w.fulfil, release: w.release, confirmation: w.confirm, withdrawal: w.withdraw, helper: w.registerHelper };
  return (
    <section aria-labelledby="h-wish" class="card wish-steps" data-testid="wish-steps">
      <h2 id="h-wish">{w.details}</h2>
      <dl class="summary">
        <div>
          <dt>{w.wishTitle}</dt>
          <dd>{v.title}</dd>
        </div>
        {v.publicTitle && (
          <div>
            <dt>{w.publicTitle}</dt>
            <dd data-testid="wish-public-title">{v.publicTitle}</dd>
          </div>
        )}
        <div>
          <dt>{w.description}</dt>
          <dd>{v.description}</dd>
        </div>
        <div>
          <dt>{w.category}</dt>
          <dd>{w.categories[v.category] ?? v.category}</dd>
        </div>
        <div>
          <dt>{L.stage}</dt>
          <dd data-testid="wish-stage">{v.outcome ? (w.outcomes[v.outcome] ?? v.outcome) : (w.stages[v.stage] ?? v.stage)}</dd>
        </div>
        {v.neededBy && (
          <div>
            <dt>{w.neededBy}</dt>
            <dd>{v.neededBy}</dd>
          </div>
        )}
        {v.screening && (
          <div>
            <dt>{w.screen}</dt>
            <dd>
              {w.screening(w.decisions[v.screening.decision], fmtTime(lang, v.screening.at))}
              {v.screening.reason ? `：${v.screening.reason}` : ''}
            </dd>
          </div>
        )}
        {v.claim && (
          <div>
            <dt>{w.claim}</dt>
            <dd>{w.claimInfo(v.claim.helper.name, fmtTime(lang, v.claim.fulfilBy))}</dd>
          </div>
        )}
        {v.fulfilment && (
          <div>
            <dt>{w.fulfilment}</dt>
            <dd>
              {v.fulfilment.text}
              {v.fulfilment.photos.map((p, i) => (
                <span key={p}>
                  {' '}
                  <a href={p} target="_blank" rel="noopener noreferrer" class="external">
                    {w.photoN(i + 1)}
                  </a>
                </span>
              ))}
            </dd>
          </div>
        )}
        {v.autoConfirmAt && (
          <div>
            <dt>{w.confirm}</dt>
            <dd>{w.autoConfirmAt(fmtTime(lang, v.autoConfirmAt))}</dd>
          </div>
        )}
        {v.withdrawal && (
          <div>
            <dt>{w.withdraw}</dt>
            <dd>{v.withdrawal.reason}</dd>
          </div>
        )}
      </dl>
      <p class="notice notice-ok" role="status" tabIndex={-1} ref={doneRef} hidden={!done}>
        {done}
      </p>
      {steps.length > 0 && (
        <div class="actions">
          {steps.map((s) => (
            <button key={s} type="button" class="btn btn-big" aria-expanded={panel === s} aria-controls="wish-panel" onClick={() => setPanel(panel === s ? null : s)}>
              {label[s]}
            </button>
          ))}
        </div>
      )}
      {panel && (
        <div id="wish-panel" class="card action-panel">
          {panel === 'screening' && <ScreenForm view={v} onDone={finished} />}
          {panel === 'claim' && <ClaimForm view={v} onDone={finished} />}
          {panel === 'helper' && <HelperForm unitCode={v.unit.code} onDone={(name) => finished(w.helperRegistered(name))} />}
          {panel === 'fulfilment' && <StepForm view={v} step="fulfilment" onDone={finished} />}
          {panel === 'release' && <StepForm view={v} step="release" onDone={finished} />}
          {panel === 'confirmation' && <StepForm view={v} step="confirmation" onDone={finished} />}
          {panel === 'withdrawal' && <StepForm view={v} step="withdrawal" onDone={finished} />}
        </div>
      )}
    </section>
  );
}

const post = (id: string, step: string, body: unknown) => api.post<CaseView>(`/v1/wishes/${encodeURIComponent(id)}/${step}`, body);

function Submit(props: { busy: boolean; label: string }) {
  const { t } = useApp();
  return (
    <div class="actions">
      <button type="submit" class="btn btn-primary btn-big" disabled={props.busy}>
        {props.busy ? t.common.saving : props.label}
      </button>
    </div>
  );
}

/** 审核: approve with the public title (the posted one proposed), or reject with the reason. */
function ScreenForm(props: { view: WishView; onDone: () => Promise<void> }) {
  const L = useLifecycleText();
  const w = L.wishes;
  const [decision, setDecision] = useState<'approve' | 'reject'>('approve');
  const [publicTitle, setPublicTitle] = useState(props.view.title);
  const [text, setText] = useState('');
  const { issues, failure, busy, run } = useSubmission();
  return (
    <form
      class="form"
      noValidate
      aria-label={w.screen}
      onSubmit={async (e) => {
        e.preventDefault();
        const body = decision === 'approve' ? { decision, publicTitle, ...(text.trim() ? { note: text } : {}) } : { decision, reason: text };
        if (await run(e.currentTarget, () => post(props.view.caseId, 'screening', body))) await props.onDone();
      }}
    >
      {failure !== null && <ErrorNotice error={failure} />}
      <Choices id="screen-decision" name="decision" label={w.decision} values={['approve', 'reject']} names={w.decisions} value={decision} onPick={(v) => setDecision(v as 'approve' | 'reject')} issues={issues} />
      {decision === 'approve' && (
        <Field id="screen-publicTitle" name="publicTitle" label={w.publicTitle} hint={w.publicTitleHint} issues={issues}>
          {(aria) => <input type="text" {...aria} autocomplete="off" value={publicTitle} onInput={(e) => setPublicTitle(e.currentTarget.value)} />}
        </Field>
      )}
      <Field id="screen-text" name={decision === 'approve' ? 'note' : 'reason'} label={decision === 'approve' ? w.note : w.rejectReason} issues={issues}>
        {(aria) => <textarea {...aria} rows={2} value={text} onInput={(e) => setText(e.currentTarget.value)} />}
      </Field>
      <Submit busy={busy} label={w.screen} />
    </form>
  );
}

/** 认领: a registered helper of the caller's subtree (`GET /v1/helpers`), and the date they promise. */
function ClaimForm(props: { view: WishView; onDone: () => Promise<void> }) {
  const { me } = useApp();
  const L = useLifecycleText();
  const w = L.wishes;
  const [helpers, setHelpers] = useState<Helper[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [helperId, setHelperId] = useState('');
  const [fulfilBy, setFulfilBy] = useState('');
  const { issues, failure, busy, run } = useSubmission();
  useEffect(() => {
    api.get<{ items: Helper[] }>(`/v1/helpers${qs({ org: me?.unit.code, limit: 200 })}`).then(
      (page) => {
        setHelpers(page.items);
        setHelperId(page.items[0]?.id ?? '');
      },
      (err: unknown) => setLoadError(err),
    );
  }, []);
  if (loadError !== null) return <ErrorNotice error={loadError} />;
  return (
    <form
      class="form"
      noValidate
      aria-label={w.claim}
      onSubmit={async (e) => {
        e.preventDefault();
        if (await run(e.currentTarget, () => post(props.view.caseId, 'claim', { helperId, ...(fulfilBy ? { fulfilBy } : {}) }))) await props.onDone();
      }}
    >
      {failure !== null && <ErrorNotice error={failure} />}
      {helpers && helpers.length === 0 && <p class="muted">{w.noHelpers}</p>}
      <Field id="claim-helper" name="helperId" label={w.helperLabel} hint={w.helperHint} issues={issues}>
        {(aria) => (
          <select {...aria} value={helperId} onChange={(e) => setHelperId(e.currentTarget.value)}>
            {(helpers ?? []).map((h) => (
              <option key={h.id} value={h.id}>
                {`${h.name}（${w.helperKinds[h.kind] ?? h.kind}）`}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field id="claim-fulfilBy" name="fulfilBy" label={w.fulfilBy} hint={w.fulfilByHint} issues={issues}>
        {(aria) => <input type="date" {...aria} value={fulfilBy} onInput={(e) => setFulfilBy(e.currentTarget.value)} />}
      </Field>
      <Submit busy={busy} label={w.claim} />
    </form>
  );
}

/** 登记帮扶力量 (`POST /v1/helpers`) in the wish's unit, so that it may claim. */
function HelperForm(props: { unitCode: string; onDone: (name: string) => Promise<void> }) {
  const L = useLifecycleText();
  const w = L.wishes;
  const [f, setF] = useState({ kind: 'volunteer', name: '', contact: '' });
  const { issues, failure, busy, run } = useSubmission();
  return (
    <form
      class="form"
      noValidate
      aria-label={w.registerHelper}
      onSubmit={async (e) => {
        e.preventDefault();
        if (await run(e.currentTarget, () => api.post('/v1/helpers', { kind: f.kind, name: f.name, contact: f.contact, unitCode: props.unitCode }))) await props.onDone(f.name.trim());
      }}
    >
      {failure !== null && <ErrorNotice error={failure} />}
      <Choices id="helper-kind" name="kind" label={w.helperKind} values={HELPER_KINDS} names={w.helperKinds} value={f.kind} onPick={(v) => setF({ ...f, kind: v })} issues={issues} />
      <Field id="helper-name" name="name" label={w.helperName} issues={issues}>
        {(aria) => <input type="text" {...aria} autocomplete="off" value={f.name} onInput={(e) => setF({ ...f, name: e.currentTarget.value })} />}
      </Field>
      <Field id="helper-contact" name="contact" label={w.helperContact} issues={issues}>
        {(aria) => <input type="text" {...aria} autocomplete="off" value={f.contact} onInput={(e) => setF({ ...f, contact: e.currentTarget.value })} />}
      </Field>
      <Submit busy={busy} label={w.registerHelper} />
    </form>
  );
}

/** The one-text steps: fulfilment (text and photo links), release and withdrawal (a reason), confirmation (a note). */
function StepForm(props: { view: WishView; step: 'fulfilment' | 'release' | 'confirmation' | 'withdrawal'; onDone: () => Promise<void> }) {
  const L = useLifecycleText();
  const w = L.wishes;
  const [text, setText] = useState('');
  const [photos, setPhotos] = useState('');
  const { issues, failure, busy, run } = useSubmission();
  const s = props.step;
  const field = s === 'fulfilment' ? 'text' : s === 'confirmation' ? 'note' : 'reason';
  const body = () =>
    s === 'fulfilment'
      ? { text, photos: photos.split(/\s+/).filter(Boolean) }
      : s === 'confirmation'
        ? { confirmedBy: 'household', ...(text.trim() ? { note: text } : {}) }
        : { reason: text };
  const title = { fulfilment: w.fulfil, release: w.release, confirmation: w.confirm, withdrawal: w.withdraw }[s];
  return (
    <form
      class="form"
      noValidate
      aria-label={title}
      onSubmit={async (e) => {
        e.preventDefault();
        if (await run(e.currentTarget, () => post(props.view.caseId, s, body()))) await props.onDone();
      }}
    >
      {failure !== null && <ErrorNotice error={failure} />}
      {s === 'confirmation' && <p class="muted">{w.confirmHint}</p>}
      <Field id={`wish-${s}-${field}`} name={field} label={s === 'fulfilment' ? w.evidence : s === 'confirmation' ? w.note : w.reason} issues={issues}>
        {(aria) => <textarea {...aria} rows={3} value={text} onInput={(e) => setText(e.currentTarget.value)} />}
      </Field>
      {s === 'fulfilment' && (
        <Field id="wish-fulfilment-photos" name="photos" label={w.photos} hint={w.photosHint} issues={issues}>
          {(aria) => <textarea {...aria} rows={2} value={photos} onInput={(e) => setPhotos(e.currentTarget.value)} />}
        </Field>
      )}
      <Submit busy={busy} label={title} />
    </form>
  );
}
