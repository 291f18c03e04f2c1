import type {Migration} from './index.js';

export const arb: Migration = {
  version: 3,
  name: 'arb',
  up: ``,
};
