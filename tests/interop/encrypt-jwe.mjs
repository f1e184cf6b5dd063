// Encrypts text to a public JWK with jose: compact JWE, ECDH-ES, A256GCM,
// the kid in the protected header, as keydir's callers do.
// usage: node encrypt-jwe.mjs PUBLIC_JWK_JSON KID TEXT
// Prints the JWE; exits 1 when jose refuses.
import { CompactEncrypt, importJWK } from 'jose';

const [jwkText, kid, text] = process.argv.slice(2);
if (text === undefined) {
  console.error('usage: node encrypt-jwe.mjs PUBLIC_JWK_JSON KID TEXT');
  process.exit(2);
}
try {
  const key = await importJWK(JSON.parse(jwkText), 'ECDH-ES');
  const jwe = await new CompactEncrypt(new TextEncoder().encode(text))
    .setProtectedHeader({ alg: 'ECDH-ES', enc: 'A256GCM', kid })
    .encrypt(key);
  process.stdout.write(jwe + '\n');
} catch (error) {
  console.error(`jose could not encrypt: ${error.message}`);
  process.exit(1);
}
