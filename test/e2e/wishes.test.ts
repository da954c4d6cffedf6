import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authz, createTestContext, idNumber, registerHousehold, UNITS, type TestContext } from '../helpers/context';
import { eventually } from '../helpers/wait';

/**
 * The wishing tree end to end through the HTTP API, on the dev server and the Mongo-compatible server,
 * with a short policy: an approved wish unclaimed for 3 s escalates, one rung every 2 s; the other
 * deadlines are an hour, so the steps taken by hand never race them (the time-skipping tests cover those).
 */
const POLICY = {
  version: 'e2e-wishes',
  wishes: { warnAt: 0.5, escalateEvery: 'PT2S', screenWithin: 'PT1H', claimWithin: 'PT3S', fulfilWithin: 'PT1H', confirmWithin: 'PT1H' },
};

let ctx: TestContext;
const tokens: Record<string, string> = {};
beforeAll(async () => {
  ctx = await createTestContext('wishes_e2e', { policy: POLICY });
  await ctx.startWorker();
  tokens.grid = await ctx.token('grid_worker', UNITS.haigang, { user: 'grid.chen' });
  tokens.village = await ctx.token('village_staff', UNITS.haigang, { user: 'village.li' });
  tokens.town = await ctx.token('town_staff', UNITS.jingyuan, { user: 'town.zhao' });
  tokens.townSupervisor = await ctx.token('town_supervisor', UNITS.jingyuan, { user: 'town.sun' });
  tokens.otherTown = await ctx.token('town_staff', UNITS.huancuilou, { user: 'town.qian' });
  tokens.district = await ctx.token('district_staff', UNITS.huancui, { user: 'district.zhou' });
  tokens.partyMember = await ctx.token('party_member', UNITS.haigang, { user: 'pm.wang' });
  tokens.otherPartyMember = await ctx.token('party_member', UNITS.haigang, { user: 'pm.sun' });
  tokens.monitor = await ctx.token('city_monitor', UNITS.city);
});
afterAll(async () => ctx?.close());

const post = (url: string, token: string, payload: unknown) => ctx.app.inject({ method: 'POST', url, headers: authz(token), payload: payload as object });
const get = (url: string, token: string) => ctx.app.inject({ method: 'GET', url, headers: authz(token) });

/** A household whose register entry the tests then look for in public output. */
const PERSON = (seq: number) => ({ name: `张${seq}`, idNumber: idNumber(seq), phone: '13800000000', address: `威海市环翠区海港路${seq}号` });
const personalDescription = (seq: number) => {
  const p = PERSON(seq);
  return `${p.name}老人（身份证${p.idNumber}，电话${p.phone}）独居在${p.address}，腿脚不便，想要一台轮椅`;
};

async function postWish(seq: number, token = tokens.village!, extra: Record<string, unknown> = {}) {
  const hh = await registerHousehold(ctx, tokens.village!, seq);
  const res = await post('/v1/wishes', token, { householdId: hh, title: '想要一台轮椅', description: personalDescription(seq), category: 'material', postedBy: 'household', ...extra });
  expect(res.statusCode, res.body).toBe(201);
  return { hh, id: res.json().caseId as string, wish: res.json() };
}

