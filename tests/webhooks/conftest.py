import pytest

from tests.webhooks.receiver import start_receiver


@pytest.fixture
def receiver():
    r, stop = start_receiver()
    yield r
    stop()
