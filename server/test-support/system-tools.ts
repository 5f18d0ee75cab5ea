import { existsSync } from 'node:fs';
import list from '../../scripts/test-tools.json';

type ToolName = 'chromium' | 'sipp' | 'baresip' | 'openssl' | 'ss' | 'ffmpeg' | 'kamailio';

/**
 * The path of a system tool a test drives. A missing tool fails the test file with the command
 * that brings it — never a skip: `npm test`'s pre-step (scripts/ensure-test-tools.mjs) installs
 * them all, so a missing one means the tests were started some other way.
 */
export function requireTool(name: ToolName): string {
  const tool = list.tools.find((t) => t.name === name);
  if (!tool) throw new Error(`unknown test tool ${name}`);
  const found = tool.paths.find((p) => existsSync(p));
  if (!found) {
    throw new Error(`${name} is missing (${tool.why}): run npm test, or apt-get install -y --no-install-recommends ${tool.package}`);
  }
  return found;
}
