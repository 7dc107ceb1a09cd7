"""Cached answers that a change of their source rows retires at once, in every process.

A ``Generation`` names some source data and holds a token in the shared cache. Every model has
one, bumped by a receiver connected for every model at start-up (``connect``): saving, deleting
or relinking (many-to-many) any row bumps its model's generation. A cached answer declares the
models it reads where it is built (``cached(key, build, reads=(Organization, Division))``), is
stored together with their tokens, and is served only while they are all still current. Two
narrower generations stay: one per user (the session's user row, ``user``) and one per inbox
(``portal.notifications``). Nothing waits for a time-out to expire.

A bump happens twice: at once, so the changing transaction never reads an answer from before its
change, and again after the commit, so an answer that another process built from the old rows
while the transaction was open is not served afterwards. Inside a transaction that changed the
data nothing is cached: a rollback must not leave an answer built from rows that never existed.

Writes that send no model signals (``QuerySet.update``, ``bulk_create``, raw SQL) bump the
models they touch themselves, with ``bump_models``.

Answer keys carry the release (``portal.release``): what one release rendered or pickled is never
served by another. Generation tokens do not need to.

The cache must be shared by every process that serves or changes data: Redis when ``REDIS_URL``
is set, otherwise a file-based cache on this machine (see ``CACHES`` in the settings).
"""

import secrets

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from simple_history.models import HistoricalChanges

from . import release

# Answers are rebuilt after this long even if nothing bumped them: a safety net for a process
# that died between a commit and its second bump, not part of correctness.
DEFAULT_TIMEOUT = 3600

# Models no cached answer reads, written on hot paths (every request that touches the session,
# every reminder sweep, every message): a bump would be a cache write for nothing. Nothing may
# declare that it reads one (``cached`` refuses); the inbox has a generation per user instead.
# simple-history's Historical* models are left out too (one row per tracked save).
UNTRACKED = frozenset({"sessions.session", "portal.notification", "portal.reminder"})

_CHANGES = "_portal_generation_changes"


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


class _Changes:
    """The generations one transaction has bumped: none of them is served from the cache inside
    it, and each is bumped again once it commits."""

    def __init__(self, block):
        self.block = block
        self.names = set()
        self.pending = {}
        self.queued = []  # the savepoints open when ``flush`` was queued, for each time it was

    def flush(self):
        if self.pending:
            _retire(list(self.pending.values()))
            self.pending.clear()


def _retire(generations):
    cache.set_many({g.key: _token() for g in generations}, None)


def _changes(conn):
    """The current transaction's changes, if it has any."""
    changes = getattr(conn, _CHANGES, None)
    if changes is not None and conn.in_atomic_block and changes.block is conn.atomic_blocks[0]:
        return changes
    return None


def bump(*generations):
    """Retire every answer built from the data of ``generations``: now, and after the commit.

    Within one transaction each generation is bumped at once the first time only, and all of
    them together in one cache write after the commit.
    """
    if not generations:
        return
    conn = transaction.get_connection()
    if not conn.in_atomic_block:
        _retire(generations)
        return
    changes = _changes(conn)
    if changes is None:
        # Kept on the thread's connection and tied to its outermost block, so a rollback leaves
        # nothing behind and the next transaction starts afresh.
        changes = _Changes(conn.atomic_blocks[0])
        setattr(conn, _CHANGES, changes)
    fresh = {g.name: g for g in generations if g.name not in changes.names}
    if fresh:
        _retire(list(fresh.values()))
        changes.names.update(fresh)
    changes.pending.update({g.name: g for g in generations})
    # A callback queued inside a savepoint that rolls back is dropped: queue the flush again
    # unless one is queued under savepoints that are all still open.
    open_now = set(conn.savepoint_ids)
    if not any(queued <= open_now for queued in changes.queued):
        changes.queued.append(open_now)
        transaction.on_commit(changes.flush)


# --- one generation per model ----------------------------------------------------------------

_MODELS = {}  # label -> Generation of every tracked model, filled by ``connect``
_OF_SENDER = {}  # model class -> the generations a change of one of its rows bumps


def _is_tracked(model):
    return model._meta.label_lower not in UNTRACKED and not issubclass(model, HistoricalChanges)


def _label(model):
    return model._meta.concrete_model._meta.label_lower


def model_generation(model):
    """The generation of ``model``'s rows (a proxy shares its concrete model's)."""
    try:
        return _MODELS[_label(model)]
    except KeyError:
        raise ValueError(
            f"{model._meta.label} is not tracked by portal.generations: no cached answer may "
            "read it (see UNTRACKED)"
        ) from None


def _of_sender(model):
    """The generations that a change of a ``model`` row bumps: its own and, for a model that
    inherits from another, its parents' (whose rows change with it)."""
    found = _OF_SENDER.get(model)
    if found is None:
        found = tuple(
            _MODELS[_label(m)]
            for m in (model, *model._meta.get_parent_list())
            if _label(m) in _MODELS
        )
        _OF_SENDER[model] = found
    return found


def bump_models(*models):
    """Retire every answer that reads one of ``models``: for writes that send no model signals
    (``QuerySet.update``, ``bulk_create``). A migration may pass its historical models."""
    bump(*(model_generation(model) for model in models))


def _bump_saved(sender, **_kwargs):
    bump(*_of_sender(sender))


def _bump_linked(sender, instance, action, model, **_kwargs):
    """A many-to-many change bumps the link table and the models on both of its sides."""
    if action.startswith("post_"):
        bump(*_of_sender(sender), *_of_sender(type(instance)), *_of_sender(model))


def answer_key(key):
    """Where the answer named ``key`` is stored: under this release only."""
    return f"{key}|{release.RELEASE}"


def cached(key, build, *generations, reads=(), timeout=DEFAULT_TIMEOUT):
    """``build()``, or its cached answer while nothing it was built from has changed.

    ``reads`` are the models whose rows ``build`` reads (every queryset, select_related and
    template it renders); ``generations`` any narrower generations (a user's, an inbox). One
    cache round trip on a hit: the answer and every token are read together.
    """
    generations = (*generations, *(model_generation(model) for model in reads))
    if not generations:
        raise ValueError(f"{key}: an answer must declare what retires it")
    changes = _changes(transaction.get_connection())
    if changes is not None and any(g.name in changes.names for g in generations):
        return build()
    key = answer_key(key)
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


def user(user_id):
    """One user's row, as the authentication backend caches it."""
    return Generation(f"user:{user_id}")


def _bump_user(instance, **_kwargs):
    user(instance.pk).bump()


def connect():
    """Give every model but the ``UNTRACKED`` ones a generation and connect its receivers.

    Connected per model rather than for every sender: a delete receiver for every sender would
    stop Django from deleting the untracked models' rows in bulk (``clearsessions``).
    """
    for signal in (post_save, post_delete):
        signal.connect(
            _bump_user, sender=settings.AUTH_USER_MODEL, weak=False, dispatch_uid="generation:user"
        )
    for model in apps.get_models(include_auto_created=True):
        if not _is_tracked(model):
            continue
        label = model._meta.label_lower
        _MODELS.setdefault(_label(model), Generation(f"model:{_label(model)}"))
        for signal, receiver in (
            (post_save, _bump_saved),
            (post_delete, _bump_saved),
            (m2m_changed, _bump_linked),
        ):
            signal.connect(receiver, sender=model, weak=False, dispatch_uid=f"generation:{label}")
