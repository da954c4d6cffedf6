// The workspace's text for the town's intake queue and an intake's check against the household register
// (web/src/screens/intakes.tsx, intake-register.tsx) (issue 14), Chinese first; the type makes both languages
// required. Beside web/src/i18n.ts rather than in it, as web/src/i18n-lifecycles.ts: only these screens' chunks
// load it, so the first load (the board, the task list, the sign-in screen) stays small (docs/benchmarks.md).

import { useApp } from './state';

type Fn<A extends unknown[] = [string]> = (...args: A) => string;

export interface IntakesMessages {
  title: string;
  intro: string;
  empty: string;
  urgent: string;
  size: Fn<[number]>;
  filedAt: Fn;
  acceptBy: Fn;
  overdue: string;
  acceptButton: Fn;
  returnButton: Fn;
  acceptRule: string;
  labourCapacity: string;
  choose: string;
  note: string;
  acceptSubmit: string;
  reason: string;
  reasonHint: string;
  returnSubmit: string;
  accepted: Fn;
  returned: Fn;
  returnedWith: Fn<[string, string]>;
  acceptedAt: Fn;
  workHere: string;
  applicant: string;
}

const INTAKES_ZH: IntakesMessages = {
  title: '申请受理',
  intro: '群众通过村(社区)二维码提交的救助申请：逾期的在前，其余按受理期限排列。材料齐备的予以受理，不齐备的一次性告知后退回。',
  empty: '没有待受理的申请。',
  urgent: '紧急',
  size: (n) => `共同生活 ${n} 人`,
  filedAt: (at) => `提交于 ${at}`,
  acceptBy: (at) => `须于 ${at}受理或退回`,
  overdue: '已逾期',
  acceptButton: (name) => `受理 ${name} 的申请`,
  returnButton: (name) => `退回 ${name} 的申请`,
  acceptRule: '受理后为申请人家庭开启救助申请；申请人未登记的，先在其村(社区)登记。（最低生活保障审核确认办法：材料齐备的，予以受理）',
  labourCapacity: '劳动能力（决定定期复核周期）',
  choose: '请选择',
  note: '备注（可不填）',
  acceptSubmit: '确认受理',
  reason: '退回理由',
  reasonHint: '申请人会在回执中看到：请一次性写明需要补齐的全部材料',
  returnSubmit: '确认退回',
  accepted: (id) => `已受理 ${id}，救助申请已开启：`,
  returned: (id) => `已退回 ${id}，申请人可在回执中看到理由。`,
  returnedWith: (at, reason) => `${at} 由镇(街道)退回：${reason}`,
  acceptedAt: (at) => `${at} 由镇(街道)受理，开启的救助申请：`,
  workHere: '到申请受理中受理或退回',
  applicant: '申请人',
};

const INTAKES_EN: IntakesMessages = {
  title: 'Application intake',
  intro: 'Applications filed through the villages’ QR codes: overdue first, then by the acceptance deadline. Accept complete ones; return the others, saying at once everything that is missing.',
  empty: 'No application awaits acceptance.',
  urgent: 'Urgent',
  size: (n) => `${n} in the household`,
  filedAt: (at) => `Filed ${at}`,
  acceptBy: (at) => `Accept or return by ${at}`,
  overdue: 'Overdue',
  acceptButton: (name) => `Accept ${name}’s application`,
  returnButton: (name) => `Return ${name}’s application`,
  acceptRule: 'Accepting opens an assistance application for the applicant’s household, registering it in its village first when it is not registered.',
  labourCapacity: 'Labour capacity (sets the re-review cycle)',
  choose: 'Choose',
  note: 'Note (optional)',
  acceptSubmit: 'Accept',
  reason: 'Reason for returning',
  reasonHint: 'The applicant reads it on their receipt: name everything that is missing, at once',
  returnSubmit: 'Return',
  accepted: (id) => `Accepted ${id}; the application is open:`,
  returned: (id) => `Returned ${id}; the applicant sees the reason on their receipt.`,
  returnedWith: (at, reason) => `Returned by the town at ${at}: ${reason}`,
  acceptedAt: (at) => `Accepted by the town at ${at}; the application opened:`,
  workHere: 'Accept or return it in Application intake',
  applicant: 'Applicant',
};

/** The intake queue's text in the language the user chose. */
export const useIntakesText = (): IntakesMessages => (useApp().lang === 'en' ? INTAKES_EN : INTAKES_ZH);

export interface IntakeRegisterMessages {
  registered: string;
  inVillage: (name: string, asHead: boolean) => string;
  elsewhere: string;
  nameMismatch: string;
  contactMismatch: (phone: boolean, address: boolean) => string;
  joins: string;
  acceptedJoined: (id: string) => string;
}

const INTAKE_REGISTER_ZH: IntakeRegisterMessages = {
  registered: '注意：该身份证号已登记。',
  inVillage: (name, asHead) => `本村(社区)住户档案中，此号码登记为${asHead ? '户主' : '家庭成员'}「${name}」。`,
  elsewhere: '此号码登记在其他村(社区)：不能在此受理，请退回并告知申请人向户籍所在地申请。',
  nameMismatch: '申请人姓名与登记的姓名不一致：可能是他人的身份证号，请先核实（可电话联系申请人），再决定受理或退回。',
  contactMismatch: (phone, address) => `申请人填写的${[phone ? '电话' : '', address ? '住址' : ''].filter(Boolean).join('和')}与该户登记的不一致：可能是他人冒用姓名和身份证号，请先核实，再决定受理或退回。`,
  joins: '受理后将并入该户已有的救助申请：',
  acceptedJoined: (id) => `已受理 ${id}，已并入该户已有的救助申请：`,
};

const INTAKE_REGISTER_EN: IntakeRegisterMessages = {
  registered: 'Note: this ID number is already registered.',
  inVillage: (name, asHead) => `In this village's register the number belongs to ${asHead ? 'the head of household' : 'a household member'} "${name}".`,
  elsewhere: 'The number is registered in another village/community: it cannot be accepted here; return it and tell the applicant where to apply.',
  nameMismatch: "The applicant's name differs from the registered name: the ID number may be someone else's. Check (call the applicant) before accepting or returning.",
  contactMismatch: (phone, address) => `The applicant's ${[phone ? 'phone' : '', address ? 'address' : ''].filter(Boolean).join(' and ')} differ from the household's registered ones: someone may be using her name and ID number. Check before accepting or returning.`,
  joins: "Accepting joins the household's open application:",
  acceptedJoined: (id) => `Accepted ${id}; joined the household's open application:`,
};

/** The register check's text in the language the user chose. */
export const useIntakeRegisterText = (): IntakeRegisterMessages => (useApp().lang === 'en' ? INTAKE_REGISTER_EN : INTAKE_REGISTER_ZH);
