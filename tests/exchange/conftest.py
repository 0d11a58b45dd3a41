"""Exchange fixtures (taking side): a fake peer platform serving a signed feed, and its registration here."""

import pytest
from django.utils import translation

from techtransfer.exchange.models import Peer
from tests.exchange.pullkit import FakePeer, Server


@pytest.fixture
def fake_peer():
    return FakePeer(instance="cq-test")


@pytest.fixture
def served(fake_peer):
    with Server(fake_peer, page_limit=2) as url:
        yield url


@pytest.fixture
def peer(db, fake_peer, served):
    return Peer.objects.create(
        name="重庆技术市场", base_url=served, instance_id=fake_peer.instance, public_key=fake_peer.public
    )


@pytest.fixture
def english(settings):
    """Messages and pages in English (the msgids), whatever the translation pass adds later."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
