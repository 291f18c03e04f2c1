/**
 * Captured ccxt 4.5 unified structures (info fields removed), produced by the real
 * binance, kraken and okx classes parsing native answers copied from each
 * exchange's API documentation. Used by the ccxt mapper unit tests.
 */
export const binance = {
  "precisionMode": 4,
  "market": {
    "id": "BTCUSDT",
    "lowercaseId": "btcusdt",
    "symbol": "BTC/USDT",
    "base": "BTC",
    "quote": "USDT",
    "baseId": "BTC",
    "quoteId": "USDT",
    "type": "spot",
    "spot": true,
    "margin": true,
    "swap": false,
    "future": false,
    "option": false,
    "index": false,
    "active": true,
    "contract": false,
    "taker": 0.001,
    "maker": 0.001,
    "precision": {
      "amount": 0.00001,
      "price": 0.01,
      "base": 1e-8,
      "quote": 1e-8
    },
    "limits": {
      "leverage": {},
      "amount": {
        "min": 0.00001,
        "max": 9000
      },
      "price": {
        "min": 0.01,
        "max": 1000000
      },
      "cost": {
        "min": 5,
        "max": 9000000
      }
    },
    "marginModes": {
      "cross": false,
      "isolated": false
    },
    "tierBased": false,
    "percentage": true,
    "feeSide": "get",
    "stock": false
  },
  "bidsAsks": {
    "BTC/USDT": {
      "symbol": "BTC/USDT",
      "bid": 40000,
      "bidVolume": 1.5,
      "ask": 40001,
      "askVolume": 2
    }
  },
  "orderBook": {
    "symbol": "BTC/USDT",
    "bids": [
      [
        40000,
        1.5
      ],
      [
        39999,
        3
      ]
    ],
    "asks": [
      [
        40001,
        2
      ],
      [
        40002.5,
        0.5
      ]
    ],
    "nonce": 1027024
  },
  "createOrder": {
    "id": "28",
    "clientOrderId": "xarb-abc123",
    "timestamp": 1700000000123,
    "datetime": "2023-11-14T22:13:20.123Z",
    "lastTradeTimestamp": 1700000000123,
    "lastUpdateTimestamp": 1700000000123,
    "symbol": "BTC/USDT",
    "type": "market",
    "timeInForce": "GTC",
    "postOnly": false,
    "side": "buy",
    "price": 40000.6,
    "amount": 0.1,
    "cost": 4000.06,
    "average": 40000.6,
    "filled": 0.1,
    "remaining": 0,
    "status": "closed",
    "fee": {
      "currency": "BTC",
      "cost": 0.0001
    },
    "trades": [
      {
        "symbol": "BTC/USDT",
        "id": "56",
        "price": 40000,
        "amount": 0.06,
        "cost": 2400,
        "fee": {
          "currency": "BTC",
          "cost": 0.00006
        },
        "fees": [
          {
            "currency": "BTC",
            "cost": 0.00006
          }
        ]
      },
      {
        "symbol": "BTC/USDT",
        "id": "57",
        "price": 40001.5,
        "amount": 0.04,
        "cost": 1600.06,
        "fee": {
          "currency": "BTC",
          "cost": 0.00004
        },
        "fees": [
          {
            "currency": "BTC",
            "cost": 0.00004
          }
        ]
      }
    ],
    "fees": [
      {
        "currency": "BTC",
        "cost": 0.0001
      }
    ]
  },
  "balance": {
    "BTC": {
      "free": 1.5,
      "used": 0.5,
      "total": 2
    },
    "USDT": {
      "free": 1000,
      "used": 0,
      "total": 1000
    },
    "ETH": {
      "free": 0,
      "used": 0,
      "total": 0
    },
    "timestamp": 1700000000000,
    "datetime": "2023-11-14T22:13:20.000Z",
    "free": {
      "BTC": 1.5,
      "USDT": 1000,
      "ETH": 0
    },
    "used": {
      "BTC": 0.5,
      "USDT": 0,
      "ETH": 0
    },
    "total": {
      "BTC": 2,
      "USDT": 1000,
      "ETH": 0
    }
  },
  "myTrades": [
    {
      "timestamp": 1700000000000,
      "datetime": "2023-11-14T22:13:20.000Z",
      "symbol": "BTC/USDT",
      "id": "28457",
      "order": "100234",
      "side": "buy",
      "takerOrMaker": "taker",
      "price": 40000,
      "amount": 0.1,
      "cost": 4000,
      "fee": {
        "currency": "USDT",
        "cost": 4
      },
      "fees": [
        {
          "currency": "USDT",
          "cost": 4
        }
      ]
    }
  ]
} as const;

