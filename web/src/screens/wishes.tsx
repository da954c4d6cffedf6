import { useEffect, useState } from 'preact/hooks';
import { api, qs, type CaseView } from '../api';
import { CaseCard, Choices, DueNote, PagedList, StepsCard, useStageList, useStepPanel } from '../components/lifecycle';
import { Field, SendForm, SubmitButtons, useSubmission } from '../components/forms';
import { Detail, ErrorNotice, Link, PageTitle } from '../components/ui';
import { fmtTime } from '../i18n';
import { navigate } from '../router';
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
  const { stage, pages, picker } = useStageList<WishRow>({ route: '/wishes', api: '/v1/wishes', id: 'wish-stage', stages: STAGES, names: w.stages });
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
      {picker}
      <PagedList pages={pages} testId="wish-list">
        {(r) => <WishCard key={r.caseId} row={r} />}
      </PagedList>
    </section>
  );
}

function WishCard(props: { row: WishRow }) {
  const { lang } = useApp();
  const w = useLifecycleText().wishes;
  const r = props.row;
  return (
    <CaseCard kind="wish" row={r}>
      <p class="card-head">
        <strong>{r.publicTitle ?? r.title}</strong> · {w.categories[r.category] ?? r.category}
      </p>
      <p class="muted">
        {r.unit.name} · {r.householdId} · {w.postedAt(fmtTime(lang, r.postedAt))}
      </p>
      <p>
        {r.outcome ? (w.outcomes[r.outcome] ?? r.outcome) : (w.stages[r.stage] ?? r.stage)}
        {r.helperName ? ` · ${w.helper(r.helperName)}` : ''}
        <DueNote row={r} />
      </p>
    </CaseCard>
  );
}

