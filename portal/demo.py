"""Demo data that the apps add to ``seed_demo``'s registry, organizations and users.

An app registers its seeder from ``AppConfig.ready()``; ``seed_demo`` runs every seeder, in the
order they were registered, once its own data (divisions, users, organizations, filings) is in.
"""

SEEDERS = []


def register(seeder):
    if seeder not in SEEDERS:
        SEEDERS.append(seeder)
    return seeder


def seed_registered():
    for seeder in SEEDERS:
        seeder()
