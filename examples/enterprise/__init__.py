"""The reference enterprise MCP server: customer support over the sandbox's contract.

One module per job: `config` (environment), `db` / `sql` / `knowledge` / `jira`
(the backends), `auth` (bearer tokens), `policy` (scopes, rate limit, audit),
`errors` (protocol error codes per version), `logs` (logging/setLevel, log
messages), `completions` (completion/complete), `server` (the MCP surface) and
`http` (Streamable HTTP runner). `examples/enterprise_server.py` is the CLI.
"""
