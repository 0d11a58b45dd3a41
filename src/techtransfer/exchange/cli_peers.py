"""``techtransfer exchange`` actions: peers (see ``management/commands/exchange.py``)."""

ACTIONS: dict = {}
