import type {Migration} from './index.js';

export const portfolio: Migration = {
  version: 4,
  name: 'portfolio',
  up: ``,
};