export const kraken = {
  "precisionMode": 4,
  "market": {
    "id": "XXBTZUSD",
    "symbol": "BTC/USD",
    "base": "BTC",
    "quote": "USD",
    "baseId": "BTC",
    "quoteId": "USD",
    "type": "spot",
    "spot": true,
    "margin": true,
    "swap": false,
    "future": false,
    "option": false,
    "active": true,
    "contract": false,
    "taker": 0.004,
    "maker": 0.0025,
    "precision": {
      "amount": 1e-8,
      "price": 0.1
    },
    "limits": {
      "leverage": {
        "min": 1,
        "max": 3
      },
      "amount": {
        "min": 0.0001
      },
      "price": {},
      "cost": {
        "min": 0.5
      }
    },
    "marginModes": {},
    "tierBased": true,
    "percentage": true,
    "tiers": {
      "taker": [
        [
          0,
          0.0026
        ],
        [
          50000,
          0.0024
        ],
        [
          100000,
          0.0022
        ],
        [
          250000,
          0.002
        ],
        [
          500000,
          0.0018
        ],
        [
          1000000,
          0.0016
        ],
        [
          2500000,
          0.0014
        ],
        [
          5000000,
          0.0012
        ],
        [
          10000000,
          0.0001
        ]
      ],
      "maker": [
        [
          0,
          0.0016
        ],
        [
          50000,
          0.0014
        ],
        [
          100000,
          0.0012
        ],
        [
          250000,
          0.001
        ],
        [
          500000,
          0.0008
        ],
        [
          1000000,
          0.0006
        ],
        [
          2500000,
          0.0004
        ],
        [
          5000000,
          0.0002
        ],
        [
          10000000,
          0
        ]
      ]
    },
    "wsId": "XBT/USD",
    "altname": "XBTUSD"
  },
  "currencies": {
    "BTC": {
      "id": "XXBT",
      "code": "BTC",
      "precision": 1e-10,
      "type": "crypto",
      "name": "XBT",
      "active": true,
      "fees": {},
      "networks": {},
      "limits": {
        "amount": {},
        "withdraw": {}
      }
    },
    "USD": {
      "id": "ZUSD",
      "code": "USD",
      "precision": 0.0001,
      "type": "crypto",
      "name": "ZUSD",
      "active": true,
      "fees": {},
      "networks": {},
      "limits": {
        "amount": {},
        "withdraw": {}
      }
    }
  },
  "tickers": {
    "BTC/USD": {
      "symbol": "BTC/USD",
      "high": 41000,
      "low": 39000,
      "bid": 40000,
      "bidVolume": 2,
      "ask": 40001,
      "askVolume": 1,
      "vwap": 40000,
      "open": 39500,
      "close": 40000.5,
      "last": 40000.5,
      "change": 500.5,
      "percentage": 1.2670886075949368,
      "average": 39750.2,
      "baseVolume": 200,
      "quoteVolume": 8000000
    }
  },
  "orderBook": {
    "symbol": "BTC/USD",
    "bids": [
      [
        40000,
        2,
        1700000001
      ]
    ],
    "asks": [
      [
        40001,
        1,
        1700000000
      ],
      [
        40003,
        4,
        1700000000
      ]
    ]
  },
  "createOrder": {
    "id": "OUF4EM-FRGI2-MQMWZD",
    "symbol": "BTC/USD",
    "type": "market",
    "timeInForce": "IOC",
    "postOnly": false,
    "side": "buy",
    "amount": 0.1,
    "trades": [],
    "fees": []
  },
  "fetchOrder": {
    "id": "OUF4EM-FRGI2-MQMWZD",
    "clientOrderId": "xarb-abc123",
    "timestamp": 1700000000123,
    "datetime": "2023-11-14T22:13:20.123Z",
    "lastUpdateTimestamp": 1700000000500,
    "status": "closed",
    "symbol": "BTC/USD",
    "type": "market",
    "timeInForce": "IOC",
    "postOnly": false,
    "side": "buy",
    "price": 40000,
    "cost": 4000,
    "amount": 0.1,
    "filled": 0.1,
    "average": 40000,
    "remaining": 0,
    "fee": {
      "cost": "10.40000",
      "currency": "USD"
    },
    "trades": [
      {
        "id": "TCCCTY-WE2O6-P3NB37",
        "orderId": "OUF4EM-FRGI2-MQMWZD",
        "symbol": "BTC/USD",
        "fee": {},
        "fees": []
      }
    ],
    "fees": [
      {
        "cost": 10.4,
        "currency": "USD"
      }
    ]
  },
  "balance": {
    "BTC": {
      "free": 1,
      "used": 0.5,
      "total": 1.5
    },
    "USD": {
      "free": 1000,
      "used": 0,
      "total": 1000
    },
    "free": {
      "BTC": 1,
      "USD": 1000
    },
    "used": {
      "BTC": 0.5,
      "USD": 0
    },
    "total": {
      "BTC": 1.5,
      "USD": 1000
    }
  }
} as const;

