"""What a send means, once, for every front-end: no Textual, no argparse here.

``session`` (profile or environment → target, credentials, context, journal, client),
``preflight`` (every rule checked before a send: the questions to ask, the notes to show),
``guard`` (the duplicate guard's fingerprints and wording), ``sender`` (journal → HTTP →
journal) and ``lab`` (the sender-ID lab). The CLI and the TUI call these and only decide how to
show and how to ask.
"""
