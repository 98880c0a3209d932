"""A Jira-compatible REST service for the mock-enterprise sandbox (see README.md).

Modules, one job each: `jql` (the language), `search` (its meaning for our
issues), `model` (catalogue and records), `seed` (initial state from
`sandbox.data`), `fields` (validating client input), `store` (state, mutations,
change log), `adf` (v3 documents), `render` (JSON shapes), `errors` (Jira's
error body), `web` (request helpers), `meta` (catalogue endpoints), `routes`
(issues, comments, search), `admin` (sandbox-only API, request log, faults),
`app` (gate and assembly), `cli` (uvicorn entry point), `backend` (the
harness-side `Backend`). Nothing here is imported by `backend`, so the harness
does not pay for Starlette unless it runs the service.
"""
