/** The numbers the ACD serves, injected (the CTI's database stands behind it in production). */
export interface DialPlan {
  /**
   * The hold audio for a served E.164 number, or null when the ACD does not serve it; with it the
   * message its callers hear when the center is past its capacity (none: they get 503, busy).
   */
  lookup(e164: string): { holdAudio: string; busyAudio?: string | null } | null;
}
