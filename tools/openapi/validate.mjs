// Validates an OpenAPI document (a JSON or YAML file) with @apidevtools/swagger-parser, a validator independent of
// the .NET code that wrote it: every $ref must resolve and the document must match the official OpenAPI JSON schema
// of its version (2.0, 3.0 or 3.1). swagger-parser's further checks cover Swagger 2.0 only, so for OpenAPI 3.x this
// script adds the one client generators trip on most: each {name} in a path is declared as a path parameter.
// Prints "valid: …" and exits 0, or prints what is wrong and exits 1 (2 for a usage error).
// Usage: node tools/openapi/validate.mjs FILE
import SwaggerParser from '@apidevtools/swagger-parser';

const methods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

const file = process.argv[2];
if (!file) {
  console.error('usage: node tools/openapi/validate.mjs FILE');
  process.exit(2);
}

let api;
try {
  api = await SwaggerParser.validate(file);
} catch (error) {
  console.error(`invalid: ${file}\n${error.message}`);
  process.exit(1);
}

const problems = [];
let operations = 0;
for (const [path, item] of Object.entries(api.paths ?? {})) {
  const templated = [...path.matchAll(/\{([^}]+)\}/g)].map(m => m[1]);
  for (const method of methods.filter(m => item[m])) {
    operations++;
    const declared = [...(item.parameters ?? []), ...(item[method].parameters ?? [])].filter(p => p.in === 'path').map(p => p.name);
    for (const name of templated.filter(n => !declared.includes(n))) {
      problems.push(`${method.toUpperCase()} ${path}: path parameter '${name}' is not declared`);
    }
  }
}

if (problems.length > 0) {
  console.error(`invalid: ${file}\n${problems.join('\n')}`);
  process.exit(1);
}

console.log(`valid: ${file} is OpenAPI ${api.openapi ?? api.swagger}, ${Object.keys(api.paths ?? {}).length} paths, ${operations} operations`);