export const okx = {
  "precisionMode": 4,
  "market": {
    "id": "BTC-USDT",
    "symbol": "BTC/USDT",
    "base": "BTC",
    "quote": "USDT",
    "baseId": "BTC",
    "quoteId": "USDT",
    "type": "spot",
    "spot": true,
    "margin": true,
    "swap": false,
    "future": false,
    "option": false,
    "active": true,
    "contract": false,
    "taker": 0.0015,
    "maker": 0.001,
    "precision": {
      "amount": 1e-8,
      "price": 0.1
    },
    "limits": {
      "leverage": {
        "min": 1,
        "max": 10
      },
      "amount": {
        "min": 0.00001,
        "max": 9999999999
      },
      "price": {},
      "cost": {}
    },
    "marginModes": {},
    "created": 1606468572000
  },
  "swapMarket": {
    "id": "BTC-USDT-SWAP",
    "symbol": "BTC/USDT:USDT",
    "base": "BTC",
    "quote": "USDT",
    "settle": "USDT",
    "baseId": "BTC",
    "quoteId": "USDT",
    "settleId": "USDT",
    "type": "swap",
    "spot": false,
    "margin": false,
    "swap": true,
    "future": false,
    "option": false,
    "active": true,
    "contract": true,
    "linear": true,
    "inverse": false,
    "subType": "linear",
    "taker": 0.0005,
    "maker": 0.0002,
    "contractSize": 0.01,
    "precision": {
      "amount": 1,
      "price": 0.1
    },
    "limits": {
      "leverage": {
        "min": 1,
        "max": 100
      },
      "amount": {
        "min": 1,
        "max": 100000000
      },
      "price": {},
      "cost": {}
    },
    "marginModes": {},
    "created": 1611916828000
  },
  "ticker": {
    "symbol": "BTC/USDT",
    "timestamp": 1700000000000,
    "datetime": "2023-11-14T22:13:20.000Z",
    "high": 41000,
    "low": 38000,
    "bid": 40000,
    "bidVolume": 1.5,
    "ask": 40001,
    "askVolume": 2,
    "vwap": 10,
    "open": 39000,
    "close": 40000.5,
    "last": 40000.5,
    "change": 1000.5,
    "percentage": 2.565384615384615,
    "average": 39500.2,
    "baseVolume": 100,
    "quoteVolume": 1000
  },
  "fetchOrder": {
    "id": "312269865356374016",
    "clientOrderId": "xarbabc123",
    "timestamp": 1700000000000,
    "datetime": "2023-11-14T22:13:20.000Z",
    "lastTradeTimestamp": 1700000000100,
    "lastUpdateTimestamp": 1700000000100,
    "symbol": "BTC/USDT",
    "type": "market",
    "timeInForce": "IOC",
    "side": "buy",
    "price": 40000,
    "average": 40000,
    "cost": 4000,
    "amount": 0.1,
    "filled": 0.1,
    "remaining": 0,
    "status": "closed",
    "fee": {
      "cost": 0.0001,
      "currency": "BTC"
    },
    "trades": [],
    "reduceOnly": false,
    "fees": [
      {
        "cost": 0.0001,
        "currency": "BTC"
      }
    ]
  },
  "positions": [
    {
      "id": "307173036051017730",
      "symbol": "BTC/USDT:USDT",
      "notional": 802,
      "marginMode": "cross",
      "liquidationPrice": 60000,
      "entryPrice": 40000,
      "unrealizedPnl": -2,
      "percentage": -2.5,
      "contracts": 2,
      "contractSize": 0.01,
      "markPrice": 40100,
      "side": "short",
      "hedged": false,
      "timestamp": 1700000000000,
      "datetime": "2023-11-14T22:13:20.000Z",
      "lastUpdateTimestamp": 1700000000000,
      "maintenanceMargin": 1,
      "maintenanceMarginPercentage": 0.0012,
      "collateral": 78,
      "initialMargin": 80,
      "initialMarginPercentage": 0.0997,
      "leverage": 10,
      "marginRatio": 0.0128
    }
  ]
} as const;
