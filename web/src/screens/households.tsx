import { useEffect, useRef, useState } from 'preact/hooks';
import { api, qs, type CaseRow, type FieldIssue, type OrgUnitView, type Page, type UnitRef } from '../api';
import { Field, nestedIssues, SelectField, SendForm, SubmitButtons, useSubmission } from '../components/forms';
import { Detail, ErrorNotice, Link, Loading, PageError, PageTitle, TableHead, usePageData } from '../components/ui';
import { fmtTime, issueMessage } from '../i18n';
import { navigate } from '../router';
import { may, useApp } from '../state';
import { useAppsText } from '../i18n-apps';
import { useRegisterText } from '../i18n-register';

/** A register entry as GET /v1/households answers it: masked by the API for the caller's role (domain/privacy.ts). */
export interface Household {
  id: string;
  headName: string;
  headIdNumber: string;
  members: { name: string; idNumber: string; relation: string }[];
  address: string;
  phone: string;
  unitCode: string;
  villageCode: string;
  orgPath: string[];
  categories: string[];
  createdAt: string;
  createdBy: string;
}

interface Category {
  code: string;
  name: string;
}

/** The recipient categories a household can be in, named as the catalogue names them (GET /v1/household-categories); read once per page. */
function useCategories(): Category[] | null {
  const [cats, setCats] = useState<Category[] | null>(null);
  useEffect(() => {
    api.get<Category[]>('/v1/household-categories').then(setCats, () => setCats([]));
  }, []);
  return cats;
}

const nameOf = (cats: Category[] | null, code: string) => cats?.find((c) => c.code === code)?.name ?? code;

/**
 * 住户档案: the register of the caller's jurisdiction, searched by the head's name (or surname), a full ID
 * number of any member, or a category (GET /v1/households); each entry links to its page. Those who may
 * register (households.register) get the registration form.
 */
