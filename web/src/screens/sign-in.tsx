import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, auth, type DevToken } from '../api';
import { PageTitle } from '../components/ui';
import { errorMessage } from '../i18n';
import { useApp } from '../state';

/**
 * The sign-in screen (issue 14 item 2): login and password (errors beside the fields, the lockout's wait),
 * 使用统一身份认证登录 when the API offers OIDC (GET /v1/auth/options), and outside production a pasted
 * token and the ready-made identities.
 */
export function SignIn(props: { notice: string | null }) {
  const { t, signIn } = useApp();
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [devTokens, setDevTokens] = useState<DevToken[]>([]);
  const [options, setOptions] = useState<{ oidc: boolean; devTokens: boolean }>({ oidc: false, devTokens: false });
  // Why an OIDC sign-in came back refused (api/routes/oidc.ts redirects here with its reason).
  const [oidcError] = useState(() => new URLSearchParams(window.location.search).get('oidc_error'));

  useEffect(() => {
    auth.options().then(
      (o) => setOptions(o),
      () => undefined,
    );
    // Only outside production does the API offer ready-made tokens; a 404 simply hides the picker.
    api.get<{ tokens: DevToken[] }>('/v1/dev/tokens', '').then(
      (r) => setDevTokens(r.tokens),
      () => setDevTokens([]),
    );
  }, []);

  const attempt = async (value: string) => {
    const trimmed = value.trim().replace(/^Bearer\s+/i, '');
    if (!trimmed) {
      setError(t.signIn.empty);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await signIn(trimmed);
    } catch (err) {
      setError(t.signIn.invalid(err instanceof ApiError ? (err.status === 0 ? t.common.network : errorMessage(t, err)) : String(err)));
      setBusy(false);
    }
  };

  return (
    <section class="narrow" aria-labelledby="page-title">
      <PageTitle>{t.signIn.title}</PageTitle>
      {props.notice && (
        <p class="notice notice-warn" role="alert">
          {props.notice}
        </p>
      )}
      {oidcError && (
        <p class="notice notice-warn" role="alert" data-testid="oidc-error">
          {errorMessage(t, { reason: oidcError, message: t.reasons.oidc_failed ?? oidcError })}
        </p>
      )}
      <PasswordSignIn oidc={options.oidc} />
      {(options.devTokens || devTokens.length > 0) && (
        <>
          <h2>{t.accounts.tokenTitle}</h2>
          <p>{t.signIn.intro}</p>
          <form
            class="card form"
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              void attempt(token);
            }}
          >
            <div class="field">
              <label for="token">{t.signIn.tokenLabel}</label>
              <textarea
                id="token"
                name="token"
                rows={4}
                spellcheck={false}
                autocomplete="off"
                value={token}
                aria-invalid={error ? 'true' : undefined}
                aria-describedby={error ? 'token-hint token-error' : 'token-hint'}
                onInput={(e) => setToken(e.currentTarget.value)}
              />
              <p id="token-hint" class="hint">
                {t.signIn.tokenHint}
              </p>
              {error && (
                <p id="token-error" class="field-error" role="alert">
                  {error}
                </p>
              )}
            </div>
            <button type="submit" class="btn btn-primary" disabled={busy}>
              {busy ? t.common.saving : t.signIn.submit}
            </button>
          </form>
        </>
      )}

      {devTokens.length > 0 && (
        <section class="card" aria-labelledby="dev-tokens">
          <h2 id="dev-tokens">{t.signIn.pickTitle}</h2>
          <p class="hint">{t.signIn.pickHint}</p>
          <ul class="pick-list">
            {devTokens.map((d) => (
              <li key={d.userId}>
                <button type="button" class="btn btn-block" data-role={d.role} disabled={busy} onClick={() => void attempt(d.token)}>
                  {t.signIn.pickAs(t.roles[d.role] ?? d.roleName, d.name, d.orgName)}
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
    </section>
  );
}

/** Login and password; a wrong one, a lockout or a disabled account is said beside the password. */
function PasswordSignIn(props: { oidc: boolean }) {
  const { t, signIn } = useApp();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<{ login?: string; password?: string; form?: string }>({});
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    const missing = { ...(login.trim() ? {} : { login: t.accounts.required }), ...(password ? {} : { password: t.accounts.required }) };
    setErrors(missing);
    if (missing.login || missing.password) return;
    setBusy(true);
    try {
      const result = await auth.signIn(login.trim(), password);
      await signIn(result.accessToken);
    } catch (err) {
      const e = err instanceof ApiError ? err : null;
      const wait = Number((e?.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds ?? 0);
      const text =
        e?.reason === 'account_locked'
          ? t.accounts.locked(wait)
          : e?.reason === 'client_sign_in_limit'
            ? t.accounts.tooMany(wait)
            : e?.reason === 'account_disabled'
              ? t.accounts.disabled
              : e?.reason === 'invalid_credentials'
                ? t.accounts.invalidCredentials
                : e?.status === 0
                  ? t.common.network
                  : e
                    ? errorMessage(t, e)
                    : String(err);
      setErrors({ password: text });
      setBusy(false);
    }
  };

  return (
    <section class="card" aria-labelledby="password-sign-in">
      <h2 id="password-sign-in">{t.accounts.passwordTitle}</h2>
      <form
        class="form password-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <div class={`field${errors.login ? ' has-error' : ''}`} data-field="login">
          <label for="login">{t.accounts.login}</label>
          <input id="login" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck={false} value={login} aria-invalid={errors.login ? 'true' : undefined} aria-describedby={errors.login ? 'login-error' : undefined} onInput={(e) => setLogin(e.currentTarget.value)} />
          {errors.login && (
            <p id="login-error" class="field-error" role="alert">
              {errors.login}
            </p>
          )}
        </div>
        <div class={`field${errors.password ? ' has-error' : ''}`} data-field="password">
          <label for="password">{t.accounts.password}</label>
          <input id="password" name="password" type="password" autocomplete="current-password" value={password} aria-invalid={errors.password ? 'true' : undefined} aria-describedby={errors.password ? 'password-error' : undefined} onInput={(e) => setPassword(e.currentTarget.value)} />
          {errors.password && (
            <p id="password-error" class="field-error" role="alert">
              {errors.password}
            </p>
          )}
        </div>
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? t.common.saving : t.accounts.signIn}
        </button>
      </form>
      {props.oidc && (
        <p>
          <a class="btn btn-block" href="/v1/auth/oidc/start" data-testid="oidc-sign-in">
            {t.accounts.oidc}
          </a>
        </p>
      )}
    </section>
  );
}
