# Sourced after bootstrap.sh: bring the database to the current schema, then seed the catalog if it is new.
echo "==> Migrating the database"
reflex db migrate
python -m pepestore.store.seed
