"""Test and demo tooling that never ships with the app: the PyMySQL adapter behind the engine's `db` port, the
ERPNext-shaped test schema and the synthetic demo company. Importable from the repository root (tests,
benchmarks, `python -m devkit.demo`); a bench never needs it."""
