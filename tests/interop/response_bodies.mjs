// Checks answers the servers really gave against the OpenAPI document, as
// a validating proxy (Stoplight Prism) would: each JSON body against the
// schema the document gives for its operation, status (or `default`) and
// content type, with an independent JSON Schema 2020-12 validator (the npm
// ajv, which OpenAPI 3.1's schemas are written for).
// usage: node response_bodies.mjs OPENAPI.yaml ANSWERS.json
// ANSWERS.json: [{"method", "path" (the document's path), "status",
// "content_type", "body"}]. Prints {"checked": N}; exits 1 listing every
// answer that does not match, or whose operation, status or content type
// the document lacks.
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

const [documentFile, answersFile] = process.argv.slice(2);
if (!documentFile || !answersFile) {
  console.error('usage: node response_bodies.mjs OPENAPI.yaml ANSWERS.json');
  process.exit(2);
}
const document = parse(readFileSync(documentFile, 'utf8'));
const answers = JSON.parse(readFileSync(answersFile, 'utf8'));

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addFormat('binary', true);
ajv.addSchema(document, 'openapi.json');

// RFC 6901: a JSON pointer's segments escape ~ and /.
const segment = (text) => String(text).replaceAll('~', '~0').replaceAll('/', '~1');
const pointer = (...segments) => '#/' + segments.map(segment).join('/');

// Follows a local $ref ("#/components/responses/X") to what it names.
function resolve(node, at) {
  while (node && node.$ref) {
    at = node.$ref;
    node = at.slice(2).split('/').reduce(
      (held, part) => held?.[part.replaceAll('~1', '/').replaceAll('~0', '~')], document);
  }
  return [node, at];
}

const problems = [];
let checked = 0;
for (const answer of answers) {
  const where = `${answer.method} ${answer.path} ${answer.status}`;
  const operation = document.paths?.[answer.path]?.[answer.method.toLowerCase()];
  if (!operation) {
    problems.push(`${where}: the document has no such operation`);
    continue;
  }
  const status = String(answer.status);
  const key = status in (operation.responses ?? {}) ? status : 'default';
  let [response, at] = resolve(operation.responses?.[key],
    pointer('paths', answer.path, answer.method.toLowerCase(), 'responses', key));
  if (!response) {
    problems.push(`${where}: the document has neither this status nor a default`);
    continue;
  }
  const type = (answer.content_type ?? '').split(';')[0].trim();
  if (!response.content) {
    if (answer.body) problems.push(`${where}: a body the document does not describe`);
    continue;
  }
  const media = response.content[type];
  if (!media) {
    problems.push(`${where}: content type '${type}' is not among ${Object.keys(response.content)}`);
    continue;
  }
  // Only JSON is checked against a schema; other types (NDJSON streams, a
  // TokenResponse) are bodies whose type matched.
  const json = type === 'application/json' || type.endsWith('+json') ||
    type === 'application/private-token-issuer-directory';
  if (!json) continue;
  if (!media.schema) continue;
  let body;
  try {
    body = JSON.parse(answer.body);
  } catch (error) {
    problems.push(`${where}: the body is not JSON: ${error.message}`);
    continue;
  }
  const schemaAt = at.startsWith('#/components/')
    ? at + '/' + ['content', type, 'schema'].map(segment).join('/')
    : pointer('paths', answer.path, answer.method.toLowerCase(), 'responses', key, 'content',
      type, 'schema');
  const validate = ajv.getSchema('openapi.json' + schemaAt) ??
    ajv.compile({ $ref: 'openapi.json' + schemaAt });
  checked += 1;
  if (!validate(body)) {
    problems.push(`${where}: ${ajv.errorsText(validate.errors)}; body ${answer.body.slice(0, 300)}`);
  }
}
if (problems.length > 0) {
  process.stdout.write(JSON.stringify({ problems }) + '\n');
  process.exit(1);
}
process.stdout.write(JSON.stringify({ checked }) + '\n');
