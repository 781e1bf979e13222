import { AppError, type Logger, silentLogger } from '@brixia/common';
import { bearerCredentials, FhirServerClient, NO_CREDENTIALS, smartCredentials, type ServerCredentials } from './fhir-server-client';
import { SmartBackendTokenProvider, type EhrAuth, type TokenEndpointCall } from './smart-backend-auth';
import { limitedDispatcher, readLimitedBody, upstreamFailure, type UpstreamLimits } from './upstream-http';
import { UrlAllowList } from './url-allow-list';

/** One EHR FHIR server this service may read studies from and publish results to. */
export interface EhrServerConfig {
  readonly baseUrl: string;
  readonly auth: EhrAuth;
}

/** Where a reference points: which configured server, and the path under its base. */
export interface LocatedReference {
  readonly server: FhirServerClient;
  readonly relativePath: string;
  /** The reference made absolute (`<base>/<relativePath>`). */
  readonly absoluteUrl: string;
}

/**
 * The configured EHR FHIR servers (the allow-list). The first is the default: relative references
 * (`ImagingStudy/1`) are read from it, and results are published back to the server a study came from.
 */
export class EhrDirectory {
  private constructor(
    private readonly allowList: UrlAllowList<FhirServerClient>,
    private readonly servers: readonly FhirServerClient[],
  ) {}

  static async create(options: { readonly servers: readonly EhrServerConfig[]; readonly limits: UpstreamLimits; readonly logger?: Logger; readonly tokenCall?: TokenEndpointCall }): Promise<EhrDirectory> {
    const bases = new UrlAllowList(options.servers.map((server) => ({ baseUrl: server.baseUrl, value: server })));
    const tokenCall = options.tokenCall ?? defaultTokenCall(options.limits);
    const clients: FhirServerClient[] = [];
    for (const server of options.servers) {
      clients.push(await FhirServerClient.create({ baseUrl: server.baseUrl, allowList: bases, credentials: credentialsFor(server.auth, tokenCall), limits: options.limits, logger: options.logger ?? silentLogger }));
    }
    const allowList = new UrlAllowList(clients.map((client) => ({ baseUrl: client.baseUrl, value: client })));
    return new EhrDirectory(allowList, clients);
  }

  get isConfigured(): boolean {
    return this.servers.length > 0;
  }

  get defaultServer(): FhirServerClient | undefined {
    return this.servers[0];
  }

  /** The server an absolute URL belongs to; UPSTREAM.NOT_ALLOWED when none does. */
  serverFor(absoluteUrl: string): LocatedReference {
    const matched = this.allowList.require(absoluteUrl, 'referenced FHIR server');
    return { server: matched.base.value, relativePath: matched.relativePath, absoluteUrl: `${matched.base.value.baseUrl}/${matched.relativePath}` };
  }

  /** Absolute references must be under a configured base; relative ones go to the default server. */
  locate(reference: string): LocatedReference {
    if (/^[a-z][a-z0-9+.-]*:/i.test(reference)) return this.serverFor(reference);
    const server = this.defaultServer;
    if (!server) throw new AppError('REQUEST.INVALID', 'No EHR is configured to resolve a relative reference');
    const relativePath = reference.replace(/^\/+/, '');
    return { server, relativePath, absoluteUrl: `${server.baseUrl}/${relativePath}` };
  }

  /** Resolves `reference` found in a resource read from `from`: relative to the same server. */
  locateFrom(from: FhirServerClient, reference: string): LocatedReference {
    if (/^[a-z][a-z0-9+.-]*:/i.test(reference)) return this.serverFor(reference);
    const relativePath = reference.replace(/^\/+/, '');
    return { server: from, relativePath, absoluteUrl: `${from.baseUrl}/${relativePath}` };
  }
}

function credentialsFor(auth: EhrAuth, tokenCall: TokenEndpointCall): ServerCredentials {
  switch (auth.kind) {
    case 'none':
      return NO_CREDENTIALS;
    case 'bearer':
      return bearerCredentials(auth.token);
    case 'smart-backend':
      return smartCredentials(new SmartBackendTokenProvider(auth, tokenCall));
  }
}

/** POSTs the token request form (token URLs are configured, hence trusted), bounded like every call. */
function defaultTokenCall(limits: UpstreamLimits): TokenEndpointCall {
  const dispatcher = limitedDispatcher(limits);
  return async (url, form) => {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
        redirect: 'manual',
        signal: AbortSignal.timeout(limits.timeoutMs),
        dispatcher,
      } as RequestInit);
      const text = (await readLimitedBody(response, limits.maxResponseBytes, 'token endpoint')).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: response.status, json };
    } catch (error) {
      throw upstreamFailure(error, 'token endpoint');
    }
  };
}
