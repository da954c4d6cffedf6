import { parseArgs } from 'node:util';
import { hashPassword, temporaryPassword } from '../api/accounts';
import { runWithConfig } from '../config';
import { zLogin, zStaffName } from '../domain/account';
import { misplacedRole, ROLES, zRole } from '../domain/roles';
import { connectMongo } from '../store/mongo';
import { OrgDirectory } from '../store/org-directory';
import { piiKeyring } from '../store/pii';
import { insertUser } from '../store/users';

// `npx tsx scripts/create-user.ts --login wang.admin --role admin --org 371000 --name 王管理`
// Creates a user straight in the read model — the first admin of a production deployment, where no ready-made
// token is accepted (docs/accounts.md) — and prints a temporary password, which must be changed at first sign-in.
await runWithConfig(async (config) => {
  const { values } = parseArgs({ options: { login: { type: 'string' }, role: { type: 'string' }, org: { type: 'string' }, name: { type: 'string' } } });
  const fail = (message: string): never => {
    console.error(message);
    process.exit(2);
  };
  const login = zLogin.safeParse(values.login);
  if (!login.success) fail('--login: lowercase letters, digits and . _ @ -, 2–64 characters');
  const role = zRole.safeParse(values.role);
  if (!role.success) fail(`--role: one of ${ROLES.join(', ')}`);
  const name = zStaffName.safeParse(values.name);
  if (!name.success) fail(`--name: the person’s name (${name.error.issues[0]?.message})`);
  const { client, db } = await connectMongo(config.mongodb.uri, config.mongodb.db, piiKeyring(config.pii));
  try {
    const unit = values.org ? await new OrgDirectory(db).get(values.org) : null;
    if (!unit) fail(`--org: no org unit ${values.org ?? ''} (npm run seed loads the tree)`);
    // The placement rule POST /v1/users applies (domain/roles.ts ROLE_UNIT_LEVELS): no village's staff over a city.
    const misplaced = misplacedRole(role.data!, unit!);
    if (misplaced !== null) fail(`--role, --org: ${misplaced}`);
    const password = temporaryPassword();
    const at = new Date();
    const created = await insertUser(db, {
      _id: login.data!,
      name: name.data!,
      role: role.data!,
      unitCode: unit!.code,
      orgPath: unit!.path,
      phone: null,
      status: 'active',
      source: 'local',
      passwordHash: await hashPassword(password),
      mustChangePassword: true,
      passwordChangedAt: null,
      failures: [],
      lockedUntil: null,
      createdAt: at,
      createdBy: 'cli',
      updatedAt: at,
      updatedBy: 'cli',
    });
    if (!created) fail(`--login: ${login.data} exists already (an admin resets its password in 用户管理)`);
    console.error(`created ${login.data} (${role.data}, ${unit!.name} ${unit!.code}); temporary password, to be changed at first sign-in:`);
    console.log(password);
  } finally {
    await client.close();
  }
});
