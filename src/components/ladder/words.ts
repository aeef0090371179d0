// The ladder diagram's own words in one edition of the course.
import { translator, type Locale } from '../../i18n/index.ts';
import type { LadderModelWords } from './model.ts';
import type { LadderSvgWords } from './render.ts';

export function ladderWords(locale: Locale): { model: LadderModelWords; svg: LadderSvgWords } {
  const tr = translator(locale);
  return {
    model: { later: (duration) => tr('pg.ladderLater', { duration }), timeWaitUntil: (time) => tr('pg.ladderTimeWaitUntil', { time }) },
    svg: {
      retxMark: tr('pg.ladderRetx'),
      dupMark: tr('pg.ladderDup'),
      lost: tr('pg.ladderLost'),
      retransmission: tr('pg.ladderRetransmission'),
      duplicate: tr('pg.ladderDuplicate'),
      omitted: (n) => tr('pg.ladderOmitted', { n }),
    },
  };
}
