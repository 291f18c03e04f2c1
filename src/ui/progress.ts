/**
 * A one-line progress display on stderr for work that fans out to venues:
 * "prices: 4 venues asked, 3 answered, 1 failed". Drawn only when stderr is
 * a terminal; piped output and cron get nothing. Cleared when stopped.
 */
import type {VenuePhase} from '../core/venues/progress.js';

export interface ProgressLine {
  readonly update: (venue: string, phase: VenuePhase) => void;
  readonly stop: () => void;
}

export const noProgress: ProgressLine = {update: () => undefined, stop: () => undefined};

export function venueProgressLine(label: string, stream: NodeJS.WriteStream = process.stderr): ProgressLine {
  if (!stream.isTTY) return noProgress;
  const states = new Map<string, VenuePhase>();
  let drawn = false;
  const draw = () => {
    const count = (phase: VenuePhase) => [...states.values()].filter((p) => p === phase).length;
    const failed = count('failed');
    stream.write(`\r\u001b[2K${label}: ${states.size} venue${states.size === 1 ? '' : 's'} asked, ${count('answered')} answered${failed > 0 ? `, ${failed} failed` : ''}...`);
    drawn = true;
  };
  return {
    update: (venue, phase) => {
      states.set(venue, phase);
      draw();
    },
    stop: () => {
      if (drawn) stream.write('\r\u001b[2K');
      drawn = false;
    },
  };
}
