"""The cost of the trap: the cost model, the cost of a further month of delay, and their charts."""
