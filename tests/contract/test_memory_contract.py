"""Every contract suite on the in-memory adapter, the reference."""

import pytest

from orderflow.bootstrap import in_memory_services
from orderflow.testing.contract import MakeServices
from orderflow.testing.suites import contract_classes


class InMemory:
    @pytest.fixture
    def make_services(self) -> MakeServices:
        return in_memory_services


globals().update(contract_classes(InMemory, "InMemory"))
