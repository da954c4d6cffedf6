import { describe, it, expect } from 'vitest';
import { maskAddress, maskIdNumber, maskName, maskPhone } from '../../domain/mask.js';

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

  it('leaves addresses of 6 characters or fewer unchanged', () => {
    expect(maskAddress('威海市环翠区')).toBe('威海市环翠区');
    expect(maskAddress('威海')).toBe('威海');
    expect(maskAddress('')).toBe('');
  });

  it('does not split surrogate pairs', () => {
    expect(maskAddress('𠀀𠀀𠀀𠀀𠀀𠀀村')).toBe('𠀀𠀀𠀀𠀀𠀀𠀀****');
  });
});
