"""The funnel every hand-built reassignment case uses, with its managers."""

from __future__ import annotations

import pytest

from tests.builders import make_funnel
from tests.reassignment.builders import STAGES, make_users


@pytest.fixture
def funnel(db):
	make_users(db)
	return make_funnel(db, "F", STAGES)
