import { GraphQLError, buildSchema, getIntrospectionQuery, parse, validate } from 'graphql';
import { AppError, silentLogger } from '@brixia/common';
import { formatGraphqlError } from './graphql-errors';
import { complexityLimitPlugin, depthLimitRule } from './query-limits';
import { MonitoringEvents } from '@brixia/monitoring';
import { eventIterator } from './event-iterator';

const schema = buildSchema(`type Node { id: ID!, child: Node } type Query { node: Node }`);

describe('depthLimitRule', () => {
  const errors = (query: string, max: number): readonly GraphQLError[] => validate(schema, parse(query), [depthLimitRule(max)]);

  it('accepts a query at the limit and refuses one deeper, following fragments', () => {
    expect(errors('{ node { child { id } } }', 3)).toEqual([]);
    const refused = errors('{ node { child { child { id } } } }', 3);
    expect(refused.map((e) => e.extensions['code'])).toEqual(['REQUEST.TOO_COMPLEX']);
    expect(errors('{ node { ...F } } fragment F on Node { child { child { id } } }', 3)).toHaveLength(1);
  });

  it("bounds introspection apart from the data graph: GraphiQL's standard query passes, a deeper one is refused", () => {
    expect(errors(getIntrospectionQuery(), 3)).toEqual([]);
    const deep = `{ __schema { types { ${'ofType { '.repeat(20)}name${' }'.repeat(20)} } } }`;
    expect(errors(deep, 3).map((e) => e.message)).toEqual([expect.stringMatching(/^Introspection depth \d+ exceeds the limit of 16$/)]);
    // Data fields next to introspection still count against the data limit.
    expect(errors('{ __typename node { child { child { id } } } }', 3)).toHaveLength(1);
  });

  it('does not loop on cyclic fragments', () => {
    expect(() => errors('{ node { ...F } } fragment F on Node { child { ...F } }', 3)).not.toThrow();
  });
});

describe('complexityLimitPlugin', () => {
  it('refuses variables of the wrong type as REQUEST.INVALID, not an internal error', async () => {
    const listener = await complexityLimitPlugin(100).requestDidStart?.({} as never);
    const resolving = listener?.didResolveOperation?.({ request: { variables: { id: { a: 1 } } }, document: parse('query($id: ID!) { node { id } }'), schema } as never);
    await expect(resolving).rejects.toMatchObject({ extensions: { code: 'REQUEST.INVALID' } });
  });
});

describe('formatGraphqlError', () => {
  const format = formatGraphqlError(silentLogger);

  it('types AppErrors with their ERROR_TABLE code and keeps their safe message', () => {
    const error = new GraphQLError('x', { path: ['patient'], originalError: new AppError('RESOURCE.NOT_FOUND', 'No Brixia scores for Patient/p') });
    expect(format({ message: 'x', path: ['patient'] }, error)).toEqual({
      message: 'No Brixia scores for Patient/p',
      path: ['patient'],
      extensions: { code: 'RESOURCE.NOT_FOUND', httpStatus: 404, retryable: false },
    });
  });

  it('hides unknown errors as INTERNAL without message or stack', () => {
    const error = new GraphQLError('db password wrong at x.ts:3', { path: ['patients'], originalError: new Error('db password wrong') });
    const out = format({ message: 'db password wrong at x.ts:3', path: ['patients'], extensions: { stacktrace: ['at x.ts:3'] } }, error);
    expect(out).toEqual({ message: 'Internal error', path: ['patients'], extensions: { code: 'INTERNAL', httpStatus: 500, retryable: true } });
  });

  it('maps GraphQL validation errors to REQUEST.INVALID', () => {
    const error = new GraphQLError('Cannot query field "nope"', { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    expect(format({ message: error.message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }, error).extensions?.['code']).toBe('REQUEST.INVALID');
  });
});

describe('eventIterator', () => {
  it('delivers selected events in order and unsubscribes on return()', async () => {
    const events = new MonitoringEvents();
    const iterator = eventIterator(events, (event) => (event.type === 'result-reviewed' ? event.versionId : undefined));
    events.publish({ type: 'result-reviewed', patientId: 'p', observationId: 'o', versionId: 2, status: 'final' });
    events.publish({ type: 'alert-raised', alert: {} as never });
    const pending = iterator.next();
    events.publish({ type: 'result-reviewed', patientId: 'p', observationId: 'o', versionId: 3, status: 'amended' });
    expect(await pending).toEqual({ value: 2, done: false });
    expect(await iterator.next()).toEqual({ value: 3, done: false });
    await iterator.return?.();
    expect(events.listenerCount).toBe(0);
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
  });
});
