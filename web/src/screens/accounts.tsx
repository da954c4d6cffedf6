import { useEffect, useState } from 'preact/hooks';
import { api, auth, qs, type Page, type UserView } from '../api';
import { Field, useSubmission } from '../components/forms';
import { ErrorNotice, Loading, PageTitle } from '../components/ui';
import { useAccountsText } from '../i18n-accounts';
import { useApp } from '../state';

/**
 * Staff accounts in the workspace (issue 14 item 2; docs/accounts.md): one's own password change (forced
 * after an admin's reset) and the admin's 用户管理 — list, create, edit, disable/enable, reset the password.
 */

const ROLE_CODES = ['grid_worker', 'party_member', 'village_staff', 'town_staff', 'town_supervisor', 'district_staff', 'city_monitor', 'admin'];

/** One's own password: current, new, new again (checked here), the rules said beside the new one. */
export function ChangePassword(props: { forced: boolean; onDone: () => void }) {
  const { t } = useApp();
  const a = { ...t.accounts, ...useAccountsText() };
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const [done, setDone] = useState(false);
  const { issues, failure, busy, run } = useSubmission();
  return (
    <section class="narrow" aria-labelledby="page-title">
      <PageTitle>{a.changeTitle}</PageTitle>
      {props.forced && (
        <p class="notice notice-warn" role="alert">
          {a.changeForced}
        </p>
      )}
      <p>{a.changeIntro}</p>
      {done && (
        <p class="notice notice-ok" role="status">
          {a.changed}
        </p>
      )}
      <form
        class="card form password-change"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          const form = e.currentTarget;
          if (next !== again) {
            setMismatch(true);
            return;
          }
          setMismatch(false);
          void run(form, async () => {
            await auth.changePassword(current, next);
            setDone(true);
            setCurrent('');
            setNext('');
            setAgain('');
            props.onDone();
          });
        }}
      >
        <Field id="current-password" name="currentPassword" label={a.currentPassword} issues={issues}>
          {(aria) => <input {...aria} type="password" autocomplete="current-password" value={current} onInput={(e) => setCurrent(e.currentTarget.value)} />}
        </Field>
        <Field id="new-password" name="newPassword" label={a.newPassword} hint={a.passwordRules} issues={issues}>
          {(aria) => <input {...aria} type="password" autocomplete="new-password" value={next} onInput={(e) => setNext(e.currentTarget.value)} />}
        </Field>
        <div class={`field${mismatch ? ' has-error' : ''}`} data-field="confirm">
          <label for="confirm-password">{a.confirmPassword}</label>
          <input id="confirm-password" type="password" autocomplete="new-password" value={again} aria-invalid={mismatch ? 'true' : undefined} aria-describedby={mismatch ? 'confirm-error' : undefined} onInput={(e) => setAgain(e.currentTarget.value)} />
          {mismatch && (
            <p id="confirm-error" class="field-error">
              {a.mismatch}
            </p>
          )}
        </div>
        {failure !== null && <ErrorNotice error={failure} />}
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? t.common.saving : a.change}
        </button>
      </form>
    </section>
  );
}

