import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, type ASTVisitor, type FragmentDefinitionNode, type SelectionSetNode, type ValidationContext } from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import { refusal } from './graphql-errors';

/**
 * How deep an introspection subtree (`__schema`, `__type`) may go: GraphiQL's standard introspection
 * query nests `ofType` to depth 15. Counted apart from `maxDepth`, which bounds the data graph; the
 * introspection graph is the schema itself, small and fixed.
 */
export const INTROSPECTION_MAX_DEPTH = 16;

const isIntrospectionRoot = (name: string): boolean => name === '__schema' || name === '__type';

/**
 * Validation rule: refuses operations nested deeper than `maxDepth` fields (fragments followed), and
 * introspection subtrees deeper than INTROSPECTION_MAX_DEPTH, before anything runs.
 */
export function depthLimitRule(maxDepth: number): (context: ValidationContext) => ASTVisitor {
  return (context) => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
    let introspectionDepth = 0;
    const depthOf = (selectionSet: SelectionSetNode | undefined, seen: ReadonlySet<string>): number => {
      if (!selectionSet) return 0;
      let deepest = 0;
      for (const selection of selectionSet.selections) {
        if (selection.kind === Kind.FIELD && isIntrospectionRoot(selection.name.value)) {
          introspectionDepth = Math.max(introspectionDepth, 1 + depthOf(selection.selectionSet, seen));
        } else if (selection.kind === Kind.FIELD) deepest = Math.max(deepest, selection.selectionSet ? 1 + depthOf(selection.selectionSet, seen) : 1);
        else if (selection.kind === Kind.INLINE_FRAGMENT) deepest = Math.max(deepest, depthOf(selection.selectionSet, seen));
        else if (!seen.has(selection.name.value)) {
          const fragment = fragments.get(selection.name.value);
          deepest = Math.max(deepest, depthOf(fragment?.selectionSet, new Set([...seen, selection.name.value])));
        }
      }
      return deepest;
    };
    return {
      OperationDefinition(node): void {
        introspectionDepth = 0;
        const depth = depthOf(node.selectionSet, new Set());
        if (depth > maxDepth) {
          context.reportError(new GraphQLError(`Query depth ${depth} exceeds the limit of ${maxDepth}`, { nodes: [node], extensions: { code: 'REQUEST.TOO_COMPLEX' } }));
        }
        if (introspectionDepth > INTROSPECTION_MAX_DEPTH) {
          context.reportError(
            new GraphQLError(`Introspection depth ${introspectionDepth} exceeds the limit of ${INTROSPECTION_MAX_DEPTH}`, { nodes: [node], extensions: { code: 'REQUEST.TOO_COMPLEX' } }),
          );
        }
      },
    };
  };
}

/**
 * Apollo plugin: estimates each operation's cost (list fields declare theirs, e.g. `patients`
 * costs `first` × its selection) and refuses those above `maxComplexity` before execution.
 */
export function complexityLimitPlugin(maxComplexity: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, schema }): Promise<void> {
          let complexity: number;
          try {
            complexity = getComplexity({
              schema,
              operationName: request.operationName,
              query: document,
              variables: request.variables,
              estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
            });
          } catch (error: unknown) {
            // getComplexity coerces the variables first; a value of the wrong type is the client's mistake
            // (graphql-js throws an uncoded GraphQLError here, before Apollo's own BAD_USER_INPUT check).
            if (error instanceof GraphQLError) throw refusal('REQUEST.INVALID', error.message);
            throw error;
          }
          if (complexity > maxComplexity) throw refusal('REQUEST.TOO_COMPLEX', `Query complexity ${complexity} exceeds the limit of ${maxComplexity}`);
        },
      };
    },
  };
}
