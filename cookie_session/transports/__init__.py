"""Request shapes and reply parsing, one module per service (api.x.ai, grok.com)."""
