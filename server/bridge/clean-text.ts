/**
 * Text hygiene for what people type: NUL breaks C strings and some databases, other C0 control
 * characters garble logs and amoCRM's inbox, and bidi overrides/isolates make a name or a file name
 * read differently from what it is ("invoice\u202Efdp.exe"). One helper for every edge that takes
 * names, profile fields, file names and texts.
 */

// eslint-disable-next-line no-control-regex
const NAME_UNSAFE = /[\u0000-\u0008\u000b-\u001f\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex
const NUL = /\u0000/g;

/** Names, profile fields, file names: no NUL, no C0 controls but `\n` and `\t`, no bidi overrides. */
export function cleanName(value: string): string {
  return value.replace(NAME_UNSAFE, '');
}

/** Message texts: everything a person may write, except NUL. */
export function cleanText(value: string): string {
  return value.replace(NUL, '');
}
