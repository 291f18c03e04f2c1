import {PassThrough} from 'node:stream';
import {describe, expect, it} from 'vitest';
import {confirm} from '../../src/cli/base-command.js';

function terminal() {
  const input = new PassThrough();
  const output = new PassThrough();
  output.resume();
  return {input, output, terminal: true};
}

describe('confirmation prompt', () => {
  it('y confirms; anything else is no', async () => {
    const yes = terminal();
    const answer = confirm('Send?', yes);
    yes.input.write('y\r');
    expect(await answer).toBe(true);
    const no = terminal();
    const refused = confirm('Send?', no);
    no.input.write('\r');
    expect(await refused).toBe(false);
  });

  it('Ctrl-C at the prompt is a refusal, not a crash', async () => {
    const io = terminal();
    const answer = confirm('Send?', io);
    io.input.write('\u0003');
    expect(await answer).toBe(false);
  });

  it('end of input is a refusal', async () => {
    const io = {...terminal(), terminal: false};
    const answer = confirm('Send?', io);
    io.input.end();
    expect(await answer).toBe(false);
  });
});
