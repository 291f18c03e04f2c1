import {ExitCode, UsageError} from '../../core/errors.js';
import type {AlertDelivery} from '../../core/alerts/index.js';
import {XarbCommand} from '../../cli/base-command.js';
import {renderTable} from '../../ui/table.js';

export interface AlertsTestResult {
  readonly deliveries: readonly AlertDelivery[];
}

export default class AlertsTest extends XarbCommand<AlertsTestResult> {
  static override demoNotice = false;
  static override summary = 'Send a test alert to every configured webhook';
  static override description = `Posts one alert of kind alert.test to each receiver in alerts.webhooks, signed like every alert
(X-Xarb-Signature: sha256=<HMAC-SHA256 of the body> when XARB_ALERTS_SECRET or the webhook's secretEnv is set),
and shows what each receiver answered. Exit codes: 0 every receiver took it, 2 no receiver is configured,
4 a receiver could not be reached or refused it. Other commands never change their exit code for an alert.`;

  static override examples = [
    '<%= config.bin %> config set alerts.webhooks \'["https://hooks.example.com/xarb"]\'',
    'XARB_ALERTS_SECRET=... <%= config.bin %> alerts test',
  ];

  async run(): Promise<AlertsTestResult> {
    await this.parse(AlertsTest);
    const ctx = await this.context();
    if ((ctx.config.alerts?.webhooks ?? []).length === 0) throw new UsageError('no alert receivers are configured', "add one: xarb config set alerts.webhooks '[\"https://hooks.example.com/xarb\"]'");
    const deliveries = await ctx.alerts.notify({kind: 'alert.test', summary: 'test alert from xarb alerts test', data: {test: true}});
    this.out(
      renderTable({
        head: ['receiver', 'result', 'status', 'attempts', 'signed'],
        rows: deliveries.map((d) => [d.url, d.ok ? 'delivered' : `failed: ${d.error}`, d.status ?? '-', d.attempts, d.signed ? 'yes' : 'no']),
        color: this.color,
      }),
    );
    if (deliveries.some((d) => !d.ok)) process.exitCode = ExitCode.venueFailed;
    return {deliveries};
  }
}
