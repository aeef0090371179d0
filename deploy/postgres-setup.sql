-- On the database machine (Debian: apt-get install postgresql), as postgres:
--   psql -f postgres-setup.sql
-- The servers create the tables themselves at their first start.
CREATE ROLE closing_time LOGIN PASSWORD 'CHANGE-ME';
CREATE DATABASE closing_time OWNER closing_time;
