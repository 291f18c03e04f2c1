import {describe, expect, it} from 'vitest';
import {csvCell, csvLine, jsonLine} from '../../src/ui/csv.js';

describe('CSV and JSON Lines cells', () => {
  it('quotes commas, quotes and line breaks (RFC 4180); empty for null', () => {
    expect(csvLine(['a', 'b,c', 'say "hi"', 'two\nlines', null])).toBe('a,"b,c","say ""hi""","two\nlines",\r\n');
  });

  it('numbers stay as written, negative ones included; formula-like text is neutralised', () => {
    expect(csvCell('-0.638')).toBe('-0.638');
    expect(csvCell('+1e-8')).toBe('+1e-8');
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('-lot')).toBe("'-lot");
  });

  it('JSON lines keep the column order and turn missing values into null', () => {
    expect(jsonLine(['b', 'a', 'c'], {a: '1', b: '2'})).toBe('{"b":"2","a":"1","c":null}\n');
  });
});
