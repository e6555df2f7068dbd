#!/usr/bin/env bash
# PostGIS against `gridatlas assign` end to end, households located by coordinates: both from the project's files to a
# households table written out, in alternating pairs, every household compared. A benchmark, not part of the tests.
#
#   scripts/scale_roster.py --by-coordinates -o out/bench1m_xy       # 1,000,000 rows placed by lon/lat
#   scripts/peer_postgis_e2e.sh out/bench1m_xy/project.toml [--pairs 3] [--gridatlas build/bin/gridatlas]
#
# The cluster (installed when missing, started on loopback, removed on exit) is peer_postgis.sh's; what is timed on
# each side is in scripts/peer_postgis_e2e.py's --help.
set -euo pipefail
if [[ $# -lt 1 || "$1" == -h || "$1" == --help ]]; then
    sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    [[ $# -ge 1 ]] && exit 0 || exit 1
fi
PEER_SCRIPT=peer_postgis_e2e.py exec "$(dirname "${BASH_SOURCE[0]}")/peer_postgis.sh" "$@"