async function registerHelper(token: string, payload: Record<string, unknown>) {
  const res = await post('/v1/helpers', token, payload);
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

let organisation: string;
let partyMemberHelper: string;

describe('helpers', () => {
  it('staff register helpers in their jurisdiction; a party member registers themselves once; contact masked below town level', async () => {
    organisation = await registerHelper(tokens.village!, { kind: 'organisation', name: '海港爱心志愿服务队', unitCode: UNITS.haigang, contact: '13900001111' });
    expect((await post('/v1/helpers', tokens.partyMember!, { kind: 'volunteer', name: '王某', unitCode: UNITS.haigang, contact: '13900002222' })).statusCode).toBe(403);
    const self = await post('/v1/helpers', tokens.partyMember!, { kind: 'party_member', name: '王党员', unitCode: UNITS.haigang, contact: '13900002222' });
    expect(self.statusCode).toBe(201);
    expect(self.json()).toMatchObject({ kind: 'party_member', kindName: '党员', userId: 'pm.wang', unitCode: UNITS.haigang });
    partyMemberHelper = self.json().id;
    const twice = await post('/v1/helpers', tokens.partyMember!, { kind: 'party_member', name: '王党员', unitCode: UNITS.haigang, contact: '13900002222' });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error.details).toEqual({ helperId: partyMemberHelper });

    expect((await post('/v1/helpers', tokens.grid!, { kind: 'volunteer', name: '李某', unitCode: UNITS.haigang, contact: '1' })).statusCode).toBe(403);
    expect((await post('/v1/helpers', tokens.otherTown!, { kind: 'volunteer', name: '李某', unitCode: UNITS.haigang, contact: '1' })).statusCode).toBe(403);
    const bad = await post('/v1/helpers', tokens.village!, { kind: 'neighbour', name: '', unitCode: UNITS.haigang, contact: '1' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.map((d: { path: string }) => d.path).sort()).toEqual(['body.kind', 'body.name']);

    const asVillage = (await get(`/v1/helpers?org=${UNITS.haigang}`, tokens.village!)).json().items;
    expect(asVillage.find((h: { id: string }) => h.id === organisation).contact).toBe('139****1111');
    const asTown = (await get(`/v1/helpers?org=${UNITS.jingyuan}`, tokens.town!)).json().items;
    expect(asTown.find((h: { id: string }) => h.id === organisation).contact).toBe('13900001111');
    expect((await get(`/v1/helpers?org=${UNITS.jingyuan}`, tokens.otherTown!)).statusCode).toBe(403);
  });
});

describe('a wish through the API', () => {
  it('goes post → screen → claim → fulfil → confirm; a second claim is 409; points are recorded for the helper', async () => {
    const { hh, id, wish } = await postWish(101);
    expect(wish).toMatchObject({ kind: 'wish', householdId: hh, stage: 'screening', status: 'open', postedBy: 'household', due: { key: 'screening#1' }, policyVersion: 'e2e-wishes' });
    expect(id).toMatch(/^wish-[0-9a-f]{12}$/);

    // The town reads the description as written; the village's staff read it by need (issue 14: the ID number
    // masked, the rest as written); a party member not paired with the household sees its personal data masked.
    expect((await get(`/v1/wishes/${id}`, tokens.town!)).json().description).toBe(personalDescription(101));
    const byNeed = (await get(`/v1/wishes/${id}`, tokens.village!)).json().description as string;
    expect(byNeed).toBe(personalDescription(101).replace(PERSON(101).idNumber, `3710**********${PERSON(101).idNumber.slice(-4)}`));
    const masked = (await get(`/v1/wishes/${id}`, tokens.partyMember!)).json().description as string;
    for (const secret of Object.values(PERSON(101))) expect(masked).not.toContain(secret);

    // Screening is the town's; a public title carrying the household's name is refused.
    expect((await post(`/v1/wishes/${id}/screening`, tokens.village!, { decision: 'approve' })).statusCode).toBe(403);
    const named = await post(`/v1/wishes/${id}/screening`, tokens.town!, { decision: 'approve', publicTitle: '张101老人想要轮椅' });
    expect(named.statusCode).toBe(422);
    expect(named.json().error.message).toMatch(/publicTitle.*姓名/);
    const approved = await post(`/v1/wishes/${id}/screening`, tokens.town!, { decision: 'approve', publicTitle: '独居老人需要一台轮椅' });
    expect(approved.statusCode).toBe(200);
    expect(approved.json()).toMatchObject({ stage: 'open', publicTitle: '独居老人需要一台轮椅', due: { key: 'claim#1' } });

    // A party member claims as their own registered helper, never as another.
    expect((await post(`/v1/wishes/${id}/claim`, tokens.partyMember!, { helperId: organisation })).statusCode).toBe(403);
    const claimed = await post(`/v1/wishes/${id}/claim`, tokens.partyMember!, { helperId: partyMemberHelper });
    expect(claimed.statusCode).toBe(200);
    const c = claimed.json();
    expect(c).toMatchObject({ stage: 'claimed', claim: { helper: { helperId: partyMemberHelper, kind: 'party_member', name: '王党员' } }, due: { key: 'fulfilment#1' } });
    // No date given: the maximum, fulfilWithin (1 h here) after the claim.
    expect(Date.parse(c.claim.fulfilBy) - Date.parse(c.claim.claimedAt)).toBe(3_600_000);

    // One need, one helper.
    const second = await post(`/v1/wishes/${id}/claim`, tokens.village!, { helperId: organisation });
    expect(second.statusCode).toBe(409);
    expect(second.json().error).toMatchObject({ code: 'conflict', message: expect.stringContaining('already claimed') });
    expect((await post(`/v1/wishes/${id}/release`, tokens.otherPartyMember!, { reason: '替他放弃' })).statusCode).toBe(403);

    const fulfilled = await post(`/v1/wishes/${id}/fulfilment`, tokens.partyMember!, { text: '轮椅已送到并调试好', photos: ['https://example.org/wishes/wheelchair.jpg'] });
    expect(fulfilled.statusCode).toBe(200);
    expect(fulfilled.json()).toMatchObject({ stage: 'fulfilled', fulfilment: { helperId: partyMemberHelper, photos: ['https://example.org/wishes/wheelchair.jpg'] }, due: null });
    expect((await post(`/v1/wishes/${id}/confirmation`, tokens.partyMember!, { confirmedBy: 'household' })).statusCode).toBe(403);

    const confirmed = await post(`/v1/wishes/${id}/confirmation`, tokens.grid!, { confirmedBy: 'household', note: '老人很满意' });
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.json()).toMatchObject({ status: 'closed', stage: 'closed', outcome: 'fulfilled', confirmation: { confirmedBy: 'household', automatic: false } });
    expect((await post(`/v1/wishes/${id}/withdrawal`, tokens.village!, { reason: '晚了' })).statusCode).toBe(409);

    const helper = await eventually(async () => {
      const h = (await get(`/v1/helpers/${partyMemberHelper}`, tokens.partyMember!)).json();
      return h.points === 10 && h;
    }, 'points in the helper’s ledger');
    expect(helper.fulfilments).toEqual([expect.objectContaining({ wishId: id, publicTitle: '独居老人需要一台轮椅', points: 10, confirmedBy: 'household', unit: expect.objectContaining({ code: UNITS.haigang }) })]);
    const closed = await eventually(async () => {
      const w = (await get(`/v1/wishes/${id}`, tokens.town!)).json();
      return w.points ? w : undefined;
    }, 'points recorded on the wish');
    expect(closed.points).toMatchObject({ helperId: partyMemberHelper, points: 10, alreadyRecorded: false });

    // The town's case list has it, kind wish, with its household.
    const list = (await get(`/v1/cases?kind=wish&status=closed&org=${UNITS.jingyuan}`, tokens.townSupervisor!)).json().items;
    expect(list).toEqual(expect.arrayContaining([expect.objectContaining({ caseId: id, kind: 'wish', householdId: hh, status: 'closed' })]));
    const audit = (await get(`/v1/cases/${id}/escalations`, tokens.monitor!)).json().events.map((e: { type: string }) => e.type);
    expect(audit).toEqual(expect.arrayContaining(['posted', 'approved', 'claimed', 'fulfilled', 'confirmed', 'points_recorded']));
  });

  it('an approved wish nobody claims escalates to the town’s overdue board (kind wish, household set), climbing', async () => {
    const { hh, id } = await postWish(102, tokens.grid!);
    expect((await post(`/v1/wishes/${id}/screening`, tokens.townSupervisor!, { decision: 'approve', publicTitle: '需要一台轮椅' })).statusCode).toBe(200);
    const row = await eventually(async () => {
      const items = (await get(`/v1/cases?overdue=true&kind=wish&org=${UNITS.jingyuan}`, tokens.town!)).json().items as Array<{ caseId: string; kind: string; householdId: string; rung: number; escalatedTo: { code: string } | null }>;
      return items.find((r) => r.caseId === id && r.rung >= 2);
    }, 'rung 2 on the town’s board');
    expect(row).toMatchObject({ kind: 'wish', householdId: hh, escalatedTo: { code: UNITS.huancui } });
    expect((await get(`/v1/cases?overdue=true&kind=wish`, tokens.otherTown!)).json().items.map((r: { caseId: string }) => r.caseId)).not.toContain(id);
    const notices = await ctx.mongo.db.collection('notifications').find({ caseId: id, kind: 'escalated' }).toArray();
    expect(notices.map((n) => n.unitCode)).toEqual(expect.arrayContaining([UNITS.jingyuan, UNITS.huancui]));

    // The helper gives up after claiming: the claim is released (recorded) and the wish is open again.
    expect((await post(`/v1/wishes/${id}/claim`, tokens.village!, { helperId: organisation })).statusCode).toBe(200);
    const released = await post(`/v1/wishes/${id}/release`, tokens.village!, { reason: '服务队人手不足' });
    expect(released.statusCode).toBe(200);
    expect(released.json()).toMatchObject({ stage: 'open', claim: null, claims: [expect.objectContaining({ release: expect.objectContaining({ reason: 'helper_gave_up', note: '服务队人手不足' }) })] });
    const withdrawn = await post(`/v1/wishes/${id}/withdrawal`, tokens.village!, { reason: '家属已解决' });
    expect(withdrawn.json()).toMatchObject({ status: 'closed', outcome: 'withdrawn' });
  });

  it('refuses a sibling town (403), a city monitor’s writes (403), bad input (400 naming the field), unknown ids (404)', async () => {
    const { hh, id } = await postWish(103);
    expect((await get(`/v1/wishes/${id}`, tokens.otherTown!)).statusCode).toBe(403);
    expect((await post(`/v1/wishes/${id}/screening`, tokens.otherTown!, { decision: 'approve' })).statusCode).toBe(403);
    expect((await post('/v1/wishes', tokens.otherTown!, { householdId: hh, title: '轮椅', description: '需要', category: 'material', postedBy: 'staff' })).statusCode).toBe(403);
    expect((await get(`/v1/wishes/${id}`, tokens.monitor!)).statusCode).toBe(200);
    expect((await get(`/v1/wishes/${id}`, tokens.district!)).statusCode).toBe(200);
    expect((await post(`/v1/wishes/${id}/screening`, tokens.monitor!, { decision: 'approve' })).statusCode).toBe(403);

    const bad = await post('/v1/wishes', tokens.village!, { householdId: hh, title: '轮椅', description: '需要', category: 'money', postedBy: 'neighbour', neededBy: 'tomorrow' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.map((d: { path: string }) => d.path).sort()).toEqual(['body.category', 'body.neededBy', 'body.postedBy']);
    const past = await post('/v1/wishes', tokens.village!, { householdId: hh, title: '轮椅', description: '需要', category: 'material', postedBy: 'staff', neededBy: '2020-01-01' });
    expect(past.statusCode).toBe(400);
    expect(past.json().error.details[0].path).toBe('body.neededBy');
    const noReason = await post(`/v1/wishes/${id}/screening`, tokens.town!, { decision: 'reject' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().error.details[0].path).toBe('body.reason');
    expect((await post('/v1/wishes', tokens.village!, { householdId: 'hh-000000000000', title: '轮椅', description: '需要', category: 'material', postedBy: 'staff' })).statusCode).toBe(404);
    expect((await get('/v1/wishes/wish-000000000000', tokens.town!)).statusCode).toBe(404);

    expect((await post(`/v1/wishes/${id}/screening`, tokens.town!, { decision: 'approve', publicTitle: '需要轮椅' })).statusCode).toBe(200);
    const badHelper = await post(`/v1/wishes/${id}/claim`, tokens.village!, { helperId: 'somebody' });
    expect(badHelper.statusCode).toBe(400);
    expect(badHelper.json().error.details[0].path).toBe('body.helperId');
    const unknownHelper = await post(`/v1/wishes/${id}/claim`, tokens.village!, { helperId: 'helper-000000000000' });
    expect(unknownHelper.statusCode).toBe(400);
    expect(unknownHelper.json().error.details[0].path).toBe('body.helperId');
    const tooLate = await post(`/v1/wishes/${id}/claim`, tokens.village!, { helperId: organisation, fulfilBy: new Date(Date.now() + 2 * 3_600_000).toISOString() });
    expect(tooLate.statusCode).toBe(422);
    expect(tooLate.json().error.message).toMatch(/fulfilBy/);
    expect((await post(`/v1/wishes/${id}/fulfilment`, tokens.village!, { text: '已送达' })).statusCode).toBe(409);
    expect((await post(`/v1/wishes/${id}/claim`, tokens.village!, { helperId: organisation })).statusCode).toBe(200);
    const badPhoto = await post(`/v1/wishes/${id}/fulfilment`, tokens.village!, { text: '已送达', photos: ['not a url'] });
    expect(badPhoto.statusCode).toBe(400);
    expect(badPhoto.json().error.details[0].path).toBe('body.photos.0');
  });
});

describe('the public wishing tree', () => {
  it('lists screened wishes of a village or town without login and without any personal data', async () => {
    const seq = 104;
    const { hh, id } = await postWish(seq);
    const { id: unscreened } = await postWish(105);
    // The posted title itself names the household here: the screener replaces it for the public.
    const { id: renamed } = await postWish(106, tokens.village!, { title: `张106家需要冬衣` });
    expect((await post(`/v1/wishes/${id}/screening`, tokens.town!, { decision: 'approve', publicTitle: '独居老人想要一台轮椅' })).statusCode).toBe(200);
    expect((await post(`/v1/wishes/${renamed}/screening`, tokens.town!, { decision: 'approve' })).statusCode).toBe(422);
    expect((await post(`/v1/wishes/${renamed}/screening`, tokens.town!, { decision: 'approve', publicTitle: '困难家庭需要冬衣' })).statusCode).toBe(200);

    for (const unit of [UNITS.haigang, UNITS.jingyuan]) {
      const res = await ctx.app.inject({ method: 'GET', url: `/v1/public/wishes?unit=${unit}` });
      expect(res.statusCode).toBe(200);
      const items = res.json().items as Array<Record<string, unknown>>;
      const mine = items.find((w) => w.id === id);
      expect(mine).toEqual({ id, title: '独居老人想要一台轮椅', category: 'material', categoryName: '物质帮扶', unitName: '海港社区居委会', postedOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), status: 'open', statusName: '待认领' });
      expect(items.find((w) => w.id === renamed)?.title).toBe('困难家庭需要冬衣');
      expect(items.map((w) => w.id)).not.toContain(unscreened);

      // Scan the whole response for anything of the register or the staff-only text.
      // Wish ids are random hex and may hold a run of digits: they are the only thing set aside.
      const body = res.body.replace(/wish-[0-9a-f]{12}/g, 'wish-id');
      for (const n of [seq, 105, 106]) {
        const p = PERSON(n);
        for (const secret of [p.name, p.idNumber, p.phone, p.address, `海港路${n}号`]) expect(body).not.toContain(secret);
        expect(body).not.toContain(personalDescription(n));
      }
      for (const secret of [hh, '身份证', '电话', '独居在', '腿脚不便', '张106家']) expect(body).not.toContain(secret);
      expect(body).not.toMatch(/\d{7,}/);
    }

    expect((await ctx.app.inject({ method: 'GET', url: `/v1/public/wishes?unit=${UNITS.huancui}` })).statusCode).toBe(400);
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/public/wishes?unit=999999999' })).statusCode).toBe(404);
    const noUnit = await ctx.app.inject({ method: 'GET', url: '/v1/public/wishes' });
    expect(noUnit.statusCode).toBe(400);
    expect(noUnit.json().error.details[0].path).toBe('querystring.unit');
    // The OpenAPI document describes the public list as open and every step of a wish.
    const doc = (await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.paths['/v1/public/wishes'].get.security).toEqual([]);
    for (const step of ['screening', 'claim', 'release', 'fulfilment', 'confirmation', 'withdrawal']) expect(doc.paths[`/v1/wishes/{id}/${step}`]?.post).toBeDefined();
    // Another town's list does not show this village's wishes.
    const other = await ctx.app.inject({ method: 'GET', url: `/v1/public/wishes?unit=${UNITS.huancuilou}` });
    expect(other.json().items.map((w: { id: string }) => w.id)).not.toContain(id);
  });
});
