/** The ccxt adapter: `createCcxtVenue` plus the pieces other modules and tests use. */
export {createCcxtVenue, marketsFingerprint, MARKETS_CACHE_KIND, type CcxtCredentials, type CcxtVenueDeps} from './venue.js';
export {UnknownExchangeError, hasExchangeClass} from './load.js';
export {VenueDataError, mapCcxtError, makeScrubber} from './errors.js';
export {capabilitiesReport} from './capabilities.js';
