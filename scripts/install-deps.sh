#!/usr/bin/env bash
# Installs GridAtlas's build and run dependencies from Debian 12's packages. Safe to run again.
set -euo pipefail
packages=(
  cmake g++ pkg-config make
  libgdal-dev gdal-bin libgeos-dev libboost-dev libboost-graph-dev
  libmapnik-dev mapnik-utils fonts-noto-cjk fonts-dejavu-core
  libgtest-dev libgmock-dev libbenchmark-dev
  nlohmann-json3-dev libcli11-dev libtomlplusplus-dev libsqlite3-dev
  libcpp-httplib-dev libsodium-dev chromium wrk curl poppler-utils python3 python3-xlwt python3-gdal python3-matplotlib
  postgresql-15 postgresql-15-postgis-3 libpq-dev
)
# gridatlas serve's page: Leaflet (and playwright-core for the browser test) come from the npm registry at build time.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
