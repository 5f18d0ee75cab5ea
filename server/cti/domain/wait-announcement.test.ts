import { describe, expect, it } from 'vitest';
import { Announce } from '../../contracts/admin/queues';
import { WAIT_PROMPTS } from '../../shared/wait-prompts';
import { announcementClips } from './wait-announcement';

describe('position and wait announcement', () => {
  it('says the position, the wait, both or nothing as the queue asks', () => {
    expect(announcementClips('none', 3, 200)).toEqual([]);
    expect(announcementClips('position', 3, 200)).toEqual(['say-you-are', 'say-n3', 'say-in-line']);
    expect(announcementClips('wait', 3, 200)).toEqual(['say-wait-is', 'say-n4', 'say-minutes']);
    expect(announcementClips('both', 1, 45)).toEqual(['say-you-are', 'say-n1', 'say-in-line', 'say-wait-short']);
  });

  it('rounds the wait up to whole minutes, to fives above twenty, and caps it at sixty', () => {
    expect(announcementClips('wait', 1, 59.9)).toEqual(['say-wait-short']);
    expect(announcementClips('wait', 1, 60)).toEqual(['say-wait-is', 'say-n1', 'say-minute']);
    expect(announcementClips('wait', 1, 61)).toEqual(['say-wait-is', 'say-n2', 'say-minutes']);
    expect(announcementClips('wait', 1, 20 * 60)).toEqual(['say-wait-is', 'say-n20', 'say-minutes']);
    expect(announcementClips('wait', 1, 20 * 60 + 1)).toEqual(['say-wait-is', 'say-n25', 'say-minutes']);
    expect(announcementClips('wait', 1, 56 * 60)).toEqual(['say-wait-is', 'say-n60', 'say-minutes']);
    expect(announcementClips('wait', 1, 61 * 60)).toEqual(['say-wait-long', 'say-n60', 'say-minutes']);
  });

  it('says "more than twenty" beyond the pieces, and nothing of the wait without an estimate', () => {
    expect(announcementClips('position', 21, null)).toEqual(['say-you-are', 'say-more-than', 'say-n20', 'say-in-line']);
    expect(announcementClips('both', 2, null)).toEqual(['say-you-are', 'say-n2', 'say-in-line']);
    expect(announcementClips('wait', 2, null)).toEqual([]);
  });

  it('offers the callback with its key after the rest, and alone when nothing else is said', () => {
    expect(announcementClips('position', 2, null, '1')).toEqual(['say-you-are', 'say-n2', 'say-in-line', 'say-callback-press', 'say-n1']);
    expect(announcementClips('none', 2, 300, '9')).toEqual(['say-callback-press', 'say-n9']);
  });

  it('only ever names a built-in piece', () => {
    for (const a of Announce.options) {
      for (let p = 1; p <= 30; p++) {
        for (const w of [null, 0, 30, 60, 90, 600, 1199, 1500, 2900, 3600, 3601, 99_999]) {
          for (const clip of announcementClips(a, p, w, p <= 9 ? String(p) : null)) expect(WAIT_PROMPTS, `${a} ${p} ${w}`).toHaveProperty([clip]);
        }
      }
    }
  });
});
