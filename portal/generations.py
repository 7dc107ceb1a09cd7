"""Cached answers that a change of their source rows retires at once, in every process.

A ``Generation`` names some source data (the access rules, the registry, one user's inbox) and
holds a token in the shared cache. An answer is cached together with the tokens of the
generations it was built from and is served only while they are still current; whatever changes
the data bumps its generation (a model signal or the service that writes), so the next read
rebuilds the answer. Nothing waits for a time-out to expire.

A bump happens twice: at once, so the changing transaction never reads an answer from before its
change, and again after the commit, so an answer that another process built from the old rows
while the transaction was open is not served afterwards. Inside a transaction that changed the
data nothing is cached: a rollback must not leave an answer built from rows that never existed.

The cache must be shared by every process that serves or changes data: Redis when ``REDIS_URL``
is set, otherwise a file-based cache on this machine (see ``CACHES`` in the settings).
"""

import secrets

from django.core.cache import cache
from django.db import connection, transaction

# Answers are rebuilt after this long even if nothing bumped them: a safety net for a process
# that died between a commit and its second bump, not part of correctness.
DEFAULT_TIMEOUT = 3600


def _token():
    return secrets.token_hex(6)


class Generation:
    def __init__(self, name):
        self.name = name
        self.key = f"portal:gen:{name}"

    def __repr__(self):
        return f"Generation({self.name!r})"

    def bump(self, **_signal_kwargs):
        """Retire every answer built from this data (usable as a signal receiver)."""
        bump(self)

    def changed_in_this_transaction(self):
        if not connection.in_atomic_block:
            return False
        changed = getattr(connection, "_portal_generations_changed", {})
        return changed.get(self.name) is connection.atomic_blocks[0]


def bump(*generations):
    """Retire every answer built from the data of ``generations``: now, and after the commit."""
    if not generations:
        return

    def retire():
        cache.set_many({g.key: _token() for g in generations}, None)

    retire()
    if connection.in_atomic_block:
        # Remember the transaction (its outermost block), not a flag a rollback would leave.
        changed = connection.__dict__.setdefault("_portal_generations_changed", {})
        block = connection.atomic_blocks[0]
        for g in generations:
            changed[g.name] = block

        def after_commit():
            retire()
            for g in generations:
                if changed.get(g.name) is block:
                    del changed[g.name]

        transaction.on_commit(after_commit)


def cached(key, build, *generations, timeout=DEFAULT_TIMEOUT):
    """``build()``, or its cached answer while every one of ``generations`` is unchanged.

    One cache round trip on a hit: the answer and the generations' tokens are read together.
    """
    if any(g.changed_in_this_transaction() for g in generations):
        return build()
    found = cache.get_many([key, *(g.key for g in generations)])
    tokens = []
    for g in generations:
        token = found.get(g.key)
        if token is None:
            # A generation seen for the first time (or lost with the cache): start one. ``add``
            # keeps a token another process set meanwhile.
            cache.add(g.key, _token(), None)
            token = cache.get(g.key)
        tokens.append(token)
    tokens = tuple(tokens)
    hit = found.get(key)
    if hit is not None and hit[0] == tokens:
        return hit[1]
    value = build()
    cache.set(key, (tokens, value), timeout)
    return value


ACCESS = Generation("access")
REGISTRY = Generation("registry")
FILINGS = Generation("filings")

# The rows each generation is built from: saving or deleting one bumps it (``connect``). Writes
# that bypass model signals (``QuerySet.update``, ``bulk_create``) bump in their service.
SOURCES = {
    # A user's divisions and organization (duties.access.roles).
    ACCESS: (
        "duties.Division",
        "duties.DivisionMembership",
        "orgs.Organization",
        "orgs.OrganizationUser",
    ),
    # The registry's rows, its division filter and who sees which organization.
    REGISTRY: ("orgs.Organization", "duties.Division", "orgs.OrganizationGroupObjectPermission"),
    # The review queues' rows and their matter filter (organization names come from REGISTRY).
    FILINGS: ("reports.Filing", "reports.Opinion", "reports.MatterType"),
}


def user(user_id):
    """One user's row, as the authentication backend caches it."""
    return Generation(f"user:{user_id}")


def _bump_user(instance, **_kwargs):
    user(instance.pk).bump()


def connect():
    from django.conf import settings
    from django.db.models.signals import post_delete, post_save

    for signal in (post_save, post_delete):
        signal.connect(
            _bump_user, sender=settings.AUTH_USER_MODEL, weak=False, dispatch_uid="generation:user"
        )

    for generation, senders in SOURCES.items():
        for sender in senders:
            for signal in (post_save, post_delete):
                signal.connect(
                    generation.bump,
                    sender=sender,
                    weak=False,
                    dispatch_uid=f"generation:{generation.name}:{sender}",
                )
