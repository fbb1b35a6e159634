import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createHookwireClient } from '@hookwire/client';
import { schemes, verify } from '@hookwire/signatures';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  createTenant,
  type HookwireProcess,
  runCli,
  startHookwire,
  startReceiver,
  tempDir,
  waitFor,
} from './helpers.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const dirs: { remove(): void }[] = [];
const servers: HookwireProcess[] = [];
afterAll(async () => {
  for (const s of servers) {
    await s.stop();
  }
  for (const d of dirs) {
    d.remove();
  }
});
function dir(prefix: string) {
  const d = tempDir(prefix);
  dirs.push(d);
  return d.path;
}

describe('hookwire CLI', () => {
  it('prints help for the CLI and each command', async () => {
    const top = await runCli(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/serve.*\n.*migrate.*\n.*codegen/);
    for (const cmd of ['serve', 'migrate', 'codegen']) {
      const r = await runCli([cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: hookwire ${cmd}`);
    }
    const serve = await runCli(['serve', '-h']);
    for (const v of [
      'HOOKWIRE_HOST',
      'HOOKWIRE_PORT',
      'HOOKWIRE_DATA_DIR',
      'HOOKWIRE_ADMIN_KEY',
      'HOOKWIRE_PLANS',
      '--role',
    ]) {
      expect(serve.stdout).toContain(v);
    }
    expect((await runCli(['--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('rejects unknown commands, flags and bad configuration with exit code 2', async () => {
    const unknown = await runCli(['deploy']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "deploy"');
    const flag = await runCli(['serve', '--prot', '1']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/--prot/);
    expect(flag.stderr).toContain('hookwire serve --help');
    const db = await runCli(['serve'], { HOOKWIRE_DATABASE_URL: 'mysql://user:pw@127.0.0.1/hookwire' });
    expect(db.code).toBe(2);
    expect(db.stderr).toContain('must be a postgres:// URL');
    const port = await runCli(['serve', '--port', 'http']);
    expect(port.code).toBe(2);
    expect(port.stderr).toContain('HOOKWIRE_PORT');
  });

  it('says which port is taken instead of printing a stack trace', async () => {
    const d = dir('hookwire-port-');
    const first = await startHookwire({ dataDir: d });
    servers.push(first);
    const port = new URL(first.url).port;
    const second = await runCli(['serve', '--dev', '--port', port, '--data-dir', dir('hookwire-port2-')], {
      HOOKWIRE_ADMIN_KEY: 'e2e-admin-key-0123456789abcdef',
      HOOKWIRE_LOG_LEVEL: 'silent',
    });
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/cannot listen: .*EADDRINUSE.*HOOKWIRE_PORT/);
    expect(second.stderr).not.toContain('    at ');
  });

  it('migrates a data dir once', async () => {
    const d = dir('hookwire-migrate-');
    const first = await runCli(['migrate', '--data-dir', d]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/applied migrations 1/);
    const second = await runCli(['migrate', '--data-dir', d]);
    expect(second.stdout).toContain('is up to date');
  });

  it('generates the admin key once, keeps it across restarts, and shuts down cleanly on SIGTERM', async () => {
    const d = dir('hookwire-adminkey-');
    const env = { HOOKWIRE_ADMIN_KEY: '' };
    const first = await startHookwire({ dataDir: d, env });
    const banner = first.output().stderr;
    const key = /Admin key \(generated now[^\n]*\n\s+(\S+)/.exec(banner)?.[1];
    expect(key).toMatch(/^hwadm_/);
    expect(statSync(join(d, 'admin-key')).mode & 0o777).toBe(0o600);
    const admin = createHookwireClient({ baseUrl: first.url, apiKey: key as string, retries: false });
    expect((await admin.tenants.list().toArray()).length).toBe(0);
    expect(await first.stop()).toBe(0);

    const second = await startHookwire({ dataDir: d, env, args: [] });
    servers.push(second);
    expect(second.output().stderr).not.toContain(key);
    expect(second.output().stderr).toContain('admin key: in');
    const again = createHookwireClient({ baseUrl: second.url, apiKey: key as string, retries: false });
    await expect(again.tenants.create({ name: 'still works' })).resolves.toMatchObject({
      name: 'still works',
    });
    expect(await second.stop()).toBe(0);
    servers.pop();
  });

  it('--dev --demo creates the demo tenant once and prints a curl line that publishes', async () => {
    const d = dir('hookwire-demo-');
    const first = await startHookwire({ dataDir: d, args: ['--dev', '--demo'] });
    const banner = first.output().stderr;
    expect(banner).toContain('DEV MODE');
    const apiKey = /Demo tenant \S+ \(created now\), API key:\n\s+(\S+)/.exec(banner)?.[1];
    expect(apiKey).toBeDefined();
    const curl = /curl -s -X POST (\S+\/api\/events) .*\\\n.*-d '([^']+)'/.exec(banner);
    expect(curl).not.toBeNull();
    const res = await fetch(curl![1]!, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: curl![2]!,
    });
    expect(res.status).toBe(202);
    // The dashboard line points at a page the server really serves.
    const dashboard = /Dashboard: (\S+\/ui) /.exec(banner)?.[1];
    expect(dashboard).toBeDefined();
    const page = await fetch(dashboard!);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await first.stop()).toBe(0);
    const second = await startHookwire({ dataDir: d, args: ['--dev', '--demo'] });
    servers.push(second);
    expect(second.output().stderr).toContain(`${apiKey}`);
    expect(second.output().stderr).not.toContain('(created now)');
  });

  it('runs the API and the dispatcher as separate processes on one data dir (--role api / worker)', async () => {
    const d = dir('hookwire-roles-');
    const receiver = await startReceiver();
    try {
      const api = await startHookwire({ dataDir: d, args: ['--dev', '--role', 'api'] });
      servers.push(api);
      const worker = await startHookwire({ dataDir: d, args: ['--dev', '--role', 'worker'] });
      servers.push(worker);
      // The worker serves probes and metrics only.
      expect((await fetch(`${worker.url}/readyz`)).status).toBe(200);
      expect((await fetch(`${worker.url}/api/webhooks`)).status).toBe(404);
      const { hw } = await createTenant(api.url, 'roles');
      await hw.webhooks.create({ url: `${receiver.url}/roles`, events: ['link.click'] });
      const msg = await hw.events.publish({ type: 'link.click', data: { link_id: 'x' } });
      await waitFor('the worker delivers', () =>
        receiver.requests.find((r) => r.headers['webhook-id'] === msg.id),
      );
      // The receiver can see the request before the worker has recorded the attempt (attempt writes are
      // batched per event-loop turn), so wait for the metric rather than read it once.
      const metrics = await waitFor('the worker counts the attempt', async () => {
        const text = await (await fetch(`${worker.url}/metrics`)).text();
        return /^hookwire_delivery_attempts_total\{/m.test(text) ? text : undefined;
      });
      expect(metrics).toMatch(/^hookwire_delivery_attempts_total\{outcome="succeeded"\} 1$/m);
    } finally {
      await receiver.close();
    }
  });

  it('encrypts endpoint secrets at rest with HOOKWIRE_ENCRYPTION_KEY and still signs with them', async () => {
    const d = dir('hookwire-encryption-');
    const receiver = await startReceiver();
    try {
      const server = await startHookwire({
        dataDir: d,
        env: { HOOKWIRE_ENCRYPTION_KEY: 'e2e-encryption-key-0123456789' },
      });
      servers.push(server);
      const { hw } = await createTenant(server.url, 'encrypted');
      const ep = await hw.webhooks.create({ url: `${receiver.url}/enc`, events: ['link.click'] });
      await hw.events.publish({ type: 'link.click', data: { link_id: 'e' } });
      const req = await waitFor('a delivery', () => receiver.requests.find((r) => r.path === '/enc'));
      await expect(
        verify(schemes.standard(), { secret: ep.secret, body: req.body, headers: req.headers }),
      ).resolves.toBeDefined();
      expect(await server.stop()).toBe(0);
      servers.pop();
      // Neither the database nor its WAL holds the secret (or its base64 key part) in clear.
      const raw = Buffer.concat(
        ['hookwire.db', 'hookwire.db-wal']
          .filter((f) => existsSync(join(d, f)))
          .map((f) => readFileSync(join(d, f))),
      );
      expect(raw.includes(Buffer.from(ep.secret.slice('whsec_'.length)))).toBe(false);
    } finally {
      await receiver.close();
    }
  });

  it('codegen writes TypeScript types of a running server catalog that compile and type the data', async () => {
    const d = dir('hookwire-codegen-');
    const server = await startHookwire({ dataDir: d, args: ['--dev', '--demo'] });
    servers.push(server);
    const apiKey = /API key:\n\s+(\S+)/.exec(server.output().stderr)?.[1] as string;
    const out = join(d, 'events.ts');
    const r = await runCli(['codegen', '--url', server.url, '--key', apiKey, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/wrote 10 event types/);
    const source = readFileSync(out, 'utf8');
    expect(source).toContain("'link.click': {");
    expect(source).toContain('export const eventTypes = [');

    const bad = await runCli([
      'codegen',
      '--url',
      server.url,
      '--key',
      'hw_000000000000_wrongwrongwrongwrongwrongwrongwron',
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/401/);

    // Compile the generated module with a usage that must type-check, and one that must not.
    writeFileSync(
      join(d, 'use.ts'),
      [
        "import { type EventMap, eventTypes } from './events.js';",
        "const click: EventMap['link.click'] = { link_id: 'lnk_1', country: 'FR', unique: true };",
        'const names: readonly string[] = eventTypes;',
        'export { click, names };',
        '// @ts-expect-error link_id is required',
        "export const missing: EventMap['link.click'] = { country: 'FR' };",
        '// @ts-expect-error unique is a boolean',
        "export const wrong: EventMap['link.click'] = { link_id: 'x', unique: 'yes' };",
        '',
      ].join('\n'),
    );
    const ts = createRequire(import.meta.url)('typescript') as typeof import('typescript');
    const program = ts.createProgram([join(d, 'use.ts')], {
      strict: true,
      noEmit: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      skipLibCheck: true,
      types: [],
    });
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .map((x) => ts.flattenDiagnosticMessageText(x.messageText, '\n'));
    expect(diagnostics).toEqual([]);
  });
});
