import { AppError } from '@brixia/common';

/** A configured base URL this service may contact, with whatever it carries (server config, credentials). */
export interface AllowedBase<T> {
  readonly baseUrl: string;
  readonly value: T;
}

/** The base that matched a URL, and the URL's path relative to that base. */
export interface AllowListMatch<T> {
  readonly base: AllowedBase<T>;
  readonly url: URL;
  /** e.g. `ImagingStudy/123` for `<base>/ImagingStudy/123`. */
  readonly relativePath: string;
}

/**
 * Only configured base URLs may be contacted (server-side request forgery defence, OWASP SSRF cheat
 * sheet): a URL matches a base when scheme, host and port are equal and its path lies under the base's
 * path segment by segment (`/fhir` does not admit `/fhir-admin`). Userinfo, non-http(s) schemes and
 * dot segments are refused before matching, so a crafted URL cannot escape its base.
 */
export class UrlAllowList<T> {
  private readonly bases: ReadonlyArray<{ readonly entry: AllowedBase<T>; readonly url: URL; readonly path: string }>;

  constructor(bases: ReadonlyArray<AllowedBase<T>>) {
    this.bases = bases.map((entry) => {
      const url = parseHttpUrl(entry.baseUrl);
      if (!url) throw new AppError('CONFIG.INVALID', `Allow-list base ${entry.baseUrl} is not an http(s) URL`);
      return { entry, url, path: url.pathname.replace(/\/+$/, '') };
    });
  }

  get size(): number {
    return this.bases.length;
  }

  /** The first base (the configured default), if any. */
  get first(): AllowedBase<T> | undefined {
    return this.bases[0]?.entry;
  }

  /** The matching base, or undefined; never throws. */
  match(candidate: string): AllowListMatch<T> | undefined {
    if (/(^|\/)\.\.?(\/|$)|%2e%2e|%2f/i.test(candidate.replace(/^[a-z]+:\/\/[^/]*/i, ''))) return undefined;
    const url = parseHttpUrl(candidate);
    if (!url || url.username || url.password) return undefined;
    for (const base of this.bases) {
      if (url.protocol !== base.url.protocol || url.host !== base.url.host) continue;
      const path = url.pathname;
      if (path === base.path || path === `${base.path}/` || path.startsWith(`${base.path}/`)) {
        return { base: base.entry, url, relativePath: path.slice(base.path.length).replace(/^\/+/, '') };
      }
    }
    return undefined;
  }

  /** Like match, but refuses with UPSTREAM.NOT_ALLOWED (no URL in the message: it may carry PHI). */
  require(candidate: string, what: string): AllowListMatch<T> {
    const matched = this.match(candidate);
    if (!matched) throw new AppError('UPSTREAM.NOT_ALLOWED', `The ${what} is not under a configured base URL; only configured servers are contacted`);
    return matched;
  }
}

function parseHttpUrl(value: string): URL | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}