function PostWishForm(props: { onDone: (id: string) => void; onCancel: () => void }) {
  const L = useLifecycleText();
  const w = L.wishes;
  const [f, setF] = useState({ householdId: '', title: '', description: '', category: '', neededBy: '', postedBy: 'household' });
  const submission = useSubmission();
  const { issues, busy } = submission;
  const set = (k: keyof typeof f) => (e: Event) => setF({ ...f, [k]: (e.currentTarget as HTMLInputElement).value });
  const body = () => ({ householdId: f.householdId.trim(), title: f.title, description: f.description, ...(f.category ? { category: f.category } : {}), ...(f.neededBy ? { neededBy: f.neededBy } : {}), postedBy: f.postedBy });
  return (
    <SendForm
      class="form card wish-form"
      label={w.postTitle}
      submission={submission}
      intro={<h2>{w.postTitle}</h2>}
      send={() => api.post<{ caseId: string }>('/v1/wishes', body())}
      onSent={(view) => props.onDone(view.caseId)}
    >
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
      <SubmitButtons busy={busy} label={w.post} big onCancel={props.onCancel} />
    </SendForm>
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
  const state = useStepPanel<Step>(props.reload, w.done);
  const { finished } = state;
  const steps = (v.status === 'open' ? (STEPS_AT[v.stage] ?? []) : []).filter((s) => (s === 'helper' ? may(me, 'helpers', 'register') : may(me, 'wish', s)));
  const label: Record<Step, string> = { screening: w.screen, claim: w.claim, fulfilment: w.fulfil, release: w.release, confirmation: w.confirm, withdrawal: w.withdraw, helper: w.registerHelper };
  const summary = (
    <>
      <Detail term={w.wishTitle}>{v.title}</Detail>
      {v.publicTitle && (
        <Detail term={w.publicTitle} testId="wish-public-title">
          {v.publicTitle}
        </Detail>
      )}
      <Detail term={w.description}>{v.description}</Detail>
      <Detail term={w.category}>{w.categories[v.category] ?? v.category}</Detail>
      <Detail term={L.stage} testId="wish-stage">
        {v.outcome ? (w.outcomes[v.outcome] ?? v.outcome) : (w.stages[v.stage] ?? v.stage)}
      </Detail>
      {v.neededBy && <Detail term={w.neededBy}>{v.neededBy}</Detail>}
      {v.screening && (
        <Detail term={w.screen}>
          {w.screening(w.decisions[v.screening.decision], fmtTime(lang, v.screening.at))}
          {v.screening.reason ? `：${v.screening.reason}` : ''}
        </Detail>
      )}
      {v.claim && <Detail term={w.claim}>{w.claimInfo(v.claim.helper.name, fmtTime(lang, v.claim.fulfilBy))}</Detail>}
      {v.fulfilment && (
        <Detail term={w.fulfilment}>
          {v.fulfilment.text}
          {v.fulfilment.photos.map((p, i) => (
            <span key={p}>
              {' '}
              <a href={p} target="_blank" rel="noopener noreferrer" class="external">
                {w.photoN(i + 1)}
              </a>
            </span>
          ))}
        </Detail>
      )}
      {v.autoConfirmAt && <Detail term={w.confirm}>{w.autoConfirmAt(fmtTime(lang, v.autoConfirmAt))}</Detail>}
      {v.withdrawal && <Detail term={w.withdraw}>{v.withdrawal.reason}</Detail>}
    </>
  );
  return (
    <StepsCard kind="wish" title={w.details} state={state} steps={steps} labels={label} summary={summary}>
      {(panel) =>
        panel === 'screening' ? (
          <ScreenForm view={v} onDone={finished} />
        ) : panel === 'claim' ? (
          <ClaimForm view={v} onDone={finished} />
        ) : panel === 'helper' ? (
          <HelperForm unitCode={v.unit.code} onDone={(name) => finished(w.helperRegistered(name))} />
        ) : (
          <StepForm key={panel} view={v} step={panel} onDone={finished} />
        )
      }
    </StepsCard>
  );
}

const post = (id: string, step: string, body: unknown) => api.post<CaseView>(`/v1/wishes/${encodeURIComponent(id)}/${step}`, body);

/** 审核: approve with the public title (the posted one proposed), or reject with the reason. */
function ScreenForm(props: { view: WishView; onDone: () => Promise<void> }) {
  const L = useLifecycleText();
  const w = L.wishes;
  const [decision, setDecision] = useState<'approve' | 'reject'>('approve');
  const [publicTitle, setPublicTitle] = useState(props.view.title);
  const [text, setText] = useState('');
  const submission = useSubmission();
  const { issues, busy } = submission;
  const body = () => (decision === 'approve' ? { decision, publicTitle, ...(text.trim() ? { note: text } : {}) } : { decision, reason: text });
  return (
    <SendForm label={w.screen} submission={submission} send={() => post(props.view.caseId, 'screening', body())} onSent={() => props.onDone()}>
      <Choices id="screen-decision" name="decision" label={w.decision} values={['approve', 'reject']} names={w.decisions} value={decision} onPick={(v) => setDecision(v as 'approve' | 'reject')} issues={issues} />
      {decision === 'approve' && (
        <Field id="screen-publicTitle" name="publicTitle" label={w.publicTitle} hint={w.publicTitleHint} issues={issues}>
          {(aria) => <input type="text" {...aria} autocomplete="off" value={publicTitle} onInput={(e) => setPublicTitle(e.currentTarget.value)} />}
        </Field>
      )}
      <Field id="screen-text" name={decision === 'approve' ? 'note' : 'reason'} label={decision === 'approve' ? w.note : w.rejectReason} issues={issues}>
        {(aria) => <textarea {...aria} rows={2} value={text} onInput={(e) => setText(e.currentTarget.value)} />}
      </Field>
      <SubmitButtons busy={busy} label={w.screen} big />
    </SendForm>
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
  const submission = useSubmission();
  const { issues, busy } = submission;
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
    <SendForm label={w.claim} submission={submission} send={() => post(props.view.caseId, 'claim', { helperId, ...(fulfilBy ? { fulfilBy } : {}) })} onSent={() => props.onDone()}>
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
      <SubmitButtons busy={busy} label={w.claim} big />
    </SendForm>
  );
}

/** 登记帮扶力量 (`POST /v1/helpers`) in the wish's unit, so that it may claim. */
function HelperForm(props: { unitCode: string; onDone: (name: string) => Promise<void> }) {
  const L = useLifecycleText();
  const w = L.wishes;
  const [f, setF] = useState({ kind: 'volunteer', name: '', contact: '' });
  const submission = useSubmission();
  const { issues, busy } = submission;
  return (
    <SendForm
      label={w.registerHelper}
      submission={submission}
      send={() => api.post('/v1/helpers', { kind: f.kind, name: f.name, contact: f.contact, unitCode: props.unitCode })}
      onSent={() => props.onDone(f.name.trim())}
    >
      <Choices id="helper-kind" name="kind" label={w.helperKind} values={HELPER_KINDS} names={w.helperKinds} value={f.kind} onPick={(v) => setF({ ...f, kind: v })} issues={issues} />
      <Field id="helper-name" name="name" label={w.helperName} issues={issues}>
        {(aria) => <input type="text" {...aria} autocomplete="off" value={f.name} onInput={(e) => setF({ ...f, name: e.currentTarget.value })} />}
      </Field>
      <Field id="helper-contact" name="contact" label={w.helperContact} issues={issues}>
        {(aria) => <input type="text" {...aria} autocomplete="off" value={f.contact} onInput={(e) => setF({ ...f, contact: e.currentTarget.value })} />}
      </Field>
      <SubmitButtons busy={busy} label={w.registerHelper} big />
    </SendForm>
  );
}

/** The one-text steps: fulfilment (text and photo links), release and withdrawal (a reason), confirmation (a note). */
function StepForm(props: { view: WishView; step: 'fulfilment' | 'release' | 'confirmation' | 'withdrawal'; onDone: () => Promise<void> }) {
  const L = useLifecycleText();
  const w = L.wishes;
  const [text, setText] = useState('');
  const [photos, setPhotos] = useState('');
  const submission = useSubmission();
  const { issues, busy } = submission;
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
    <SendForm label={title} submission={submission} send={() => post(props.view.caseId, s, body())} onSent={() => props.onDone()}>
      {s === 'confirmation' && <p class="muted">{w.confirmHint}</p>}
      <Field id={`wish-${s}-${field}`} name={field} label={s === 'fulfilment' ? w.evidence : s === 'confirmation' ? w.note : w.reason} issues={issues}>
        {(aria) => <textarea {...aria} rows={3} value={text} onInput={(e) => setText(e.currentTarget.value)} />}
      </Field>
      {s === 'fulfilment' && (
        <Field id="wish-fulfilment-photos" name="photos" label={w.photos} hint={w.photosHint} issues={issues}>
          {(aria) => <textarea {...aria} rows={2} value={photos} onInput={(e) => setPhotos(e.currentTarget.value)} />}
        </Field>
      )}
      <SubmitButtons busy={busy} label={title} big />
    </SendForm>
  );
}
