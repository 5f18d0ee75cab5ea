/** npm `espeak-ng` ships no types: the slice of its Emscripten module this project uses. */
declare module 'espeak-ng' {
  interface ESpeakFS {
    readFile(path: string): Uint8Array;
    writeFile(path: string, data: string | Uint8Array): void;
    mkdirTree(path: string): void;
  }
  interface ESpeakModuleOptions {
    arguments: string[];
    preRun?: Array<(module: { FS: ESpeakFS }) => void>;
    print?: (line: string) => void;
    printErr?: (line: string) => void;
  }
  export default function ESpeakNg(options: ESpeakModuleOptions): Promise<{ FS: ESpeakFS }>;
}
