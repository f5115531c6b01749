"""Offline tooling, not the library: the loopback stand-in for api.x.ai and grok.com (`standin`),
real headless browsers in throwaway profiles (`headless`), the pytest plugin (`pytest_plugin`)
and the offline demo (`demo`).

The library proper never imports this package; importing it loads nothing.
"""
