"""The benchmark's "OpenRain mounted in FastAPI" contender.

A FastAPI app with one ordinary route and the OpenRain ASGI app mounted at ``/llm`` (so requests
go through Starlette's router and mount before reaching the gateway), as a user would write it.
Run: ``OPENRAIN_CONFIG=cfg.yaml uvicorn --app-dir bench --factory fastapi_app:create_app``.
"""

from __future__ import annotations

import os

from fastapi import FastAPI

import openrain


def create_app() -> FastAPI:
    gw = openrain.Gateway.from_file(os.environ["OPENRAIN_CONFIG"])
    app = FastAPI(lifespan=gw.lifespan, docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/health")
    async def health() -> dict:
        return {"ok": True}

    app.mount("/llm", gw.asgi())
    return app
