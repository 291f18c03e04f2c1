import {describe, expect, it} from 'vitest';
import {parseSince} from '../../src/commands/reconcile/index.js';
import {UsageError} from '../../src/core/errors.js';

const NOW = Date.parse('2024-06-10T12:00:00Z');

describe('reconcile --since', () => {
  it('takes a duration back from now', () => {
    expect(parseSince('7d', NOW)).toBe(NOW - 7 * 86_400_000);
    expect(parseSince('90m', NOW)).toBe(NOW - 90 * 60_000);
  });
  it('takes a date or an ISO time', () => {
    expect(parseSince('2024-06-01', NOW)).toBe(Date.parse('2024-06-01'));
    expect(parseSince('2024-06-10T11:00:00Z', NOW)).toBe(NOW - 3_600_000);
  });
  it('refuses garbage and the future with a usage error', () => {
    expect(() => parseSince('last week', NOW)).toThrow(UsageError);
    expect(() => parseSince('2030-01-01', NOW)).toThrow(UsageError);
  });
});
