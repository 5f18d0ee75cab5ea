// npm test's pre-step: makes sure the system tools the tests drive are on this machine, and that
// the machine's PostgreSQL answers. Installs what is missing from Debian's packages when it can
// (root with apt-get); otherwise stops at once with the exact command to run. Why: a test must
// never pass by skipping because a tool is absent, and a new machine should need no manual step.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

const { tools } = JSON.parse(readFileSync(new URL('./test-tools.json', import.meta.url), 'utf8'));
const PG = { host: '127.0.0.1', port: '5432' };
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const haveApt = existsSync('/usr/bin/apt-get');

const missingTools = () => tools.filter((t) => !t.paths.some((p) => existsSync(p)));

function run(cmd, args, what) {
  const started = Date.now();
  process.stdout.write(`test tools: ${what} …\n`);
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
  process.stdout.write(`test tools: ${what} done in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}

function fail(message, fix) {
  process.stderr.write(`\nnpm test cannot start: ${message}\n`);
  if (fix) process.stderr.write(`Run this, then npm test again:\n  ${fix}\n\n`);
  process.exit(1);
}

function aptInstall(packages, why) {
  const cmd = `apt-get update && apt-get install -y --no-install-recommends ${packages.join(' ')}`;
  if (!isRoot || !haveApt) fail(`missing ${why}`, haveApt ? `sudo sh -c '${cmd}'` : `install the Debian packages ${packages.join(', ')}`);
  run('apt-get', ['update', '-qq'], 'reading the package lists');
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], `installing ${packages.join(', ')} (about a minute)`);
}

const pgReady = () => spawnSync('pg_isready', ['-q', '-h', PG.host, '-p', PG.port]).status === 0;
const clusters = () => (existsSync('/etc/postgresql') ? readdirSync('/etc/postgresql') : []);

function ensurePostgres() {
  if (existsSync('/usr/bin/pg_isready') && pgReady()) return;
  if (clusters().length === 0) {
    aptInstall(['postgresql'], 'PostgreSQL (the tests run the migrations on a real server)');
    trustLoopback();
  }
  const version = clusters()[0];
  if (!isRoot) fail(`PostgreSQL is not answering on ${PG.host}:${PG.port}`, `sudo pg_ctlcluster ${version} main start`);
  run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], `starting PostgreSQL ${version}`);
  for (let i = 0; i < 50 && !pgReady(); i++) execFileSync('sleep', ['0.2']);
  if (!pgReady()) fail(`PostgreSQL ${version} started but does not answer on ${PG.host}:${PG.port}`);
}

// Only for a server this script installed itself: the tests connect as postgres over loopback
// without a password, as on our machines (Debian's default asks for one).
function trustLoopback() {
  for (const version of clusters()) {
    const hba = `/etc/postgresql/${version}/main/pg_hba.conf`;
    const lines = readFileSync(hba, 'utf8').split('\n');
    const out = lines.map((l) => (/^host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+/.test(l) ? l.replace(/\S+\s*$/, 'trust') : l));
    execFileSync('sh', ['-c', `cat > ${hba}`], { input: out.join('\n') });
  }
}

const missing = missingTools();
if (missing.length > 0) {
  aptInstall(
    missing.map((t) => t.package),
    missing.map((t) => `${t.name} (${t.why})`).join('; '),
  );
  const still = missingTools();
  if (still.length > 0) fail(`still missing after the install: ${still.map((t) => t.name).join(', ')}`);
}
ensurePostgres();
process.stdout.write(`test tools: ${tools.map((t) => t.name).join(', ')} and PostgreSQL present\n`);
