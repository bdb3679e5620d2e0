// Hive Gateway (@graphql-hive/gateway) on the platform's supergraph, a comparison point for `make bench`.
//
//   SUPERGRAPH=path/to/supergraph.graphql PORT=14020 node server.mjs
//
// Listens on 127.0.0.1 only; its defaults otherwise (it deduplicates identical in-flight subgraph
// requests by itself). Forwards the client's Authorization header to every subgraph, as the platform
// gateway does. No usage reporting, no CDN. Readiness: POST /graphql `{ __typename }`.
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createGatewayRuntime, Logger } from '@graphql-hive/gateway';

const supergraph = process.env.SUPERGRAPH
  ?? fileURLToPath(new URL('../../deploy/supergraph.graphql', import.meta.url));
const port = Number(process.env.PORT ?? 14020);
const host = process.env.HOST ?? '127.0.0.1';

const gateway = createGatewayRuntime({
  supergraph,
  logging: new Logger({ level: 'error' }),
  graphiql: false,
  landingPage: false,
  propagateHeaders: {
    fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get('authorization') }),
  },
});

const server = createServer(gateway);
server.listen(port, host, () => {
  console.log(`hive gateway ready at http://${host}:${port}/graphql (supergraph ${supergraph})`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    server.close();
    await gateway[Symbol.asyncDispose]?.();
    process.exit(0);
  });
}
