/**
 * Source edits the build (scripts/build.js) makes to bundled packages: each
 * keeps the package's behaviour and drops start-up or first-run work. If one
 * stops matching (a new version of the package), the build says so and goes
 * on: only speed is at stake. test/unit/build-patches.test.ts checks that each
 * patched module answers as the original does.
 */
export const PATCHES = [
  {
    // Sorting the command list with localeCompare builds an ICU collator, the
    // dearest single step of every start (~30 ms here). Ids are plain ASCII
    // and help sorts them again, so code-unit order gives the same result.
    file: '@oclif/core/lib/config/plugin.js',
    find: '.sort((a, b) => a.id.localeCompare(b.id));',
    replace: '.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));',
  },
  {
    // cli-table3 measures every cell (and its ellipsis) with string-width,
    // which builds and runs the emoji regular expression (thousands of
    // alternatives, compiled on first use: several ms of every table). A
    // string made only of printable ASCII, Latin to Georgian letters without
    // the combining marks, and U+2000-U+2319 (punctuation such as the
    // ellipsis, arrows, math) has no escape sequence and nothing the emoji
    // expression matches, and string-width counts each of those characters as
    // one column: its width is its length.
    file: 'string-width/index.js',
    find: "\tif (typeof string !== 'string' || string.length === 0) {\n\t\treturn 0;\n\t}\n",
    replace: "\tif (typeof string !== 'string' || string.length === 0) {\n\t\treturn 0;\n\t}\n\tif (/^[\\x20-\\x7e\\xa0-\\u02ff\\u0370-\\u10ff\\u2000-\\u2319]*$/.test(string)) {\n\t\treturn string.length;\n\t}\n",
  },
  {
    // cli-table3 merges every cell's options with setOption, 17 times per cell,
    // splitting and re-capitalizing the option's name and filtering an array
    // each time (~2.5 ms of a 7-venue prices table, run by the interpreter on
    // every start). The same lookups, the camelCase name made once per name.
    file: 'cli-table3/src/cell.js',
    find: "function firstDefined(...args) {\n  return args.filter((v) => v !== undefined && v !== null).shift();\n}\n\n// HELPER FUNCTIONS\nfunction setOption(objA, objB, nameB, targetObj) {\n  let nameA = nameB.split('-');\n  if (nameA.length > 1) {\n    nameA[1] = nameA[1].charAt(0).toUpperCase() + nameA[1].substr(1);\n    nameA = nameA.join('');\n    targetObj[nameA] = firstDefined(objA[nameA], objA[nameB], objB[nameA], objB[nameB]);\n  } else {\n    targetObj[nameB] = firstDefined(objA[nameB], objB[nameB]);\n  }\n}",
    replace: "function firstDefined(...args) {\n  for (const v of args) if (v !== undefined && v !== null) return v;\n  return undefined;\n}\n\n// HELPER FUNCTIONS\nconst camelNames = new Map();\nfunction setOption(objA, objB, nameB, targetObj) {\n  let nameA = camelNames.get(nameB);\n  if (nameA === undefined) {\n    const parts = nameB.split('-');\n    if (parts.length > 1) {\n      parts[1] = parts[1].charAt(0).toUpperCase() + parts[1].substr(1);\n      nameA = parts.join('');\n    } else {\n      nameA = null;\n    }\n    camelNames.set(nameB, nameA);\n  }\n  if (nameA !== null) {\n    let v = objA[nameA];\n    if (v === undefined || v === null) v = objA[nameB];\n    if (v === undefined || v === null) v = objB[nameA];\n    if (v === undefined || v === null) v = objB[nameB];\n    targetObj[nameA] = v === null ? undefined : v;\n  } else {\n    let v = objA[nameB];\n    if (v === undefined || v === null) v = objB[nameB];\n    targetObj[nameB] = v === null ? undefined : v;\n  }\n}",
  },
  {
    // Finding a table's free positions compares each position with every
    // earlier cell through cellsConflict, which allocates a cell per call:
    // the same comparison (a 1x1 cell at x, y against each cell) written out.
    file: 'cli-table3/src/layout-manager.js',
    find: "  function conflictExists(rows, x, y) {\n    let i_max = Math.min(rows.length - 1, y);\n    let cell = { x: x, y: y };\n    for (let i = 0; i <= i_max; i++) {\n      let row = rows[i];\n      for (let j = 0; j < row.length; j++) {\n        if (cellsConflict(cell, row[j])) {\n          return true;\n        }\n      }\n    }\n    return false;\n  }",
    replace: "  function conflictExists(rows, x, y) {\n    let i_max = Math.min(rows.length - 1, y);\n    for (let i = 0; i <= i_max; i++) {\n      let row = rows[i];\n      for (let j = 0; j < row.length; j++) {\n        const c = row[j];\n        if (!(y > c.y - 1 + (c.rowSpan || 1) || c.y > y) && !(x > c.x - 1 + (c.colSpan || 1) || c.x > x)) {\n          return true;\n        }\n      }\n    }\n    return false;\n  }",
  },
];
