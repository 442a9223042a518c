-- A small Odoo-style sales schema (the columns of sale_order and res_partner
-- that the nightly job reads), filled from the order lines of `crm synth` in
-- the table crm_demo_lines:
--   crm synth -o postgresql://odoo@/odoo?host=/run/postgresql --table crm_demo_lines
--   psql "dbname=odoo" -f examples/odoo/demo_schema.sql
-- Odoo keeps datetimes as timestamp without time zone, in UTC.
SET client_min_messages = warning;
DROP TABLE IF EXISTS sale_order;
DROP TABLE IF EXISTS res_partner;
CREATE TABLE res_partner (
    id integer PRIMARY KEY,
    name varchar NOT NULL,
    email varchar,
    country_code varchar(2),
    customer_rank integer DEFAULT 0,
    active boolean DEFAULT true,
    create_date timestamp without time zone
);
CREATE TABLE sale_order (
    id serial PRIMARY KEY,
    name varchar NOT NULL,
    partner_id integer NOT NULL REFERENCES res_partner (id),
    date_order timestamp without time zone NOT NULL,
    state varchar NOT NULL,          -- draft, sent, sale, done, cancel
    amount_untaxed numeric(12, 2),
    amount_total numeric(12, 2),
    currency_id integer DEFAULT 1
);
INSERT INTO res_partner (id, name, email, country_code, customer_rank, create_date)
SELECT c, 'Customer ' || c, 'customer' || c || '@example.com',
       upper(left(min("Country"), 2)), 1, min("InvoiceDate")
FROM (SELECT "CustomerID"::integer AS c, "Country", "InvoiceDate" FROM crm_demo_lines
      WHERE "CustomerID" IS NOT NULL) l
GROUP BY c;
INSERT INTO sale_order (name, partner_id, date_order, state, amount_untaxed, amount_total)
SELECT 'S' || "InvoiceNo", min("CustomerID")::integer, min("InvoiceDate"),
       CASE WHEN "InvoiceNo" LIKE 'C%' THEN 'cancel' ELSE 'sale' END,
       round(sum("Quantity" * "UnitPrice")::numeric, 2),
       round(sum("Quantity" * "UnitPrice")::numeric * 1.19, 2)
FROM crm_demo_lines
WHERE "CustomerID" IS NOT NULL
GROUP BY "InvoiceNo"
HAVING sum("Quantity" * "UnitPrice") > 0;
DROP TABLE crm_demo_lines;
