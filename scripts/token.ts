import { parseArgs } from 'node:util';
import { signToken, verifyToken } from '../api/auth';
import { ApiError } from '../api/errors';
import { runWithConfig } from '../config';
import { zOrgCode } from '../domain/org';
import { ROLES, zRole } from '../domain/roles';

// `npm run token -- --role town_supervisor --org 371002001 [--user u1] [--name 张三] [--expires 12h]`
// Prints a bearer token as its last line, for local use and scripts.
await runWithConfig(async (config) => {
  const { values } = parseArgs({
    options: {
      role: { type: 'string' },
      org: { type: 'string' },
      user: { type: 'string' },
      name: { type: 'string' },
      expires: { type: 'string', default: '12h' },
    },
  });
  const role = zRole.safeParse(values.role);
  if (!role.success) {
    console.error(`--role: expected one of ${ROLES.join(', ')}`);
    process.exit(2);
  }
  const org = zOrgCode.safeParse(values.org);
  if (!org.success) {
    console.error('--org: expected an org unit code such as 371002001');
    process.exit(2);
  }
  // In production the API refuses a token that no sign-in made (401 token_no_session; docs/accounts.md).
  if (config.env === 'production') {
    console.error('NODE_ENV=production: the API accepts only tokens from a sign-in (POST /v1/auth/sign-in or OIDC); a ready-made token would be refused (token_no_session)');
    process.exit(2);
  }
  const sub = values.user ?? `${role.data}@${org.data}`;
  let token: string;
  try {
    token = await signToken({ secret: config.jwtSecret, ...config.tokens }, { sub, role: role.data, org: org.data, ...(values.name ? { name: values.name } : {}) }, values.expires);
    // The API's own checks: a lifetime above JWT_MAX_LIFETIME_SECONDS is refused here rather than by every request.
    await verifyToken(config.jwtSecret, config.tokens, token);
  } catch (err) {
    console.error(`--expires: ${err instanceof ApiError ? err.message : (err as Error).message}`);
    process.exit(2);
  }
  console.error(`token for ${sub} (${role.data}, ${org.data}), valid ${values.expires}:`);
  console.log(token);
});
