import { describe, expect, it } from 'vitest';
import { allowanceTile } from './allowance.js';

describe('allowanceTile', () => {
  it('says how many pulls are left of how many, whose, and over which window', () => {
    const base = { windowSeconds: 21_600, checkedAt: '' };
    expect(allowanceTile({ ...base, limit: 100, remaining: 76, as: 'anonymous' })).toMatchObject({
      label: 'Docker Hub pulls',
      value: '76 of 100 left',
      detail: 'this network, per 6 h',
    });
    expect(
      allowanceTile({ ...base, limit: 5000, remaining: 4321, as: 'account', windowSeconds: 86_400 }),
    ).toMatchObject({ value: '4,321 of 5,000 left', detail: 'your account, per 24 h' });
  });
});
