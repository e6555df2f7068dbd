// GCJ-02 (the obfuscated lon/lat of Amap, Tencent and other Chinese web maps) and BD-09 (Baidu) to and from WGS 84.
// Pure math, no GDAL: the published forward formulas, and their inverse by iterating the forward transform.
#pragma once
#include <string>

namespace gridatlas::layers {

struct LonLat {
    double lon = 0;
    double lat = 0;
};

// The offset coordinate systems GridAtlas converts; none: an ordinary CRS handled by PROJ.
enum class OffsetCrs { none, gcj02, bd09 };

// "GCJ-02", "gcj02", "BD-09", "bd09" (case-insensitive) → the system; anything else → none.
OffsetCrs offset_crs_of(const std::string& crs);

// Forward: WGS 84 → GCJ-02 (no offset outside the published mainland-China box), GCJ-02 → BD-09, WGS 84 → BD-09.
LonLat wgs84_to_gcj02(LonLat wgs);
LonLat gcj02_to_bd09(LonLat gcj);
LonLat wgs84_to_offset(OffsetCrs crs, LonLat wgs);

// Inverse: the WGS 84 point whose forward transform is `p`, found by fixed-point iteration of the forward formula
// until the forward image is within 1e-11° (≈ 1e-6 m) of `p` (at most 30 steps; converges in 3–6).
LonLat offset_to_wgs84(OffsetCrs crs, LonLat p);

}  // namespace gridatlas::layers
