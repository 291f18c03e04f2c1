/**
 * Help output. Descriptions in the command files are written as prose that
 * may break lines anywhere; here single line breaks inside a paragraph are
 * joined so oclif wraps the text to the terminal's width. Blank lines
 * (paragraphs), list items ("- ", "* ", "1. ") and indented lines keep
 * their own line.
 */
import {Help, type Command} from '@oclif/core';

const OWN_LINE = /^(\s+|[-*] |\d+\. )/;

/** Joins the lines of each paragraph of `text` into one, keeping list items and indented lines apart. */
export function unwrapProse(text: string): string {
  return text
    .split(/\n\s*\n/)
    .map((paragraph) => {
      const out: string[] = [];
      for (const line of paragraph.split('\n')) {
        const previous = out.at(-1);
        if (previous === undefined || OWN_LINE.test(line) || previous.endsWith(':')) out.push(line.trimEnd());
        else out[out.length - 1] = `${previous} ${line.trim()}`;
      }
      return out.join('\n');
    })
    .join('\n\n');
}

export default class XarbHelp extends Help {
  protected override formatCommand(command: Command.Loadable): string {
    return super.formatCommand({...command, ...(command.description ? {description: unwrapProse(command.description)} : {})} as Command.Loadable);
  }
}
