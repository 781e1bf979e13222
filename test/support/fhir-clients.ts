import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { expectConformantFhir } from '@brixia/fhir/testing';
import type { TestService } from './service';

type FhirKit = typeof import('fhir-kit-client', { with: { 'resolution-mode': 'import' } });
/** fhir-kit-client's client as the tests use it. */
export type FhirKitClient = InstanceType<FhirKit['Client']>;

/** fhirclient's (the SMART JS client's) Client as the tests use it (fhirclient 2.6 `lib/Client.d.ts`). */
export interface SmartClient {
  request<T = unknown>(url: string | { url: string; method?: string; body?: string; headers?: Record<string, string>; includeResponse?: boolean }, options?: { pageLimit?: number; onPage?: (page: never) => void }): Promise<T>;
}
interface SmartState {
  readonly serverUrl: string;
  readonly tokenResponse?: { readonly access_token: string; readonly token_type: string };
}
type SmartFactory = (request: IncomingMessage, response: ServerResponse) => { client(state: SmartState): SmartClient };
// Loaded without its typings: they declare `/// <reference lib="dom" />`, which would bring the DOM's Blob into
// the whole type-check and break Node's Buffer → BlobPart elsewhere.
const smart = createRequire(__filename)('fhirclient') as SmartFactory;

/**
 * The bearer token a client outside supertest must send to this service (the test issuer's default token,
 * every scope), or undefined when the service runs without authentication.
 */
export function bearerTokenOf(service: TestService): string | undefined {
  return service.token ? service.token : undefined;
}

/** fhir-kit-client 2 is ESM-only: loaded with a real dynamic import (Jest runs with --experimental-vm-modules). */
export async function fhirKitClient(service: TestService, fhirBaseUrl: string): Promise<FhirKitClient> {
  const { Client } = await import('fhir-kit-client');
  const token = bearerTokenOf(service);
  return new Client({ baseUrl: fhirBaseUrl, ...(token ? { bearerToken: token } : {}) });
}

/**
 * fhirclient's client for a server it did not authorize against itself (the SMART app launch is not what
 * is tested here): the state carries the server URL and, when the service asks for one, a token response.
 * The Node adapter needs a request and response only for the launch and redirect steps, never used here.
 */
export function smartClient(service: TestService, fhirBaseUrl: string): SmartClient {
  const token = bearerTokenOf(service);
  const api = smart({ url: '/', headers: {} } as IncomingMessage, {} as ServerResponse);
  return api.client({ serverUrl: fhirBaseUrl, ...(token ? { tokenResponse: { access_token: token, token_type: 'Bearer' } } : {}) });
}

/** What a client received is validated like every supertest response (support/fhir-responses.ts). */
export function conformant<T>(resource: T, label: string): T {
  expectConformantFhir(resource, label);
  return resource;
}
