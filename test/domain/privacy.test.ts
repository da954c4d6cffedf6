import { describe, it, expect } from 'vitest';
import type { Household } from '../../domain/household';
import {
  noticeMessageFor,
  outboundNoticeText,
  caseViewFor,
  helperContactFor,
  householdBriefFor,
  householdFor,
  knownPersonalDataOf,
  maskAddress,
  maskContact,
  maskIdNumber,
  maskName,
  maskPhone,
  personalDataIn,
  redactPersonalData,
  reportContactFor,
  seesPersonalData,
  caseEventFor,
  INTERNAL_REFERENCE_LABEL,
  publicTextFor,
  withoutInternalReferences,
  type KnownPersonalData,
} from '../../domain/privacy';
import { ROLES, type Role } from '../../domain/roles';

/** Masking, personal data in free text and per-role views (domain/privacy.ts). */

describe('maskIdNumber', () => {
  it('keeps the first 4 and last 4 characters', () => {
    expect(maskIdNumber('371002199001011234')).toBe('3710**********1234');
    expect(maskIdNumber('37108220000229001X')).toBe('3710**********001X');
  });

  it('preserves length', () => {
    expect(maskIdNumber('371002199001011234')).toHaveLength(18);
  });

  it('handles empty and short input without leaking it whole', () => {
    expect(maskIdNumber('')).toBe('');
    expect(maskIdNumber('12345678')).toBe('12****78');
    expect(maskIdNumber('123')).toBe('***');
  });
});

describe('maskName', () => {
  it('keeps the first character', () => {
    expect(maskName('张三')).toBe('张*');
    expect(maskName('欧阳娜娜')).toBe('欧***');
    expect(maskName('王小明')).toBe('王**');
  });

  it('returns single-character and empty names unchanged', () => {
    expect(maskName('张')).toBe('张');
    expect(maskName('')).toBe('');
  });

  it('counts surrogate pairs as one character', () => {
    // 𠀀 (U+20000) is outside the BMP.
    expect(maskName('𠀀三')).toBe('𠀀*');
    expect(maskName('张𠀀')).toBe('张*');
    expect(maskName('𠀀')).toBe('𠀀');
  });
});

describe('maskPhone', () => {
  it('keeps the first 3 and last 4 digits of a mobile number', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
  });

  it('keeps the first and last quarter of shorter strings', () => {
    expect(maskPhone('5201234')).toBe('5*****4');
    expect(maskPhone('12345678')).toBe('12****78');
    expect(maskPhone('123')).toBe('***');
    expect(maskPhone('')).toBe('');
  });
});

describe('maskAddress', () => {
  it('keeps the first 6 characters and hides the rest', () => {
    expect(maskAddress('山东省威海市环翠区鲸园街道新威路12号')).toBe('山东省威海市****');
  });

  it('never shows a short address whole: the prefix stops before the house number and at half the address', () => {
    expect(maskAddress('海港路2号')).toBe('海港路****');
    expect(maskAddress('海港路２号')).toBe('海港路****');
    expect(maskAddress('幸福村')).toBe('幸福****');
    expect(maskAddress('威海市环翠区')).toBe('威海市****');
    expect(maskAddress('威海')).toBe('威****');
    expect(maskAddress('')).toBe('');
  });

  it('does not split surrogate pairs', () => {
    expect(maskAddress('𠀀𠀀𠀀𠀀𠀀𠀀村')).toBe('𠀀𠀀𠀀𠀀****');
    expect(maskAddress('𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀村')).toBe('𠀀𠀀𠀀𠀀𠀀𠀀****');
  });
});

describe('maskContact', () => {
  it('masks digit runs as phones and words as names', () => {
    expect(maskContact('李秀英 13912345678')).toBe('李** 139****5678');
    expect(maskContact('0631-5201234')).toBe('063*****1234');
    expect(maskContact('wx:abc123')).toBe('w*:a*****');
  });
});

const KNOWN: KnownPersonalData = {
  names: ['张秀兰', '李明'],
  idNumbers: ['371002195001010017'],
  phones: ['13800001234'],
  addresses: ['威海市环翠区海港路12号3单元101室'],
};

