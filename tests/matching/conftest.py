import importlib

import pytest


def shipped_data_load() -> None:
    """The rows the data migrations ship (the taxonomy, the role groups); loading is idempotent."""
    from django.apps import apps

    from accounts.services import role_groups_sync

    importlib.import_module("expo.migrations.0002_taxonomy").load_taxonomy(apps, None)
    role_groups_sync()


@pytest.fixture(scope="module")
def _shipped_data_restored(django_db_blocker):
    """After the module's last test, put the shipped rows back: a transactional test ends by
    emptying every table, and later tests (and a reused test database) need them."""
    yield
    with django_db_blocker.unblock():
        shipped_data_load()


@pytest.fixture
def committed_db(_shipped_data_restored, transactional_db):
    """A database whose writes commit (for tests with several connections or real workers), with
    the shipped rows present at the start whatever an earlier transactional test emptied."""
    shipped_data_load()
