import { useEffect, useState } from 'preact/hooks';
import { api, qs } from '../api';
import { Field, useSubmission } from '../components/forms';
import { ErrorNotice, Link, Loading, PageTitle, TableHead } from '../components/ui';
import { fmtPercent, fmtTime } from '../i18n';
import { useApp, may } from '../state';

/**
 * Pairing screens (党员帮包, issue 13; docs/pairing.md), phone-first: members work in the field.
 * - 我的帮包 (/pairings): the caller's own pairings, each with its next contact due and a big 记录联系 button
 *   opening the contact form (channel, day, note, help; a visit says how the household was found).
 * - 帮包覆盖 (/coverage, /coverage/<unit>): coverage per child unit, drill down, and the unpaired households
 *   listed (as the API shows them: in full to the household's village staff and grid worker, issue 14; masked
 *   to others below town), with the assignment for those who may assign. The paired member sees their
 *   households' names and addresses in full (privacy by need).
 * Validation is the API's: the forms send what was entered and show each message by its field.
 */

interface PairingRow {
  caseId: string;
  /** Listed with the unpaired because its member has been made inactive (GET /v1/pairings?reassign=true). */
  reassign?: boolean;
  householdId: string;
  stage: 'unpaired' | 'paired' | 'ended';
  stageName: string;
  household: { headName: string; address: string } | null;
  categoryNames: string[];
  member: { memberId: string; name: string } | null;
  nextContactDue: string | null;
  lastContact: { n: number; channel: string; day: string; onTime: boolean | null } | null;
  due: { dueAt: string } | null;
  overdue: boolean;
  unit: { code: string; name: string };
}
interface PairingView {
  caseId: string;
  lastContact: { n: number; forwarded: { status: 'recorded' | 'refused'; reason?: string } | null } | null;
}
interface Counts {
  qualifying: number;
  paired: number;
  unpaired: number;
  /** Of the unpaired: paired with a member since made inactive (to re-assign). */
  reassign: number;
  contacts: { due: number; onTime: number; rate: number | null };
}
interface Coverage {
  unit: { code: string; name: string; level: string };
  total: Counts;
  children: Array<Counts & { unit: { code: string; name: string; level: string }; direct?: boolean }>;
}

/** Today in China time, YYYY-MM-DD (the API's days are China-time days). */
const chinaToday = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

