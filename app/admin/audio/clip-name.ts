/** A clip name suggested from a file's name: "Welcome Message (v2).mp3" → "welcome-message-v2". */
export function nameFromFile(file: string): string {
  return file
    .replace(/\.[^.]*$/, '')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '')
    .slice(0, 64);
}
