"""The national-scale benchmark (`make bench`): ten years of generated data on PostgreSQL, every
important page measured against gunicorn, and the two floors (SQL alone, naked page) beside it.

- `bench.generate`: the data, written with COPY, deterministic from a seed, valid by the
  project's own constraints;
- `bench.pages`: the registry of what is measured (name, path, user) — add a page there;
- `bench.naked`: the bare views of the naked floor (mounted by `config.settings.bench` only);
- `bench.run`: the whole run, `python -m bench [--scale 0.1]`, writing `bench/results.json`.

See docs/PERFORMANCE.md.
"""
