/**
 * A ready-made scenario: binance (USDT quotes), kraken (USD, XBT naming) and
 * okx (USDT, passphrase), each with a funded test account, books ten levels
 * deep, currencies with networks and withdrawal fees, and deposit addresses.
 * Tests copy and adjust it; the keys are fake and only valid here.
 */
import type {BookScenario, CurrencyScenario, LoopbackScenario, VenueScenario} from './types.js';
import type {Level} from '../../../src/core/types.js';

export const TEST_ACCOUNTS = {
  binance: {apiKey: 'loopback-binance-key', secret: 'loopback-binance-secret'},
  // kraken secrets are base64
  kraken: {apiKey: 'loopback-kraken-key', secret: Buffer.from('loopback-kraken-secret-0123456789').toString('base64')},
  okx: {apiKey: 'loopback-okx-key', secret: 'loopback-okx-secret', passphrase: 'loopback-okx-pass'},
  // coinbase legacy HMAC key (a PEM EC secret makes it a CDP key signing JWTs)
  coinbase: {apiKey: 'loopback-coinbase-key', secret: 'loopback-coinbase-secret'},
  bybit: {apiKey: 'loopback-bybit-key', secret: 'loopback-bybit-secret'},
  bitget: {apiKey: 'loopback-bitget-key', secret: 'loopback-bitget-secret', passphrase: 'loopback-bitget-pass'},
  gate: {apiKey: 'loopback-gate-key', secret: 'loopback-gate-secret'},
} as const;

/** A book of `depth` levels each side around `mid`, `tick` apart, sizes growing away from the top. */
export function ladder(mid: number, tick: number, size: number, depth = 10): BookScenario {
  const round = (x: number) => Number(x.toFixed(10));
  const bids: Level[] = [];
  const asks: Level[] = [];
  for (let i = 0; i < depth; i++) {
    bids.push([round(mid - tick * (i + 1)), round(size * (1 + i / 2))]);
    asks.push([round(mid + tick * (i + 1)), round(size * (1 + i / 2))]);
  }
  return {bids, asks};
}

const currencies: CurrencyScenario[] = [
  {code: 'BTC', name: 'Bitcoin', decimals: 8, networks: [{network: 'BTC', withdrawFee: '0.0002', withdrawMin: '0.001'}]},
  {
    code: 'ETH',
    name: 'Ethereum',
    decimals: 8,
    networks: [{network: 'ERC20', withdrawFee: '0.002', withdrawMin: '0.01'}],
  },
  {
    code: 'USDT',
    name: 'Tether',
    decimals: 6,
    networks: [
      {network: 'ERC20', withdrawFee: '5', withdrawMin: '10', isDefault: true},
      {network: 'TRC20', withdrawFee: '1', withdrawMin: '10'},
    ],
  },
  {code: 'USD', name: 'US Dollar', decimals: 4, networks: []},
];

