"""Generation: Hypothesis strategies, deterministic examples, the state machine over a live
session, its profiles, and replay of a shrunk counterexample."""
