/**
 * @brixia/ehr — talking to hospital FHIR servers: an allow-listed, bounded FHIR client over
 * fhir-kit-client with per-server authentication (none, bearer, SMART Backend Services), resolution
 * of external ImagingStudy references, and the bounded fetch the PACS adapter uses.
 */
export { UrlAllowList, type AllowedBase, type AllowListMatch } from './url-allow-list';
export {
  createUpstreamFetch,
  limitedDispatcher,
  readLimitedBody,
  upstreamFailure,
  upstreamStatusError,
  type UpstreamFetch,
  type UpstreamLimits,
  type UpstreamResponse,
} from './upstream-http';
export { signClientAssertion, SmartBackendTokenProvider, type EhrAuth, type SmartBackendAuthConfig, type TokenEndpointCall } from './smart-backend-auth';
export { FhirServerClient, identifierQuery, loadFhirKit, type ConditionalCreateResult, type ServerCredentials } from './fhir-server-client';
export { EhrDirectory, type EhrServerConfig, type LocatedReference } from './ehr-directory';
export { resolveExternalImagingStudy, WADO_RS_CONNECTION_TYPE, type ExternalImagingStudy } from './resolve-imaging-study';
