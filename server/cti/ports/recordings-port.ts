/**
 * Where the CTI hands a recorded call once it has ended: the ACD named the file in its answer to
 * the dial (X-PB-Recording); the CTI knows whose call, queue and operator it was. The adapter
 * (server/recordings/recording-catalog.ts) waits for the file to be finalised and stores the row.
 *
 * Contract: `recorded()` resolves when the row is stored or the recording was given up (logged);
 * it never rejects for a missing file.
 */
export interface FinishedRecording {
  callId: string;
  queueId: string | null;
  operatorId: string | null;
  fileName: string;
  /** when the bridge (and so the recording) started: the device's answer */
  startedAt: Date;
}

export interface RecordingsPort {
  recorded(r: FinishedRecording): Promise<void>;
}
