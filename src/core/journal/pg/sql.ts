/**
 * The journal's SQL is written once, in the dialect SQLite and PostgreSQL
 * share, with a few SQLite spellings that this module rewrites for
 * PostgreSQL when a statement is prepared (once per SQL text):
 *
 * - parameters: `?` (positional) and `:name` / `@name` (named) become `$n`;
 *   a named parameter used twice is one `$n`, so PostgreSQL infers its type
 *   from every place it appears;
 * - `json_each(x)` (the value list of a JSON array) becomes
 *   `json_array_elements_text(CAST(x AS json))`;
 * - `json_extract(col, '$.key')` becomes `(CAST(col AS json) ->> 'key')`;
 * - the scalar `MAX(a, b)` / `MIN(a, b)` become `GREATEST` / `LEAST` (the
 *   one-argument aggregates stay);
 * - `IFNULL` becomes `COALESCE`, `CAST(x AS REAL)` a double;
 * - `(:x IS NULL OR expr)` becomes `(expr OR $n IS NULL)`, so the parameter's
 *   first use gives it a type.
 *
 * String literals, quoted identifiers and comments are never rewritten.
 * Anything else SQLite-only is a defect of the statement, caught by the
 * journal contract suite that runs on both databases.
 */

export interface PgStatementText {
  /** The statement in PostgreSQL's dialect. */
  readonly text: string;
  /** Named parameters in `$n` order; undefined when the statement uses `?`. */
  readonly names: readonly string[] | undefined;
  /** How many `$n` the statement takes. */
  readonly count: number;
}

/** Splits SQL into code and protected (literal, quoted, comment) pieces. */
function pieces(sql: string): {code: boolean; text: string}[] {
  const out: {code: boolean; text: string}[] = [];
  let start = 0;
  let i = 0;
  const push = (end: number, code: boolean) => {
    if (end > start) out.push({code, text: sql.slice(start, end)});
    start = end;
  };
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      push(i, true);
      let j = i + 1;
      for (;;) {
        if (j >= sql.length) break;
        if (sql[j] === c) {
          if (sql[j + 1] === c) {
            j += 2;
            continue;
          }
          break;
        }
        j++;
      }
      i = j + 1;
      push(Math.min(i, sql.length), false);
    } else if (c === '-' && sql[i + 1] === '-') {
      push(i, true);
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end;
      push(i, false);
    } else {
      i++;
    }
  }
  push(sql.length, true);
  return out;
}

/** Index of the parenthesis closing the one at `open`, or -1. */
function closing(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return i;
  }
  return -1;
}

/** Whether the argument list text has a comma outside nested parentheses. */
function hasTopLevelComma(args: string): boolean {
  let depth = 0;
  for (const c of args) {
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) return true;
  }
  return false;
}

function scalarMinMax(code: string): string {
  let out = '';
  let rest = code;
  for (;;) {
    const m = /\b(MAX|MIN)\s*\(/i.exec(rest);
    if (!m) return out + rest;
    const open = m.index + m[0].length - 1;
    const close = closing(rest, open);
    if (close === -1) return out + rest;
    const args = rest.slice(open + 1, close);
    const name = hasTopLevelComma(args) ? (m[1]!.toUpperCase() === 'MAX' ? 'GREATEST' : 'LEAST') : m[1]!;
    out += `${rest.slice(0, m.index)}${name}(${scalarMinMax(args)})`;
    rest = rest.slice(close + 1);
  }
}

/** Rewrites one SQLite statement (or script) for PostgreSQL. */
export function toPostgres(sql: string): PgStatementText {
  const names: string[] = [];
  let positional = 0;
  let named = false;
  const parts = pieces(sql);
  // Function rewrites work on the whole text with literals masked, since
  // json_extract's path is itself a literal.
  let masked = '';
  const literals: string[] = [];
  for (const p of parts) {
    if (p.code) masked += p.text;
    else {
      masked += `\u0000${literals.length}\u0000`;
      literals.push(p.text);
    }
  }
  masked = masked.replace(/(?<![:\w])([:@])([A-Za-z_]\w*)/g, (_all, _sigil: string, name: string) => {
    named = true;
    let index = names.indexOf(name);
    if (index === -1) index = names.push(name) - 1;
    return `$${index + 1}`;
  });
  masked = masked.replace(/\?/g, () => `$${++positional}`);
  if (named && positional > 0) throw new Error('a statement mixes ? and named parameters');
  // eslint-disable-next-line no-control-regex -- literals are masked by NUL-delimited indexes
  masked = masked.replace(/\bjson_extract\s*\(\s*([^,()]+?)\s*,\s*\u0000(\d+)\u0000\s*\)/gi, (all, column: string, literal: string) => {
    const path = /^'\$\.([A-Za-z_]\w*)'$/.exec(literals[Number(literal)]!);
    return path ? `(CAST(${column} AS json) ->> '${path[1]}')` : all;
  });
  masked = masked.replace(/\bjson_each\s*\(/gi, 'json_array_elements_text(CAST(');
  // close the CAST opened above: json_each takes one argument, so its closing parenthesis gets ` AS json)`
  masked = closeJsonCasts(masked);
  masked = masked.replace(/\bIFNULL\s*\(/gi, 'COALESCE(').replace(/\bAS\s+REAL\b/gi, 'AS DOUBLE PRECISION');
  masked = scalarMinMax(masked);
  masked = nullTestsLast(masked);
  // eslint-disable-next-line no-control-regex -- see above
  const text = masked.replace(/\u0000(\d+)\u0000/g, (_all, i: string) => literals[Number(i)]!);
  return {text, names: named ? names : undefined, count: named ? names.length : positional};
}

/**
 * `($n IS NULL OR expr)` becomes `(expr OR $n IS NULL)`: PostgreSQL takes a
 * parameter's type from its first use, and a bare null test gives none. The
 * two are the same condition (SQL's OR does not promise an order).
 */
function nullTestsLast(text: string): string {
  const pattern = /\(\s*(\$\d+)\s+IS\s+NULL\s+OR\s+/gi;
  let out = text;
  let from = 0;
  for (;;) {
    pattern.lastIndex = from;
    const m = pattern.exec(out);
    if (!m) return out;
    const close = closing(out, m.index);
    if (close === -1) return out;
    const rest = out.slice(m.index + m[0].length, close).trim();
    const replaced = `(${rest} OR ${m[1]} IS NULL)`;
    out = out.slice(0, m.index) + replaced + out.slice(close + 1);
    from = m.index + 1;
  }
}

function closeJsonCasts(text: string): string {
  const marker = 'json_array_elements_text(CAST(';
  let from = 0;
  let out = text;
  for (;;) {
    const at = out.indexOf(marker, from);
    if (at === -1) return out;
    const open = at + marker.length - 1; // the CAST's parenthesis
    const close = closing(out, open);
    if (close === -1) return out;
    out = `${out.slice(0, close)} AS json)${out.slice(close)}`;
    from = close;
  }
}

/** The parameter list for a translated statement, from the caller's array or object. */
export function bindParams(stmt: PgStatementText, params: unknown): unknown[] {
  if (params === undefined) return [];
  if (Array.isArray(params)) return params.map(toPgValue);
  if (!stmt.names) throw new Error('named parameters given to a statement that uses ?');
  const record = params as Record<string, unknown>;
  return stmt.names.map((name) => toPgValue(record[name]));
}

function toPgValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'bigint') return value.toString();
  return value;
}
