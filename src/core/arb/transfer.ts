/**
 * Transfer cost of a cross-venue trade: after buying on one venue the asset
 * has to move to the other to close the loop, paying the buy venue's
 * withdrawal fee. The cheapest network the buy venue can withdraw on and the
 * sell venue can deposit on is used; when the two venues name no common
 * network (names differ between venues: ERC20 vs ETH) the buy venue's
 * cheapest withdrawable network is used. undefined when the buy venue
 * publishes no withdrawal fee for the asset. Pure.
 */
import type {Currency} from '../types.js';
import type {TransferCost} from './types.js';

export function transferCost(
  asset: string,
  buyCurrencies: ReadonlyMap<string, Currency> | undefined,
  sellCurrencies: ReadonlyMap<string, Currency> | undefined,
  valuePrice: number,
): TransferCost | undefined {
  const from = buyCurrencies?.get(asset);
  if (!from) return undefined;
  const withdrawable = from.networks.filter((n) => n.withdrawEnabled && n.withdrawFee !== undefined && Number.isFinite(n.withdrawFee) && n.withdrawFee >= 0);
  if (withdrawable.length === 0) return undefined;
  const to = sellCurrencies?.get(asset);
  const depositable = new Set((to?.networks ?? []).filter((n) => n.depositEnabled).map((n) => n.network.toUpperCase()));
  const common = withdrawable.filter((n) => depositable.has(n.network.toUpperCase()));
  const pool = common.length > 0 ? common : withdrawable;
  let best = pool[0]!;
  for (const n of pool) if (n.withdrawFee! < best.withdrawFee!) best = n;
  return {asset, network: best.network, fee: best.withdrawFee!, cost: best.withdrawFee! * valuePrice};
}
