import type { Server } from 'node:http';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';
import { freePort } from '../../scripts/lib/proc';

/**
 * A local identity service (统一身份认证) for the OIDC tests: `oidc-provider` (panva; an OpenID-certified
 * provider, the same author as the API's openid-client) on a free port over real HTTP, with its development
 * login screen (devInteractions: any login with any password signs in as that account id). Why a real
 * provider rather than a hand-made stub: it checks what a city's service checks (PKCE, state, nonce, the
 * redirect URI, the client secret), so a flow that passes here is a flow a real service accepts.
 *
 * One confidential client, `jiuzhu`, registered with `redirectUri`. An account's claims are `sub` (its id)
 * and what `accounts` gives it (`name`, `jiuzhu_role`, `jiuzhu_unit`, the API's default claim names); an
 * account not listed signs in with `sub` alone. The provider's default `conformIdTokenClaims` holds: the
 * profile scope's claims come from userinfo, not the ID token (OIDC Core 5.4), as the API must handle.
 */

/** What a test needs to point the API at the service: its issuer, the client, and the API's environment for it. */
export interface IdentityService {
  /** The issuer URL (`http://<host>:<port>`), its discovery document at `/.well-known/openid-configuration`. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URI for the API's config (config/index.ts). */
  env: Record<string, string>;
  close(): Promise<void>;
}

export interface IdentityServiceOptions {
  /** The API's callback URL (`<api>/v1/auth/oidc/callback`), the only redirect URI the client may use. */
  redirectUri: string;
  /** Claims by account id, beside `sub`. */
  accounts: Record<string, Record<string, unknown>>;
  /**
   * `skip` (the default): grants are given without a consent screen, as a city's service grants its own
   * workspace; `screen`: the provider shows its development consent page (a Continue button) after the login.
   */
  consent?: 'skip' | 'screen';
  /**
   * The issuer's host name: `127.0.0.1` by default; `localhost` makes the service another site than an API on
   * 127.0.0.1 (different hosts), so a browser test meets the cross-site redirects a real deployment has
   * (SameSite cookies). The server listens on every interface either way.
   */
  host?: string;
}

/** The scopes and claims the client asks for (OIDC_SCOPES' default) and the provider grants. */
const SCOPE = 'openid profile';
const PROFILE_CLAIMS = ['name', 'jiuzhu_role', 'jiuzhu_unit'];

/** Starts the service on a free port; `close()` stops it. Throws if the port cannot be bound. */
export async function startIdentityService(opts: IdentityServiceOptions): Promise<IdentityService> {
  const port = await freePort();
  const issuer = `http://${opts.host ?? '127.0.0.1'}:${port}`;
  const clientId = 'jiuzhu';
  const clientSecret = 'jiuzhu-test-client-secret-0123456789';
  const provider = new Provider(issuer, {
    clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: [opts.redirectUri], grant_types: ['authorization_code'], response_types: ['code'] }],
    claims: { openid: ['sub'], profile: PROFILE_CLAIMS },
    features: { devInteractions: { enabled: true } },
    async findAccount(_ctx, id) {
      return { accountId: id, claims: async () => ({ sub: id, ...(opts.accounts[id] ?? {}) }) };
    },
    ...((opts.consent ?? 'skip') === 'skip'
      ? {
          async loadExistingGrant(c: KoaContextWithOIDC) {
            const grant = new c.oidc.provider.Grant({ clientId: c.oidc.client!.clientId, accountId: c.oidc.session!.accountId! });
            grant.addOIDCScope(SCOPE);
            grant.addOIDCClaims(PROFILE_CLAIMS);
            await grant.save();
            return grant;
          },
        }
      : {}),
  });
  const server: Server = provider.listen(port);
  await new Promise<void>((resolve, reject) => {
    if (server.listening) return resolve();
    server.once('listening', resolve).once('error', reject);
  });
  return {
    issuer,
    clientId,
    clientSecret,
    env: { OIDC_ISSUER: issuer, OIDC_CLIENT_ID: clientId, OIDC_CLIENT_SECRET: clientSecret, OIDC_REDIRECT_URI: opts.redirectUri },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // A browser's kept-alive connections would hold close() open.
        server.closeAllConnections();
      }),
  };
}
