#!/usr/bin/env bash
# The MLflow tracking server parcours logs to in production: runs and the model registry in PostgreSQL,
# artifacts (models, figures, the report) in a folder or bucket the server serves to its clients, so
# pipeline workers need no access to the artifact store, only to http://HOST:PORT.
#   MLFLOW_BACKEND_STORE_URI   postgresql+psycopg2://USER:PASSWORD@HOST:5432/mlflow (psycopg2: the production extra)
#   MLFLOW_ARTIFACTS_DESTINATION  /srv/mlflow/artifacts, or s3://bucket/mlflow (with boto3 installed)
# Then, where parcours runs: MLFLOW_TRACKING_URI=http://HOST:5000
set -euo pipefail
: "${MLFLOW_BACKEND_STORE_URI:?set MLFLOW_BACKEND_STORE_URI, e.g. postgresql+psycopg2://mlflow:secret@db:5432/mlflow}"
: "${MLFLOW_ARTIFACTS_DESTINATION:?set MLFLOW_ARTIFACTS_DESTINATION, e.g. /srv/mlflow/artifacts}"
export MLFLOW_DISABLE_TELEMETRY=true DO_NOT_TRACK=1
exec mlflow server --backend-store-uri "$MLFLOW_BACKEND_STORE_URI" \
  --artifacts-destination "$MLFLOW_ARTIFACTS_DESTINATION" --serve-artifacts \
  --host "${MLFLOW_HOST:-0.0.0.0}" --port "${MLFLOW_PORT:-5000}" --workers "${MLFLOW_WORKERS:-2}" "$@"
