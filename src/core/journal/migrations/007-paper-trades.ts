import type {Migration} from './index.js';

/**
 * Paper trades say whether they were taker or maker fills. Before this
 * column the paper venue reported every trade as taker. Existing rows are
 * filled in from their order: a trade booked after its order was created
 * came from a later book crossing the resting order, so it was a maker fill.
 */
export const paperTrades: Migration = {
  version: 7,
  name: 'paper-trades',
  up: `
    ALTER TABLE paper_trades ADD COLUMN taker_or_maker TEXT NOT NULL DEFAULT 'taker';
    UPDATE paper_trades SET taker_or_maker = 'maker'
      WHERE ts > (SELECT o.created_at FROM paper_orders o WHERE o.venue = paper_trades.venue AND o.id = paper_trades.order_id);
  `,
};
