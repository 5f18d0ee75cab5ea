/**
 * A file or text the audio library refuses, with a message for the admin who sent it
 * ("this is not a WAV or MP3 file", "longer than 10 minutes"). The routes turn it into a
 * field message on the file (or text) field; nothing is stored.
 */
export class AudioFileError extends Error {
  override name = 'AudioFileError';
}

/**
 * A converter or the synthesiser could not start (its WebAssembly failed to load: a broken
 * install). Not the file's fault: the routes answer 503 with this message and the log names why.
 */
export class AudioToolUnavailable extends Error {
  override name = 'AudioToolUnavailable';
  constructor(tool: string, cause: unknown) {
    super(`the ${tool} could not start on this server (run npm install again): ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/** Runs a tool's start-up, turning its failure into AudioToolUnavailable. */
export async function starting<T>(tool: string, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (err) {
    throw new AudioToolUnavailable(tool, err);
  }
}
