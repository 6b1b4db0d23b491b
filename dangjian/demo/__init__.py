"""The demo bureau and the synthetic data generators: used by `seed_demo`, the bench and the tests only."""
