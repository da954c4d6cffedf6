import { parseArgs } from 'node:util';
import { signToken } from '../api/auth';
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
  const sub = values.user ?? `${role.data}@${org.data}`;
  console.error(`token for ${sub} (${role.data}, ${org.data}), valid ${values.expires}:`);
  console.log(await signToken(config.jwtSecret, { sub, role: role.data, org: org.data, ...(values.name ? { name: values.name } : {}) }, values.expires));
});
