-- Privileges of the server-facing roles in `enterprise` (after seeding).
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO app, app_ro;
GRANT CREATE ON SCHEMA public TO app;  -- DDL is allowed (and tracked), like a typical app owner

GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE
    ON account_tiers, customers, products, orders, order_items, customer_notes TO app;
GRANT SELECT ON account_tiers, customers, products, orders, order_items, customer_notes TO app_ro;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO app;
GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO app_ro;

REVOKE ALL ON secrets_vault FROM PUBLIC;
