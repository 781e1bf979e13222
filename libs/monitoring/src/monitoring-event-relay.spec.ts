import { MonitoringEventRelay } from './monitoring-event-relay';
import { MonitoringEvents, type MonitoringEvent } from './monitoring-events';

/** Two processes joined by an in-memory "NOTIFY" that reaches every listener, the sender included. */
function pair(): { a: MonitoringEvents; b: MonitoringEvents; sent: string[] } {
  const a = new MonitoringEvents();
  const b = new MonitoringEvents();
  const relays = [new MonitoringEventRelay(a), new MonitoringEventRelay(b)];
  const sent: string[] = [];
  const transport = { notify: async (payload: string): Promise<void> => {
    sent.push(payload);
    for (const relay of relays) relay.receive(payload);
  } };
  for (const relay of relays) relay.connect(transport);
  return { a, b, sent };
}

describe('MonitoringEventRelay', () => {
  it('delivers an event to the other process once, with its dates revived, and never echoes it back', async () => {
    const { a, b, sent } = pair();
    const seenA: MonitoringEvent[] = [];
    const seenB: MonitoringEvent[] = [];
    a.subscribe((event) => seenA.push(event));
    b.subscribe((event) => seenB.push(event));
    a.publish({ type: 'assessment-completed', patientId: 'p', observationId: 'o', taskId: null, global: 9, acquiredAt: new Date('2024-03-01T08:00:00Z') });
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toHaveLength(1);
    expect(seenA).toHaveLength(1);
    expect(seenB).toEqual([{ type: 'assessment-completed', patientId: 'p', observationId: 'o', taskId: null, global: 9, acquiredAt: new Date('2024-03-01T08:00:00Z') }]);
  });

  it('ignores payloads that are not JSON', () => {
    const errors: unknown[] = [];
    const relay = new MonitoringEventRelay(new MonitoringEvents(), (error) => errors.push(error));
    relay.receive('not json');
    expect(errors).toHaveLength(1);
  });
});
