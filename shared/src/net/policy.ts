// Turns the ALLOW_PRIVATE_TARGETS setting into the guard's allowPrivate option.
import type { AddressClass } from './address-policy.js';

export type PrivateTargets = boolean | 'loopback';

export function privateTargetPolicy(setting: PrivateTargets): boolean | ((address: AddressClass) => boolean) {
  if (setting !== 'loopback') return setting;
  return (a) => a.range === 'loopback' || a.embedded?.range === 'loopback';
}
