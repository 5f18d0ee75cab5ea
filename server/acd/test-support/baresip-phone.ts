import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { writeWav8kMono16 } from '../media/wav';
import { tone } from './tones';

/**
 * baresip (Debian baresip-core) as a real SIP phone for tests: UDP on loopback, auto-answer,
 * plays a tone from a WAV (aufile), records what it decodes (sndfile), no sound card (aubridge).
 * FACTS.md: aufile needs 8 kHz WAVs; stdio.so is left out because stdin is not a terminal.
 */
export const BARESIP = '/usr/bin/baresip';

export interface BaresipPhone {
  /** everything baresip printed so far (for failure messages and readiness checks) */
  output(): string;
  /** PCM of what baresip decoded from the call (its sndfile `*-dec.wav`), or null before there is one */
  decodedPcm(): Int16Array | null;
  /** presses keys on the call (RFC 4733, baresip's `sndcode` over ctrl_tcp); needs `ctrlPort` */
  pressKeys(keys: string): Promise<void>;
  stop(): Promise<void>;
}

export interface BaresipOptions {
  /** a fresh directory owned by the test */
  dir: string;
  sipPort: number;
  /** `rtp_ports` range, e.g. '44600-44699' */
  rtpPorts: string;
  /** the accounts line, e.g. `<sip:user@domain>;auth_user=…;regint=600;answermode=auto` */
  account: string;
  /** tone the phone plays into the call */
  toneHz: number;
  /** text in baresip's output that means it is ready for the test (e.g. "baresip is ready", "200 OK") */
  readyWhen: RegExp;
  readyTimeoutMs?: number;
  /** baresip is killed after this long whatever happens (default 60 s): a long test asks for more */
  lifetimeSec?: number;
  /** a free TCP port for baresip's ctrl_tcp (menu commands such as sndcode); none: no keypad */
  ctrlPort?: number;
}

export async function startBaresipPhone(o: BaresipOptions): Promise<BaresipPhone> {
  const rec = path.join(o.dir, 'rec');
  mkdirSync(rec, { recursive: true });
  const toneFile = path.join(o.dir, 'tone.wav');
  // as long as baresip may live: at the file's end aufile's source stops and baresip hangs the call up
  writeFileSync(toneFile, writeWav8kMono16(tone(o.toneHz, 8000, (o.lifetimeSec ?? 60) * 8000)));
  writeFileSync(
    path.join(o.dir, 'config'),
    [
      'poll_method epoll',
      `sip_listen 127.0.0.1:${o.sipPort}`,
      'sip_transports udp',
      'net_interface 127.0.0.1',
      'audio_player aubridge,nil',
      `audio_source aufile,${toneFile}`,
      'audio_alert aubridge,nil',
      `rtp_ports ${o.rtpPorts}`,
      'module_path /usr/lib/baresip/modules',
      'module g711.so',
      'module aufile.so',
      'module aubridge.so',
      'module sndfile.so',
      'module_app account.so',
      ...(o.ctrlPort ? ['module_app menu.so', 'module_app ctrl_tcp.so', `ctrl_tcp_listen 127.0.0.1:${o.ctrlPort}`] : []),
      `snd_path ${rec}`,
      '',
    ].join('\n'),
  );
  writeFileSync(path.join(o.dir, 'accounts'), `${o.account}\n`);
  const proc: ChildProcess = spawn('timeout', [String(o.lifetimeSec ?? 60), BARESIP, '-f', o.dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const phone: BaresipPhone = {
    output: () => out,
    decodedPcm: () => {
      const f = readdirSync(rec).find((n) => n.endsWith('-dec.wav'));
      if (!f) return null;
      const wav = readFileSync(path.join(rec, f));
      return new Int16Array(wav.buffer, wav.byteOffset + 44, Math.floor((wav.length - 44) / 2));
    },
    pressKeys: async (keys) => {
      if (!o.ctrlPort) throw new Error('baresip was started without ctrlPort: no keypad');
      // ctrl_tcp speaks netstrings of JSON commands
      const cmd = JSON.stringify({ command: 'sndcode', params: keys, token: 'keys' });
      await new Promise<void>((resolve, reject) => {
        const sock = connect(o.ctrlPort!, '127.0.0.1', () => sock.write(`${Buffer.byteLength(cmd)}:${cmd},`));
        sock.once('error', reject);
        // baresip answers each command (then the keys are being sent)
        sock.once('data', () => sock.end());
        sock.once('close', () => resolve());
        sock.setTimeout(3000, () => sock.destroy());
      });
    },
    stop: async () => {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      await Promise.race([exited, sleep(3000)]);
    },
  };
  const deadline = Date.now() + (o.readyTimeoutMs ?? 10_000);
  while (!o.readyWhen.test(out)) {
    if (Date.now() > deadline || proc.exitCode !== null) {
      await phone.stop();
      throw new Error(`baresip not ready (${o.readyWhen}):\n${out}`);
    }
    await sleep(50);
  }
  return phone;
}

export function rms(pcm: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < pcm.length; i++) s += (pcm[i] as number) ** 2;
  return Math.sqrt(s / Math.max(1, pcm.length));
}

export { tone }; // tone(hz, amplitude, samples) from tones.ts

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
