#!/bin/sh
# Creates and migrates Temporal's two PostgreSQL databases; safe to re-run.
set -eu
for db in temporal temporal_visibility; do
  case "$db" in
    temporal) schema_dir=/etc/temporal/schema/postgresql/v12/temporal/versioned ;;
    *) schema_dir=/etc/temporal/schema/postgresql/v12/visibility/versioned ;;
  esac
  sql() { temporal-sql-tool --plugin postgres12 --ep postgresql -p 5432 -u "$POSTGRES_USER" --pw "$POSTGRES_PWD" --db "$db" "$@"; }
  sql create || echo "database $db already exists"
  sql setup-schema -v 0.0 || echo "schema of $db already set up"
  sql update-schema -d "$schema_dir"
done
echo "Temporal schema is up to date."
