"""Deploy checks (`manage.py check --deploy`) on the services the site relies on."""

from django.conf import settings
from django.core.checks import Tags, register
from django.core.checks import Warning as CheckWarning

# Policies that make room by evicting keys. Pages, QR codes and counters all expire and may be
# dropped; the catalogue version restarts from a random number if it is (catalogue/caching.py).
EVICTING_POLICIES = {"allkeys-lru", "volatile-lru", "allkeys-lfu", "volatile-lfu"}
HINT = (
    "Set maxmemory (e.g. 256mb) and maxmemory-policy allkeys-lru in redis.conf (README, "
    "Running in production); without them random page addresses can fill the server's memory."
)


@register(Tags.caches, deploy=True)
def redis_memory_limit(app_configs=None, **kwargs):
    """Redis (REDIS_URL) must have a memory ceiling and evict when it reaches it.

    Only ever warns: an unreachable Redis or a refused CONFIG GET (managed services often
    rename it) is said so, and the site still starts.
    """
    url = getattr(settings, "REDIS_URL", "")
    if not url:
        return []
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    client = redis.Redis.from_url(
        url, socket_connect_timeout=1, socket_timeout=1, retry=Retry(NoBackoff(), 0)
    )
    try:
        config = client.config_get("maxmemory*")
    except redis.ResponseError as error:
        return [
            CheckWarning(
                f"Could not read Redis's memory settings: CONFIG GET was refused ({error}).",
                hint="Check by other means (your provider's console) that Redis has a "
                "maxmemory and the allkeys-lru policy.",
                id="ops.W003",
            )
        ]
    except redis.RedisError as error:
        return [
            CheckWarning(
                f"Could not reach Redis at REDIS_URL to read its memory settings ({error}).",
                hint="The site still runs with the cache down (pages drawn uncached); "
                "start Redis or correct REDIS_URL.",
                id="ops.W004",
            )
        ]
    finally:
        client.close()
    warnings = []
    if str(config.get("maxmemory", "0")) == "0":
        warnings.append(
            CheckWarning("Redis has no memory limit (maxmemory is 0).", hint=HINT, id="ops.W001")
        )
    policy = str(config.get("maxmemory-policy", ""))
    if policy not in EVICTING_POLICIES:
        warnings.append(
            CheckWarning(
                f"Redis's maxmemory-policy is {policy or 'unknown'}, not an LRU policy: when "
                "full it refuses writes instead of evicting old pages.",
                hint=HINT,
                id="ops.W002",
            )
        )
    return warnings