describe('personal data in text', () => {
  it('finds ID numbers, phones (also spaced), long numbers and door numbers by pattern', () => {
    expect(personalDataIn('身份证 371002195001010017')).toEqual(['id_number']);
    expect(personalDataIn('电话 138 0000 1234')).toEqual(['phone']);
    expect(personalDataIn('座机0631-5201234')).toEqual(['phone']);
    expect(personalDataIn('卡号 62284801234')).toEqual(['long_number']);
    expect(personalDataIn('家住幸福路8号')).toEqual(['address']);
    expect(personalDataIn('3单元101室')).toEqual(['address']);
    // Ordinary needs with numbers are not personal data.
    expect(personalDataIn('需要10斤大米和3号电池')).toEqual([]);
    expect(personalDataIn('2026年春节陪老人吃年夜饭')).toEqual([]);
  });

  it('with the register entry, also finds names, the ID number, the phone’s tail and the address’s distinctive part', () => {
    expect(personalDataIn('张秀兰老人需要轮椅', KNOWN)).toEqual(['name']);
    expect(personalDataIn('李明想学电脑', KNOWN)).toEqual(['name']);
    expect(personalDataIn('尾号00001234', KNOWN)).toEqual(['long_number', 'phone']);
    expect(personalDataIn('海港路12号的老人', KNOWN)).toEqual(['address']);
    expect(personalDataIn('海港路老人需要轮椅', KNOWN)).toEqual([]);
    expect(personalDataIn('老人需要一台轮椅', KNOWN)).toEqual([]);
  });

  it('reads full-width, circled, ideographic and other-script digits, and numbers typed with spaces or dashes', () => {
    expect(personalDataIn('电话１３８０００００００２')).toEqual(['phone']);
    expect(personalDataIn('身份证３７１００２１９８００１０１００１Ｘ')).toEqual(['id_number']);
    expect(personalDataIn('电话①③⑧０００００００２')).toEqual(['phone']);
    expect(personalDataIn('电话一三八零零零零零零零二')).toEqual(['phone']);
    expect(personalDataIn('电话١٣٨٠٠٠٠٠٠٠٢')).toEqual(['phone']);
    for (const phone of ['138 0000 0002', '138-0000-0002', '１３８　００００　０００２', '138－0000－0002', '138—0000—0002']) expect(personalDataIn(`电话${phone}`)).toEqual(['phone']);
    expect(personalDataIn('家住海港路２号')).toEqual(['address']);
    // Ordinary words with Chinese numerals are not numbers.
    expect(personalDataIn('一二三年级的孩子需要书包')).toEqual([]);
  });

  it('masks full-width numbers at the characters they were typed with, and leaves the rest as typed', () => {
    expect(redactPersonalData('电话１３９００００１１１１，身份证３７１００２１９８００１０１００１０')).toBe('电话139****1111，身份证3710**********0010');
    expect(redactPersonalData('电话138 0000 0002。２０２６年')).toBe('电话138****0002。２０２６年');
    expect(redactPersonalData('１３８００００００００２ 住海港路２号')).toBe('138*****0002 住海港路*号');
    expect(redactPersonalData('需要 10 20 斤大米')).toBe('需要 10 20 斤大米');
  });

  it('a registered name typed with a space inside, and a short registered address, are masked in free text as in the register', () => {
    const known: KnownPersonalData = { names: ['李四'], idNumbers: [], phones: [], addresses: ['海港路2号'] };
    expect(personalDataIn('见到李 四', known)).toEqual(['name']);
    expect(redactPersonalData('见到李 四和李　四，住海港路２号', known)).toBe('见到李*和李*，住海港路****');
    expect(redactPersonalData('住海港路2号', known)).toBe(`住${maskAddress('海港路2号')}`);
    expect(householdBriefFor('village_staff', { headName: '李四', address: '海港路2号' })).toEqual({ headName: '李*', address: '海港路****' });
  });

  it('redacts the way the register masks', () => {
    const text = '张秀兰，身份证371002195001010017，电话13800001234，住威海市环翠区海港路12号3单元101室';
    const out = redactPersonalData(text, KNOWN);
    for (const secret of ['张秀兰', '371002195001010017', '13800001234', '海港路12号', '101室']) expect(out).not.toContain(secret);
    expect(out).toContain('张**');
    expect(out).toContain('3710**********0017');
    expect(out).toContain('138****1234');
  });
});

const BELOW_TOWN: Role[] = ['grid_worker', 'party_member', 'village_staff'];
const TOWN_AND_ABOVE: Role[] = ['town_staff', 'town_supervisor', 'district_staff', 'city_monitor', 'admin'];

