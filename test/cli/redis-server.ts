// A real Redis for the queue tests: Debian's redis-server on a free port of
// 127.0.0.1, with no persistence, stopped at the end. Where it is not
// installed the tests are skipped with the reason printed, unless
// R2U_REQUIRE_SYSTEM=1 (CI), where its absence fails them.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';

export const REQUIRE_SYSTEM = process.env.R2U_REQUIRE_SYSTEM === '1';

/** Why redis-server cannot be used here, or undefined when it can. */
export function redisMissing(): string | undefined {
  const r = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  return r.error || r.status !== 0 ? 'redis-server is not installed (Debian: apt-get install redis-server)' : undefined;
}

const freePort = (): Promise<number> =>
  new Promise((done, fail) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => done(port));
    });
    s.on('error', fail);
  });

const answers = (port: number): Promise<boolean> =>
  new Promise((done) => {
    const c = connect(port, '127.0.0.1', () => c.write('PING\r\n'));
    c.on('data', (d) => {
      c.destroy();
      done(d.toString().startsWith('+PONG'));
    });
    c.on('error', () => done(false));
  });

export async function startRedis(): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const server: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !(await answers(port)); i++) await new Promise((r) => setTimeout(r, 100));
  if (!(await answers(port))) throw new Error(`redis-server did not answer on port ${port}`);
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () =>
      new Promise((done) => {
        server.once('exit', () => done());
        server.kill('SIGTERM');
      }),
  };
}
