export { startFhirPeer, type FhirPeer, type PeerOverride, type PeerRequestRecord } from './fhir-peer';
