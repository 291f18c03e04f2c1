/**
 * The loopback venue state on its own (no HTTP), with hand-computed cases:
 * taker fills, resting remainders and their locks, fee currencies, refusals
 * that change nothing, client-id uniqueness among open orders, withdrawals.
 */
import {describe, expect, it} from 'vitest';
import {VenueState, type VenuePolicy} from '../support/loopback/state.js';
import type {VenueScenario} from '../support/loopback/types.js';

const ids = {orderId: (n: number) => `o${n}`, tradeId: (n: number) => `t${n}`, transferId: (n: number) => `w${n}`, txid: (n: number) => `tx${n}`};
const received: VenuePolicy = {feeCurrency: 'received', withdrawFeeOnTop: false, ...ids};
const quoteFees: VenuePolicy = {feeCurrency: 'quote', withdrawFeeOnTop: true, ...ids};

function venue(policy: VenuePolicy): VenueState {
  const scenario: VenueScenario = {
    markets: [{symbol: 'BTC/USD', amountStep: '0.1', priceStep: '0.5', minAmount: '0.1', minCost: '10', taker: '0.001', maker: '0.0005'}],
    currencies: [{code: 'BTC', networks: [{network: 'BTC', withdrawFee: '0.01', withdrawMin: '0.1'}]}],
    books: {'BTC/USD': {bids: [[99, 1], [98, 2]], asks: [[100, 1], [101, 2]]}},
    accounts: [{apiKey: 'k', secret: 's', balances: {BTC: '5', USD: '1000'}}],
  };
  return new VenueState('test', scenario, policy, () => 1_000);
}

const bal = (v: VenueState, asset: string) => v.balance(v.account('k'), asset);

describe('VenueState', () => {
  it('a crossing limit buy takes what crosses and rests the rest, locking its cost', () => {
    const v = venue(received);
    const r = v.placeOrder('k', {symbol: 'BTC/USD', side: 'buy', type: 'limit', amount: '3', price: '100.5', clientOrderId: 'a'});
    expect(r.ok).toBe(true);
    const order = r.ok ? r.value : undefined;
    expect(order).toMatchObject({status: 'open', filled: '1', cost: '100', fee: '0.001', feeCurrency: 'BTC', locked: '201'});
    expect(bal(v, 'USD')).toEqual({free: '699', locked: '201'});
    expect(bal(v, 'BTC')).toEqual({free: '5.999', locked: '0'});
    expect(v.book('BTC/USD').asks).toEqual([[101, 2]]);
    // the book moves through the resting price: maker fill at 100.5, lock released
    v.setBook('BTC/USD', {bids: [[99, 1]], asks: [[100, 5]]});
    expect(order).toMatchObject({status: 'filled', filled: '3', cost: '301', fee: '0.002', locked: '0'});
    expect(bal(v, 'USD')).toEqual({free: '699', locked: '0'});
    expect(bal(v, 'BTC').free).toBe('7.998');
    expect(v.book('BTC/USD').asks).toEqual([[100, 3]]);
  });

  it('with quote fees a sell pays its fee out of the proceeds, and a resting buy holds the maker fee too', () => {
    const v = venue(quoteFees);
    const sell = v.placeOrder('k', {symbol: 'BTC/USD', side: 'sell', type: 'market', amount: '1.5'});
    expect(sell.ok && sell.value).toMatchObject({status: 'filled', cost: '148', fee: '0.148', feeCurrency: 'USD'});
    expect(bal(v, 'USD').free).toBe('1147.852');
    const buy = v.placeOrder('k', {symbol: 'BTC/USD', side: 'buy', type: 'limit', amount: '1', price: '90'});
    expect(buy.ok && buy.value.locked).toBe('90.045');
    expect(v.cancelOrder('k', {id: buy.ok ? buy.value.id : ''})?.status).toBe('canceled');
    expect(bal(v, 'USD')).toEqual({free: '1147.852', locked: '0'});
  });

  it('a market order larger than the book fills what there is and expires the rest', () => {
    const v = venue(received);
    const r = v.placeOrder('k', {symbol: 'BTC/USD', side: 'sell', type: 'market', amount: '4'});
    expect(r.ok && r.value).toMatchObject({status: 'expired', filled: '3', cost: '295'});
    expect(v.book('BTC/USD').bids).toEqual([]);
  });

  it('refusals change nothing', () => {
    const v = venue(received);
    const before = JSON.stringify([v.book('BTC/USD'), [...v.account('k').balances]]);
    expect(v.placeOrder('k', {symbol: 'BTC/USD', side: 'buy', type: 'limit', amount: '20', price: '100'})).toEqual({ok: false, error: 'insufficient_funds'});
    expect(v.placeOrder('k', {symbol: 'BTC/USD', side: 'buy', type: 'limit', amount: '0.15', price: '100'})).toEqual({ok: false, error: 'lot_size'});
    expect(v.placeOrder('k', {symbol: 'BTC/USD', side: 'buy', type: 'limit', amount: '1', price: '100.2'})).toEqual({ok: false, error: 'price_filter'});
    expect(v.placeOrder('k', {symbol: 'BTC/USD', side: 'buy', type: 'limit', amount: '0.1', price: '50'})).toEqual({ok: false, error: 'min_cost'});
    expect(v.placeOrder('k', {symbol: 'ETH/USD', side: 'buy', type: 'market', amount: '1'})).toEqual({ok: false, error: 'unknown_symbol'});
    expect(JSON.stringify([v.book('BTC/USD'), [...v.account('k').balances]])).toBe(before);
    expect(v.account('k').orders).toEqual([]);
  });

  it('client ids are unique among open orders only, and lookups find the newest', () => {
    const v = venue(received);
    expect(v.placeOrder('k', {symbol: 'BTC/USD', side: 'buy', type: 'limit', amount: '1', price: '90', clientOrderId: 'c'}).ok).toBe(true);
    expect(v.placeOrder('k', {symbol: 'BTC/USD', side: 'buy', type: 'limit', amount: '1', price: '90', clientOrderId: 'c'})).toEqual({ok: false, error: 'duplicate_client_order_id'});
    v.cancelOrder('k', {clientOrderId: 'c'});
    const again = v.placeOrder('k', {symbol: 'BTC/USD', side: 'buy', type: 'limit', amount: '1', price: '90', clientOrderId: 'c'});
    expect(again.ok).toBe(true);
    expect(v.findOrder('k', {clientOrderId: 'c'})?.id).toBe(again.ok ? again.value.id : undefined);
  });

  it('withdrawals check minimums and balances; the fee is inside the amount or on top, per venue', () => {
    const inside = venue(received);
    expect(inside.withdraw('k', {asset: 'BTC', amount: '0.05', address: 'a'})).toEqual({ok: false, error: 'below_minimum'});
    const w = inside.withdraw('k', {asset: 'BTC', amount: '1', address: 'a'});
    expect(w.ok && [w.value.fee, inside.received(w.value)]).toEqual(['0.01', '0.99']);
    expect(bal(inside, 'BTC').free).toBe('4');
    const onTop = venue(quoteFees);
    expect(onTop.withdraw('k', {asset: 'BTC', amount: '5', address: 'a'})).toEqual({ok: false, error: 'insufficient_funds'});
    const w2 = onTop.withdraw('k', {asset: 'BTC', amount: '1', address: 'a'});
    expect(w2.ok && onTop.received(w2.value)).toBe('1');
    expect(bal(onTop, 'BTC').free).toBe('3.99');
  });
});
