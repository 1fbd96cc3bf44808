#!/bin/sh
# Creates and migrates Temporal's two PostgreSQL databases; safe to re-run.
# The compose deployment runs it in Temporal's admin-tools image; `npm run
# test:cluster` runs it with the SQL tool and schemas it built (the overrides).
set -eu
schema_root=${TEMPORAL_SCHEMA_DIR:-/etc/temporal/schema}/postgresql/v12
sql_tool=${TEMPORAL_SQL_TOOL:-temporal-sql-tool}
for db in temporal temporal_visibility; do
  case "$db" in
    temporal) schema_dir=$schema_root/temporal/versioned ;;
    *) schema_dir=$schema_root/visibility/versioned ;;
  esac
  sql() { "$sql_tool" --plugin postgres12 --ep "${POSTGRES_SEEDS:-postgresql}" -p "${DB_PORT:-5432}" -u "$POSTGRES_USER" --pw "$POSTGRES_PWD" --db "$db" "$@"; }
  sql create || echo "database $db already exists"
  sql setup-schema -v 0.0 || echo "schema of $db already set up"
  sql update-schema -d "$schema_dir"
done
echo "Temporal schema is up to date."
