import type {Migration} from './index.js';

export const rebalance: Migration = {
  version: 6,
  name: 'rebalance',
  up: ``,
};
