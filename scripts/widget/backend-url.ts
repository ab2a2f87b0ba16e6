/**
 * What the widget build says about the backend URL it bakes in: the widget calls exactly that URL from the
 * amoCRM page of every account that installs it, so a loopback or plain-http URL makes an archive that
 * works nowhere else. A development build warns, loudly; a release build (WIDGET_RELEASE=1) refuses.
 */
import { isLoopbackHost } from '../../server/config/index.js';
import { WidgetBuildError } from './build.js';

export function backendUrlWarnings(backendUrl: string, opts: { isRelease: boolean }): string[] {
  const url = new URL(backendUrl);
  const problems: string[] = [];
  if (isLoopbackHost(url.hostname)) {
    problems.push(
      `the widget is bound to ${url.origin}, a loopback address: in amoCRM it would call the admin's own computer. ` +
        'Set WIDGET_BACKEND_URL (or PUBLIC_URL) to the public https address of the backend',
    );
  } else if (url.protocol === 'http:') {
    problems.push(`the widget is bound to ${url.origin}, plain http: the CRM page is https and browsers block calls to it`);
  }
  if (opts.isRelease && problems.length > 0) throw new WidgetBuildError(problems.map((p) => `release build refused: ${p}`));
  return problems;
}

/** The banner a development build prints around each warning, so it is not lost in the build's output. */
export function loudWarning(text: string): string {
  const rule = '!'.repeat(78);
  return `${rule}\nWARNING: ${text}.\n(WIDGET_RELEASE=1 refuses such a build.)\n${rule}`;
}
