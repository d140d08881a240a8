// Docker Hub's pull allowance in words for the Disk view's tile: how many pulls are left of how many,
// whose allowance it is and over which window.
import type { Allowance } from '../../app/contract/values.js';
import { allowanceTerms } from '../../app/shell/notices.js';

export function allowanceTile(a: Allowance): { label: string; value: string; detail: string; title: string } {
  const { whose, hours } = allowanceTerms(a);
  return {
    label: 'Docker Hub pulls',
    value: `${a.remaining.toLocaleString('en-US')} of ${a.limit.toLocaleString('en-US')} left`,
    detail: `${whose}, per ${hours} h`,
    title:
      'What Docker Hub still allows before it refuses new pulls (read with a request that does not count). ' +
      'Pulls the cache serves do not count.',
  };
}
