/**
 * Opens the market-data bus named by a source URL. Only nats:// exists today;
 * another scheme (a Kafka implementation of the port) would be chosen here.
 */
import {UsageError} from '../errors.js';
import type {MarketBus} from './port.js';

export async function openBus(url: string, options: {create?: boolean; onStatus?: (event: string) => void} = {}): Promise<MarketBus> {
  if (!/^nats:\/\//.test(url)) throw new UsageError(`unsupported market-data source ${url}`, 'use nats://host:4222');
  const {NatsBus} = await import('./nats.js');
  return NatsBus.open({url, ...options});
}
