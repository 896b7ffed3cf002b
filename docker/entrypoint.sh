#!/bin/sh
# Entry point of the Systraite images: web | worker | beat | register-all | <any systraite-* command>.
#   web           migrate, collect static files, then gunicorn (node or hub per SYSTRAITE_SERVICE)
#   worker, beat  the node's Celery worker or beat
#   register-all  (hub) register every public key found in /keys-public/<node_id>.pem
# In a node, a missing signing key is generated (as node/keys.py does in development),
# and its public half is published in /keys-public when that volume is mounted.
set -eu
service="${SYSTRAITE_SERVICE:-node}"

publish_public_key() {
    [ "$service" = node ] && [ -d /keys-public ] || return 0
    python - <<'PY'
import os
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "node.config.settings")
django.setup()
from django.conf import settings

from node.keys import field_keys, linkage_secret, signing_key
from shared.signing import public_key_to_pem

field_keys(), linkage_secret()
target = Path("/keys-public") / f"{settings.SYSTRAITE_NODE_ID}.pem"
target.write_bytes(public_key_to_pem(signing_key().public_key()))
print(f"public key published: {target}")
PY
}

case "${1:-web}" in
    web)
        "systraite-$service" migrate --noinput
        "systraite-$service" collectstatic --noinput >/dev/null
        publish_public_key
        rm -rf "$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
        exec gunicorn -c /etc/systraite/gunicorn.conf.py "$service.config.wsgi"
        ;;
    worker)
        exec celery -A node.config worker --loglevel INFO --concurrency "${CELERY_CONCURRENCY:-1}"
        ;;
    beat)
        exec celery -A node.config beat --loglevel INFO --schedule /var/lib/systraite/celerybeat-schedule
        ;;
    register-all)
        for key in /keys-public/*.pem; do
            node_id="$(basename "$key" .pem)"
            systraite-hub register-node --jurisdiction "$(echo "$node_id" | tr '[:lower:]' '[:upper:]')" \
                --node-id "$node_id" --public-key "$key"
        done
        ;;
    *)
        exec "$@"
        ;;
esac