export function MyPairings() {
  const { t, lang } = useApp();
  const [rows, setRows] = useState<PairingRow[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const load = async () => {
    try {
      setRows((await api.get<{ items: PairingRow[] }>('/v1/pairings/mine')).items);
      setError(null);
    } catch (err) {
      setError(err);
    }
  };
  useEffect(() => void load(), []);

  return (
    <section aria-labelledby="page-title" class="pairings">
      <PageTitle>{t.pairing.mineTitle}</PageTitle>
      <p class="muted">{t.pairing.mineIntro}</p>
      {done && (
        <p class="notice notice-ok" role="status" data-testid="contact-done">
          {done}
        </p>
      )}
      {error !== null && <ErrorNotice error={error} onRetry={() => void load()} />}
      {rows === null && error === null ? (
        <Loading />
      ) : rows && rows.filter((r) => r.stage === 'paired').length === 0 ? (
        <p class="muted" data-testid="pairings-empty">
          {t.pairing.mineEmpty}
        </p>
      ) : (
        <ul class="cards" data-testid="my-pairings">
          {(rows ?? [])
            .filter((r) => r.stage === 'paired')
            .map((r) => (
              <li key={r.caseId} class="card" data-case={r.caseId}>
                <h2>{r.household?.headName ?? r.householdId}</h2>
                {/* Where to go: the paired member sees the address in full (privacy by need, issue 14). */}
                {r.household?.address && <p class="pairing-address">{r.household.address}</p>}
                <p>{r.categoryNames.join('、')} · {r.unit.name}</p>
                <p class={r.overdue ? 'status status-overdue' : 'status'}>
                  {r.nextContactDue ? t.pairing.nextDue(fmtTime(lang, r.nextContactDue)) : ''}
                  {r.overdue ? `（${t.pairing.overdue}）` : ''}
                </p>
                <p class="muted">{r.lastContact ? t.pairing.lastContact(r.lastContact.day, t.pairing.channels[r.lastContact.channel] ?? r.lastContact.channel) : t.pairing.noContact}</p>
                {open === r.caseId ? (
                  <ContactForm
                    row={r}
                    onCancel={() => setOpen(null)}
                    onDone={(v) => {
                      setOpen(null);
                      const f = v.lastContact?.forwarded;
                      setDone(`${t.pairing.recorded(v.lastContact?.n ?? 0)}${f?.status === 'recorded' ? t.pairing.forwarded : f?.status === 'refused' ? t.pairing.forwardRefused(f.reason ?? '') : ''}`);
                      void load();
                    }}
                  />
                ) : (
                  <button type="button" class="btn btn-primary btn-block" onClick={() => (setDone(null), setOpen(r.caseId))}>
                    {t.pairing.record}
                  </button>
                )}
              </li>
            ))}
        </ul>
      )}
    </section>
  );
}

const CHANNELS = ['visit', 'phone', 'help'] as const;
const OUTCOMES = ['stable', 'needs_assistance', 'referred'] as const;

function ContactForm(props: { row: PairingRow; onDone: (view: PairingView) => void; onCancel: () => void }) {
  const { t } = useApp();
  const id = (f: string) => `contact-${props.row.caseId}-${f}`;
  const [channel, setChannel] = useState<string>('visit');
  const [day, setDay] = useState(chinaToday);
  const [note, setNote] = useState('');
  const [help, setHelp] = useState('');
  const [outcome, setOutcome] = useState('stable');
  const { issues, failure, busy, run } = useSubmission();

  const submit = async (e: Event) => {
    e.preventDefault();
    const body = { channel, day, note, ...(channel === 'help' ? { help } : {}), ...(channel === 'visit' ? { outcome } : {}) };
    const view = await run(e.currentTarget as HTMLFormElement, () => api.post<PairingView>(`/v1/pairings/${encodeURIComponent(props.row.caseId)}/contact`, body));
    if (view) props.onDone(view);
  };
  const radios = (name: string, values: readonly string[], names: Record<string, string>, value: string, set: (v: string) => void) => (
    <div class="choices">
      {values.map((v) => (
        <label key={v} class="choice">
          <input type="radio" name={id(name)} value={v} checked={value === v} onChange={() => set(v)} />
          {names[v] ?? v}
        </label>
      ))}
    </div>
  );
  return (
    <form class="form contact-form" noValidate onSubmit={submit} aria-labelledby={id('legend')}>
      <h3 id={id('legend')}>{t.pairing.legend(props.row.household?.headName ?? props.row.householdId)}</h3>
      {failure !== null && <ErrorNotice error={failure} />}
      <fieldset class="field" data-field="channel">
        <legend>{t.pairing.channel}</legend>
        {radios('channel', CHANNELS, t.pairing.channels, channel, setChannel)}
      </fieldset>
      <Field id={id('day')} name="day" label={t.pairing.day} issues={issues}>
        {(aria) => <input type="date" {...aria} value={day} max={chinaToday()} onInput={(e) => setDay(e.currentTarget.value)} />}
      </Field>
      {channel === 'visit' && (
        <fieldset class="field" data-field="outcome">
          <legend>{t.pairing.outcome}</legend>
          {radios('outcome', OUTCOMES, t.outcomes, outcome, setOutcome)}
        </fieldset>
      )}
      {channel === 'help' && (
        <Field id={id('help')} name="help" label={t.pairing.help} issues={issues}>
          {(aria) => <input type="text" {...aria} value={help} onInput={(e) => setHelp(e.currentTarget.value)} />}
        </Field>
      )}
      <Field id={id('note')} name="note" label={t.pairing.note} issues={issues}>
        {(aria) => <textarea {...aria} rows={3} value={note} onInput={(e) => setNote(e.currentTarget.value)} />}
      </Field>
      <div class="actions">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? t.common.saving : t.pairing.submit}
        </button>
        <button type="button" class="btn" onClick={props.onCancel}>
          {t.common.cancel}
        </button>
      </div>
    </form>
  );
}