const HOUSEHOLD: Household = {
  id: 'hh-0123456789ab',
  headName: '张秀兰',
  headIdNumber: '371002195001010017',
  members: [{ name: '李明', idNumber: '37100220000229001X', relation: '孙子' }],
  address: '威海市环翠区海港路12号3单元101室',
  phone: '13800001234',
  unitCode: '371002001001',
  villageCode: '371002001001',
  orgPath: ['371000', '371002', '371002001', '371002001001'],
  categories: ['minimum_subsistence'],
  createdAt: '2026-05-11T02:00:00.000Z',
  createdBy: 'grid.li',
};

describe('who sees personal data', () => {
  it('every role below town level sees it masked, town level and above in full', () => {
    expect([...BELOW_TOWN, ...TOWN_AND_ABOVE].sort()).toEqual([...ROLES].sort());
    for (const role of BELOW_TOWN) expect(seesPersonalData(role)).toBe(false);
    for (const role of TOWN_AND_ABOVE) expect(seesPersonalData(role)).toBe(true);
  });
});

describe('per-role views', () => {
  it('a household: every personal field masked below town level, the rest as registered', () => {
    expect(householdFor('town_staff', HOUSEHOLD)).toBe(HOUSEHOLD);
    expect(householdFor('village_staff', HOUSEHOLD)).toEqual({
      ...HOUSEHOLD,
      headName: '张**',
      headIdNumber: '3710**********0017',
      members: [{ name: '李*', idNumber: '3710**********001X', relation: '孙子' }],
      address: '威海市环翠区****',
      phone: '138****1234',
    });
  });

  it('a case row’s household brief: name and address masked below town level; none stays none', () => {
    const brief = { headName: HOUSEHOLD.headName, address: HOUSEHOLD.address };
    expect(householdBriefFor('grid_worker', brief)).toEqual({ headName: '张**', address: '威海市环翠区****' });
    expect(householdBriefFor('district_staff', brief)).toBe(brief);
    expect(householdBriefFor('grid_worker', null)).toBeNull();
  });

  it('a case view of any kind: free text redacted against the household below town level, department records’ ID numbers masked; the same function for every kind', () => {
    const known = knownPersonalDataOf(HOUSEHOLD);
    const application = {
      caseId: 'ap-1',
      householdId: 'hh-1',
      stage: 'investigation',
      submittedAt: '2026-11-29T02:00:00.000Z',
      investigations: [{ investigators: ['王调查', '赵调查'], findings: '张秀兰与孙子李明同住，电话13800001234', visitedAt: '2026-11-29T02:00:00.000Z' }],
      verification: { answers: [{ department: 'hrss', status: 'answered', records: [{ idNumber: '371002195001010017', kind: 'pension', description: '养老金', monthlyIncome: 1200 }] }, { department: 'banks', status: 'missing', reason: 'no extract' }] },
      notices: [{ objections: [{ text: '李明有车', from: '李明的邻居', at: 'x' }] }],
    };
    expect(caseViewFor('village_staff', application, known)).toEqual({
      ...application,
      investigations: [{ investigators: ['王调查', '赵调查'], findings: '张**与孙子李*同住，电话138****1234', visitedAt: '2026-11-29T02:00:00.000Z' }],
      verification: { answers: [{ department: 'hrss', status: 'answered', records: [{ idNumber: '3710**********0017', kind: 'pension', description: '养老金', monthlyIncome: 1200 }] }, { department: 'banks', status: 'missing', reason: 'no extract' }] },
      notices: [{ objections: [{ text: '李*有车', from: '李*的邻居', at: 'x' }] }],
    });
    const wish = { caseId: 'wish-0123456789ab', householdId: 'hh-1', title: '张秀兰想要一台轮椅', description: '腿脚不便，海港路12号', fulfilment: { text: '已送达张秀兰家', photos: ['https://x/1.jpg'], at: 'x' } };
    expect(caseViewFor('party_member', wish, known)).toEqual({ ...wish, title: '张**想要一台轮椅', description: '腿脚不便，海港路**号', fulfilment: { text: '已送达张**家', photos: ['https://x/1.jpg'], at: 'x' } });
    const alert = { caseId: 'alert-1', householdId: 'hh-1', reasons: ['张秀兰突发重病'], visits: [{ visitors: ['李网格'], notes: '见到李明', visitedAt: '2026-11-29T02:00:00.000Z' }], closure: { reason: 'resolved', note: '张秀兰已出院' }, reassignments: [{ from: { code: '371002001001', name: '海港社区' }, reason: '搬家' }] };
    expect(caseViewFor('grid_worker', alert, known)).toEqual({ ...alert, reasons: ['张**突发重病'], visits: [{ visitors: ['李网格'], notes: '见到李*', visitedAt: '2026-11-29T02:00:00.000Z' }], closure: { reason: 'resolved', note: '张**已出院' } });
    // Town level and above: unchanged, whatever the kind.
    for (const view of [application, wish, alert]) expect(caseViewFor('town_staff', view, undefined)).toEqual(view);
  });

  it('an event of a case’s timeline: its data through the same masking; ids, codes and dates untouched', () => {
    const known = knownPersonalDataOf(HOUSEHOLD);
    const opened = { type: 'opened', at: 'x', data: { level: 'red', reasons: ['张秀兰摔伤'], policyVersion: 'weihai-2026' } };
    expect(caseEventFor('village_staff', opened, known)).toEqual({ ...opened, data: { ...opened.data, reasons: ['张**摔伤'] } });
    const reassigned = { type: 'reassigned', at: 'x', data: { from: '371002001001', to: '371002001002', reason: '李明搬家' } };
    expect(caseEventFor('village_staff', reassigned, known)).toEqual({ ...reassigned, data: { from: '371002001001', to: '371002001002', reason: '李*搬家' } });
    expect(caseEventFor('town_staff', reassigned, known)).toEqual(reassigned);
    const acknowledged: { type: string; at: string; data?: unknown } = { type: 'acknowledged', at: 'x' };
    expect(caseEventFor('village_staff', acknowledged, known)).toEqual({ type: 'acknowledged', at: 'x' });
  });

  it('server paths never reach anyone: replaced by a label for every role, in every free-text field', () => {
    const view = { caseId: 'ap-1', householdId: null, verification: { answers: [{ department: 'hrss', status: 'missing', reason: 'no extract for hrss (人社): neither hrss.csv nor hrss.json in /srv/jiuzhu/data/departments' }] } };
    for (const role of ROLES) {
      const shown = caseViewFor(role, view, undefined);
      expect(JSON.stringify(shown)).not.toContain('/srv/');
      expect(shown.verification.answers[0]!.reason).toBe(`no extract for hrss (人社): neither hrss.csv nor hrss.json in ${INTERNAL_REFERENCE_LABEL}`);
    }
    expect(withoutInternalReferences('bad line in C:\\data\\departments\\banks.csv')).toBe(`bad line in ${INTERNAL_REFERENCE_LABEL}`);
    expect(withoutInternalReferences('file:///var/lib/x/y.json: bad')).toBe(`${INTERNAL_REFERENCE_LABEL}: bad`);
    // Not paths: fractions, "和/或", a single segment.
    for (const text of ['1/2/3', '和/或', '/x', '材料/证明']) expect(withoutInternalReferences(text)).toBe(text);
  });

  it('dates typed into free text stay as they are below town level', () => {
    expect(redactPersonalData('2026-11-29 入户，电话13800001234')).toBe('2026-11-29 入户，电话138****1234');
  });

  it('public pages: free text redacted by pattern', () => {
    expect(publicTextFor('请联系13800001234，身份证371002195001010017')).toBe('请联系138****1234，身份证3710**********0017');
  });

  it('contacts: a report’s free-text contact and a helper’s phone, masked below town level', () => {
    expect(reportContactFor('village_staff', '李秀英 13912345678')).toBe('李** 139****5678');
    expect(reportContactFor('town_staff', '李秀英 13912345678')).toBe('李秀英 13912345678');
    expect(reportContactFor('village_staff', null)).toBeNull();
    expect(helperContactFor('party_member', '13912345678')).toBe('139****5678');
    expect(helperContactFor('town_supervisor', '13912345678')).toBe('13912345678');
  });

  it('invisible characters typed into a name or number hide neither (zero-width space, word joiner, soft hyphen, tag, braille blank)', () => {
    const known = { names: ['李秀英'], idNumbers: [], phones: [], addresses: [] } as unknown as Parameters<typeof personalDataIn>[1];
    for (const text of ['李\u200b秀英需要棉衣', '李\u2060秀英', '李\u00ad秀英', '李\u{E0020}秀英', '李\u2800秀英']) expect(personalDataIn(text, known), JSON.stringify(text)).toContain('name');
    expect(personalDataIn('电话138\u200b0000\u200b0002')).toEqual(['phone']);
    expect(redactPersonalData('电话138\u200b0000\u200b0002好')).toBe('电话138****0002好');
  });
});

