// The reference gateway for the differential suite (services/gateway/tests/differential): one Node process per test session.
//
//   PORT=0 node server.mjs      (prints "listening <port>" once ready; 127.0.0.1 only)
//
// POST /compose  {"subgraphs": [{name, url, sdl}]}           -> {"supergraph"} | {"errors"}
// POST /execute  {"supergraph", "query", "variables"}        -> the @apollo/gateway response body
// One @apollo/gateway (in an ApolloServer, run with executeOperation) per distinct supergraph.
import { createServer } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloGateway } from '@apollo/gateway';
import { compose } from './compose.mjs';

const gateways = new Map();

async function gatewayFor(supergraphSdl) {
  let server = gateways.get(supergraphSdl);
  if (!server) {
    server = (async () => {
      const apollo = new ApolloServer({
        gateway: new ApolloGateway({ supergraphSdl }), includeStacktraceInErrorResponses: false, stopOnTerminationSignals: false,
      });
      await apollo.start();
      return apollo;
    })();
    gateways.set(supergraphSdl, server);
  }
  return server;
}

async function execute({ supergraph, query, variables }) {
  const server = await gatewayFor(supergraph);
  const response = await server.executeOperation({ query, variables });
  return response.body.kind === 'single' ? response.body.singleResult : { errors: [{ message: 'incremental response' }] };
}

const routes = { '/compose': async (body) => compose(body.subgraphs), '/execute': execute };

const http = createServer(async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  let status = 200;
  let result;
  try {
    const route = routes[req.url];
    if (!route) {
      status = 404;
      result = { error: 'not found' };
    } else {
      result = await route(JSON.parse(Buffer.concat(chunks).toString('utf8')));
    }
  } catch (error) {
    status = 500;
    result = { error: String(error?.stack ?? error) };
  }
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(result));
});

http.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`listening ${http.address().port}`);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
