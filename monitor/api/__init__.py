"""The HTTP API and websocket of the monitor; build one with `monitor.api.app.create_app`.

Kept free of imports so that `monitor.api.mappers` can be used without FastAPI loaded.
"""