describe('notice messages', () => {
  const message = '环翠区下达督办单（order-371002-alert-hh-a0480e26ac1b-20261130T001234523-k1，alert-hh-a0480e26ac1b-20261130T001234523，hh-3356565c9ef5，circular-371000-c1）电话13912345678 身份证371002195001080023';
  it('keep issue 13’s ids whole: a discovery, a pairing, a patrol, a party member', () => {
    const ids = ['discovery-10b4a2c3d6e481e8', 'pairing-hh-3356565c9ef5', 'patrol-371002001001-20261130T011000Z', 'pm-0123456789ab'];
    const text = `您上报的主动发现 ${ids[0]}已研判；帮包 ${ids[1]}；巡查 ${ids[2]}；党员 ${ids[3]}；电话13912345678`;
    for (const shown of [outboundNoticeText(text), noticeMessageFor('party_member', text)]) {
      for (const id of ids) expect(shown).toContain(id);
      expect(shown).not.toContain('13912345678');
    }
  });

  it('keep the record ids they name whole, masked or outbound, and mask what else identifies a person', () => {
    for (const text of [outboundNoticeText(message), noticeMessageFor('village_staff', message)]) {
      for (const id of ['order-371002-alert-hh-a0480e26ac1b-20261130T001234523-k1', 'alert-hh-a0480e26ac1b-20261130T001234523', 'hh-3356565c9ef5', 'circular-371000-c1']) expect(text).toContain(id);
      expect(text).not.toContain('13912345678');
      expect(text).not.toContain('371002195001080023');
    }
    expect(noticeMessageFor('town_staff', message)).toBe(message);
  });
});

