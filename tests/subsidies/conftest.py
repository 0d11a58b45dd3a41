from tests.contracts.conftest import cw  # noqa: F401 - the contract world, for the adapter's tests
