#!/bin/sh
# Run by the minio-init service (image minio/mc) on every `docker compose up`; every step is idempotent.
# Creates the artifact bucket and the application's own user, whose policy reaches that bucket only, so the
# api and worker containers never hold the MinIO root credentials.
set -eu

: "${MINIO_ROOT_USER:?}" "${MINIO_ROOT_PASSWORD:?}" "${S3_BUCKET:?}" "${S3_ACCESS_KEY:?}" "${S3_SECRET_KEY:?}"

mc alias set myspinbot http://minio:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null
mc mb --ignore-existing "myspinbot/$S3_BUCKET"

policy=/tmp/myspinbot-app-policy.json
cat >"$policy" <<POLICY
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:*"],
      "Resource": ["arn:aws:s3:::$S3_BUCKET", "arn:aws:s3:::$S3_BUCKET/*"]
    }
  ]
}
POLICY
mc admin policy create myspinbot myspinbot-app "$policy"
mc admin user add myspinbot "$S3_ACCESS_KEY" "$S3_SECRET_KEY"
if ! out=$(mc admin policy attach myspinbot myspinbot-app --user "$S3_ACCESS_KEY" 2>&1); then
  case "$out" in
    *"already in effect"*) ;;
    *)
      echo "$out" >&2
      exit 1
      ;;
  esac
fi
echo "bucket $S3_BUCKET and user $S3_ACCESS_KEY are ready"
