#!/bin/sh
# A second PostgreSQL 15 server on port 5433, configured for this machine (24 GB, 2 cores), for
# bench/scale.py --server postgresql+psycopg://postgres@127.0.0.1:5433/ . The server on 5432,
# which the test suite and CI use, keeps its settings. Needs root and Debian's postgresql-common.
#   sh bench/pg_cluster.sh          create (once) and start
#   sh bench/pg_cluster.sh drop     stop and remove it with its data
set -e
VERSION=15 NAME=bench PORT=5433
if [ "$1" = drop ]; then
    pg_dropcluster --stop "$VERSION" "$NAME"
    exit 0
fi
if ! pg_lsclusters -h | awk '{print $2}' | grep -qx "$NAME"; then
    pg_createcluster "$VERSION" "$NAME" -p "$PORT" -- --auth=trust
fi
cat > "/etc/postgresql/$VERSION/$NAME/conf.d/bench.conf" <<CONF
# a quarter of the memory for PostgreSQL's own cache, the rest left to the OS's
shared_buffers = 6GB
effective_cache_size = 16GB
work_mem = 64MB
maintenance_work_mem = 1GB
# bulk loads and the expiry job write GBs of WAL: checkpoints by time, not by size
max_wal_size = 16GB
min_wal_size = 2GB
checkpoint_timeout = 30min
checkpoint_completion_target = 0.9
wal_compression = on
wal_buffers = 64MB
# everything is in memory or on SSD
random_page_cost = 1.1
max_connections = 200
CONF
pg_ctlcluster "$VERSION" "$NAME" restart 2>/dev/null || pg_ctlcluster "$VERSION" "$NAME" start
pg_lsclusters
