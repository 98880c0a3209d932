"""A Jira-compatible REST service for the mock-enterprise sandbox.

Modules, one job each: `jql` (the language), `search` (its meaning for our
issues), `model` (catalogue and records), `seed` (initial state from
`sandbox.data`), `fields` (validating client input), `store` (state and
mutations), `adf` (v3 documents), `render` (JSON shapes), `routes` (REST
endpoints), `admin` (sandbox-only API), `app` (assembly and auth), `cli`
(uvicorn entry point), `backend` (the harness-side `Backend`).
"""
