// Validates an OpenAPI document with an independent validator (the npm
// @seriousme/openapi-schema-validator, which checks it against the OpenAPI
// Initiative's published schema for its version) and prints it as JSON, so
// that keydir's test can compare it with the routes the servers have.
// usage: node openapi.mjs FILE.yaml
// Prints {"valid": true, "version", "document"}; exits 1 with the errors.
import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { parse } from 'yaml';

const file = process.argv[2];
if (!file) {
  console.error('usage: node openapi.mjs FILE.yaml');
  process.exit(2);
}
const document = parse(readFileSync(file, 'utf8'));
const validator = new Validator();
const result = await validator.validate(structuredClone(document));
if (!result.valid) {
  console.error(JSON.stringify(result.errors, null, 2));
  process.exit(1);
}
process.stdout.write(JSON.stringify({ valid: true, version: validator.version, document }) + '\n');
