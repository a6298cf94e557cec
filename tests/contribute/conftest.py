"""Rate limiting on, counting in memory or in a real Redis (each test its own keys)."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass

import pytest

from archive.extensions import limiter

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@dataclass
class Storage:
    uri: str
    prefix: str
    redis: object | None = None  # a redis.Redis client when counting in Redis

    def keys(self) -> list[str]:
        """Every key the limiter wrote for this test, as the storage holds it."""
        if self.redis is None:
            store = limiter._storage
            return [str(key) for key in getattr(store, "storage", {})]
        return [key.decode() for key in self.redis.scan_iter(match=f"*{self.prefix}*")]


@pytest.fixture(params=["memory", "redis"])
def limiter_storage(request):
    prefix = f"test-{uuid.uuid4().hex}"
    if request.param == "memory":
        yield Storage("memory://", prefix)
        return
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        client.close()
        pytest.fail(f"Redis is not reachable at {REDIS_URL}: start it or set TEST_REDIS_URL."
                    f"\n{error}", pytrace=False)
    storage = Storage(REDIS_URL, prefix, client)
    yield storage
    for key in client.scan_iter(match=f"*{prefix}*"):
        client.delete(key)
    client.close()


@pytest.fixture
def limited_app(make_app, limiter_storage):
    """An app with rate limiting switched on, built after every other app of the test.

    Flask-Limiter keeps one ``enabled`` flag for the whole process, so the limited app must be
    the last one made. In memory its counts are emptied before the test begins; in Redis the
    test has a key prefix of its own (and its keys are deleted after it).
    """

    def factory(**overrides):
        app = make_app(**{
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": limiter_storage.uri,
            "RATELIMIT_KEY_PREFIX": limiter_storage.prefix,
            "CONTRIBUTION_RATE_LIMIT": "3 per hour",
            **overrides,
        })
        if limiter_storage.redis is None:
            limiter.reset()
        return app

    return factory