export function HouseholdsPage() {
  const { t, me } = useApp();
  const registerText = useRegisterText();
  const cats = useCategories();
  const [name, setName] = useState('');
  const [idNumber, setIdNumber] = useState('');
  const [category, setCategory] = useState('');
  const [rows, setRows] = useState<Household[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [query, setQuery] = useState<Record<string, string>>({});
  const { issues, failure, busy, run } = useSubmission();
  const formRef = useRef<HTMLFormElement>(null);

  const search = async (q: Record<string, string>, after?: string) => {
    const page = await run(formRef.current!, () => api.get<Page<Household>>(`/v1/households${qs({ ...q, limit: 50, cursor: after })}`));
    if (!page) return;
    setQuery(q);
    setRows((r) => (after ? [...(r ?? []), ...page.items] : page.items));
    setCursor(page.nextCursor);
  };
  useEffect(() => {
    void search({});
  }, []);

  return (
    <section aria-labelledby="page-title">
      <PageTitle>{registerText.title}</PageTitle>
      {may(me, 'households', 'register') && (
        <p>
          <Link to="/households/new" class="btn btn-primary">
            {registerText.registerNew}
          </Link>
        </p>
      )}
      <form
        ref={formRef}
        class="form card household-search"
        role="search"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void search({ name: name.trim(), idNumber: idNumber.trim(), category });
        }}
      >
        {failure !== null && <ErrorNotice error={failure} />}
        <Field id="hs-name" name="name" label={registerText.searchName} hint={registerText.searchNameHint} issues={issues}>
          {(aria) => <input type="text" {...aria} autocomplete="off" value={name} onInput={(e) => setName(e.currentTarget.value)} />}
        </Field>
        <Field id="hs-id" name="idNumber" label={registerText.searchIdNumber} hint={registerText.searchIdNumberHint} issues={issues}>
          {(aria) => <input type="text" {...aria} autocomplete="off" inputMode="text" value={idNumber} onInput={(e) => setIdNumber(e.currentTarget.value)} />}
        </Field>
        <Field id="hs-category" name="category" label={registerText.category} issues={issues}>
          {(aria) => (
            <select {...aria} value={category} onChange={(e) => setCategory(e.currentTarget.value)}>
              <option value="">{t.common.all}</option>
              {(cats ?? []).map((c) => (
                <option key={c.code} value={c.code}>
                  {c.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <div class="actions">
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {registerText.search}
          </button>
        </div>
      </form>
      {rows === null ? (
        failure === null && <Loading />
      ) : rows.length === 0 ? (
        <p class="muted" role="status">
          {registerText.noneFound}
        </p>
      ) : (
        <>
          <p class="muted small" role="status">
            {t.common.shown(rows.length)}
          </p>
          <ul class="cards household-list" data-testid="household-list">
            {rows.map((h) => (
              <li key={h.id} class="card" data-household={h.id}>
                <h2 class="card-head">
                  <Link to={`/households/${h.id}`}>{h.headName}</Link>
                </h2>
                <p>{h.address}</p>
                <p class="muted small">
                  {h.categories.length ? h.categories.map((c) => nameOf(cats, c)).join(t.listSeparator) : registerText.noCategory} · <span class="mono">{h.id}</span>
                </p>
              </li>
            ))}
          </ul>
          {cursor && (
            <button type="button" class="btn" onClick={() => void search(query, cursor)}>
              {t.common.loadMore}
            </button>
          )}
        </>
      )}
    </section>
  );
}

interface MemberRow {
  key: number;
  name: string;
  idNumber: string;
  relation: string;
}

/** The messages of one member row's field: the API names it `body.members.<i>.<field>`. */
/** The messages of member `i`'s `field` (`body.members.1.idNumber`). */
const memberIssues = (issues: Map<string, FieldIssue[]>, i: number, field: string): FieldIssue[] => nestedIssues(issues, 'members', { index: i }).get(field) ?? [];

/**
 * The villages/communities and grids a household can be registered in, as choices: the user's own unit if it
 * is one, and its children that are (GET /v1/org-units/{code}). Empty (a district or city user): the form
 * asks for the code instead.
 */
function useRegisterUnits(code: string | undefined): UnitRef[] {
  const [units, setUnits] = useState<UnitRef[]>([]);
  useEffect(() => {
    if (!code) return;
    api.get<OrgUnitView>(`/v1/org-units/${encodeURIComponent(code)}`).then(
      (u) => setUnits([u, ...u.children].filter((x) => x.level === 'village' || x.level === 'grid')),
      () => setUnits([]),
    );
  }, [code]);
  return units;
}

/**
 * 户籍登记: head, ID number, phone, address, village/community or grid (the user's own unit by default),
 * categories, members (rows added and removed). Validation is the API's (domain/household.ts
 * zHouseholdInput): each message is shown beside its field, a member's beside its row.
 */
export function RegisterHousehold() {
  const { t, me } = useApp();
  const registerText = useRegisterText();
  const cats = useCategories();
  const [f, setF] = useState({ headName: '', headIdNumber: '', phone: '', address: '', unitCode: me?.unit.code ?? '' });
  const [categories, setCategories] = useState<string[]>([]);
  const [members, setMembers] = useState<MemberRow[]>([]);
  const units = useRegisterUnits(me?.unit.code);
  const { issues, failure, busy, run } = useSubmission();
  const set = (k: keyof typeof f) => (e: Event) => setF({ ...f, [k]: (e.currentTarget as HTMLInputElement).value });
  // A town's user registers in one of its villages: the first is chosen until another is.
  useEffect(() => {
    if (units.length && !units.some((u) => u.code === f.unitCode)) setF((x) => ({ ...x, unitCode: units[0]!.code }));
  }, [units]);

  const submit = async (e: Event) => {
    e.preventDefault();
    const body = { ...f, categories, members: members.map(({ name, idNumber, relation }) => ({ name, idNumber, relation })) };
    const saved = await run(e.currentTarget as HTMLFormElement, () => api.post<Household>('/v1/households', body));
    if (saved) navigate(`/households/${saved.id}?registered=1`);
  };

  return (
    <section aria-labelledby="page-title">
      <PageTitle>{registerText.registerTitle}</PageTitle>
      <form class="form register-form" noValidate onSubmit={submit}>
        {failure !== null && <ErrorNotice error={failure} />}
        <Field id="reg-headName" name="headName" label={registerText.headName} issues={issues}>
          {(aria) => <input type="text" {...aria} autocomplete="off" value={f.headName} onInput={set('headName')} />}
        </Field>
        <Field id="reg-headIdNumber" name="headIdNumber" label={registerText.headIdNumber} issues={issues}>
          {(aria) => <input type="text" {...aria} autocomplete="off" value={f.headIdNumber} onInput={set('headIdNumber')} />}
        </Field>
        <Field id="reg-phone" name="phone" label={registerText.phone} issues={issues}>
          {(aria) => <input type="tel" {...aria} autocomplete="off" value={f.phone} onInput={set('phone')} />}
        </Field>
        <Field id="reg-address" name="address" label={registerText.address} issues={issues}>
          {(aria) => <input type="text" {...aria} autocomplete="off" value={f.address} onInput={set('address')} />}
        </Field>
        <Field id="reg-unitCode" name="unitCode" label={registerText.unitCode} hint={units.length ? undefined : registerText.unitCodeHint} issues={issues}>
          {(aria) =>
            units.length ? (
              <select {...aria} value={f.unitCode} onChange={set('unitCode')}>
                {units.map((u) => (
                  <option key={u.code} value={u.code}>
                    {u.name}（{u.code}）
                  </option>
                ))}
              </select>
            ) : (
              <input type="text" {...aria} inputMode="numeric" autocomplete="off" value={f.unitCode} onInput={set('unitCode')} />
            )
          }
        </Field>
        <CategoryChoices cats={cats} value={categories} onChange={setCategories} issues={issues} idPrefix="reg-cat" />
        <MemberRows rows={members} onChange={setMembers} issues={issues} />
        <div class="actions">
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {busy ? t.common.saving : registerText.submit}
          </button>
          <Link to="/households" class="btn">
            {t.common.cancel}
          </Link>
        </div>
      </form>
    </section>
  );
}

let memberKeys = 1;
const memberRow = (m: { name: string; idNumber: string; relation: string } = { name: '', idNumber: '', relation: '' }): MemberRow => ({ key: memberKeys++, ...m });

/**
 * The household's members as rows to add and remove (name, ID number, relation), each field with the API's
 * messages for it (`body.members.<i>.<field>`), and what concerns the list as a whole below it.
 */
function MemberRows(props: { rows: MemberRow[]; onChange: (rows: MemberRow[]) => void; issues: Map<string, FieldIssue[]>; hint?: string }) {
  const { t } = useApp();
  const registerText = useRegisterText();
  const { rows, issues } = props;
  const field = (m: MemberRow, i: number, name: 'name' | 'idNumber' | 'relation', label: string) => {
    const id = `member-${m.key}-${name}`;
    const msgs = memberIssues(issues, i, name).map((x) => issueMessage(t, name, x));
    return (
      <div class={`field${msgs.length ? ' has-error' : ''}`} data-field={`members.${i}.${name}`}>
        <label for={id}>{label}</label>
        <input
          id={id}
          type="text"
          autocomplete="off"
          value={m[name]}
          aria-invalid={msgs.length ? 'true' : undefined}
          aria-describedby={msgs.length ? `${id}-error` : undefined}
          onInput={(e) => props.onChange(rows.map((x) => (x.key === m.key ? { ...x, [name]: e.currentTarget.value } : x)))}
        />
        {msgs.length > 0 && (
          <p id={`${id}-error`} class="field-error">
            {msgs.join('；')}
          </p>
        )}
      </div>
    );
  };
  const listIssues = (issues.get('members') ?? []).filter((x) => !/^(body\.)?members\.\d+\.(name|idNumber|relation)$/.test(x.path));
  return (
    <fieldset class="members" data-field="members">
      <legend>{registerText.members}</legend>
      {props.hint && <p class="hint">{props.hint}</p>}
      {rows.length === 0 && <p class="muted small">{registerText.noMembers}</p>}
      {rows.map((m, i) => (
        <div key={m.key} class="member-row card" data-member={i}>
          <p class="small">{registerText.memberN(i + 1)}</p>
          {field(m, i, 'name', registerText.memberName)}
          {field(m, i, 'idNumber', registerText.memberIdNumber)}
          {field(m, i, 'relation', registerText.memberRelation)}
          <button type="button" class="btn" onClick={() => props.onChange(rows.filter((x) => x.key !== m.key))}>
            {registerText.removeMember(i + 1)}
          </button>
        </div>
      ))}
      {listIssues.length > 0 && <p class="field-error">{listIssues.map((x) => issueMessage(t, 'members', x)).join('；')}</p>}
      <button type="button" class="btn" onClick={() => props.onChange([...rows, memberRow()])}>
        {registerText.addMember}
      </button>
    </fieldset>
  );
}

/** The categories as checkboxes, with the API's messages for `categories` beside them. */
/** The category checkboxes; `headed`: a heading above already says 救助对象类别, so the legend is for assistive tech only (fresh-eyes on issue 14: it showed twice). */
function CategoryChoices(props: { cats: Category[] | null; value: string[]; onChange: (v: string[]) => void; issues: Map<string, FieldIssue[]>; idPrefix: string; headed?: boolean }) {
  const { t } = useApp();
  const registerText = useRegisterText();
  const msgs = (props.issues.get('categories') ?? []).map((x) => issueMessage(t, 'categories', x));
  return (
    <fieldset class={`field${msgs.length ? ' has-error' : ''}`} data-field="categories" aria-describedby={msgs.length ? `${props.idPrefix}-error` : undefined}>
      <legend class={props.headed ? 'visually-hidden' : undefined}>{registerText.categories}</legend>
      <div class="choices">
        {(props.cats ?? []).map((c) => (
          <label key={c.code} class="choice">
            <input
              type="checkbox"
              value={c.code}
              checked={props.value.includes(c.code)}
              onChange={(e) => props.onChange(e.currentTarget.checked ? [...props.value, c.code] : props.value.filter((x) => x !== c.code))}
            />
            {c.name}
          </label>
        ))}
      </div>
      {msgs.length > 0 && (
        <p id={`${props.idPrefix}-error`} class="field-error">
          {msgs.join('；')}
        </p>
      )}
    </fieldset>
  );
}

const APPLICATION_SOURCES = ['on_behalf', 'one_door'] as const;
const LABOUR = ['no_labour_capacity', 'illness_or_disability', 'labour_capacity'] as const;

/**
 * A household's page: what the register holds (as the API masks it for the role), its members, its
 * categories (edited by those who may, PUT /v1/households/{id}/categories), its open cases with links,
 * and — for those who may start one — the form that files an application for it (POST /v1/applications).
 */
export function HouseholdPage(props: { id: string; registered?: boolean }) {
  const { t, lang, me } = useApp();
  const appsText = useAppsText();
  const registerText = useRegisterText();
  const cats = useCategories();
  const { data, setData, error } = usePageData(async () => {
    const [household, page] = await Promise.all([
      api.get<Household>(`/v1/households/${encodeURIComponent(props.id)}`),
      api.get<Page<CaseRow>>(`/v1/cases${qs({ household: props.id, limit: 100 })}`),
    ]);
    return { household, cases: page.items };
  }, [props.id]);

  if (error !== null) return <PageError title={registerText.householdTitle} error={error} />;
  if (!data) return <Loading />;
  const { household: h, cases } = data;
  const setH = (household: Household) => setData({ ...data, household });
  return (
    <article aria-labelledby="page-title" class="household">
      <PageTitle>{registerText.householdOf(h.headName)}</PageTitle>
      {props.registered && (
        <p class="notice notice-ok" role="status" data-testid="household-registered">
          {registerText.registered(h.id)}
        </p>
      )}
      <dl class="summary card" data-testid="household-summary">
        <Detail term={registerText.headName}>{h.headName}</Detail>
        <Detail term={registerText.headIdNumber} class="mono">{h.headIdNumber}</Detail>
        <Detail term={registerText.phone} class="mono">{h.phone}</Detail>
        <Detail term={registerText.address}>{h.address}</Detail>
        <Detail term={registerText.unitCode} class="mono">{h.unitCode}</Detail>
        <Detail term={registerText.registeredAt}>{fmtTime(lang, h.createdAt)}</Detail>
      </dl>

      <section aria-labelledby="h-members">
        <h2 id="h-members">{registerText.members}</h2>
        {h.members.length === 0 ? (
          <p class="muted">{registerText.noMembers}</p>
        ) : (
          <table class="rows compact" data-testid="household-members">
            <TableHead cols={[registerText.memberName, registerText.memberRelation, registerText.memberIdNumber]} />
            <tbody>
              {h.members.map((m, i) => (
                <tr key={i}>
                  <th scope="row" data-label={registerText.memberName}>
                    {m.name}
                  </th>
                  <td data-label={registerText.memberRelation}>{m.relation}</td>
                  <td data-label={registerText.memberIdNumber} class="mono">
                    {m.idNumber}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      {may(me, 'households', 'edit') && <EditHousehold household={h} onSaved={setH} />}

      <CategoriesEditor household={h} cats={cats} onSaved={setH} />

      <section aria-labelledby="h-cases">
        <h2 id="h-cases">{registerText.openCases}</h2>
        {cases.length === 0 ? (
          <p class="muted">{registerText.noOpenCases}</p>
        ) : (
          <ul data-testid="household-cases">
            {cases.map((c) => (
              <li key={c.caseId}>
                {t.kinds[c.kind] ?? c.kind}
                {c.kind === 'application' && c.stage ? ` · ${appsText.stages[c.stage] ?? c.stage}` : ''}：<Link to={`/cases/${encodeURIComponent(c.caseId)}`}>{c.caseId}</Link>
              </li>
            ))}
          </ul>
        )}
      </section>

      {may(me, 'application', 'start') && <StartApplication householdId={h.id} />}
    </article>
  );
}

/**
 * 修改住户信息: the address, the phone and the members (PATCH /v1/households/{id}), folded until opened. Only
 * what was changed is sent. Values the API masks for this role (a masked phone or ID number) cannot be sent
 * back as they are: the API names each such field, and the hint says to enter it in full.
 */
function EditHousehold(props: { household: Household; onSaved: (h: Household) => void }) {
  const registerText = useRegisterText();
  const h = props.household;
  const original = () => h.members.map((m) => memberRow(m));
  const [address, setAddress] = useState(h.address);
  const [phone, setPhone] = useState(h.phone);
  const [members, setMembers] = useState<MemberRow[]>(original);
  const [saved, setSaved] = useState(false);
  const submission = useSubmission();
  const { issues, busy } = submission;
  const masked = (v: string) => v.includes('*');
  const membersChanged = () =>
    members.length !== h.members.length || members.some((m, i) => m.name !== h.members[i]!.name || m.idNumber !== h.members[i]!.idNumber || m.relation !== h.members[i]!.relation);
  return (
    <details class="step-more edit-household">
      <summary>{registerText.edit}</summary>
      <SendForm
        class="form card register-form edit-form"
        submission={submission}
        send={() => {
          setSaved(false);
          const body = {
            ...(address !== h.address ? { address } : {}),
            ...(phone !== h.phone ? { phone } : {}),
            ...(membersChanged() ? { members: members.map(({ name, idNumber, relation }) => ({ name, idNumber, relation })) } : {}),
          };
          return api.patch<Household>(`/v1/households/${encodeURIComponent(h.id)}`, body);
        }}
        onSent={(updated) => {
          props.onSaved(updated);
          setSaved(true);
        }}
      >
        <Field id="edit-address" name="address" label={registerText.address} issues={issues}>
          {(aria) => <input type="text" {...aria} autocomplete="off" value={address} onInput={(e) => setAddress(e.currentTarget.value)} />}
        </Field>
        <Field id="edit-phone" name="phone" label={registerText.phone} hint={masked(h.phone) ? registerText.maskedHint : undefined} issues={issues}>
          {(aria) => <input type="tel" {...aria} autocomplete="off" value={phone} onInput={(e) => setPhone(e.currentTarget.value)} />}
        </Field>
        <MemberRows rows={members} onChange={setMembers} issues={issues} hint={h.members.some((m) => masked(m.idNumber)) ? registerText.maskedHint : undefined} />
        <SubmitButtons busy={busy} label={registerText.saveEdit} />
        {saved && (
          <p role="status" class="notice notice-ok" data-testid="household-saved">
            {registerText.edited}
          </p>
        )}
      </SendForm>
    </details>
  );
}

function CategoriesEditor(props: { household: Household; cats: Category[] | null; onSaved: (h: Household) => void }) {
  const { t, me } = useApp();
  const registerText = useRegisterText();
  const [value, setValue] = useState<string[]>(props.household.categories);
  const [saved, setSaved] = useState(false);
  const submission = useSubmission();
  const { issues, busy } = submission;
  const { cats } = props;
  if (!may(me, 'households', 'categories'))
    return (
      <section aria-labelledby="h-categories">
        <h2 id="h-categories">{registerText.categories}</h2>
        <p>{props.household.categories.length ? props.household.categories.map((c) => nameOf(cats, c)).join(t.listSeparator) : registerText.noCategory}</p>
      </section>
    );
  return (
    <section aria-labelledby="h-categories">
      <h2 id="h-categories">{registerText.categories}</h2>
      <SendForm
        class="form card categories-form"
        submission={submission}
        send={() => {
          setSaved(false);
          return api.put<Household>(`/v1/households/${encodeURIComponent(props.household.id)}/categories`, { categories: value });
        }}
        onSent={(h) => {
          props.onSaved(h);
          setSaved(true);
        }}
      >
        <CategoryChoices cats={cats} value={value} onChange={setValue} issues={issues} idPrefix="edit-cat" headed />
        <div class="actions">
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {registerText.saveCategories}
          </button>
        </div>
        {saved && (
          <p role="status" class="notice notice-ok" data-testid="categories-saved">
            {registerText.categoriesSaved}
          </p>
        )}
      </SendForm>
    </section>
  );
}

/** 发起救助申请 for this household: category (the catalogue's), source, labour capacity; then the application's page. */
function StartApplication(props: { householdId: string }) {
  const appsText = useAppsText();
  const [catalogue, setCatalogue] = useState<Category[]>([]);
  const [category, setCategory] = useState('');
  const [source, setSource] = useState<string>('on_behalf');
  const [labour, setLabour] = useState('');
  const submission = useSubmission();
  const { issues, busy } = submission;
  useEffect(() => {
    api.get<{ categories: Category[] }>('/v1/catalogue').then((c) => setCatalogue(c.categories), () => setCatalogue([]));
  }, []);
  return (
    <section aria-labelledby="h-start">
      <h2 id="h-start">{appsText.start}</h2>
      <SendForm
        class="form card start-application"
        submission={submission}
        send={() => api.post<{ caseId: string }>('/v1/applications', { householdId: props.householdId, category, source, labourCapacity: labour })}
        onSent={(view) => navigate(`/cases/${encodeURIComponent(view.caseId)}`)}
      >
        <SelectField
          id="sa-category"
          name="category"
          label={appsText.category}
          empty={appsText.choose}
          values={catalogue.map((c) => c.code)}
          names={Object.fromEntries(catalogue.map((c) => [c.code, c.name]))}
          value={category}
          onChange={setCategory}
          issues={issues}
        />
        <SelectField id="sa-source" name="source" label={appsText.source} values={APPLICATION_SOURCES} names={appsText.sources} value={source} onChange={setSource} issues={issues} />
        <SelectField id="sa-labour" name="labourCapacity" label={appsText.labourCapacity} empty={appsText.choose} values={LABOUR} names={appsText.labour} value={labour} onChange={setLabour} issues={issues} />
        <SubmitButtons busy={busy} label={appsText.startSubmit} />
      </SendForm>
    </section>
  );
}
