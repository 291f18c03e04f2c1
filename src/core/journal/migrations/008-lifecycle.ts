import type {Migration} from './index.js';

/**
 * The journal's own lifecycle.
 *
 * - locks.lease_until: a holder renews its lease while it works; a row whose
 *   lease has run out can be taken over from any host (a killed container
 *   comes back with a new hostname). Rows from before this version get the
 *   default lease from the time they were taken.
 * - journal_meta: key/value facts about this journal file: its id and
 *   creation time (also recorded in config.json, so a journal that goes
 *   missing is noticed), and when retention last ran.
 */
export const lifecycle: Migration = {
  version: 8,
  name: 'lifecycle',
  up: `
    ALTER TABLE locks ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;
    UPDATE locks SET lease_until = acquired_at + 120000;

    CREATE TABLE journal_meta (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL,
      updated_at INTEGER NOT NULL
    );
  `,
};
