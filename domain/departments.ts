// The departments an application's economic verification (家庭经济状况核对) asks, by code. Data only, no
// imports: the workspace's text names them from here without loading the verification's schemas.

/** The departments an application's economic verification fans out to, code → name. */
export const DEPARTMENTS = {
  civil_affairs: '民政',
  hrss: '人社',
  medical_insurance: '医保',
  housing_fund: '住房公积金',
  /** Vehicle registrations, held by the traffic police (公安交管). */
  vehicles: '车辆',
  real_estate: '不动产登记',
  market_regulation: '市场监管',
  banks: '银行',
} as const;
