import { AppError, type Logger, silentLogger } from '@brixia/common';
import type { Dispatcher } from 'undici';
import { limitedDispatcher, observeOversize, upstreamFailure, upstreamStatusError, type UpstreamLimits } from './upstream-http';
import type { SmartBackendTokenProvider } from './smart-backend-auth';
import type { UrlAllowList } from './url-allow-list';

type FhirKit = typeof import('fhir-kit-client', { with: { 'resolution-mode': 'import' } });
type KitClient = InstanceType<FhirKit['Client']>;

/** fhir-kit-client 2 is ESM-only: a real dynamic import (SWC keeps it), loaded once. */
let fhirKit: Promise<FhirKit> | undefined;
export function loadFhirKit(): Promise<FhirKit> {
  fhirKit ??= import('fhir-kit-client');
  return fhirKit;
}

/** Produces the Authorization header for one server (none, static bearer, SMART Backend Services). */
export interface ServerCredentials {
  authorization(): Promise<string | undefined>;
  /** Called after a 401 so a cached token is renewed once. */
  invalidate(): void;
}

export const NO_CREDENTIALS: ServerCredentials = { authorization: async () => undefined, invalidate: () => undefined };

export function bearerCredentials(token: string): ServerCredentials {
  return { authorization: async () => `Bearer ${token}`, invalidate: () => undefined };
}

export function smartCredentials(provider: SmartBackendTokenProvider): ServerCredentials {
  return { authorization: async () => `Bearer ${await provider.accessToken()}`, invalidate: () => provider.invalidate() };
}

/** `identifier=<system>|<value>` with both parts escaped for a FHIR search (R4 search §3.1.1.4.14). */
export function identifierQuery(identifier: { readonly system: string; readonly value: string }): string {
  return `identifier=${encodeURIComponent(identifier.system)}|${encodeURIComponent(identifier.value)}`;
}

/** The outcome of a conditional create (http://hl7.org/fhir/R4/http.html#ccreate). */
export interface ConditionalCreateResult {
  /** true: 201 Created; false: 200 OK, a resource with that identifier already existed. */
  readonly created: boolean;
  readonly id?: string;
}

/**
 * One EHR FHIR server, over fhir-kit-client. Every request goes through the allow-list (also for
 * absolute URLs the library might be handed), carries this server's credentials, does not follow
 * redirects and is bounded in time and size; failures are AppErrors (UPSTREAM.*, RESOURCE.NOT_FOUND).
 */
export class FhirServerClient {
  private constructor(
    readonly baseUrl: string,
    private readonly kit: KitClient,
    private readonly dispatcher: Dispatcher,
    private readonly credentials: ServerCredentials,
    private readonly limits: UpstreamLimits,
    private readonly logger: Logger,
  ) {}

  static async create(options: {
    readonly baseUrl: string;
    readonly allowList: UrlAllowList<unknown>;
    readonly credentials?: ServerCredentials;
    readonly limits: UpstreamLimits;
    readonly logger?: Logger;
  }): Promise<FhirServerClient> {
    const { Client } = await loadFhirKit();
    const dispatcher = limitedDispatcher(options.limits);
    const kit = new Client({
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
      requestOptions: { redirect: 'manual' },
      requestSigner: (url: string) => {
        options.allowList.require(url, 'FHIR server URL');
      },
    });
    return new FhirServerClient(options.baseUrl.replace(/\/+$/, ''), kit, dispatcher, options.credentials ?? NO_CREDENTIALS, options.limits, options.logger ?? silentLogger);
  }

  /** GET `<base>/<path>` (e.g. `ImagingStudy/1`), as a resource. */
  async readPath<T extends fhir4.FhirResource>(relativePath: string): Promise<T> {
    return (await this.send('GET', relativePath)) as T;
  }

  async read<T extends fhir4.FhirResource>(resourceType: string, id: string): Promise<T> {
    return this.readPath<T>(`${resourceType}/${encodeURIComponent(id)}`);
  }

  async search(resourceType: string, params: Readonly<Record<string, string>>): Promise<fhir4.Bundle> {
    return (await this.send('GET', `${resourceType}?${new URLSearchParams(params).toString()}`)) as fhir4.Bundle;
  }

  /**
   * POST with `If-None-Exist: <query>` (e.g. `identifier=<system>|<value>`): the server creates only
   * when nothing matches, so a retry never creates a second copy. Our own id and meta are dropped
   * (the EHR assigns its id); the answer says whether it was created (201) or found (200).
   */
  async conditionalCreate(resource: fhir4.FhirResource, ifNoneExist: string): Promise<ConditionalCreateResult> {
    const { id: _ours, meta: _meta, ...body } = resource as fhir4.FhirResource & { meta?: unknown };
    const headers = { 'content-type': 'application/fhir+json', 'if-none-exist': ifNoneExist };
    const answer = await this.send('POST', resource.resourceType, body, headers);
    const { Client } = await loadFhirKit();
    const status = Client.httpFor(answer as never).response?.status ?? 0;
    return { created: status === 201, id: typeof (answer as { id?: unknown }).id === 'string' ? (answer as { id: string }).id : undefined };
  }

  /**
   * PUT `<Type>/<id>` (http://hl7.org/fhir/R4/http.html#update): replaces the EHR's resource with this
   * one; the body's id is the EHR's id (a mismatch is a 400 in R4). Our meta is dropped, the server
   * versions it. Answers the id of the updated resource.
   */
  async update(resource: fhir4.FhirResource & { readonly id: string }): Promise<{ readonly id?: string }> {
    const { meta: _meta, ...body } = resource as fhir4.FhirResource & { meta?: unknown };
    const answer = await this.send('PUT', `${resource.resourceType}/${encodeURIComponent(resource.id)}`, body, { 'content-type': 'application/fhir+json' });
    return { id: typeof (answer as { id?: unknown }).id === 'string' ? (answer as { id: string }).id : undefined };
  }

  private async send(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown, headers: Record<string, string> = {}, retried = false): Promise<fhir4.FhirResource> {
    const authorization = await this.credentials.authorization();
    const started = Date.now();
    const observed = observeOversize(this.dispatcher);
    try {
      const answer = await this.kit.request(path, {
        method,
        body,
        options: {
          headers: { ...headers, ...(authorization ? { authorization } : {}) },
          signal: AbortSignal.timeout(this.limits.timeoutMs),
          ...({ dispatcher: observed.dispatcher } as object),
        },
      });
      return answer as unknown as fhir4.FhirResource;
    } catch (error) {
      const status = (error as { response?: { status?: unknown } }).response?.status;
      if (status === 401 && !retried && authorization) {
        this.credentials.invalidate();
        return this.send(method, path, body, headers, true);
      }
      const mapped = observed.exceeded()
        ? new AppError('UPSTREAM.TOO_LARGE', "The EHR's answer exceeds the configured size limit", { cause: error })
        : typeof status !== 'number'
          ? upstreamFailure(error, 'EHR')
          : status >= 200 && status < 300
            ? new AppError('UPSTREAM.INVALID_RESPONSE', 'The EHR answered with something that is not FHIR JSON', { cause: error })
            : upstreamStatusError(status, 'EHR');
      this.logger.debug({ method, status, code: mapped.code, durationMs: Date.now() - started }, 'EHR request failed');
      throw mapped;
    }
  }
}