/** The admin's users (用户管理): the users of the admin's subtree, a new user, edits, disable/enable, reset. */
export function UsersPage() {
  const { t, me } = useApp();
  const a = { ...t.accounts, ...useAccountsText() };
  const [role, setRole] = useState('');
  const [users, setUsers] = useState<UserView[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [temporary, setTemporary] = useState<{ login: string; password: string } | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);

  const load = (after: string | null) => {
    setError(null);
    api.get<Page<UserView>>(`/v1/users${qs({ role, cursor: after, limit: 50 })}`).then(
      (page) => {
        setUsers((prev) => (after ? [...(prev ?? []), ...page.items] : page.items));
        setCursor(page.nextCursor);
      },
      setError,
    );
  };
  useEffect(() => load(null), [role]);

  const replace = (u: UserView) => setUsers((prev) => (prev ?? []).map((x) => (x.login === u.login ? u : x)));

  const setStatus = async (u: UserView, status: 'active' | 'disabled') => {
    try {
      replace(await api.patch<UserView>(`/v1/users/${encodeURIComponent(u.login)}`, { status }));
      setMessage(a.saved(u.login));
    } catch (err) {
      setError(err);
    }
  };
  const reset = async (u: UserView) => {
    if (!window.confirm(a.resetConfirm(u.login))) return;
    try {
      const r = await api.post<{ login: string; temporaryPassword: string }>(`/v1/users/${encodeURIComponent(u.login)}/password-reset`, {});
      setTemporary({ login: r.login, password: r.temporaryPassword });
      replace({ ...u, mustChangePassword: true, lockedUntil: null });
    } catch (err) {
      setError(err);
    }
  };

  return (
    <section aria-labelledby="page-title" class="users-page">
      <PageTitle>{a.usersTitle}</PageTitle>
      <p>{a.usersIntro}</p>
      {temporary && (
        <div class="notice notice-ok" role="status" data-testid="temporary-password">
          <p>
            {a.temporary(temporary.login, '')}
            <code>{temporary.password}</code>
          </p>
          <p class="hint">{a.temporaryHint}</p>
        </div>
      )}
      {message && !temporary && (
        <p class="notice notice-ok" role="status">
          {message}
        </p>
      )}
      <div class="toolbar">
        <label>
          {a.filterRole}{' '}
          <select value={role} onChange={(e) => setRole(e.currentTarget.value)}>
            <option value="">{a.allRoles}</option>
            {ROLE_CODES.map((r) => (
              <option key={r} value={r}>
                {t.roles[r] ?? r}
              </option>
            ))}
          </select>
        </label>
        <button type="button" class="btn btn-primary" aria-expanded={creating} onClick={() => setCreating(!creating)}>
          {a.create}
        </button>
      </div>
      {creating && (
        <UserForm
          defaultUnit={me?.unit.code ?? ''}
          onCancel={() => setCreating(false)}
          onDone={(u, password) => {
            setCreating(false);
            setUsers((prev) => [u, ...(prev ?? [])]);
            setMessage(a.created(u.login));
            if (password) setTemporary({ login: u.login, password });
          }}
        />
      )}
      {error !== null && <ErrorNotice error={error} onRetry={() => load(null)} />}
      {users === null && error === null && <Loading />}
      {users?.length === 0 && <p class="empty">{a.empty}</p>}
      <ul class="user-list" aria-label={a.usersCaption}>
        {users?.map((u) => (
          <li key={u.login} class="card user-card" data-login={u.login}>
            {editing === u.login ? (
              <UserForm
                user={u}
                defaultUnit={u.unitCode}
                onCancel={() => setEditing(null)}
                onDone={(saved) => {
                  setEditing(null);
                  replace(saved);
                  setMessage(a.saved(saved.login));
                  setTemporary(null);
                }}
              />
            ) : (
              <>
                <p class="user-head">
                  <strong>{u.name}</strong> <code>{u.login}</code>
                </p>
                <p>
                  {t.roles[u.role] ?? u.role} · {u.unitName ?? u.unitCode}
                  {u.phone ? ` · ${u.phone}` : ''}
                </p>
                <p class="user-status" data-status={u.status}>
                  {a.statuses[u.status]}
                  {u.lockedUntil ? ` · ${a.locked2}` : ''}
                  {u.mustChangePassword ? ` · ${a.mustChange}` : ''}
                </p>
                <div class="actions">
                  <button type="button" class="btn" aria-label={`${a.edit} ${u.login}`} onClick={() => setEditing(u.login)}>
                    {a.edit}
                  </button>
                  {u.login !== me?.userId && (
                    <button type="button" class="btn" aria-label={`${u.status === 'active' ? a.disable : a.enable} ${u.login}`} onClick={() => void setStatus(u, u.status === 'active' ? 'disabled' : 'active')}>
                      {u.status === 'active' ? a.disable : a.enable}
                    </button>
                  )}
                  {u.source === 'local' && (
                    <button type="button" class="btn" aria-label={`${a.reset} ${u.login}`} onClick={() => void reset(u)}>
                      {a.reset}
                    </button>
                  )}
                </div>
              </>
            )}
          </li>
        ))}
      </ul>
      {cursor && (
        <button type="button" class="btn" onClick={() => load(cursor)}>
          {a.more}
        </button>
      )}
    </section>
  );
}