/** 帮包覆盖: coverage of the unit (the caller's own, or `code`) per child unit, and its unpaired households. */
export function PairingCoverage(props: { code?: string }) {
  const { t, lang, me } = useApp();
  const org = props.code ?? me?.unit.code ?? '';
  const [cov, setCov] = useState<Coverage | null>(null);
  const [unpaired, setUnpaired] = useState<PairingRow[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [note, setNote] = useState<string | null>(null);

  const load = async () => {
    try {
      const [c, u, r] = await Promise.all([
        api.get<Coverage>(`/v1/pairings/coverage${qs({ org })}`),
        api.get<{ items: PairingRow[] }>(`/v1/pairings${qs({ org, stage: 'unpaired', limit: 200 })}`),
        api.get<{ items: PairingRow[] }>(`/v1/pairings${qs({ org, reassign: 'true', limit: 200 })}`),
      ]);
      setCov(c);
      setUnpaired([...u.items, ...r.items.map((x) => ({ ...x, reassign: true }))]);
      setError(null);
    } catch (err) {
      setError(err);
    }
  };
  useEffect(() => {
    setCov(null);
    setUnpaired(null);
    void load();
  }, [org]);

  const rate = (c: Counts) => (c.contacts.rate === null ? '—' : fmtPercent(lang, c.contacts.rate));
  const canAssign = may(me, 'pairing', 'assign');
  return (
    <section aria-labelledby="page-title">
      <PageTitle>{t.pairing.coverageTitle}</PageTitle>
      <p class="muted">{t.pairing.coverageIntro}</p>
      {props.code && me && props.code !== me.unit.code && <Link to="/coverage">{t.pairing.up}</Link>}
      {note && (
        <p class="notice notice-ok" role="status">
          {note}
        </p>
      )}
      {error !== null && <ErrorNotice error={error} onRetry={() => void load()} />}
      {cov === null && error === null ? <Loading /> : null}
      {cov && (
        <table class="rows" data-testid="coverage">
          <caption>{t.pairing.coverageCaption(cov.unit.name)}</caption>
          <TableHead cols={[t.pairing.cols.unit, t.pairing.cols.qualifying, t.pairing.cols.paired, t.pairing.cols.unpaired, t.pairing.cols.contacts, t.pairing.cols.rate]} />
          <tbody>
            {cov.children.map((c) => (
              <tr key={c.direct ? 'direct' : c.unit.code} data-unit={c.direct ? 'direct' : c.unit.code}>
                <th scope="row" data-label={t.pairing.cols.unit}>
                  {c.direct ? t.pairing.direct(c.unit.name) : c.unit.level === 'grid' ? c.unit.name : <Link to={`/coverage/${c.unit.code}`} aria-label={t.pairing.drill(c.unit.name)}>{c.unit.name}</Link>}
                </th>
                <td data-label={t.pairing.cols.qualifying}>{c.qualifying}</td>
                <td data-label={t.pairing.cols.paired}>{c.paired}</td>
                <td data-label={t.pairing.cols.unpaired}>{c.unpaired}</td>
                <td data-label={t.pairing.cols.contacts}>{`${c.contacts.onTime}/${c.contacts.due}`}</td>
                <td data-label={t.pairing.cols.rate}>{rate(c)}</td>
              </tr>
            ))}
            <tr data-unit="total">
              <th scope="row" data-label={t.pairing.cols.unit}>
                {t.pairing.total}
              </th>
              <td data-label={t.pairing.cols.qualifying}>{cov.total.qualifying}</td>
              <td data-label={t.pairing.cols.paired}>{cov.total.paired}</td>
              <td data-label={t.pairing.cols.unpaired}>{cov.total.unpaired}</td>
              <td data-label={t.pairing.cols.contacts}>{`${cov.total.contacts.onTime}/${cov.total.contacts.due}`}</td>
              <td data-label={t.pairing.cols.rate}>{rate(cov.total)}</td>
            </tr>
          </tbody>
        </table>
      )}
      {cov && unpaired && (
        <>
          <h2>{t.pairing.unpairedTitle(cov.unit.name)}</h2>
          {unpaired.length === 0 ? (
            <p class="muted">{t.pairing.unpairedEmpty}</p>
          ) : (
            <table class="rows" data-testid="unpaired">
              <thead>
                <tr>
                  <th scope="col">{t.pairing.cols2.household}</th>
                  <th scope="col">{t.pairing.cols2.categories}</th>
                  <th scope="col">{t.pairing.cols2.unit}</th>
                  <th scope="col">{t.pairing.cols2.due}</th>
                  {canAssign && <th scope="col">{t.pairing.cols2.assign}</th>}
                </tr>
              </thead>
              <tbody>
                {unpaired.map((r) => (
                  <tr key={r.caseId} data-case={r.caseId}>
                    <th scope="row" data-label={t.pairing.cols2.household}>
                      <Link to={`/cases/${encodeURIComponent(r.caseId)}`}>{r.household?.headName ?? r.householdId}</Link>
                      {r.reassign && <span class="status status-overdue">{t.pairing.needsReassign}</span>}
                    </th>
                    <td data-label={t.pairing.cols2.categories}>{r.categoryNames.join('、')}</td>
                    <td data-label={t.pairing.cols2.unit}>{r.unit.name}</td>
                    <td data-label={t.pairing.cols2.due} class={r.overdue ? 'status status-overdue' : undefined}>
                      {r.due ? fmtTime(lang, r.due.dueAt) : ''}
                    </td>
                    {canAssign && (
                      <td data-label={t.pairing.cols2.assign}>
                        <AssignForm row={r} onDone={(name) => (setNote(t.pairing.assigned(name)), void load())} />
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}

/** Assigns one of the household's grid's registered members (GET /v1/pairings/{id}/candidates). */
function AssignForm(props: { row: PairingRow; onDone: (name: string) => void }) {
  const { t } = useApp();
  const [members, setMembers] = useState<Array<{ memberId: string; name: string }> | null>(null);
  const [memberId, setMemberId] = useState('');
  const { issues, failure, busy, run } = useSubmission();
  useEffect(() => {
    api.get<{ items: Array<{ memberId: string; name: string }> }>(`/v1/pairings/${encodeURIComponent(props.row.caseId)}/candidates`).then(
      (r) => (setMembers(r.items), setMemberId(r.items[0]?.memberId ?? '')),
      () => setMembers([]),
    );
  }, [props.row.caseId]);
  if (members === null) return <Loading />;
  if (members.length === 0) return <span class="muted">{t.pairing.noCandidates}</span>;
  const id = `assign-${props.row.caseId}`;
  const submit = async (e: Event) => {
    e.preventDefault();
    const body = { memberId, ...(props.row.reassign ? { reason: t.pairing.reassignReason } : {}) };
    const done = await run(e.currentTarget as HTMLFormElement, () => api.post(`/v1/pairings/${encodeURIComponent(props.row.caseId)}/assign`, body));
    if (done) props.onDone(members.find((m) => m.memberId === memberId)?.name ?? memberId);
  };
  return (
    <form class="form form-inline" noValidate onSubmit={submit}>
      {failure !== null && <ErrorNotice error={failure} />}
      <Field id={id} name="memberId" label={t.pairing.member} issues={issues}>
        {(aria) => (
          <select {...aria} value={memberId} onChange={(e) => setMemberId(e.currentTarget.value)}>
            {members.map((m) => (
              <option key={m.memberId} value={m.memberId}>
                {m.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <button type="submit" class="btn btn-primary" disabled={busy}>
        {busy ? t.common.saving : t.pairing.assign}
      </button>
    </form>
  );
}
