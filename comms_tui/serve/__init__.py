"""``comms-tui serve``: the app in a web page, one app process per browser tab.

``server`` (needs the ``web`` extra: textual-serve, aiohttp) runs in the ``serve`` process;
``driver`` (Textual only) runs in each tab's app process.
"""
