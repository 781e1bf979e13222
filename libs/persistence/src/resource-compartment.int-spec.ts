import { MIGRATIONS } from '@brixia/migrations';
import type { SearchCriterion } from '@brixia/fhir';
import { openDatabase, type Database } from './database';
import { ResourceHistoryStore } from './resource-history.repository';
import { ResourceSearchStore } from './resource-search.repository';
import { createTestDatabase } from './testing';

const EHR = 'https://ehr.example.org/fhir';
const own = (element: string, patientId = 'cp-a'): SearchCriterion => ({ kind: 'patient', element, patientId });

/**
 * A patient's compartment applied in SQL (search and history): pages are full and totals count only
 * that patient's resources, whether they name it `Patient/<id>` or an EHR's absolute URL, however the
 * other patients' rows interleave with them.
 */
describe('patient compartment in the search and history queries (PostgreSQL)', () => {
  let database: Database;
  let searches: ResourceSearchStore;
  let history: ResourceHistoryStore;

  beforeAll(async () => {
    database = await openDatabase({ url: await createTestDatabase('persistence_compartment'), embeddedDataDir: 'memory://', migrations: MIGRATIONS });
    searches = new ResourceSearchStore(database.dataSource);
    history = new ResourceHistoryStore(database.dataSource);
    const put = async (resource: fhir4.FhirResource, minute: number, versionId = 1): Promise<void> => {
      await database.dataSource.query(
        `INSERT INTO fhir_resource (resource_type, id, version_id, resource, last_updated) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (resource_type, id) DO UPDATE SET version_id = EXCLUDED.version_id, resource = EXCLUDED.resource, last_updated = EXCLUDED.last_updated`,
        [resource.resourceType, resource.id, versionId, JSON.stringify(resource), new Date(Date.UTC(2024, 0, 1, 0, minute))],
      );
    };
    // cp-a: three results under our Patient, three under the EHR's (absolute URL); cp-b's interleave with them,
    // and a patient whose id ends like cp-a's (a) must not be taken for it.
    for (let index = 0; index < 12; index += 1) {
      const reference = index % 2 === 1 ? 'Patient/cp-b' : index % 4 === 0 ? 'Patient/cp-a' : `${EHR}/Patient/cp-a`;
      await put({ resourceType: 'Observation', id: `obs-${index}`, status: 'preliminary', code: { text: 'Brixia score' }, subject: { reference } }, index);
    }
    await put({ resourceType: 'Observation', id: 'obs-a', status: 'preliminary', code: { text: 'Brixia score' }, subject: { reference: 'Patient/a' } }, 12);
    await put({ resourceType: 'Observation', id: 'obs-0', status: 'final', code: { text: 'Brixia score' }, subject: { reference: 'Patient/cp-a' } }, 13, 2);
    await put({ resourceType: 'Binary', id: 'bin-a', contentType: 'image/png', securityContext: { reference: `${EHR}/Patient/cp-a`, type: 'Patient' } } as fhir4.Binary, 14);
    await put({ resourceType: 'Binary', id: 'bin-b', contentType: 'image/png', securityContext: { reference: 'Patient/cp-b' } } as fhir4.Binary, 15);
  }, 180_000);

  afterAll(async () => {
    await database?.close();
  });

  const subjectOf = (resource: fhir4.FhirResource): string | undefined => (resource as fhir4.Observation).subject?.reference;

  it('searches full pages of one patient, relative and EHR references alike, with the true total', async () => {
    const pages: string[][] = [];
    for (let offset = 0; offset < 8; offset += 4) {
      const page = await searches.search({ source: 'fhir_resource', resourceType: 'Observation', criteria: [own('subject')], limit: 4, offset });
      expect(page.total).toBe(6);
      pages.push(page.rows.map((row) => row.resource.id as string));
      for (const row of page.rows) expect(subjectOf(row.resource)).toMatch(/(^|\/)Patient\/cp-a$/);
    }
    expect(pages.map((page) => page.length)).toEqual([4, 2]);
    expect(new Set(pages.flat()).size).toBe(6);
    expect((await searches.search({ source: 'fhir_resource', resourceType: 'Observation', criteria: [own('subject', 'a')], limit: 10, offset: 0 })).rows.map((row) => row.resource.id)).toEqual(['obs-a']);
    expect((await searches.search({ source: 'fhir_resource', resourceType: 'Binary', criteria: [own('securityContext')], limit: 10, offset: 0 })).rows.map((row) => row.resource.id)).toEqual(['bin-a']);
  });

  it('pages the type-level history of one patient: every page full, the total its versions only', async () => {
    const within = own('subject');
    const seen: string[] = [];
    const sizes: number[] = [];
    for (let offset = 0; offset < 9; offset += 3) {
      const page = await history.history('Observation', { within, limit: 3, offset });
      expect(page.total).toBe(7);
      sizes.push(page.rows.length);
      for (const row of page.rows) {
        expect(subjectOf(row.resource)).toMatch(/(^|\/)Patient\/cp-a$/);
        seen.push(`${row.resource.id}/${row.versionId}`);
      }
    }
    expect(sizes).toEqual([3, 3, 1]);
    expect(seen[0]).toBe('obs-0/2');
    expect(new Set(seen).size).toBe(7);
    // Unrestricted, the other patients' versions are there too; a compartment naming nobody matches nothing.
    expect((await history.history('Observation', { limit: 1, offset: 0 })).total).toBe(14);
    expect((await history.history('Observation', { within: { kind: 'id', ids: [] }, limit: 5, offset: 0 })).total).toBe(0);
    expect((await history.history('Observation', { id: 'obs-1', within, limit: 5, offset: 0 })).total).toBe(0);
  });

  it("pages a Task history by its record's patient", async () => {
    for (const [id, patientId] of [['task-a1', 'cp-a'], ['task-b1', 'cp-b'], ['task-a2', 'cp-a'], ['task-b2', 'cp-b']]) {
      await database.dataSource.query(`INSERT INTO scoring_task (id, dedupe_key, status, business_status, patient_id, model_version) VALUES ($1, $1, 'requested', 'queued', $2, '0.1.0')`, [id, patientId]);
    }
    await database.dataSource.query(`UPDATE scoring_task SET status = 'in-progress', business_status = 'inferring' WHERE id = 'task-a1'`);
    const first = await history.taskHistory({ within: own('for'), limit: 2, offset: 0 });
    const second = await history.taskHistory({ within: own('for'), limit: 2, offset: 2 });
    expect([first.total, second.total]).toEqual([3, 3]);
    expect([first.rows.length, second.rows.length]).toEqual([2, 1]);
    expect([...first.rows, ...second.rows].every((task) => task.patientId === 'cp-a')).toBe(true);
  });
});
