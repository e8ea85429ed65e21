"""Fixtures the integration tests share: the console's signed-in staff."""

import pytest

from tests import factories


@pytest.fixture
def operator(session, login_as):
    """Signed in as operator `admin`; returns the CSRF token."""
    factories.staff(session, "operator", "admin")
    session.commit()
    return login_as("admin")


@pytest.fixture
def finance(session, login_as):
    """Signed in as finance `F0001`; returns the CSRF token."""
    factories.staff(session, "finance", "F0001")
    session.commit()
    return login_as("F0001")
