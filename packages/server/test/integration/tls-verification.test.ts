import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpSender } from '../../src/dispatcher/http-sender.js';

// A self-signed P-256 certificate for 127.0.0.1 and localhost, valid until 2126, made for this test only
// (`openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 36500 -subj /CN=localhost
// -addext subjectAltName=IP:127.0.0.1,DNS:localhost`). The names match, so the only fault is the missing trust.
const KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg9PQvhrUQbnOcC54g
3r1h7SoNgq2NDKerJRNk7XZdal2hRANCAASi9Y6lI7Yla7FrQwej2u+Bz3X/NL4Z
HI4XSn14cQCHjftsFcikhmTY0rW5LR5AL7T7VA21Zv9vXcvkQGdutmUm
-----END PRIVATE KEY-----
`;
const CERT = `-----BEGIN CERTIFICATE-----
MIIBnDCCAUGgAwIBAgIUIy2XccItaPE69quFdO6sSRUcOCQwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyMzEyMDY1M1oYDzIxMjYxMDMw
MTIwNjUzWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAASi9Y6lI7Yla7FrQwej2u+Bz3X/NL4ZHI4XSn14cQCHjftsFcikhmTY
0rW5LR5AL7T7VA21Zv9vXcvkQGdutmUmo28wbTAdBgNVHQ4EFgQUBeKG249L0RM6
6SjoKHP4DHxb9sYwHwYDVR0jBBgwFoAUBeKG249L0RM66SjoKHP4DHxb9sYwDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARhwR/AAABgglsb2NhbGhvc3QwCgYIKoZI
zj0EAwIDSQAwRgIhAJYMHwBixHR+hGKCdwuzn0QfLPFgt1iwS+M25g8j69ZyAiEA
5zGzr30r14/pW2jemB7t8KvH4/EhJggQWD3FtUWWlg4=
-----END CERTIFICATE-----
`;

describe('an invalid TLS certificate is a failed attempt (HARDENING 40)', () => {
  let server: Server;
  let url: string;
  let requests = 0;

  beforeAll(async () => {
    server = createServer({ key: KEY, cert: CERT }, (_req, res) => {
      requests++;
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('records errorKind tls, never skips verification, and the receiver never sees the request', async () => {
    // dev mode lets the SSRF guard dial loopback, so the certificate is the only thing in the way.
    const sender = new HttpSender({ dev: true, timeoutMs: 10_000 });
    try {
      const result = await sender.send(url, '{}', { 'content-type': 'application/json' });
      expect(result.errorKind).toBe('tls');
      expect(result.statusCode).toBeNull();
      expect(result.error).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|CERT_/);
      expect(requests).toBe(0);
    } finally {
      await sender.close();
    }
  });
});
