"""The routers of /api/v1/: parse, call a selector or a service, shape the answer."""