describe('party members (issue 13)', () => {
  it('masks the phone below town level and shows a member publicly only with consent, name/role/branch only', async () => {
    const { partyMemberFor, publicMemberOf } = await import('../../domain/privacy');
    const m = { id: 'pm-000000000001', userId: 'pm.a', name: '王一', phone: '13912345678', role: 'member', kind: 'resident', branch: '第一党支部', unitCode: 'v', skills: [], publicConsent: true, villageCode: 'v', gridCode: null, orgPath: ['v'], status: 'active', createdAt: '', createdBy: '' } as const;
    expect(partyMemberFor('village_staff', { ...m, skills: [], orgPath: ['v'] }).phone).toBe('139****5678');
    expect(partyMemberFor('town_staff', { ...m, skills: [], orgPath: ['v'] }).phone).toBe('13912345678');
    expect(publicMemberOf(m)).toEqual({ name: '王一', role: 'member', branch: '第一党支部' });
    expect(publicMemberOf({ ...m, publicConsent: false })).toBeNull();
    expect(publicMemberOf({ ...m, status: 'inactive' })).toBeNull();
    // The second line behind the register's refusal (a record written before it): numbers masked on the public page.
    const leaked = publicMemberOf({ ...m, name: '13900000001', branch: '支部 371002196001010011 13900000001' })!;
    expect(JSON.stringify(leaked)).not.toMatch(/13900000001|371002196001010011/);
    expect(leaked.branch.startsWith('支部')).toBe(true);
  });

  it('finds the numbers a name-like field must not hold, and digits in a name', async () => {
    const { personalNumbersIn, nameHasDigit } = await import('../../domain/privacy');
    expect(personalNumbersIn('海港社区第一党支部')).toEqual([]);
    expect(personalNumbersIn('支部 371002196001010011 13900000001')).not.toEqual([]);
    expect(personalNumbersIn('支部 371002196001010011').sort()).toEqual(['id_number']);
    expect(personalNumbersIn('支部１３９００００００01')).toEqual(['phone']);
    expect(nameHasDigit('王一')).toBe(false);
    expect(nameHasDigit('王1')).toBe(true);
    expect(nameHasDigit('王１')).toBe(true);
  });
});