export function defaultScenario(): LoopbackScenario {
  return {
    venues: {
      binance: {
        markets: [
          {symbol: 'BTC/USDT', amountStep: '0.00001', priceStep: '0.01', minAmount: '0.00001', minCost: '5', taker: '0.001', maker: '0.001'},
          {symbol: 'ETH/USDT', amountStep: '0.0001', priceStep: '0.01', minAmount: '0.0001', minCost: '5', taker: '0.001', maker: '0.001'},
          {symbol: 'ETH/BTC', amountStep: '0.0001', priceStep: '0.00001', minAmount: '0.0001', minCost: '0.0001', taker: '0.001', maker: '0.001'},
        ],
        currencies,
        books: {
          'BTC/USDT': ladder(60_000, 0.5, 0.5),
          'ETH/USDT': ladder(3_000, 0.05, 5),
          'ETH/BTC': ladder(0.05, 0.00001, 5),
        },
        accounts: [
          {
            ...TEST_ACCOUNTS.binance,
            balances: {BTC: '2', ETH: '20', USDT: '100000'},
            depositAddresses: {
              BTC: {address: 'bc1qloopbackbinancebtc0000000000000000'},
              USDT: [
                {address: '0xb1a0000000000000000000000000000000000001', network: 'ERC20'},
                {address: 'TLoopbackBinanceTrc20Address000001', network: 'TRC20'},
              ],
            },
          },
        ],
      },
      kraken: {
        markets: [
          {symbol: 'BTC/USD', amountStep: '0.00000001', priceStep: '0.1', minAmount: '0.0001', minCost: '0.5', taker: '0.0026', maker: '0.0016'},
          {symbol: 'ETH/USD', amountStep: '0.00000001', priceStep: '0.01', minAmount: '0.002', minCost: '0.5', taker: '0.0026', maker: '0.0016'},
          {symbol: 'BTC/USDT', amountStep: '0.00000001', priceStep: '0.1', minAmount: '0.0001', minCost: '0.5', taker: '0.0026', maker: '0.0016'},
        ],
        currencies,
        books: {
          'BTC/USD': ladder(60_010, 0.5, 0.4),
          'ETH/USD': ladder(3_001, 0.05, 4),
          'BTC/USDT': ladder(60_020, 0.5, 0.3),
        },
        accounts: [
          {
            ...TEST_ACCOUNTS.kraken,
            balances: {BTC: '1.5', ETH: '10', USD: '50000', USDT: '20000'},
            depositAddresses: {
              BTC: {address: 'bc1qloopbackkrakenbtc00000000000000000'},
              USDT: {address: '0xc1a0000000000000000000000000000000000002', network: 'ERC20'},
            },
            withdrawKeys: {'my-btc': 'bc1qloopbackbinancebtc0000000000000000', 'my-usdt': '0xb1a0000000000000000000000000000000000001'},
          },
        ],
      },
      okx: {
        markets: [
          {symbol: 'BTC/USDT', amountStep: '0.00000001', priceStep: '0.1', minAmount: '0.00001', taker: '0.0015', maker: '0.001'},
          {symbol: 'ETH/USDT', amountStep: '0.000001', priceStep: '0.01', minAmount: '0.0001', taker: '0.0015', maker: '0.001'},
          {symbol: 'ETH/BTC', amountStep: '0.000001', priceStep: '0.00001', minAmount: '0.0001', taker: '0.0015', maker: '0.001'},
        ],
        currencies,
        books: {
          'BTC/USDT': ladder(59_995, 0.5, 0.6),
          'ETH/USDT': ladder(2_999.5, 0.05, 6),
          'ETH/BTC': ladder(0.05001, 0.00001, 6),
        },
        accounts: [
          {
            ...TEST_ACCOUNTS.okx,
            balances: {BTC: '1', ETH: '15', USDT: '80000'},
            depositAddresses: {
              BTC: {address: 'bc1qloopbackokxbtc000000000000000000000'},
              USDT: [
                {address: '0x0c10000000000000000000000000000000000003', network: 'ERC20'},
                {address: 'TLoopbackOkxTrc20Address00000000003', network: 'TRC20'},
              ],
            },
          },
        ],
      },
    },
  };
}

/** coinbase Advanced Trade: USD quotes (and BTC-USDT), fees in quote, taker 0.6%. */
export function coinbaseVenue(): VenueScenario {
  return {
    markets: [
      {symbol: 'BTC/USD', amountStep: '0.00000001', priceStep: '0.01', minAmount: '0.00000001', minCost: '1', taker: '0.006', maker: '0.004'},
      {symbol: 'ETH/USD', amountStep: '0.00000001', priceStep: '0.01', minAmount: '0.00000001', minCost: '1', taker: '0.006', maker: '0.004'},
      {symbol: 'BTC/USDT', amountStep: '0.00000001', priceStep: '0.01', minAmount: '0.00000001', minCost: '1', taker: '0.006', maker: '0.004'},
      {symbol: 'ETH/BTC', amountStep: '0.00000001', priceStep: '0.00001', minAmount: '0.00000001', minCost: '0.00001', taker: '0.006', maker: '0.004'},
    ],
    currencies,
    books: {
      'BTC/USD': ladder(60_005, 0.5, 0.4),
      'ETH/USD': ladder(3_000.5, 0.05, 4),
      'BTC/USDT': ladder(60_015, 0.5, 0.3),
      'ETH/BTC': ladder(0.05002, 0.00001, 4),
    },
    accounts: [{...TEST_ACCOUNTS.coinbase, balances: {BTC: '1', ETH: '10', USD: '50000', USDT: '20000'}}],
  };
}

