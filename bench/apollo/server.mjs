// @apollo/gateway on the platform's supergraph, the comparison point for `make bench`.
//
//   SUPERGRAPH=path/to/supergraph.graphql PORT=14010 node server.mjs
//
// Listens on 127.0.0.1 only. Forwards the client's Authorization header to every subgraph, as the
// platform gateway does. Readiness: POST /graphql `{ __typename }`.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';

const supergraphPath = process.env.SUPERGRAPH
  ?? fileURLToPath(new URL('../../deploy/supergraph.graphql', import.meta.url));
const port = Number(process.env.PORT ?? 14010);
const host = process.env.HOST ?? '127.0.0.1';

class AuthorizationForwarding extends RemoteGraphQLDataSource {
  willSendRequest({ request, context }) {
    if (context?.authorization) {
      request.http.headers.set('authorization', context.authorization);
    }
  }
}

const gateway = new ApolloGateway({
  supergraphSdl: readFileSync(supergraphPath, 'utf8'),
  buildService: ({ url }) => new AuthorizationForwarding({ url }),
});

const server = new ApolloServer({ gateway });
const { url } = await startStandaloneServer(server, {
  listen: { port, host },
  context: async ({ req }) => ({ authorization: req.headers.authorization }),
});
console.log(`apollo gateway ready at ${url} (supergraph ${supergraphPath})`);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    await server.stop();
    process.exit(0);
  });
}
