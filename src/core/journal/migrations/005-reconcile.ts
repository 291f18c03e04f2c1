import type {Migration} from './index.js';

export const reconcile: Migration = {
  version: 5,
  name: 'reconcile',
  up: ``,
};
