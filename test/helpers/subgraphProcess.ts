/** The subgraph's CLI entry (`src/main.ts`) in a child process, as benchmarks and fleet tests run it. */
import { spawn, type ChildProcess } from 'node:child_process';

/**
 * Starts `src/main.ts` through tsx with `env` added to this process's
 * environment, and resolves with its GraphQL URL once it prints it.
 */
export async function spawnSubgraph(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env: { ...process.env, PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /Subgraph:\s+(\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`subgraph exited with ${code}`)));
  });
  return { url, child };
}
