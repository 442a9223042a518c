-- A small WooCommerce-style schema (the analytics tables wp_wc_order_stats and
-- wp_wc_customer_lookup as WooCommerce creates them, trimmed to the columns
-- the nightly job reads), filled from the order lines of `crm synth` in the
-- table crm_demo_lines:
--   crm synth -o 'mysql://wp@localhost/wordpress?socket=/run/mysqld/mysqld.sock' --table crm_demo_lines
--   mariadb wordpress < examples/woocommerce/demo_schema.sql
-- WooCommerce stores date_created in the shop's time zone and date_created_gmt in UTC.
DROP TABLE IF EXISTS wp_wc_order_stats;
DROP TABLE IF EXISTS wp_wc_customer_lookup;
CREATE TABLE wp_wc_customer_lookup (
    customer_id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
    user_id bigint(20) unsigned DEFAULT NULL,
    username varchar(60) NOT NULL DEFAULT '',
    first_name varchar(255) NOT NULL,
    last_name varchar(255) NOT NULL,
    email varchar(100) DEFAULT NULL,
    date_last_active timestamp NULL DEFAULT NULL,
    date_registered timestamp NULL DEFAULT NULL,
    country char(2) NOT NULL DEFAULT '',
    postcode varchar(20) NOT NULL DEFAULT '',
    city varchar(100) NOT NULL DEFAULT '',
    state varchar(100) NOT NULL DEFAULT '',
    PRIMARY KEY (customer_id),
    UNIQUE KEY user_id (user_id),
    KEY email (email)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE wp_wc_order_stats (
    order_id bigint(20) unsigned NOT NULL,
    parent_id bigint(20) unsigned NOT NULL DEFAULT 0,
    date_created datetime NOT NULL DEFAULT '0000-00-00 00:00:00',
    date_created_gmt datetime NOT NULL DEFAULT '0000-00-00 00:00:00',
    num_items_sold int(11) NOT NULL DEFAULT 0,
    total_sales double NOT NULL DEFAULT 0,
    tax_total double NOT NULL DEFAULT 0,
    shipping_total double NOT NULL DEFAULT 0,
    net_total double NOT NULL DEFAULT 0,
    returning_customer tinyint(1) DEFAULT NULL,
    status varchar(200) NOT NULL,
    customer_id bigint(20) unsigned NOT NULL,
    PRIMARY KEY (order_id),
    KEY date_created (date_created),
    KEY customer_id (customer_id),
    KEY status (status(191))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
SET time_zone = '+00:00';
INSERT INTO wp_wc_customer_lookup (customer_id, user_id, username, first_name, last_name, email,
                                   date_last_active, date_registered, country)
SELECT CustomerID, CustomerID, CONCAT('user', CustomerID), 'Customer', CAST(CustomerID AS CHAR),
       CONCAT('customer', CustomerID, '@example.com'), MAX(InvoiceDate), MIN(InvoiceDate),
       UPPER(LEFT(MIN(Country), 2))
FROM crm_demo_lines WHERE CustomerID IS NOT NULL GROUP BY CustomerID;
INSERT INTO wp_wc_order_stats (order_id, date_created, date_created_gmt, num_items_sold,
                               total_sales, net_total, status, customer_id)
SELECT CAST(REPLACE(InvoiceNo, 'C', '') AS UNSIGNED) + IF(InvoiceNo LIKE 'C%', 1000000, 0),
       MIN(InvoiceDate) + INTERVAL 1 HOUR, MIN(InvoiceDate), SUM(ABS(Quantity)),
       ROUND(SUM(Quantity * UnitPrice) * 1.2, 2), ROUND(SUM(Quantity * UnitPrice), 2),
       IF(InvoiceNo LIKE 'C%', 'wc-refunded', 'wc-completed'), MIN(CustomerID)
FROM crm_demo_lines WHERE CustomerID IS NOT NULL GROUP BY InvoiceNo;
DROP TABLE crm_demo_lines;
