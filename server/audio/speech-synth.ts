import ESpeakNg from 'espeak-ng';
import { MAX_TTS_CHARS, type Voice } from '../contracts/admin/audio';
import { AudioFileError, starting } from './audio-file-error';
import { convertWav, type ConvertedClip } from './convert-upload';

/**
 * Text to speech with espeak-ng compiled to WebAssembly (npm `espeak-ng`: the espeak-ng program
 * itself, its voice data embedded, so it works offline straight after `npm install`). Each call
 * runs the program once: the sentence goes in as a file on its in-memory file system (never as
 * an argument, so a sentence starting with "-" is spoken, not parsed as an option), the WAV
 * comes out the same way (22,050 Hz), and is converted like an upload.
 */
export async function synthesise(text: string, voice: Voice, wordsPerMinute: number): Promise<ConvertedClip> {
  if (text.length === 0 || text.length > MAX_TTS_CHARS) throw new AudioFileError(`type 1 to ${MAX_TTS_CHARS} characters`);
  const errors: string[] = [];
  const es = await starting('speech synthesiser', () => ESpeakNg({
    arguments: ['-v', voice, '-s', String(wordsPerMinute), '-f', '/tmp/in.txt', '-w', '/tmp/out.wav'],
    preRun: [(m: { FS: { mkdirTree(p: string): void; writeFile(p: string, d: string): void } }) => {
      m.FS.mkdirTree('/tmp');
      m.FS.writeFile('/tmp/in.txt', text);
    }],
    print: () => {},
    printErr: (line: string) => errors.push(line),
  }));
  let wav: Uint8Array;
  try {
    wav = es.FS.readFile('/tmp/out.wav');
  } catch {
    throw new AudioFileError(`the speech synthesiser failed${errors.length ? `: ${errors.join(' ')}` : ''}`);
  }
  return convertWav(Buffer.from(wav.buffer, wav.byteOffset, wav.byteLength));
}
