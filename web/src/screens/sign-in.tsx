import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, type DevToken } from '../api';
import { PageTitle } from '../components/ui';
import { errorMessage } from '../i18n';
import { useApp } from '../state';

export function SignIn(props: { notice: string | null }) {
  const { t, signIn } = useApp();
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [devTokens, setDevTokens] = useState<DevToken[]>([]);

  useEffect(() => {
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
