/** Routes that serve what `npm run build` wrote into dist/ say the same thing when it is missing. */
export function missingBuildMessage(what: string, path: string): string {
  return `${what} is not built (${path} is missing): run npm run build`;
}