/** A new user (login, name, role, unit, phone) or an edit of one (name, role, unit, phone). */
function UserForm(props: { user?: UserView; defaultUnit: string; onCancel: () => void; onDone: (u: UserView, temporaryPassword?: string) => void }) {
  const { t } = useApp();
  const a = { ...t.accounts, ...useAccountsText() };
  const u = props.user;
  const [login, setLogin] = useState('');
  const [name, setName] = useState(u?.name ?? '');
  const [role, setRole] = useState(u?.role ?? 'village_staff');
  const [unitCode, setUnitCode] = useState(props.defaultUnit);
  const [phone, setPhone] = useState(u?.phone && !u.phone.includes('*') ? u.phone : '');
  const { issues, failure, busy, run } = useSubmission();
  const prefix = u ? `edit-${u.login.replace(/[^\w-]/g, '_')}` : 'new-user';
  return (
    <form
      class="card form user-form"
      noValidate
      aria-label={u ? `${a.edit} ${u.login}` : a.createTitle}
      onSubmit={(e) => {
        e.preventDefault();
        void run(e.currentTarget, async () => {
          if (u) {
            const body: Record<string, unknown> = { name, role, unitCode };
            if (phone !== (u.phone ?? '')) body.phone = phone === '' ? null : phone;
            props.onDone(await api.patch<UserView>(`/v1/users/${encodeURIComponent(u.login)}`, body));
          } else {
            const r = await api.post<{ user: UserView; temporaryPassword?: string }>('/v1/users', { login: login.trim(), name, role, unitCode, ...(phone ? { phone } : {}) });
            props.onDone(r.user, r.temporaryPassword);
          }
        });
      }}
    >
      {!u && (
        <Field id={`${prefix}-login`} name="login" label={a.login} issues={issues}>
          {(aria) => <input {...aria} type="text" autocapitalize="none" spellcheck={false} value={login} onInput={(e) => setLogin(e.currentTarget.value)} />}
        </Field>
      )}
      <Field id={`${prefix}-name`} name="name" label={a.name} issues={issues}>
        {(aria) => <input {...aria} type="text" value={name} onInput={(e) => setName(e.currentTarget.value)} />}
      </Field>
      <Field id={`${prefix}-role`} name="role" label={a.role} issues={issues}>
        {(aria) => (
          <select {...aria} value={role} onChange={(e) => setRole(e.currentTarget.value)}>
            {ROLE_CODES.map((r) => (
              <option key={r} value={r}>
                {t.roles[r] ?? r}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field id={`${prefix}-unit`} name="unitCode" label={a.unitCode} issues={issues}>
        {(aria) => <input {...aria} type="text" inputMode="numeric" value={unitCode} onInput={(e) => setUnitCode(e.currentTarget.value)} />}
      </Field>
      <Field id={`${prefix}-phone`} name="phone" label={a.phone} issues={issues}>
        {(aria) => <input {...aria} type="tel" value={phone} onInput={(e) => setPhone(e.currentTarget.value)} />}
      </Field>
      {failure !== null && <ErrorNotice error={failure} />}
      <div class="actions">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? t.common.saving : u ? a.save : a.create}
        </button>
        <button type="button" class="btn" onClick={props.onCancel}>
          {a.cancel}
        </button>
      </div>
    </form>
  );
}
