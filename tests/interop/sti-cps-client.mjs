// A carrier's client of the industry interface, signing its PASSporT and
// its JWTs the way TransNexus's public STI-OOBS sample does (Node's own
// crypto, ES256 as r||s, an x5u header, the passports digest over
// JSON.stringify of the array) and speaking HTTP/2 as it does, so that
// keydir's CPS is tried behind an HTTP/2 terminating proxy by a client it
// did not write. Node built-ins only.
//
//   node sti-cps-client.mjs URL CA_PEM KEY_PEM X5U SPC ORIG DEST AUD
// Prints {"health", "publish", "retrieve"}, each {"status", "body"}.
import { createPrivateKey, createHash, randomUUID, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect } from 'node:http2';

const [url, caFile, keyFile, x5u, spc, orig, dest, aud] = process.argv.slice(2);
const key = createPrivateKey(readFileSync(keyFile));
const now = () => Math.floor(Date.now() / 1000);
const b64url = (text) => Buffer.from(text).toString('base64url');

function jws(header, claims) {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const signature = sign('SHA256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

const session = connect(url, { ca: readFileSync(caFile) });
session.on('error', (error) => {
  console.error(error);
  process.exit(1);
});

function ask(headers, body) {
  return new Promise((resolve) => {
    const stream = session.request(headers, { endStream: !body });
    // As the sample: the body written with no content-length, so that the
    // proxy forwards it chunked.
    if (body) stream.end(body);
    let status = 0;
    let text = '';
    stream.on('response', (answer) => { status = answer[':status']; });
    stream.on('data', (chunk) => { text += chunk; });
    stream.on('end', () => resolve({ status, body: text }));
  });
}

const passport = jws(
  { alg: 'ES256', ppt: 'shaken', typ: 'passport', x5u },
  { attest: 'A', dest: { tn: [dest] }, iat: now(), orig: { tn: orig }, origid: randomUUID() },
);
const common = () => ({
  iat: now(), spc, iss: spc, aud, jti: randomUUID(), dest: { tn: [dest] }, orig: { tn: orig },
});
const path = `/passports/${spc}/${dest}/${orig}`;

const health = await ask({ ':path': '/health' });
const digest = createHash('sha256').update(JSON.stringify([passport])).digest('base64');
const publish = await ask(
  {
    ':method': 'POST',
    ':path': path,
    authorization: `Bearer ${jws({ alg: 'ES256', x5u }, {
      ...common(), exp: now() + 3, action: 'publish', passports: `sha256-${digest}`,
    })}`,
    'content-type': 'application/json',
  },
  JSON.stringify({ passports: [passport] }),
);
const retrieve = await ask({
  ':path': path,
  authorization: `Bearer ${jws({ alg: 'ES256', x5u }, { ...common(), action: 'retrieve' })}`,
});
console.log(JSON.stringify({ health, publish, retrieve, passport }));
session.close();
