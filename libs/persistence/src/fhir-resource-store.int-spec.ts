import { MIGRATIONS } from '@brixia/migrations';
import { openDatabase, type Database } from './database';
import { FhirResourceStore } from './fhir-resource-store.repository';
import { ResourceHistoryStore } from './resource-history.repository';
import { createTestDatabase } from './testing';

describe('FhirResourceStore.put on postgres: a new version only when the content changes', () => {
  let database: Database;
  let resources: FhirResourceStore;
  let versions: ResourceHistoryStore;

  beforeAll(async () => {
    database = await openDatabase({ url: await createTestDatabase('persistence_fhir_resource'), migrations: MIGRATIONS });
    resources = new FhirResourceStore(database.dataSource);
    versions = new ResourceHistoryStore(database.dataSource);
  });

  afterAll(async () => {
    await database?.close();
  });

  it('stores version 1, keeps it for the same content (redelivery) and adds one for changed content', async () => {
    const device: fhir4.Device = { resourceType: 'Device', id: 'dev-put-1', status: 'active' };
    expect(await resources.put(device)).toBe(1);
    expect(await resources.put({ ...device })).toBe(1);
    expect(await resources.put({ ...device, status: 'inactive' })).toBe(2);
    await resources.putAll([{ ...device, status: 'inactive' }]);
    expect((await resources.findResource('Device', 'dev-put-1'))?.versionId).toBe(2);
    const history = await versions.history('Device', { id: 'dev-put-1', limit: 10, offset: 0 });
    expect(history.rows.map((row) => [row.versionId, (row.resource as fhir4.Device).status])).toEqual([
      [2, 'inactive'],
      [1, 'active'],
    ]);
  });

  it('reads several resources of one type in the order asked, leaving out the missing ones', async () => {
    await resources.putAll([
      { resourceType: 'Device', id: 'dev-many-a', status: 'active' },
      { resourceType: 'Device', id: 'dev-many-b', status: 'active' },
    ]);
    const found = await resources.findResources('Device', ['dev-many-b', 'dev-missing', 'dev-many-a']);
    expect(found.map((row) => [row.resourceType, row.id, row.versionId])).toEqual([
      ['Device', 'dev-many-b', 1],
      ['Device', 'dev-many-a', 1],
    ]);
    expect(await resources.findResources('Device', [])).toEqual([]);
  });
});
