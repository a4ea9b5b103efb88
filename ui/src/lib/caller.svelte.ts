// The language of the caller: one choice shared by the script pane (which
// column it marks for reading aloud) and the open call (its `language`).
// It starts from the interface language when a call starts and then changes
// only when the volunteer chooses, in either place; switching the interface
// language mid-call does not change it.

/** The caller's language, as a call's language tag (`en`, `es`, `other`). */
export const caller = $state({ lang: 'en' });
