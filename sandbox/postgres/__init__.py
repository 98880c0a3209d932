"""PostgreSQL in local mode: binaries, cluster process control, schema, seeding, change tracking."""