/** bybit v5 unified account, spot: USDT quotes, fees in the asset received. */
export function bybitVenue(): VenueScenario {
  return {
    markets: [
      {symbol: 'BTC/USDT', amountStep: '0.000001', priceStep: '0.01', minAmount: '0.000048', minCost: '1', taker: '0.001', maker: '0.001'},
      {symbol: 'ETH/USDT', amountStep: '0.00001', priceStep: '0.01', minAmount: '0.00062', minCost: '1', taker: '0.001', maker: '0.001'},
      {symbol: 'ETH/BTC', amountStep: '0.00001', priceStep: '0.000001', minAmount: '0.0001', minCost: '0.000001', taker: '0.001', maker: '0.001'},
    ],
    currencies,
    books: {
      'BTC/USDT': ladder(59_990, 0.5, 0.5),
      'ETH/USDT': ladder(2_999, 0.05, 5),
      'ETH/BTC': ladder(0.04999, 0.000001, 5),
    },
    accounts: [{...TEST_ACCOUNTS.bybit, balances: {BTC: '1', ETH: '10', USDT: '60000'}}],
  };
}

/** bitget spot: decimal-place precisions, a 1 USDT minimum order value. */
export function bitgetVenue(): VenueScenario {
  return {
    markets: [
      {symbol: 'BTC/USDT', amountStep: '0.000001', priceStep: '0.01', minAmount: '0.000001', minCost: '1', taker: '0.001', maker: '0.001'},
      {symbol: 'ETH/USDT', amountStep: '0.0001', priceStep: '0.01', minAmount: '0.0001', minCost: '1', taker: '0.001', maker: '0.001'},
      {symbol: 'ETH/BTC', amountStep: '0.0001', priceStep: '0.000001', minAmount: '0.0001', taker: '0.001', maker: '0.001'},
    ],
    currencies,
    books: {
      'BTC/USDT': ladder(60_003, 0.5, 0.4),
      'ETH/USDT': ladder(3_000.5, 0.05, 4),
      'ETH/BTC': ladder(0.05, 0.00001, 4),
    },
    accounts: [
      {
        ...TEST_ACCOUNTS.bitget,
        balances: {BTC: '1.2', ETH: '12', USDT: '70000'},
        depositAddresses: {
          BTC: {address: 'bc1qloopbackbitgetbtc00000000000000000'},
          USDT: {address: '0xb17e000000000000000000000000000000000004', network: 'ERC20'},
        },
      },
    ],
  };
}

/** gate spot: fee published as a percent (taker = maker), 3 USDT minimum order value. */
export function gateVenue(): VenueScenario {
  return {
    markets: [
      {symbol: 'BTC/USDT', amountStep: '0.000001', priceStep: '0.1', minAmount: '0.00001', minCost: '3', taker: '0.002', maker: '0.002'},
      {symbol: 'ETH/USDT', amountStep: '0.0001', priceStep: '0.01', minAmount: '0.001', minCost: '3', taker: '0.002', maker: '0.002'},
      {symbol: 'ETH/BTC', amountStep: '0.0001', priceStep: '0.00001', minAmount: '0.001', minCost: '0.0001', taker: '0.002', maker: '0.002'},
    ],
    currencies,
    books: {
      'BTC/USDT': ladder(59_998, 0.5, 0.45),
      'ETH/USDT': ladder(2_999.6, 0.05, 4.5),
      'ETH/BTC': ladder(0.05002, 0.00001, 4.5),
    },
    accounts: [
      {
        ...TEST_ACCOUNTS.gate,
        balances: {BTC: '1.1', ETH: '11', USDT: '60000'},
        depositAddresses: {
          BTC: {address: 'bc1qloopbackgatebtc0000000000000000000'},
          USDT: {address: '0x9a7e000000000000000000000000000000000005', network: 'ERC20'},
        },
      },
    ],
  };
}

/** Venues beyond the default three, by name; `allVenuesScenario()` serves them all. */
export const MORE_VENUES: Readonly<Record<string, () => VenueScenario>> = {coinbase: coinbaseVenue, bybit: bybitVenue, bitget: bitgetVenue, gate: gateVenue};

export function allVenuesScenario(): LoopbackScenario {
  const more = Object.fromEntries(Object.entries(MORE_VENUES).map(([name, venue]) => [name, venue()]));
  return {venues: {...defaultScenario().venues, ...more}};
}
