/**
 * The page the visitor writes from, for the manager. It goes with a message only when it differs from the
 * one that went with the visitor's previous message (remembered with the rest of the bubble's state), so
 * amoCRM shows one line per page change, not one per message or per navigation. Query and fragment stay on
 * the site (they carry tokens and e-mail addresses); the backend drops them again and caps the lengths.
 */
export interface PageRef {
  url: string;
  title?: string;
}

/** This page as it is reported, or undefined where there is no web address to report (file:, about:, …). */
export function currentPage(loc: Pick<Location, 'protocol' | 'origin' | 'pathname'> = location, title: string = document.title): PageRef | undefined {
  if (loc.protocol !== 'https:' && loc.protocol !== 'http:') return undefined;
  const url = `${loc.origin}${loc.pathname}`.slice(0, 500);
  const clean = title.trim().slice(0, 200);
  return clean ? { url, title: clean } : { url };
}

/** The page to send with the next message: the current one when it is not the last one sent. */
export function pageToReport(current: PageRef | undefined, lastSent: PageRef | undefined): PageRef | undefined {
  if (!current) return undefined;
  return lastSent && lastSent.url === current.url && lastSent.title === current.title ? undefined : current;
}
